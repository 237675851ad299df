"""The read queries of past sessions for review (`groupkap.review`): the session browser,
the summary, the plotted series and the exports.

Like `queries`, plain functions of a reading connection (`open_read_only`) that return plain
values and never write; kept apart so each module stays readable. Times are UTC epoch
seconds. A query of every session reads each table once, never once per session.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from groupkap.store.queries import LoggedEvent, ParticipantRow, epoch


def all_sessions(conn: sqlite3.Connection) -> list[dict]:
    """Every `sessions` row, newest first: the session browser's one read of the table."""
    cur = conn.execute("select * from sessions order by started_at desc")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur]


def all_participants(conn: sqlite3.Connection) -> list[tuple[str, ParticipantRow]]:
    """(session id, participant) of every session, by session, seat and when added."""
    return [
        (sid, ParticipantRow(*row))
        for sid, *row in conn.execute(
            "select session_id, id, alias, full_name, seat, added_at, removed_at "
            "from participants order by session_id, seat, added_at"
        )
    ]


def event_spans(conn: sqlite3.Connection) -> dict[str, tuple[float, float, int, int]]:
    """session id -> (first event time, last event time, last seq, events) of every
    session, from one pass over the log."""
    return {
        sid: (epoch(first), epoch(last), top, n)
        for sid, first, last, top, n in conn.execute(
            "select session_id, min(t), max(t), max(seq), count(*) from events group by session_id"
        )
    }


def actors(conn: sqlite3.Connection, session_id: str | None = None) -> list[tuple[str, str]]:
    """(session id, actor) of everyone who acted, in the order they first acted; one
    session's or every session's."""
    sql = "select session_id, actor, min(seq) as first from events"
    params: tuple = ()
    if session_id is not None:
        sql += " where session_id = ?"
        params = (session_id,)
    return [
        (sid, actor) for sid, actor, _ in conn.execute(sql + " group by 1, 2 order by 3", params)
    ]


def _marks(values: tuple) -> str:
    return ", ".join("?" * len(values))


def events_of_kinds(
    conn: sqlite3.Connection, kinds: Iterable[str], session_ids: Iterable[str]
) -> list[tuple[str, LoggedEvent]]:
    """(session id, event) of the sessions' events of `kinds`, in log order: what the
    session browser reads of the whole file in one query."""
    wanted, ids = tuple(kinds), tuple(session_ids)
    if not wanted or not ids:
        return []
    return [
        (sid, LoggedEvent(seq, pid, epoch(t), kind, actor, json.loads(data)))
        for seq, sid, pid, t, kind, actor, data in conn.execute(
            "select seq, session_id, participant_id, t, kind, actor, data from events "
            f"where session_id in ({_marks(ids)}) and kind in ({_marks(wanted)}) order by seq",
            (*ids, *wanted),
        )
    ]


def cuff_values(
    conn: sqlite3.Connection, session_ids: Iterable[str]
) -> list[tuple[str, str, str, float, float]]:
    """(session id, participant id, param, t, value) of every SBP and DBP a monitor's cuff
    gave in the sessions' participants, in time order. Hand values are left out: their
    events say whether they still count. Read participant by participant through the
    index of migration m004, so a long session's other rows are never touched (a scan of
    every row of a 4-hour session took ~80 ms; this takes ~1 ms)."""
    ids = tuple(session_ids)
    if not ids:
        return []
    return [
        tuple(row)
        for row in conn.execute(
            "select v.session_id, v.participant_id, v.param, v.t, v.value "
            "from participants p join vitals v on v.session_id = p.session_id "
            "and v.participant_id = p.id and v.param in ('SBP', 'DBP') "
            f"where p.session_id in ({_marks(ids)}) "
            "and coalesce(v.source, '') not like 'hand%' order by v.t, v.rowid",
            ids,
        )
    ]


def vitals_extremes(
    conn: sqlite3.Connection, session_id: str
) -> list[tuple[str, str, int, float | None, float | None]]:
    """(participant id, param, rows stored, lowest and highest value) of every participant
    and parameter of the session, hand values included: read from the covering index of
    migration m004 alone (half the time of looking at each row's source). A caller that
    must leave some hand values out asks `monitor_extremes` and `hand_values` for them."""
    return [
        tuple(row)
        for row in conn.execute(
            "select participant_id, param, count(*), min(value), max(value) "
            "from vitals where session_id = ? and participant_id is not null group by 1, 2",
            (session_id,),
        )
    ]


def monitor_extremes(
    conn: sqlite3.Connection, session_id: str, participant_id: str, param: str
) -> tuple[float | None, float | None]:
    """The lowest and highest value of the participant's `param` that no hand typed in."""
    lo, hi = conn.execute(
        "select min(value), max(value) from vitals where session_id = ? "
        "and participant_id = ? and param = ? and coalesce(source, '') not like 'hand%'",
        (session_id, participant_id, param),
    ).fetchone()
    return lo, hi


def hand_values(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str | None = None,
    param: str | None = None,
) -> list[tuple[str, str, float, float]]:
    """(participant id, param, t, value) of every value typed in by hand, in time order:
    the session's, or one participant's `param` (through the index, not every row)."""
    sql = "select participant_id, param, t, value from vitals where session_id = ? "
    args: tuple = (session_id,)
    if participant_id is not None and param is not None:
        sql += "and participant_id = ? and param = ? "
        args += (participant_id, param)
    return [tuple(row) for row in conn.execute(sql + "and source like 'hand:%' order by t", args)]


def _not_struck(struck_times: tuple[float, ...]) -> str:
    if not struck_times:
        return ""
    return (
        " and not (coalesce(source, '') like 'hand:%' "
        f"and t in ({', '.join('?' * len(struck_times))}))"
    )


