"""One participant's parameter over a stretch of a past session, ready to plot.

A 4-hour session holds 14 400 values per parameter per participant; a plot a few hundred
pixels wide needs far fewer. Past `max_points` rows the database itself buckets the stretch
by time and keeps each bucket's lowest and highest value at the moment each was measured
(`review_queries.series_bucket_extremes`), so a one-second spike or dip always survives and
nothing is averaged; a stretch that holds fewer rows (a zoom) comes back whole. Hand values
whose entry was struck or corrected are left out, as `v_vitals.struck` marks them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable

import numpy as np

from groupkap.errors import BadInputError
from groupkap.protocol.esketamine_log import ENTRY_KINDS
from groupkap.review.model import Series
from groupkap.store import queries, review_queries
from groupkap.store.queries import LoggedEvent

StruckValue = tuple[str, str, float, float]
"""(participant id, param, t measured, value) of a hand value that no longer counts."""

WAVEFORM_LOOKBACK_S = 5.0  # a block that starts this long before the stretch may reach into it


def struck_hand_values(events: Iterable[LoggedEvent]) -> set[StruckValue]:
    """Every hand value whose entry was struck (`entry.struck`) or replaced by a correction
    (`corrects`), as the vitals table holds it: the rule of `v_vitals.struck`."""
    entered = [e for e in events if e.kind in ENTRY_KINDS or e.kind == "entry.struck"]
    gone = {e.data.get("entry_id") for e in entered if e.kind == "entry.struck"}
    gone |= {e.data.get("corrects") for e in entered if e.kind == "observation.entered"}
    gone.discard(None)
    return {
        (e.participant_id, param, float(e.data["t_measured"]), float(value))
        for e in entered
        if e.kind == "observation.entered" and e.data.get("entry_id") in gone
        for param, value in (e.data.get("values") or {}).items()
    }


def session_struck_values(
    conn: sqlite3.Connection, session_id: str, participant_id: str | None = None
) -> set[StruckValue]:
    """The struck hand values of a session (or of one participant), read from its log:
    read once and hand to every `load_series` of the session."""
    logged = queries.events(
        conn,
        session_id,
        participant_id=participant_id,
        kinds=("observation.entered", "entry.struck"),
    )
    return struck_hand_values(logged)


def _struck_times(
    struck: Collection[StruckValue], participant_id: str, param: str
) -> tuple[float, ...]:
    return tuple(sorted({t for pid, p, t, _ in struck if pid == participant_id and p == param}))


def has_series(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    param: str,
    *,
    struck: Collection[StruckValue] | None = None,
) -> bool:
    """Whether `load_series` of the whole session would find any value (struck hand values
    left out), without reading them: the review window asks it of HR to know whether the
    heart lane shows HR or the pulse rate."""
    if struck is None:
        struck = session_struck_values(conn, session_id, participant_id)
    times = _struck_times(struck, participant_id, param)
    return review_queries.series_exists(conn, session_id, participant_id, param, times)


def _arrays(rows: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    if not rows:
        return np.empty(0), np.empty(0)
    data = np.asarray(rows, dtype=np.float64)
    return data[:, 0].copy(), data[:, 1].copy()


def load_series(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    param: str,
    start: float | None = None,
    end: float | None = None,
    max_points: int = 2000,
    *,
    struck: Collection[StruckValue] | None = None,
) -> Series:
    """The participant's `param` in [start, end] (None: from the first or to the last
    value): every row when they are at most `max_points`, else about `max_points` bucket
    extremes in time order. `struck` saves reading the log again (`session_struck_values`).
    """
    if max_points < 2:
        raise BadInputError(f"a series needs at least 2 points, not {max_points}")
    if start is not None and end is not None and end < start:
        raise BadInputError("the stretch ends before it starts")
    if struck is None:
        struck = session_struck_values(conn, session_id, participant_id)
    times = _struck_times(struck, participant_id, param)
    args = (conn, session_id, participant_id, param)
    rows, first, last = review_queries.series_span(*args, start, end, times)
    if rows == 0:
        return Series(participant_id, param, *_arrays([]), rows=0, downsampled=False)
    lo = first if start is None else start
    hi = last if end is None else end
    if rows <= max_points or hi <= lo:
        t, v = _arrays(review_queries.series_rows(*args, lo, hi, times))
        return Series(participant_id, param, t, v, rows=rows, downsampled=False)
    buckets = max_points // 2
    # A hair wider than an even split, so a value at `hi` falls in the last bucket.
    width = (hi - lo) / buckets * (1 + 1e-9) + 1e-9
    extremes = review_queries.series_bucket_extremes(*args, lo, hi, width, times)
    kept = [row for i, row in enumerate(extremes) if i == 0 or row != extremes[i - 1]]
    t, v = _arrays(kept)
    return Series(participant_id, param, t, v, rows=rows, downsampled=True)


def participant_seats(conn: sqlite3.Connection, session_id: str, participant_id: str) -> set[int]:
    """Every seat the participant sat on in the session (a move takes the sensors along)."""
    seats = {p.seat for p in queries.participants(conn, session_id) if p.id == participant_id}
    for e in queries.events(
        conn,
        session_id,
        participant_id=participant_id,
        kinds=("participant.added", "participant.seated"),
    ):
        seats |= {s for s in (e.data.get("seat"), e.data.get("old_seat")) if isinstance(s, int)}
    return seats


def load_waveform(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    start: float,
    end: float,
) -> Series:
    """The participant's pleth in [start, end], every sample at its own time: for a short
    stretch (a few seconds to minutes) around a moment a lead zooms in on."""
    if end < start:
        raise BadInputError("the stretch ends before it starts")
    seats = participant_seats(conn, session_id, participant_id)
    if not seats:
        return Series(participant_id, "PLETH", *_arrays([]), rows=0, downsampled=False)
    blocks = review_queries.pleth_blocks(
        conn, session_id, participant_id, sorted(seats), start - WAVEFORM_LOOKBACK_S, end
    )
    ts, vs = [], []
    for t_start, rate, samples in blocks:
        values = np.frombuffer(samples, dtype="<f4").astype(np.float64)
        t = t_start + np.arange(len(values)) / rate
        inside = (t >= start) & (t <= end)
        ts.append(t[inside])
        vs.append(values[inside])
    t = np.concatenate(ts) if ts else np.empty(0)
    v = np.concatenate(vs) if vs else np.empty(0)
    return Series(participant_id, "PLETH", t, v, rows=len(blocks), downsampled=False)
