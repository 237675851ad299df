"""The readable tables kept in step with the event log, changed in each event's transaction."""

from __future__ import annotations

import json
import sqlite3

Projection = tuple[str, tuple]
"""(sql, params): one change that `Store.record(projections=...)` commits with its event."""


def participant_projection(
    session_id: str, kind: str, data: dict, pid: str | None, now: float
) -> list[Projection]:
    """The change to the `participants` table that goes with a participant event (added,
    renamed, seated, removed), so leads can read who sat where (and which person each one
    is, `person_id`) without replaying the log; none for any other kind. `now` is the
    event's time, UTC epoch seconds."""
    if kind == "participant.added":
        return [
            (
                "insert into participants "
                "(id, session_id, alias, full_name, seat, added_at, person_id) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                (
                    pid,
                    session_id,
                    data["alias"],
                    data.get("full_name"),
                    data["seat"],
                    now,
                    data.get("person_id"),
                ),
            )
        ]
    if kind == "participant.renamed":
        return [
            (
                "update participants set alias = ?, full_name = ? where id = ?",
                (data["alias"], data.get("full_name"), pid),
            )
        ]
    if kind == "participant.seated":
        return [("update participants set seat = ? where id = ?", (data["seat"], pid))]
    if kind == "participant.removed":
        return [("update participants set removed_at = ? where id = ?", (now, pid))]
    return []


def has_person_column(conn: sqlite3.Connection) -> bool:
    """Whether `participants` has `person_id` (a database from before courses has not)."""
    return any(r[1] == "person_id" for r in conn.execute("pragma table_info(participants)"))


_LIFECYCLE = {
    "session.started": "running",
    "session.resumed": "running",
    "session.interrupted": "interrupted",
    "session.ended": "ended",
}


def projection_problem(conn) -> tuple[int, str] | None:
    """Rebuild the `sessions` and `participants` rows that the log implies and compare them
    with the tables (which nothing protects but this check): the first difference as (seq of
    the last event behind that row, what differs), or None. A name changed with sqlite3
    changes every view of the log, so `groupkap verify` fails on it; so does a participant
    linked by hand to another person."""
    sessions: dict[str, dict] = {}
    people: dict[str, dict] = {}
    rows = conn.execute(
        "select seq, session_id, participant_id, kind, data from events "
        "where kind like 'session.%' or kind like 'participant.%' order by seq"
    )
    for seq, sid, pid, kind, text in rows:
        data = json.loads(text)
        if kind in _LIFECYCLE:
            row = sessions.setdefault(sid, {"seq": seq})
            row.update(seq=seq, status=_LIFECYCLE[kind])
            if kind == "session.started":
                row.update(seats=data.get("seats"), source=data.get("source"))
        elif pid is not None and kind == "participant.added":
            people[pid] = {
                "seq": seq,
                "session_id": sid,
                "alias": data["alias"],
                "full_name": data.get("full_name"),
                "seat": data["seat"],
                "removed": False,
                "person_id": data.get("person_id"),
            }
        elif pid in people:
            person = people[pid]
            person["seq"] = seq
            if kind == "participant.renamed":
                person.update(alias=data["alias"], full_name=data.get("full_name"))
            elif kind == "participant.seated":
                person["seat"] = data["seat"]
            elif kind == "participant.removed":
                person["removed"] = True
    table = {
        r[0]: {"status": r[1], "seats": r[2], "source": r[3]}
        for r in conn.execute("select id, status, seats, source from sessions")
    }
    for sid, want in sessions.items():
        have = table.pop(sid, None)
        if have is None:
            return want["seq"], f"session {sid} is in the log but not in the sessions table"
        for key in ("status", "seats", "source"):
            if key in want and have[key] != want[key]:
                return want["seq"], (
                    f"session {sid} has {key} {have[key]!r} in the sessions table but "
                    f"{want[key]!r} in the log"
                )
    if table:
        return 0, f"session {next(iter(table))} is in the sessions table but not in the log"
    # A database from before courses has no person_id column: read as none.
    person = "person_id" if has_person_column(conn) else "null"
    rows = conn.execute(
        "select id, session_id, alias, full_name, seat, removed_at is not null, "
        f"{person} from participants"
    )
    keys = ("session_id", "alias", "full_name", "seat", "removed", "person_id")
    found = {r[0]: dict(zip(keys, r[1:])) for r in rows}
    for pid, want in people.items():
        have = found.pop(pid, None)
        if have is None:
            return want["seq"], f"participant {pid} is in the log but not in the participants table"
        for key in keys:
            if have[key] != want[key]:
                return want["seq"], (
                    f"participant {pid} has {key} {have[key]!r} in the participants table but "
                    f"{want[key]!r} in the log"
                )
    if found:
        return 0, f"participant {next(iter(found))} is in the participants table but not in the log"
    return None


# -- per-session counts (`session_counts`, migration m007) ------------------------------
COUNTED = ("participants", "events", "vitals")
"""What `session_counts` keeps per session: participants still in the room, events, vitals."""

COUNT_EVENT = (
    "insert into session_counts (session_id, events) values (?, 1) "
    "on conflict (session_id) do update set events = events + 1"
)
"""One more event of a session: run by the writer in the event's own transaction."""

COUNT_VITALS = (
    "insert into session_counts (session_id, vitals) values (?, ?) "
    "on conflict (session_id) do update set vitals = vitals + excluded.vitals"
)
"""(session_id, n) more vitals rows: run in the writer's batch transaction."""

RECOUNT_PARTICIPANTS = (
    "update session_counts set participants = (select count(*) from participants "
    "where session_id = ?1 and removed_at is null) where session_id = ?1"
)
"""The session's participants still in the room, recounted after an event that changed the
`participants` table (a handful of rows by the session's index): exact whatever the change."""

RECOUNTED = """
    select session_id, sum(participants), sum(events), sum(vitals) from (
        select session_id, count(*) as participants, 0 as events, 0 as vitals
          from participants where removed_at is null group by session_id
        union all select session_id, 0, count(*), 0 from events group by session_id
        union all select session_id, 0, 0, count(*) from vitals group by session_id
    ) group by session_id
"""
"""Every session's counts from the rows themselves: what migration m007 fills the table
with once, and what `verify` compares the table with."""


def has_session_counts(conn: sqlite3.Connection) -> bool:
    """Whether the file keeps `session_counts` (one from before m007, read-only, has not)."""
    found = conn.execute(
        "select 1 from sqlite_master where type = 'table' and name = 'session_counts'"
    )
    return found.fetchone() is not None


def count_problem(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """Recount every session's participants, events and vitals and compare them with
    `session_counts` (kept as rows are written, read by `groupkap sessions`): the first
    difference as (the session's last seq, what differs), or None. A count changed by hand
    would make the session list lie about the record, so `verify` fails on it."""
    if not has_session_counts(conn):
        return None
    zero = (0,) * len(COUNTED)
    want = {r[0]: tuple(r[1:]) for r in conn.execute(RECOUNTED)}
    have = {
        r[0]: tuple(r[1:])
        for r in conn.execute(f"select session_id, {', '.join(COUNTED)} from session_counts")
    }
    for sid in sorted(want.keys() | have.keys(), key=str):
        counted, kept = want.get(sid, zero), have.get(sid, zero)
        for name, n, k in zip(COUNTED, counted, kept):
            if n != k:
                (seq,) = conn.execute(
                    "select coalesce(max(seq), 0) from events where session_id = ?", (sid,)
                ).fetchone()
                return seq, (f"session {sid} has {k} {name} in session_counts but {n} in its rows")
    return None