def series_span(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    param: str,
    start: float | None,
    end: float | None,
    struck_times: tuple[float, ...] = (),
) -> tuple[int, float | None, float | None]:
    """(rows, first t, last t) of the participant's `param` in [start, end] (None: open),
    leaving out hand values measured at `struck_times` (struck or corrected entries)."""
    lo = float("-inf") if start is None else start
    hi = float("inf") if end is None else end
    n, first, last = conn.execute(
        "select count(*), min(t), max(t) from vitals where session_id = ? "
        "and participant_id = ? and param = ? and t >= ? and t <= ?" + _not_struck(struck_times),
        (session_id, participant_id, param, lo, hi, *struck_times),
    ).fetchone()
    return n, first, last


def series_exists(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    param: str,
    struck_times: tuple[float, ...] = (),
) -> bool:
    """Whether the participant has any stored `param` value, leaving out hand values
    measured at `struck_times`: one step into the index, not a count of the rows."""
    row = conn.execute(
        "select 1 from vitals where session_id = ? and participant_id = ? and param = ?"
        + _not_struck(struck_times)
        + " limit 1",
        (session_id, participant_id, param, *struck_times),
    ).fetchone()
    return row is not None


def series_rows(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    param: str,
    start: float,
    end: float,
    struck_times: tuple[float, ...] = (),
) -> list[tuple[float, float]]:
    """(t, value) of every stored `param` value of the participant in [start, end], in
    time order, without the hand values measured at `struck_times`."""
    return conn.execute(
        "select t, value from vitals where session_id = ? and participant_id = ? "
        "and param = ? and t >= ? and t <= ?" + _not_struck(struck_times) + " order by t",
        (session_id, participant_id, param, start, end, *struck_times),
    ).fetchall()


def series_bucket_extremes(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    param: str,
    start: float,
    end: float,
    width: float,
    struck_times: tuple[float, ...] = (),
) -> list[tuple[float, float]]:
    """(t, value) of the lowest and the highest value in each `width`-second bucket from
    `start` to `end`, each at the time it was measured, in time order; bucketed in the
    database so a long stretch never crosses into Python row by row. (SQLite gives a bare
    column the row of the one min() or max() of its query, so each extreme keeps its t.)"""
    where = (
        "from vitals where session_id = ? and participant_id = ? and param = ? "
        "and t >= ? and t <= ?" + _not_struck(struck_times)
    )
    one = (session_id, participant_id, param, start, end, *struck_times)
    bucket = "cast((t - ?) / ? as integer)"
    return conn.execute(
        f"select t, v from (select {bucket} as b, t, min(value) as v {where} group by b) "
        f"union all select t, v from (select {bucket} as b, t, max(value) as v {where} "
        "group by b) order by 1",
        (start, width, *one, start, width, *one),
    ).fetchall()


def pleth_blocks(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    seats: Iterable[int],
    after: float,
    until: float,
) -> list[tuple[float, float, bytes]]:
    """(t_start, rate_hz, samples as little-endian float32 bytes) of the participant's
    pleth blocks from `seats` that start in [after, until], in time order."""
    wanted = tuple(seats)
    return conn.execute(
        "select t_start, rate_hz, samples from waveforms where session_id = ? "
        f"and seat in ({', '.join('?' * len(wanted))}) and t_start >= ? and t_start <= ? "
        "and participant_id = ? and param = 'PLETH' order by t_start",
        (session_id, *wanted, after, until, participant_id),
    ).fetchall()


def vitals_for_export(conn: sqlite3.Connection, session_id: str) -> sqlite3.Cursor:
    """A cursor over the session's numeric values in time order, for an export to stream:
    (t_utc as `v_vitals` writes it, t, participant id, alias, seat, device, param, value,
    unit, source), with '' for a value not recorded."""
    return conn.execute(
        "select strftime('%Y-%m-%dT%H:%M:%fZ', v.t, 'unixepoch'), v.t, "
        "coalesce(v.participant_id, ''), coalesce(p.alias, ''), coalesce(v.seat, ''), "
        "coalesce(v.device, ''), v.param, v.value, coalesce(v.unit, ''), "
        "coalesce(v.source, '') from vitals v left join participants p "
        "on p.id = v.participant_id where v.session_id = ? order by v.t, v.rowid",
        (session_id,),
    )


def vitals_count(conn: sqlite3.Connection, session_id: str) -> int:
    """How many numeric values the session stored."""
    return conn.execute(
        "select count(*) from vitals where session_id = ?", (session_id,)
    ).fetchone()[0]


def last_record_times(
    conn: sqlite3.Connection, session_ids: Iterable[str], ignoring: Iterable[str] = ()
) -> dict[str, float]:
    """session id -> the latest moment it recorded anything (an event other than the
    kinds `ignoring`, a vital sign, the end of a waveform block): where the record of a
    session that never ended stops."""
    ids, ignored = tuple(session_ids), tuple(ignoring)
    if not ids:
        return {}
    last: dict[str, float] = {}
    skip = f" and kind not in ({_marks(ignored)})" if ignored else ""
    for sid, t in conn.execute(
        f"select session_id, max(t) from events where session_id in ({_marks(ids)}){skip} "
        "group by session_id",
        (*ids, *ignored),
    ):
        last[sid] = epoch(t)
    for table, end in (("vitals", "t"), ("waveforms", "t_start + n / rate_hz")):
        for sid, t in conn.execute(
            f"select session_id, max({end}) from {table} where session_id in ({_marks(ids)}) "
            "group by session_id",
            ids,
        ):
            if t is not None:
                last[sid] = max(last.get(sid, t), t)
    return last
