"""Schema migrations (sqlite-utils' built-in `Migrations`) and the readable views.

A database that has applied a migration this build does not know was written by a newer
GroupKAP: it is refused before anything is written, never "repaired".
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database, Migrations

from groupkap.errors import SchemaTooNewError
from groupkap.store.projections import RECOUNTED

MIGRATION_SET = "groupkap"
migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_core_tables(db: Database) -> None:
    db["sessions"].create(
        {
            "id": str,
            "title": str,
            "started_at": float,
            "ended_at": float,
            "status": str,
            "seats": int,
            "source": str,
            "speed": float,
            "pid": int,
            "host": str,
        },
        pk="id",
        not_null={"started_at", "status", "seats"},
    )
    db["participants"].create(
        {
            "id": str,
            "session_id": str,
            "alias": str,
            "full_name": str,
            "seat": int,
            "added_at": float,
            "removed_at": float,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"session_id", "alias"},
    )
    db["events"].create(
        {
            "seq": int,
            "session_id": str,
            "participant_id": str,
            "t": str,
            "kind": str,
            "actor": str,
            "data": str,
            "prev_hash": str,
            "hash": str,
        },
        pk="seq",
        not_null={"session_id", "t", "kind", "actor", "data", "prev_hash", "hash"},
    )
    db["events"].create_index(["session_id", "seq"])
    # The log is append-only; these triggers stop accidents, the hash chain exposes the rest.
    db.execute(
        "create trigger events_no_update before update on events "
        "begin select raise(abort, 'events are append-only'); end"
    )
    db.execute(
        "create trigger events_no_delete before delete on events "
        "begin select raise(abort, 'events are append-only'); end"
    )
    db["vitals"].create(
        {
            "session_id": str,
            "participant_id": str,
            "seat": int,
            "device": str,
            "param": str,
            "t": float,
            "value": float,
            "unit": str,
            "source": str,
        },
        not_null={"session_id", "param", "t", "value"},
    )
    db["vitals"].create_index(["session_id", "param", "t"])
    # Waveforms as one packed float32 block per seat per second, not one row per sample.
    db["waveforms"].create(
        {
            "session_id": str,
            "participant_id": str,
            "seat": int,
            "device": str,
            "param": str,
            "t_start": float,
            "rate_hz": float,
            "n": int,
            "samples": bytes,
            "source": str,
        },
        not_null={"session_id", "param", "t_start", "rate_hz", "n", "samples"},
    )
    db["waveforms"].create_index(["session_id", "seat", "t_start"])


@migrations()
def m002_readable_views(db: Database) -> None:
    db.execute(
        """
        create view v_vitals as
        select v.session_id, p.alias as participant, v.seat, v.device, v.param,
               strftime('%Y-%m-%dT%H:%M:%fZ', v.t, 'unixepoch') as t_utc,
               v.value, v.unit, v.source
        from vitals v left join participants p on p.id = v.participant_id
        """
    )
    db.execute(
        """
        create view v_events as
        select e.session_id, p.alias as participant, p.seat, e.t as t_utc, e.kind,
               e.actor, e.data
        from events e left join participants p on p.id = e.participant_id
        """
    )


@migrations()
def m003_struck_hand_values(db: Database) -> None:
    """`v_vitals.struck`: 1 for a value typed in by hand whose entry was later struck or
    corrected (the vitals table is never updated: the events say what no longer counts)."""
    db.execute("drop view v_vitals")
    db.execute(
        """
        create view v_vitals as
        select v.session_id, p.alias as participant, v.seat, v.device, v.param,
               strftime('%Y-%m-%dT%H:%M:%fZ', v.t, 'unixepoch') as t_utc,
               v.value, v.unit, v.source,
               case when v.source like 'hand:%' and exists (
                   select 1 from events o
                   where o.session_id = v.session_id and o.participant_id = v.participant_id
                     and o.kind = 'observation.entered'
                     and json_extract(o.data, '$.t_measured') = v.t
                     and json_extract(o.data, '$.values.' || v.param) = v.value
                     and exists (
                         select 1 from events s
                         where s.session_id = o.session_id
                           and s.participant_id = o.participant_id
                           and ((s.kind = 'entry.struck' and json_extract(s.data, '$.entry_id')
                                 = json_extract(o.data, '$.entry_id'))
                             or (s.kind = 'observation.entered'
                                 and json_extract(s.data, '$.corrects')
                                 = json_extract(o.data, '$.entry_id'))))
               ) then 1 else 0 end as struck
        from vitals v left join participants p on p.id = v.participant_id
        """
    )


@migrations()
def m004_vitals_by_participant(db: Database) -> None:
    """An index to read one participant's values of one parameter over a stretch of time
    (the review window's plots, summaries and exports): a covering index, so a 4-hour
    series comes from the index alone instead of every participant's rows of the session."""
    db["vitals"].create_index(
        ["session_id", "participant_id", "param", "t", "value"],
        index_name="idx_vitals_participant_param_t",
    )


@migrations()
def m005_accounts(db: Database) -> None:
    """The workstation's accounts: a readable table kept in step with the `user.*` events
    (`groupkap/store/account_queries.py`). It holds a PIN's argon2 hash, never the PIN; the
    events hold only a digest of that hash, so `verify` catches a hash swapped in by hand.
    Names are unique whatever their case ("RN Kim" and "rn kim" are one person)."""
    db.execute(
        """
        create table users (
            id text primary key,
            name text not null collate nocase unique,
            role text not null,
            pin_hash text not null,
            created_at real not null,
            created_by text,
            disabled_at real,
            disabled_by text,
            last_sign_in_at real,
            failed_count integer not null default 0,
            locked_until real
        )
        """
    )


@migrations()
def m006_courses(db: Database) -> None:
    """A person across sessions (issue 16): the readable `people` table kept in step with the
    `person.*` events of the courses log (`groupkap/store/people_queries.py`), and each
    session's participant linked to the person they are (`participants.person_id`, None for
    someone not known as a person). Alias and birth year name one person whatever the
    alias's case; a merged duplicate keeps its row (its sessions count for the kept one)."""
    db.execute(
        """
        create table people (
            id text primary key,
            alias text not null,
            birth_year integer not null,
            full_name text,
            created_at real not null,
            created_by text,
            merged_into text
        )
        """
    )
    db.execute(
        "create unique index idx_people_alias_birth_year on people "
        "(alias collate nocase, birth_year) where merged_into is null"
    )
    db.execute("alter table participants add column person_id text")
    db.execute("create index idx_participants_person on participants (person_id)")


@migrations()
def m007_session_counts(db: Database) -> None:
    """Each session's participants (still in the room), events and vitals, kept as the rows
    are written (the writer adds to them in the same transaction as the rows), so
    `groupkap sessions` reads one row per session instead of counting millions of vitals on
    every call. `verify` recounts and compares. A file from before is counted here, once."""
    db.execute(
        """
        create table session_counts (
            session_id text primary key,
            participants integer not null default 0,
            events integer not null default 0,
            vitals integer not null default 0
        )
        """
    )
    db.execute("create index idx_participants_session on participants (session_id, removed_at)")
    db.execute("insert into session_counts (session_id, participants, events, vitals) " + RECOUNTED)


KNOWN_MIGRATIONS = [m.name for m in migrations._migrations]


def applied_names(db: Database) -> list[str]:
    """The migrations of this set the file has applied, in order. One plain SELECT (not
    `Migrations.applied`, five times slower): every `groupkap sessions` call runs it."""
    try:
        rows = db.conn.execute(
            f"select name from {migrations.migrations_table} where migration_set = ? "
            "order by rowid",
            (MIGRATION_SET,),
        )
        return [name for (name,) in rows]
    except sqlite3.OperationalError as exc:  # a new file: no table of migrations yet
        if "no such table" in str(exc):
            return []
        raise


def check_not_newer(db: Database) -> None:
    """Raise if the file has migrations this build does not know (a newer GroupKAP wrote it)."""
    unknown = [name for name in applied_names(db) if name not in KNOWN_MIGRATIONS]
    if unknown:
        raise SchemaTooNewError(
            f"{db.conn.execute('pragma database_list').fetchone()[2]} was written by a newer "
            f"GroupKAP (unknown schema step {unknown[0]}); open it with that version — this "
            "one will not change it"
        )


def migrate(db: Database) -> None:
    check_not_newer(db)
    migrations.apply(db)
