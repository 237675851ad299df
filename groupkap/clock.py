"""Clocks: the only way the core learns the time, so a 2-hour session can run in seconds.

Core code never calls `time.time()` itself. It is handed a `Clock`: `RealClock` for a live
room, `SimulatedClock` for demos, tests and replay. Times are UTC seconds since the epoch
(floats), which SQLite and numpy both handle without conversion.
"""

from __future__ import annotations

import threading
import time
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

    Attributes:
        speed: simulated seconds per real second (0 = manual only).
    """

    def __init__(self, start: float | None = None, speed: float = 0.0) -> None:
        if speed < 0:
            raise ValueError(f"clock speed must be 0 or more, not {speed}")
        self._start = time.time() if start is None else float(start)
        self.speed = float(speed)
        self._offset = 0.0
        self._real_anchor = time.monotonic()
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            running = (time.monotonic() - self._real_anchor) * self.speed
            return self._start + self._offset + running

    def run(self, speed: float) -> None:
        """Set the clock running at `speed` from where it stands (a demo starts it once the
        room is built, so no simulated minutes pass while windows open)."""
        if speed < 0:
            raise ValueError(f"clock speed must be 0 or more, not {speed}")
        with self._lock:
            self._offset += (time.monotonic() - self._real_anchor) * self.speed
            self._real_anchor = time.monotonic()
            self.speed = float(speed)

    def stop(self) -> float:
        """Stop the clock where it is (speed 0); returns the time it stopped at."""
        with self._lock:
            self._offset += (time.monotonic() - self._real_anchor) * self.speed
            self._real_anchor = time.monotonic()
            self.speed = 0.0
        return self.now()

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
