"""Per-seat ring buffers (numpy) that sources fill and the room grid reads at frame rate.

The heartbeat writes (a source's readings, pulled by `LiveSession.pump`) and the room's frame
reads, both on the GUI thread, under a short lock. The frame's reads (`trend`, `pleth`)
are read-only views, not copies (copying every trend and the pleth every frame was
measurable, issue 17): a view holds its samples until `capacity - len(view)` more have been
written. A reader that keeps samples past the frame (a plot that draws them later) copies
what it keeps.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from groupkap.params import PARAMETERS, PLETH_RATE_HZ
from groupkap.readings import Reading, WaveformBlock, is_hand


class RingBuffer:
    """A fixed-capacity time series that overwrites its oldest samples.

    Every sample is kept twice, at `i` and `i + capacity`, so the newest samples are always
    one contiguous stretch of memory: `since`, the frame's read, is a view, never a copy.

    Attributes:
        capacity: how many (t, value) pairs it holds.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 2:
            raise ValueError("a ring buffer needs room for at least two samples")
        self.capacity = capacity
        self._t = np.zeros(2 * capacity, dtype=np.float64)
        self._v = np.zeros(2 * capacity, dtype=np.float32)
        self._next = 0  # index of the next write, in [0, capacity)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def _put(self, start: int, times: np.ndarray, values: np.ndarray) -> None:
        """Write at most `capacity` samples from `start`, wrapping, in both copies."""
        cap, n = self.capacity, len(times)
        first = min(n, cap - start)
        for at, a, b in ((start, 0, first), (0, first, n)):
            if b > a:
                end = at + b - a
                self._t[at:end] = self._t[at + cap : end + cap] = times[a:b]
                self._v[at:end] = self._v[at + cap : end + cap] = values[a:b]

    def extend(self, times: np.ndarray, values: np.ndarray) -> None:
        n = len(times)
        if n == 0:
            return
        if n >= self.capacity:
            times, values, n = times[-self.capacity :], values[-self.capacity :], self.capacity
        self._put(self._next, times, values)
        self._next = (self._next + n) % self.capacity
        self._count = min(self.capacity, self._count + n)

    def append(self, t: float, value: float) -> None:
        if self._count and t < self._t[(self._next - 1) % self.capacity]:
            self._insert(t, value)  # a back-dated hand entry: keep time order
            return
        # The per-reading path: write the scalars in place, no temporary arrays.
        i = self._next
        self._t[i] = self._t[i + self.capacity] = t
        self._v[i] = self._v[i + self.capacity] = value
        self._next = (i + 1) % self.capacity
        self._count = min(self.capacity, self._count + 1)

    def _rewrite(self, t: np.ndarray, v: np.ndarray) -> None:
        t, v = t[-self.capacity :], v[-self.capacity :]
        n = len(t)
        self._put(0, t, v)
        self._count, self._next = n, n % self.capacity

    def _insert(self, t: float, value: float) -> None:
        """Rare (a value typed in after later monitor readings): O(capacity), not per frame."""
        times, values = self.ordered()
        i = int(np.searchsorted(times, t, side="right"))
        self._rewrite(np.insert(times, i, t), np.insert(values, i, value))

    def remove(self, t: float, value: float) -> bool:
        """Take out the sample at exactly (t, value): a struck entry leaves the display."""
        times, values = self.ordered()
        hits = np.flatnonzero((times == t) & (values == np.float32(value)))
        if len(hits) == 0:
            return False
        keep = np.ones(len(times), dtype=bool)
        keep[hits[-1]] = False
        self._rewrite(times[keep], values[keep])
        return True

    def ordered(self) -> tuple[np.ndarray, np.ndarray]:
        """All held samples, oldest first (copies: to edit, or to keep)."""
        end = self._next + self.capacity
        return self._t[end - self._count : end].copy(), self._v[end - self._count : end].copy()

    def since(self, t_from: float) -> tuple[np.ndarray, np.ndarray]:
        """The samples at or after `t_from`, oldest first: read-only views, no copy."""
        end = self._next + self.capacity
        begin = end - self._count
        begin += int(np.searchsorted(self._t[begin:end], t_from, side="left"))
        return self._view(begin, end)

    def _view(self, begin: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        t, v = self._t[begin:end], self._v[begin:end]
        t.flags.writeable = v.flags.writeable = False
        return t, v

    def last(self) -> tuple[float, float] | None:
        if self._count == 0:
            return None
        i = (self._next - 1) % self.capacity
        return float(self._t[i]), float(self._v[i])


class SeatVitals:
    """Everything recently measured at one seat.

    Attributes:
        seat: seat number.
        last_data_t: when anything last arrived from the monitor (drives the stale greying
            and "no data"), or None. A value typed in by hand is not monitor data.
    """

    TREND_CAPACITY = 4096  # > 1 h of 1 Hz numerics, more than the 30-min trend needs
    PLETH_SECONDS = 16

    def __init__(self, seat: int) -> None:
        self.seat = seat
        self._lock = threading.Lock()
        self._numerics = {
            name: RingBuffer(self.TREND_CAPACITY)
            for name, p in PARAMETERS.items()
            if not p.waveform
        }
        self._pleth = RingBuffer(PLETH_RATE_HZ * self.PLETH_SECONDS)
        self.last_data_t: float | None = None
        self._hand: dict[str, dict[float, str]] = {}  # param -> {t: source} of hand values

    def add_reading(self, reading: Reading) -> bool:
        """Store a reading; NaN and out-of-range artefacts are dropped (returns False)."""
        p = PARAMETERS.get(reading.param)
        if p is None or p.waveform or not p.is_valid(reading.value):
            return False
        with self._lock:
            self._numerics[reading.param].append(reading.t, reading.value)
            if reading.by_hand:
                self._hand.setdefault(reading.param, {})[reading.t] = reading.source
            else:
                self._touch(reading.t)
        return True

    def refill(self, param: str, rows: Sequence[tuple[float, float, str]]) -> int:
        """Put back what the log holds of `param` for a resumed session: (t, value, source)
        in time order, struck entries already left out. Who took a hand value comes back
        with it; the monitor's newest value counts as its last data (the tile then says how
        long it has been quiet). Artefacts are dropped as `add_reading` drops them. Only an
        empty buffer is refilled: this is how a resumed tile starts, not a way to add
        readings. Returns how many were put back."""
        p = PARAMETERS[param]
        kept = [(t, v, source) for t, v, source in rows if p.is_valid(v)]
        with self._lock:
            buffer = self._numerics[param]
            if len(buffer):
                raise ValueError(f"{param} at seat {self.seat} already has readings")
            if not kept:
                return 0
            buffer.extend(
                np.fromiter((t for t, _, _ in kept), np.float64, len(kept)),
                np.fromiter((v for _, v, _ in kept), np.float32, len(kept)),
            )
            hand = {t: source for t, _, source in kept if is_hand(source)}
            if hand:
                self._hand.setdefault(param, {}).update(hand)
            monitor = [t for t, _, source in kept if not is_hand(source)]
            if monitor:
                self._touch(monitor[-1])
        return len(kept)

    def strike(self, param: str, t: float, value: float) -> bool:
        """Take a struck hand value out: the tile falls back to the value before it."""
        with self._lock:
            self._hand.get(param, {}).pop(t, None)
            return self._numerics[param].remove(t, value)

    def source_of_latest(self, param: str) -> str | None:
        """`hand:<who>` when the newest value of `param` was typed in, `monitor` otherwise."""
        with self._lock:
            last = self._numerics[param].last()
            if last is None:
                return None
            return self._hand.get(param, {}).get(last[0], "monitor")

    def add_block(self, block: WaveformBlock) -> None:
        with self._lock:
            self._pleth.extend(block.times(), block.samples)
            self._touch(block.t_start + len(block.samples) / block.rate_hz)

    def _touch(self, t: float) -> None:
        if self.last_data_t is None or t > self.last_data_t:
            self.last_data_t = t

    def latest(self, param: str) -> tuple[float, float] | None:
        """(t, value) of the newest reading of `param`, or None."""
        with self._lock:
            return self._numerics[param].last()

    def trend(self, param: str, t_from: float) -> tuple[np.ndarray, np.ndarray]:
        """(t, value) of `param` since `t_from`: read-only views (`RingBuffer.since`)."""
        with self._lock:
            return self._numerics[param].since(t_from)

    def pleth(self, t_from: float) -> tuple[np.ndarray, np.ndarray]:
        """(t, sample) of the pleth since `t_from`: read-only views (`RingBuffer.since`)."""
        with self._lock:
            return self._pleth.since(t_from)

    def is_stale(self, now: float, stale_after_s: float) -> bool:
        """True when nothing has arrived for `stale_after_s` (or never)."""
        return self.last_data_t is None or now - self.last_data_t > stale_after_s
