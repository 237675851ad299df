"""The read queries of the session database: plain functions of a reading connection.

Every SELECT that code outside `groupkap/store/` needs lives here, so a change of schema (or
the central PostgreSQL of DESIGN.md's "many rooms") touches one module. Each function takes a
connection from `Store.reader()` or `open_read_only()` and returns plain values: times as UTC
epoch seconds, event data decoded from JSON. None of them writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


def epoch(iso: str) -> float:
    """UTC epoch seconds of a stored time (`2025-01-01T09:00:00.000Z`)."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@dataclass(frozen=True)
class LoggedEvent:
    """One row of the event log, decoded.

    Attributes:
        seq: its place in the chain (log order).
        participant_id: who it concerns; None for an event of the whole session.
        t: when it was logged, UTC epoch seconds.
        kind: `noun.past_verb` (`groupkap.events`).
        actor: who did it.
        data: its payload.
    """

    seq: int
    participant_id: str | None
    t: float
    kind: str
    actor: str
    data: dict


@dataclass(frozen=True)
class ParticipantRow:
    """One participant of a session as the readable `participants` table holds them.

    Attributes: id, alias, full_name (None when not given), seat, added_at and removed_at
    (UTC epoch seconds; removed_at None while they are in the room).
    """

    id: str
    alias: str
    full_name: str | None
    seat: int
    added_at: float
    removed_at: float | None


# -- sessions ---------------------------------------------------------------------------
def session_row(conn: sqlite3.Connection, session_id: str) -> dict | None:
    """The `sessions` row of `session_id` (status, seats, pid, host …), or None: what
    resuming or closing a session checks first."""
    cur = conn.execute("select * from sessions where id = ?", (session_id,))
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip((d[0] for d in cur.description), row))


def running_sessions(conn: sqlite3.Connection) -> list[tuple[str, int | None, str | None]]:
    """(id, pid, host) of every session still marked running, so opening the store can tell
    which of them lost their process."""
    return [
        tuple(r)
        for r in conn.execute("select id, pid, host from sessions where status = 'running'")
    ]


SESSIONS_LISTED = """
    select s.id, s.title, s.status, s.seats, s.source, s.speed, s.pid, s.host,
           strftime('%Y-%m-%dT%H:%M:%SZ', s.started_at, 'unixepoch') as started,
           strftime('%Y-%m-%dT%H:%M:%SZ', s.ended_at, 'unixepoch') as ended,
           {counts}
    order by s.started_at desc
"""
COUNTS_KEPT = """coalesce(c.participants, 0) as participants, coalesce(c.events, 0) as events,
           coalesce(c.vitals, 0) as vitals
    from sessions s left join session_counts c on c.session_id = s.id"""
COUNTS_COUNTED = """(select count(*) from participants p where p.session_id = s.id
              and p.removed_at is null) as participants,
           (select count(*) from events e where e.session_id = s.id) as events,
           (select count(*) from vitals v where v.session_id = s.id) as vitals
    from sessions s"""


def sessions_with_counts(conn: sqlite3.Connection) -> list[dict]:
    """Every session, newest first, with its participants (still in the room), events and
    vitals counted, and its start and end as ISO text: `groupkap sessions` and the
    interrupted-session prompt. Keys: id, title, status, seats, source, speed, pid, host,
    started, ended, participants, events, vitals. The counts are read from
    `session_counts`, kept as the rows are written; a file from before it (read-only, so
    not migrated) is counted here instead, as every call once did."""
    try:
        cur = conn.execute(SESSIONS_LISTED.format(counts=COUNTS_KEPT))
    except sqlite3.OperationalError as exc:
        if "session_counts" not in str(exc):
            raise
        cur = conn.execute(SESSIONS_LISTED.format(counts=COUNTS_COUNTED))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur]


def session_exists(conn: sqlite3.Connection, session_id: str) -> bool:
    """Whether the log holds any event of `session_id` (a record is built from the log)."""
    return (
        conn.execute("select 1 from events where session_id = ? limit 1", (session_id,)).fetchone()
        is not None
    )


def event_count(conn: sqlite3.Connection, session_id: str) -> int:
    """How many events the session logged (the demo's closing summary)."""
    return conn.execute(
        "select count(*) from events where session_id = ?", (session_id,)
    ).fetchone()[0]


