"""A stored session played back as a vitals source: each row handed out again at its own time.

Replay (training, incident review) feeds the same tiles as a live room, so it is a source like
the simulator: `generate(until)` gives what was measured up to the replay clock's `until`. It
reads the session read-only and a stretch at a time (`chunk_s` of session time), never the
whole session at once: a 4-hour session of 10 seats is about half a million numeric rows and
200 MB of pleth. Each value keeps its stored source (`sim`, `hl7:<device>`, `hand:<who>`),
so a tile marks a hand value as it did on the day.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from groupkap.errors import BadInputError, no_session
from groupkap.params import PARAMETERS
from groupkap.readings import Reading, WaveformBlock
from groupkap.room.model import room_layout
from groupkap.store import queries
from groupkap.store.store import open_read_only

DEFAULT_CHUNK_S = 30.0
NUMERIC_PARAMS = tuple(name for name, p in PARAMETERS.items() if not p.waveform)
_BEFORE = 1e-6  # the start position lies just before the first moment, so it is handed out


@dataclass
class ReplayBatch:
    """What one stretch of replay hands out, each value with the participant it was filed for.

    The seat of a stored row is the seat its participant sat on when it was measured; the
    participant id says whose tile it belongs to even across a move.

    Attributes:
        readings: (participant id, Reading) in time order.
        blocks: (participant id, WaveformBlock) in time order, each once it is complete.
    """

    readings: list[tuple[str, Reading]] = field(default_factory=list)
    blocks: list[tuple[str, WaveformBlock]] = field(default_factory=list)


class ReplaySource:
    """One stored session's vitals, handed out as a replay clock passes their times.

    Attributes:
        name: `replay` (each reading keeps its own stored source).
        session_id: the session played back.
        started_at: when the session started (UTC epoch seconds).
        position: everything measured at or before this moment has been handed out.
        chunk_s: how much session time is read from the store at once (at most two such
            stretches are held), and the most one call hands out (a caller further behind
            calls again, or seeks).
        peak_rows: the most rows this source has held at once (tests check it stays a
            chunk's worth, never the session's).
        simulated_seats: none: replayed values are what was stored, not simulated now.
    """

    name = "replay"
    simulated_seats: tuple[int, ...] = ()

    def __init__(
        self,
        conn: sqlite3.Connection,
        session_id: str,
        *,
        start: float | None = None,
        chunk_s: float = DEFAULT_CHUNK_S,
    ) -> None:
        if not chunk_s > 0:
            raise BadInputError(f"a replay chunk must be more than 0 s, not {chunk_s!r}")
        row = queries.session_row(conn, session_id)
        if row is None:
            raise no_session(session_id)
        self._conn = conn
        self._owned: sqlite3.Connection | None = None
        self.session_id = session_id
        self.started_at = float(row["started_at"])
        self._seats = tuple(s.number for s in room_layout(row["seats"]))
        self.chunk_s = float(chunk_s)
        self.peak_rows = 0
        self.seek(self.started_at - _BEFORE if start is None else start)

    @classmethod
    def open(cls, path: Path, session_id: str, **options) -> ReplaySource:
        """A source with its own read-only connection to the database at `path` (closed by
        `close`)."""
        conn = open_read_only(path)
        try:
            source = cls(conn, session_id, **options)
        except BaseException:
            conn.close()
            raise
        source._owned = conn
        return source

    @property
    def seats(self) -> tuple[int, ...]:
        """Every seat of the stored room (who sat there at a moment is the log's business)."""
        return self._seats

    # -- where the replay is ------------------------------------------------------------
    def seek(self, t: float) -> None:
        """Jump to `t` (forwards or back): the next call hands out what came after it.

        What was measured at or before `t` is the caller's to refill (groupkap.room.refill
        does it for the tiles, as a resumed session does)."""
        self.position = float(t)
        self._readings: deque[tuple] = deque()
        self._blocks: deque[tuple] = deque()
        self._loaded_until = self.position  # rows after this are still in the store

    def behind(self, until: float) -> bool:
        """Whether rows up to `until` remain after one call (the caller is more than a
        chunk behind: call again, or seek)."""
        return self.position < until

    def take(self, until: float) -> ReplayBatch:
        """Every value measured after `position` and at or before `until` (at most `chunk_s`
        of it), each with its participant; a pleth block once all of it lies before `until`."""
        until = min(float(until), self.position + self.chunk_s)
        if until <= self.position:
            return ReplayBatch()
        self._load(until)
        batch = ReplayBatch()
        readings, blocks = self._readings, self._blocks
        while readings and readings[0][3] <= until:
            pid, seat, param, t, value, source = readings.popleft()
            batch.readings.append((pid, Reading(seat, param, t, value, source or self.name)))
        while blocks and _block_end(blocks[0]) <= until:
            pid, seat, t_start, rate_hz, samples, source = blocks.popleft()
            pleth = np.frombuffer(samples, "<f4").astype(np.float32)
            block = WaveformBlock(seat, "PLETH", t_start, rate_hz, pleth, source or self.name)
            batch.blocks.append((pid, block))
        self.position = until
        return batch

    def generate(self, until: float) -> tuple[list[Reading], list[WaveformBlock]]:
        """The VitalsSource call: `take(until)` without the participant ids."""
        batch = self.take(until)
        return [r for _, r in batch.readings], [b for _, b in batch.blocks]

    def _load(self, until: float) -> None:
        """Read the next stretches from the store, a chunk each, until everything up to
        `until` is held (so the store is read once a chunk, not once a frame)."""
        while self._loaded_until < until:
            after = self._loaded_until
            end = after + self.chunk_s
            args = (self._conn, self.session_id)
            self._readings.extend(queries.replay_vitals(*args, NUMERIC_PARAMS, after, end))
            self._blocks.extend(queries.replay_waveforms(*args, self._seats, after, end))
            self._loaded_until = end
            self.peak_rows = max(self.peak_rows, len(self._readings) + len(self._blocks))

    # -- the VitalsSource protocol: a stored room has the seats it had ---------------------
    def add_seat(self, seat: int, dose_time: float | None = None) -> None:
        """Nothing to do: the log already says who joined and where."""

    def remove_seat(self, seat: int) -> None:
        """Nothing to do: the log already says who left."""

    def move_seat(self, old: int, new: int) -> None:
        """Nothing to do: each stored value carries the seat it was measured on."""

    def close(self) -> None:
        """Close the connection `open` made (one handed in stays the caller's)."""
        if self._owned is not None:
            self._owned.close()
            self._owned = None


def _block_end(row: tuple) -> float:
    """When a stored block's last sample ends: (pid, seat, t_start, rate_hz, samples, ...)."""
    return row[2] + len(row[4]) / 4 / row[3]
