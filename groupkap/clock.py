"""Clocks: the only way the core learns the time, so a 2-hour session can run in seconds.

Core code never calls `time.time()` itself. It is handed a `Clock`: `RealClock` for a live
room, `SimulatedClock` for demos, tests and replay. Times are UTC seconds since the epoch
(floats), which SQLite and numpy both handle without conversion.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the session's current time in UTC epoch seconds."""

    def now(self) -> float: ...


class RealClock:
    """The wall clock."""

    speed = 1.0

    def now(self) -> float:
        return time.time()


class SimulatedClock:
    """A clock that runs `speed` times faster than real time, or only when advanced.

    With ``speed=0`` the clock stands still until `advance` is called: tests step a whole
    session forward deterministically. With ``speed>0`` it also runs on its own, which is
    what `groupkap demo --speed 60` uses.

    Running on its own it never passes its hold (`hold_at`, `end_at`): the session holds it a
    bounded span past the data the room has taken in, so at a speed the machine cannot keep
    the clock waits for the work instead of running ahead and piling up a backlog (it then
    runs as fast as the machine can, `real_speed` says how fast). `advance` is not held.

    Attributes:
        speed: simulated seconds per real second (0 = manual only).
    """

    def __init__(
        self,
        start: float | None = None,
        speed: float = 0.0,
        *,
        real: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed < 0:
            raise ValueError(f"clock speed must be 0 or more, not {speed}")
        self._start = time.time() if start is None else float(start)
        self.speed = float(speed)
        self._real = real  # real seconds (tests pass their own)
        self._offset = 0.0
        self._real_anchor = real()
        self._lock = threading.Lock()
        self._hold = math.inf  # running on its own, no further than this (session time)
        self._end = math.inf  # nor ever past this (the demo's end)
        self._ran_real = 0.0  # real seconds the clock ran (speed > 0), for real_speed
        self._ran_session = 0.0  # session seconds it moved while running

    def now(self) -> float:
        with self._lock:
            return self._now_locked()

    def _now_locked(self, real: float | None = None) -> float:
        """The time, the running part held at the hold; a held clock is re-anchored there,
        so it goes on from the hold (not from where it would have been) once released."""
        base = self._start + self._offset
        if not self.speed:
            return base
        real = self._real() if real is None else real
        elapsed = real - self._real_anchor
        limit = min(self._hold, self._end)
        t = base + elapsed * self.speed
        if t <= limit:
            return t
        t = max(base, limit)  # never backwards
        self._ran_real += elapsed
        self._ran_session += t - base
        self._offset = t - self._start
        self._real_anchor = real
        return t

    def hold_at(self, limit: float) -> None:
        """Running on its own, go no further than `limit` until the next hold (the session
        sets it after each pump: the data taken in plus a bounded span)."""
        with self._lock:
            self._now_locked()  # time run so far counts against the old hold
            self._hold = float(limit)

    def end_at(self, end: float) -> None:
        """Running on its own, never pass `end` (a demo of `--minutes` ends exactly there)."""
        with self._lock:
            self._now_locked()
            self._end = float(end)

    @property
    def real_speed(self) -> float:
        """Session seconds per real second over the time the clock ran on its own so far:
        `speed` unless holds made it wait for the work."""
        with self._lock:
            real_now = self._real()
            t = self._now_locked(real_now)
            real = self._ran_real + (real_now - self._real_anchor if self.speed else 0.0)
            session = self._ran_session + (t - self._start - self._offset)
            return session / real if real > 0 else self.speed

    def run(self, speed: float) -> None:
        """Set the clock running at `speed` from where it stands (a demo starts it once the
        room is built, so no simulated minutes pass while windows open)."""
        if speed < 0:
            raise ValueError(f"clock speed must be 0 or more, not {speed}")
        with self._lock:
            self._settle()
            self.speed = float(speed)

    def stop(self) -> float:
        """Stop the clock where it is (speed 0); returns the time it stopped at."""
        with self._lock:
            self._settle()
            self.speed = 0.0
        return self.now()

    def _settle(self) -> None:
        """Fold the time run since the anchor into the offset and re-anchor at now."""
        real = self._real()
        t = self._now_locked(real)
        if self.speed:
            self._ran_real += real - self._real_anchor
            self._ran_session += t - self._start - self._offset
        self._offset = t - self._start
        self._real_anchor = real

    def advance(self, seconds: float) -> float:
        """Move the clock forward by `seconds` of session time and return the new time."""
        if seconds < 0:
            raise ValueError("a clock never runs backwards")
        with self._lock:
            self._offset += seconds
        return self.now()


def utc_iso(t: float) -> str:
    """ISO 8601 UTC with milliseconds and a `Z`, the form of `t_utc` in both readable views."""
    stamp = datetime.fromtimestamp(t, tz=UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")