def last_recorded_time(conn: sqlite3.Connection, session_id: str) -> float | None:
    """The latest moment the session recorded anything: an event, a vital sign or the end
    of a waveform block. A resumed clock starts after it, so no table's times run back."""
    event = last_event_time(conn, session_id)
    vital = conn.execute("select max(t) from vitals where session_id = ?", (session_id,))
    wave = conn.execute(
        "select max(t_start + n / rate_hz) from waveforms where session_id = ?", (session_id,)
    )
    times = [t for t in (event, vital.fetchone()[0], wave.fetchone()[0]) if t is not None]
    return max(times) if times else None


def last_event_time(
    conn: sqlite3.Connection, session_id: str, *, ignoring: Iterable[str] = ()
) -> float | None:
    """The latest time the session logged anything, leaving out the kinds in `ignoring`;
    None when there is nothing. Resuming starts after it, so the log's times never run
    back; the esketamine record ends monitoring there when nothing else says when."""
    ignored = tuple(ignoring)
    sql = "select max(t) from events where session_id = ?"
    if ignored:
        sql += f" and kind not in ({', '.join('?' * len(ignored))})"
    t = conn.execute(sql, (session_id, *ignored)).fetchone()[0]
    return None if t is None else epoch(t)


def session_ended_at(conn: sqlite3.Connection, session_id: str) -> float | None:
    """When the session's last `session.ended` was logged, or None while it has not ended."""
    row = conn.execute(
        "select t from events where session_id = ? and kind = 'session.ended' "
        "order by seq desc limit 1",
        (session_id,),
    ).fetchone()
    return None if row is None else epoch(row[0])


# -- participants and their events ------------------------------------------------------
def participants(
    conn: sqlite3.Connection, session_id: str, *, present_only: bool = False
) -> list[ParticipantRow]:
    """The session's participants by seat, then by when they were added. `present_only`
    leaves out those removed from the room: the room a resumed session comes back with.
    Without it, everyone the session ever had: a record may concern someone who left."""
    sql = (
        "select id, alias, full_name, seat, added_at, removed_at from participants "
        "where session_id = ?"
    )
    if present_only:
        sql += " and removed_at is null"
    return [
        ParticipantRow(*row)
        for row in conn.execute(sql + " order by seat, added_at", (session_id,))
    ]


def events(
    conn: sqlite3.Connection,
    session_id: str,
    *,
    participant_id: str | None = None,
    kinds: Iterable[str] = (),
) -> list[LoggedEvent]:
    """The session's events in log order, decoded; only `participant_id`'s when given, only
    the `kinds` when given. Replaying the log (resume, the esketamine record) reads these."""
    sql = "select seq, participant_id, t, kind, actor, data from events where session_id = ?"
    params: list = [session_id]
    if participant_id is not None:
        sql += " and participant_id = ?"
        params.append(participant_id)
    wanted = tuple(kinds)
    if wanted:
        sql += f" and kind in ({', '.join('?' * len(wanted))})"
        params.extend(wanted)
    return [
        LoggedEvent(seq, pid, epoch(t), kind, actor, json.loads(data))
        for seq, pid, t, kind, actor, data in conn.execute(sql + " order by seq", params)
    ]


# -- vitals -----------------------------------------------------------------------------
def monitor_blood_pressures(
    conn: sqlite3.Connection, session_id: str, participant_id: str
) -> dict[str, list[tuple[float, float]]]:
    """{"SBP": [(t, value) …], "DBP": […]} from the monitor, in time order. Hand values
    (source `hand:…`) are left out: their events say whether they still count."""
    rows: dict[str, list[tuple[float, float]]] = {"SBP": [], "DBP": []}
    for param, t, value in conn.execute(
        "select param, t, value from vitals where session_id = ? and participant_id = ? "
        "and param in ('SBP', 'DBP') and coalesce(source, '') not like 'hand%' order by t",
        (session_id, participant_id),
    ):
        rows[param].append((t, value))
    return rows


def monitor_spo2_times(
    conn: sqlite3.Connection, session_id: str, participant_id: str, after: float, until: float
) -> list[float]:
    """When the monitor gave the participant an SpO2 in (after, until], in order: enough
    to find a gap in oximetry. Hand values are left out: their events say whether they
    still count."""
    return [
        t
        for (t,) in conn.execute(
            "select t from vitals where session_id = ? and participant_id = ? and param = 'SpO2' "
            "and t > ? and t <= ? and coalesce(source, '') not like 'hand%' order by t",
            (session_id, participant_id, after, until),
        )
    ]


