"""The SQL of people across sessions (issue 16): the `people` table kept in step with the
`person.*` events of the courses log, its reads, the check `verify` runs on it, and the reads
the course's write side needs (who a session's participant is, the sessions a person attended,
their feedback and the team's plan).

`people` is a projection like `users`: each `person.*` event carries its change, committed in
the event's transaction. A merged duplicate keeps its row with `merged_into` set, so the
sessions linked to it (`participants.person_id`) still count for the kept person.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from groupkap.store.projections import Projection, has_person_column
from groupkap.store.queries import LoggedEvent, epoch

PERSON_KINDS = ("person.registered", "person.merged")


@dataclass(frozen=True)
class PersonRow:
    """One person as the `people` table holds them.

    Attributes: id (`per-<12 hex>`), alias, birth_year, full_name (None when not given),
    created_at (UTC epoch seconds), created_by (who registered them), merged_into (the kept
    person's id once merged as a duplicate; None otherwise).
    """

    id: str
    alias: str
    birth_year: int
    full_name: str | None
    created_at: float
    created_by: str | None
    merged_into: str | None


@dataclass(frozen=True)
class Attended:
    """One session a person's participant sat in.

    Attributes: session_id, participant_id, person_id (the id the participant is linked to,
    perhaps a merged duplicate's), started_at (UTC epoch seconds), status (running,
    interrupted, ended).
    """

    session_id: str
    participant_id: str
    person_id: str
    started_at: float
    status: str


_COLUMNS = "id, alias, birth_year, full_name, created_at, created_by, merged_into"


def _marks(values: tuple) -> str:
    return ", ".join("?" * len(values))


def has_people_table(conn: sqlite3.Connection) -> bool:
    """False for a database from before courses, read without migrating it."""
    sql = "select 1 from sqlite_master where type = 'table' and name = 'people'"
    return conn.execute(sql).fetchone() is not None


# -- people -------------------------------------------------------------------------
def person_by_id(conn: sqlite3.Connection, person_id: str) -> PersonRow | None:
    if not has_people_table(conn):
        return None
    row = conn.execute(f"select {_COLUMNS} from people where id = ?", (person_id,)).fetchone()
    return PersonRow(*row) if row is not None else None


def born_in(conn: sqlite3.Connection, birth_year: int) -> list[PersonRow]:
    """Everyone registered with this birth year, merged duplicates too, oldest first (the
    duplicate check compares their aliases the way people type them)."""
    if not has_people_table(conn):
        return []
    rows = conn.execute(
        f"select {_COLUMNS} from people where birth_year = ? order by created_at, id",
        (birth_year,),
    )
    return [PersonRow(*r) for r in rows]


def people(conn: sqlite3.Connection, *, include_merged: bool = False) -> list[PersonRow]:
    """Every person by alias (any case), then birth year; merged duplicates left out unless
    `include_merged`."""
    if not has_people_table(conn):
        return []
    where = "" if include_merged else " where merged_into is null"
    rows = conn.execute(
        f"select {_COLUMNS} from people{where} order by alias collate nocase, birth_year, id"
    )
    return [PersonRow(*r) for r in rows]


def kept_id(conn: sqlite3.Connection, person_id: str) -> str | None:
    """The id `person_id` stands for now: itself, or the person it was merged into (through
    any chain of merges); None for an id the table does not hold."""
    seen: set[str] = set()
    current = person_id
    while current not in seen:
        seen.add(current)
        row = person_by_id(conn, current)
        if row is None:
            return None
        if row.merged_into is None:
            return row.id
        current = row.merged_into
    return None  # a cycle cannot be written through People; a hand-edited table can


def person_ids(conn: sqlite3.Connection, person_id: str) -> list[str]:
    """`person_id` and every id merged into it (directly or through another), kept first:
    every id whose sessions, feedback and plan count for the person."""
    if not has_people_table(conn):
        return [person_id]
    return [
        row[0]
        for row in conn.execute(
            "with recursive kept(id, depth) as (select ?, 0 union "
            "select p.id, kept.depth + 1 from people p join kept on p.merged_into = kept.id) "
            "select id from kept order by depth, id",
            (person_id,),
        )
    ]


def person_projection(kind: str, data: dict, actor: str, now: float) -> list[Projection]:
    """The change to `people` that goes with a `person.*` event (none for other kinds);
    `actor` is who registered the person, `now` the event's time."""
    if kind == "person.registered":
        return [
            (
                "insert into people (id, alias, birth_year, full_name, created_at, created_by) "
                "values (?, ?, ?, ?, ?, ?)",
                (
                    data["person_id"],
                    data["alias"],
                    data["birth_year"],
                    data.get("full_name"),
                    now,
                    actor,
                ),
            )
        ]
    if kind == "person.merged":
        return [
            (
                "update people set merged_into = ? where id = ?",
                (data["into"], data["person_id"]),
            )
        ]
    return []


def people_problem(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """Rebuild every person from the log and compare them with the `people` table: the first
    difference as (seq of the last event behind that person, what differs), or None. An alias
    or birth year changed by hand, a merge undone or a row added with sqlite3 fails
    `groupkap verify`."""
    want: dict[str, dict] = {}
    rows = conn.execute(
        f"select seq, kind, actor, data from events where kind in ({_marks(PERSON_KINDS)}) "
        "order by seq",
        PERSON_KINDS,
    )
    for seq, kind, actor, text in rows:
        data = json.loads(text)
        pid = data.get("person_id")
        if kind == "person.registered":
            want[pid] = {
                "seq": seq,
                "alias": data["alias"],
                "birth_year": data["birth_year"],
                "full_name": data.get("full_name"),
                "created_by": actor,
                "merged_into": None,
            }
        elif pid in want:
            want[pid].update(seq=seq, merged_into=data.get("into"))
    have = {r.id: r for r in people(conn, include_merged=True)}
    for pid, person in want.items():
        row = have.pop(pid, None)
        if row is None:
            return person["seq"], f"person {pid} is in the log but not in the people table"
        for key in ("alias", "birth_year", "full_name", "created_by", "merged_into"):
            value = getattr(row, key)
            if value != person[key]:
                return person["seq"], (
                    f"person {pid} has {key} {value!r} in the people table but "
                    f"{person[key]!r} in the log"
                )
    if have:
        return 0, f"person {next(iter(have))} is in the people table but not in the log"
    return None


# -- sessions and participants ----------------------------------------------------------
def session_status(conn: sqlite3.Connection, session_id: str) -> str | None:
    """The session's status (running, interrupted, ended), or None when there is no such
    session (the courses and accounts logs are no sessions)."""
    row = conn.execute("select status from sessions where id = ?", (session_id,)).fetchone()
    return None if row is None else row[0]


def participant_link(
    conn: sqlite3.Connection, participant_id: str
) -> tuple[str, str, str | None] | None:
    """(session_id, alias, person_id) of a participant, or None for an unknown id."""
    column = "person_id" if has_person_column(conn) else "null"
    row = conn.execute(
        f"select session_id, alias, {column} from participants where id = ?", (participant_id,)
    ).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def person_links(conn: sqlite3.Connection, session_id: str) -> dict[str, str]:
    """{participant id: person id} of the session's participants linked to a person (a
    resumed room takes them up again, so their plan still follows them)."""
    if not has_person_column(conn):
        return {}
    rows = conn.execute(
        "select id, person_id from participants where session_id = ? and person_id is not null",
        (session_id,),
    )
    return {r[0]: r[1] for r in rows}


def attended(conn: sqlite3.Connection, ids: Iterable[str]) -> list[Attended]:
    """Every session a participant linked to one of `ids` sat in, oldest first."""
    wanted = tuple(ids)
    if not wanted or not has_person_column(conn):
        return []
    rows = conn.execute(
        "select s.id, p.id, p.person_id, s.started_at, s.status from participants p "
        f"join sessions s on s.id = p.session_id where p.person_id in ({_marks(wanted)}) "
        "order by s.started_at, p.added_at",
        wanted,
    )
    return [Attended(*r) for r in rows]


# -- feedback and plan --------------------------------------------------------------------
def _logged(row: tuple) -> LoggedEvent:
    seq, pid, t, kind, actor, data = row
    return LoggedEvent(seq, pid, epoch(t), kind, actor, json.loads(data))


def latest_feedback_event(conn: sqlite3.Connection, participant_id: str) -> LoggedEvent | None:
    """The participant's latest `feedback.recorded` (a correction is a later one). Read
    within their session (the events' session index), not by a scan of the whole log."""
    row = conn.execute(
        "select seq, participant_id, t, kind, actor, data from events "
        "where session_id = (select session_id from participants where id = ?) "
        "and participant_id = ? and kind = 'feedback.recorded' order by seq desc limit 1",
        (participant_id, participant_id),
    ).fetchone()
    return None if row is None else _logged(row)


def event_at(conn: sqlite3.Connection, seq: int) -> tuple[str, str | None, str] | None:
    """(session_id, participant_id, kind) of the event at `seq`, or None."""
    row = conn.execute(
        "select session_id, participant_id, kind from events where seq = ?", (seq,)
    ).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def course_events(
    conn: sqlite3.Connection, log: str, kinds: Iterable[str], ids: Iterable[str]
) -> list[LoggedEvent]:
    """The events of `kinds` in the courses log `log` about one of `ids`, in log order."""
    wanted, who = tuple(kinds), tuple(ids)
    if not wanted or not who:
        return []
    rows = conn.execute(
        "select seq, participant_id, t, kind, actor, data from events where session_id = ? "
        f"and kind in ({_marks(wanted)}) "
        f"and json_extract(data, '$.person_id') in ({_marks(who)}) order by seq",
        (log, *wanted, *who),
    )
    return [_logged(r) for r in rows]
