"""The read queries of a person's course (`groupkap.course`): what the log says of them in
the sessions they took part in.

Like `queries`, plain functions of a reading connection (`open_read_only`) that return plain
values and never write. A person is linked to a session's participant by
`participants.person_id` (`people_queries` finds who they are and which sessions they
attended); these read what the log says of them there. Times are UTC epoch seconds.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from groupkap.store.queries import LoggedEvent, epoch


def _marks(values: tuple) -> str:
    return ", ".join("?" * len(values))


def attended_events(
    conn: sqlite3.Connection,
    participants: Iterable[tuple[str, str]],
    kinds: Iterable[str],
    room_kinds: Iterable[str] = (),
) -> list[tuple[str, LoggedEvent]]:
    """(session id, event) of the `kinds` that concern one of the `participants` ((session
    id, participant id) pairs), and of the `room_kinds` logged for the whole session (no
    participant: a circle opening), in log order. One query over those sessions only."""
    pairs = tuple(participants)
    wanted, room = tuple(kinds), tuple(room_kinds)
    if not pairs or not (wanted or room):
        return []
    sessions = tuple(dict.fromkeys(s for s, _ in pairs))
    pids = tuple(dict.fromkeys(p for _, p in pairs))
    mine = f"(participant_id in ({_marks(pids)}) and kind in ({_marks(wanted)}))"
    shared = f"(participant_id is null and kind in ({_marks(room)}))"
    where = " or ".join(part for part, values in ((mine, wanted), (shared, room)) if values)
    params = (*sessions, *((*pids, *wanted) if wanted else ()), *room)
    chosen = set(pairs)
    return [
        (sid, LoggedEvent(seq, pid, epoch(t), kind, actor, json.loads(data)))
        for seq, sid, pid, t, kind, actor, data in conn.execute(
            "select seq, session_id, participant_id, t, kind, actor, data from events "
            f"where session_id in ({_marks(sessions)}) and ({where}) order by seq",
            params,
        )
        if pid is None or (sid, pid) in chosen
    ]


def participant_vitals_range(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    params: Iterable[str],
    leaving_out: Iterable[float] = (),
) -> list[tuple[str, float, float]]:
    """(param, lowest, highest) of one participant's stored `params` in a session, leaving
    out the values measured at the times `leaving_out` (where values typed in by hand
    stand): answered from the participant's covering index alone, without reading a row."""
    wanted, times = tuple(params), tuple(leaving_out)
    skip = f" and t not in ({_marks(times)})" if times else ""
    return [
        tuple(row)
        for row in conn.execute(
            "select param, min(value), max(value) from vitals where session_id = ? "
            f"and participant_id = ? and param in ({_marks(wanted)}){skip} group by param",
            (session_id, participant_id, *wanted, *times),
        )
    ]


def participant_vitals_at(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    params: Iterable[str],
    times: Iterable[float],
) -> list[tuple[str, float, float, str | None]]:
    """(param, t, value, source) of one participant's stored `params` measured at `times`,
    in time order: the few rows whose source tells a hand value from the monitor's."""
    wanted, at = tuple(params), tuple(times)
    if not at:
        return []
    return [
        tuple(row)
        for row in conn.execute(
            "select param, t, value, source from vitals where session_id = ? "
            f"and participant_id = ? and param in ({_marks(wanted)}) "
            f"and t in ({_marks(at)}) order by t",
            (session_id, participant_id, *wanted, *at),
        )
    ]
