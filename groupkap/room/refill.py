"""A resumed session's tiles refilled from the store: the trend, the last BP and temperature
(with who took them) and the last seconds of pleth, as they stood before the interruption.

A room that comes back blank (empty trends, `BP --/--`) while the store holds what was
measured hides exactly what the facilitators need after a crash. The values go back into the
buffers only: nothing is written, and neither the alarm engine nor the protocol is fed (each
rebuilds its own state from the log), so an old value is never judged as if just measured.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable

import numpy as np

from groupkap.hand_entries import HandEntry
from groupkap.params import PARAMETERS
from groupkap.readings import WaveformBlock, hand_source
from groupkap.room.buffers import SeatVitals
from groupkap.store import queries

Row = tuple[float, float, str]  # (t, value, source)
_Key = tuple[str, float, float, str]  # (param, t, value, source) of one struck hand value


def refill_vitals(
    conn: sqlite3.Connection,
    session_id: str,
    vitals: dict[str, SeatVitals],
    *,
    until: float,
    trend_s: float,
    pleth_s: float,
    struck: Iterable[HandEntry] = (),
) -> int:
    """Fill each participant's empty buffers (`vitals`, by participant id) from the store:
    every numeric value of the trend span before `until`, the newest cuff pressure and
    temperature whatever their age (a BP taken an hour ago still says when and by whom),
    and the pleth of the last `pleth_s`. Values of the `struck` hand entries stay out, as
    they left the tile when they were struck. Returns how many numeric values came back."""
    gone: dict[str, Counter[_Key]] = {}
    for entry in struck:
        who = hand_source(entry.taken_by)
        gone.setdefault(entry.pid, Counter()).update(
            (param, entry.t, value, who) for param, value in entry.values.items()
        )
    count = 0
    for pid, seat_vitals in vitals.items():
        mine = gone.get(pid, Counter())
        for name, p in PARAMETERS.items():
            if p.waveform:
                continue
            rows = _standing(
                name,
                queries.vitals_between(conn, session_id, pid, name, until - trend_s, until),
                mine,
            )
            if not rows and not p.continuous:
                rows = _newest_standing(conn, session_id, pid, name, until - trend_s, mine)
            count += seat_vitals.refill(name, rows)
        # A block that began a moment before the span still holds part of it.
        _refill_pleth(conn, session_id, pid, seat_vitals, until - pleth_s - 1.0, until)
    return count


def _standing(param: str, rows: list[Row], gone: Counter[_Key]) -> list[Row]:
    """The rows that still count: each struck hand value takes out one row equal to it (a
    correction that keeps a value repeats the same row, and that one still counts)."""
    left = Counter({k: n for k, n in gone.items() if k[0] == param})
    kept = []
    for t, value, source in rows:
        key = (param, t, value, source)
        if left[key] > 0:
            left[key] -= 1
        else:
            kept.append((t, value, source))
    return kept


def _newest_standing(
    conn: sqlite3.Connection,
    session_id: str,
    pid: str,
    param: str,
    until: float,
    gone: Counter[_Key],
) -> list[Row]:
    """The newest value of `param` that counts, at or before `until`, as a one-row list
    (or empty): with n struck values of it, one of the n + 1 newest rows still counts."""
    struck = sum(n for k, n in gone.items() if k[0] == param)
    newest = queries.newest_vitals(conn, session_id, pid, param, until=until, limit=struck + 1)
    standing = _standing(param, newest[::-1], gone)
    return standing[-1:]


def _refill_pleth(
    conn: sqlite3.Connection,
    session_id: str,
    pid: str,
    seat_vitals: SeatVitals,
    after: float,
    until: float,
) -> None:
    for t_start, rate_hz, samples, source in queries.waveform_blocks(
        conn, session_id, pid, seat_vitals.seat, after, until
    ):
        seat_vitals.add_block(
            WaveformBlock(
                seat_vitals.seat,
                "PLETH",
                t_start,
                rate_hz,
                np.frombuffer(samples, "<f4").astype(np.float32),
                source,
            )
        )