def vitals_between(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    param: str,
    after: float,
    until: float,
) -> list[tuple[float, float, str]]:
    """(t, value, source) of every `param` value the participant was given in [after,
    until], in time order, hand values included (source `hand:<who>`; their events say
    whether they still count): what a resumed tile's trend is refilled with."""
    return [
        (t, value, source or "")
        for t, value, source in conn.execute(
            "select t, value, source from vitals where session_id = ? and param = ? "
            "and t >= ? and t <= ? and participant_id = ? order by t",
            (session_id, param, after, until, participant_id),
        )
    ]


def newest_vitals(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    param: str,
    *,
    until: float,
    limit: int = 1,
) -> list[tuple[float, float, str]]:
    """(t, value, source) of the participant's `limit` newest values of `param` at or before
    `until`, newest first, whatever their age: the last BP or temperature a resumed tile
    shows. Ask for one more than the struck entries of `param` to be sure of one that
    counts."""
    return [
        (t, value, source or "")
        for t, value, source in conn.execute(
            "select t, value, source from vitals where session_id = ? and participant_id = ? "
            "and param = ? and t <= ? order by t desc limit ?",
            (session_id, participant_id, param, until, limit),
        )
    ]


def waveform_blocks(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    seat: int,
    after: float,
    until: float,
) -> list[tuple[float, float, bytes, str]]:
    """(t_start, rate_hz, samples as little-endian float32 bytes, source) of the pleth
    blocks the participant sent from `seat` starting in [after, until], in time order: the
    last seconds of waveform a resumed tile shows."""
    return [
        (t_start, rate_hz, samples, source or "")
        for t_start, rate_hz, samples, source in conn.execute(
            "select t_start, rate_hz, samples, source from waveforms where session_id = ? "
            "and seat = ? and t_start >= ? and t_start <= ? and participant_id = ? "
            "and param = 'PLETH' order by t_start",
            (session_id, seat, after, until, participant_id),
        )
    ]


def vitals_per_participant(conn: sqlite3.Connection, session_id: str) -> list[tuple[str, int]]:
    """(participant alias, how many numeric vitals were stored) by seat: the demo's closing
    summary."""
    return [
        (alias, n)
        for alias, n in conn.execute(
            "select participant, count(*) from v_vitals where session_id = ? "
            "group by participant order by min(seat)",
            (session_id,),
        )
    ]


# -- replay (groupkap.sources.replay reads a stored session back a stretch at a time) ---
def replay_vitals(
    conn: sqlite3.Connection,
    session_id: str,
    params: Iterable[str],
    after: float,
    until: float,
) -> list[tuple[str, int, str, float, float, str]]:
    """(participant id, seat, param, t, value, source) of every numeric value a participant
    was given with after < t <= until, in time order (then as stored): one stretch of a
    replay. Rows of a monitor on nobody's seat (no participant) reached no tile and are
    left out. `params` lets the (session, param, t) index serve the time range."""
    wanted = tuple(params)
    return [
        (pid, seat, param, t, value, source or "")
        for pid, seat, param, t, value, source in conn.execute(
            "select participant_id, seat, param, t, value, source from vitals "
            f"where session_id = ? and param in ({', '.join('?' * len(wanted))}) "
            "and t > ? and t <= ? and participant_id is not null order by t, rowid",
            (session_id, *wanted, after, until),
        )
    ]


def replay_waveforms(
    conn: sqlite3.Connection,
    session_id: str,
    seats: Iterable[int],
    after: float,
    until: float,
) -> list[tuple[str, int, float, float, bytes, str]]:
    """(participant id, seat, t_start, rate_hz, samples as little-endian float32 bytes,
    source) of the pleth blocks starting with after < t_start <= until on `seats`, in time
    order: one stretch of a replay's waveform."""
    wanted = tuple(seats)
    return [
        (pid, seat, t_start, rate_hz, samples, source or "")
        for pid, seat, t_start, rate_hz, samples, source in conn.execute(
            "select participant_id, seat, t_start, rate_hz, samples, source from waveforms "
            f"where session_id = ? and seat in ({', '.join('?' * len(wanted))}) "
            "and t_start > ? and t_start <= ? and participant_id is not null "
            "and param = 'PLETH' order by t_start, rowid",
            (session_id, *wanted, after, until),
        )
    ]
