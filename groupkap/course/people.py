"""People across sessions: someone registered once (alias and birth year) takes part in many
sessions, perhaps in different groups, so their course can be followed from one to the next.

A person is not a participant: a participant is that person in ONE session (the session's
`participants` row, linked by `person_id`). Registering, merging a duplicate and planning the
course are events in the workstation's courses log (`COURSES_LOG`), and the readable `people`
table is kept in step with them (`groupkap/store/people_queries.py`), so `verify` covers it.
Nothing is silently duplicated: the same alias (any case) and birth year is refused, and two
records of one person become one only by an explicit, reasoned merge.
"""

from __future__ import annotations

import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from groupkap.accounts.accounts import log_refusal
from groupkap.accounts.permissions import refusal
from groupkap.course.config import RANGES
from groupkap.errors import BadInputError
from groupkap.room.model import MAX_ALIAS
from groupkap.store import people_queries as pq

if TYPE_CHECKING:
    from groupkap.accounts import Account
    from groupkap.clock import Clock
    from groupkap.store import Store

COURSES_LOG = "courses"
"""The log (session id) of course events that belong to no one session: people registered
and merged, courses planned, the team's plan adjusted."""

OLDEST_BIRTH_YEAR = 1900
YOUNGEST_AGE = 16
"""KAP is offered to adults; a birth year fewer than 16 years back is a typing slip."""
NOTE_MAX = 500
NAME_MAX = 120
DEFAULT_ACTOR = "facilitator"
"""Who acts when no account is signed in (as a session without accounts records it)."""


@dataclass(frozen=True)
class Person:
    """Someone across sessions.

    Attributes:
        id: `per-` and 12 hex digits, never shown.
        alias: initials or a chosen name, as on the room's tiles.
        birth_year: with the alias, tells two people of the same initials apart.
        full_name: optional, for the record; never drawn on the room grid.
        created_at: when they were registered (UTC epoch seconds).
        merged_into: the kept person's id when this record was merged as a duplicate.
    """

    id: str
    alias: str
    birth_year: int
    full_name: str | None
    created_at: float
    merged_into: str | None = None


def alias_key(text: str) -> str:
    """An alias as it is compared: letters and digits only, any case (`m.k.` ~ `M K` ~ `MK`),
    so the same initials typed with or without dots are never two people."""
    return "".join(c for c in str(text).casefold() if c.isalnum())


class DuplicatePerson(BadInputError):
    """The alias (whatever its case) and birth year are already a registered person.

    Attributes:
        existing: that person; use them, or merge the two if they are one person.
    """

    def __init__(self, message: str, existing: Person) -> None:
        super().__init__(message)
        self.existing = existing


def _person(row: pq.PersonRow) -> Person:
    return Person(row.id, row.alias, row.birth_year, row.full_name, row.created_at, row.merged_into)


def check_alias(alias: object) -> str:
    """An alias as tiles show it: one line, 1 to MAX_ALIAS characters."""
    clean = " ".join(str(alias or "").split())
    if not clean:
        raise BadInputError("a person needs an alias (initials are fine)")
    if len(clean) > MAX_ALIAS or not clean.isprintable():
        raise BadInputError(f"an alias is at most {MAX_ALIAS} printable characters")
    return clean


def _year(birth_year: object) -> int:
    if isinstance(birth_year, str) and birth_year.strip().isdigit():
        return int(birth_year.strip())
    if isinstance(birth_year, bool) or not isinstance(birth_year, int):
        raise BadInputError(f"a birth year is a whole year such as 1980, not {birth_year!r}")
    return birth_year


def check_birth_year(birth_year: object, now: float) -> int:
    """A birth year from 1900 to this year − 16 (UTC year of `now`)."""
    year = _year(birth_year)
    latest = datetime.fromtimestamp(now, tz=UTC).year - YOUNGEST_AGE
    if not OLDEST_BIRTH_YEAR <= year <= latest:
        raise BadInputError(
            f"birth year {year} is out of range; use {OLDEST_BIRTH_YEAR} to {latest} "
            f"(participants are at least {YOUNGEST_AGE})"
        )
    return year


def _full_name(full_name: object) -> str | None:
    clean = " ".join(str(full_name or "").split())
    if len(clean) > NAME_MAX or not clean.isprintable():
        raise BadInputError(f"a full name is at most {NAME_MAX} printable characters")
    return clean or None


def check_sessions_planned(sessions: object) -> int:
    lo, hi, _, _ = RANGES["sessions_planned"]
    if isinstance(sessions, bool) or not isinstance(sessions, int) or not lo <= sessions <= hi:
        raise BadInputError(
            f"sessions planned must be a whole number from {lo:g} to {hi:g}, not {sessions!r}"
        )
    return sessions


def check_booster_due(booster_due: object) -> str | None:
    """A booster date as YYYY-MM-DD text (a `date` is written so), or None."""
    if booster_due is None or booster_due == "":
        return None
    if isinstance(booster_due, date) and not isinstance(booster_due, datetime):
        return booster_due.isoformat()
    text = str(booster_due).strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise BadInputError(
            f"booster due {booster_due!r} is not a date; write it as YYYY-MM-DD"
        ) from None


def check_note(note: object, what: str = "a note") -> str:
    clean = str(note or "").strip()
    if len(clean) > NOTE_MAX:
        raise BadInputError(f"{what} is at most {NOTE_MAX} characters")
    return clean


def guard(store: Store, log: str, by: Account | None, action: str, now: float) -> str:
    """Who acts (`by`'s name, or DEFAULT_ACTOR without accounts); refused before anything
    changes when `by` may not do `action`: `action.refused` in `log`, then Forbidden."""
    if by is None:
        return DEFAULT_ACTOR
    if refusal(by, action) is not None:
        raise log_refusal(store, log, by, action, now)
    return by.name


class People:
    """The workstation's people, over the open session database.

    Attributes:
        store, clock: what it was built with.
    """

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # -- reading ------------------------------------------------------------------
    def find(self, alias: str, birth_year: int) -> Person | None:
        """The person with this alias and birth year, the alias compared as people type it
        (`alias_key`: `M.K.`, `m k` and `MK` are one alias); a merged duplicate that matches
        answers with the person it was merged into. None when nobody matches."""
        key, year = alias_key(check_alias(alias)), _year(birth_year)
        with closing(self.store.reader()) as conn:
            same = [r for r in pq.born_in(conn, year) if alias_key(r.alias) == key]
            row = next((r for r in same if r.merged_into is None), None)
            if row is None:
                for merged in same:
                    kept = pq.kept_id(conn, merged.id)
                    if kept is not None:
                        row = pq.person_by_id(conn, kept)
                        break
        return _person(row) if row is not None else None

    def get(self, person_id: str) -> Person:
        """The person `person_id` stands for (a merged id answers with the kept person)."""
        with closing(self.store.reader()) as conn:
            kept = pq.kept_id(conn, str(person_id))
            row = pq.person_by_id(conn, kept) if kept is not None else None
        if row is None:
            raise BadInputError(f"no person {person_id}; `groupkap course` lists them")
        return _person(row)

    def list(self) -> list[Person]:
        """Everyone registered, by alias then birth year; merged duplicates left out."""
        with closing(self.store.reader()) as conn:
            return [_person(r) for r in pq.people(conn)]

    # -- the log ------------------------------------------------------------------
    def _log(self, kind: str, data: dict, actor: str) -> int:
        now = self.clock.now()
        return self.store.record(
            COURSES_LOG,
            kind,
            data,
            actor=actor,
            at=now,
            projections=pq.person_projection(kind, data, actor, now),
        ).result(10)

    # -- changes ------------------------------------------------------------------
    def register(
        self,
        alias: str,
        birth_year: int,
        full_name: str | None = None,
        *,
        by: Account | None,
    ) -> Person:
        """Register someone who will come to sessions. Refused (nothing written) for an
        alias and birth year already registered: DuplicatePerson names the existing id."""
        actor = guard(self.store, COURSES_LOG, by, "person.manage", self.clock.now())
        alias = check_alias(alias)
        year = check_birth_year(birth_year, self.clock.now())
        name = _full_name(full_name)
        existing = self.find(alias, year)
        if existing is not None:
            raise DuplicatePerson(
                f"{alias} born {year} is already registered: {existing.id} "
                f"({existing.alias}, born {existing.birth_year}); use that person, or merge "
                "the two records if they are one person",
                existing,
            )
        person_id = f"per-{uuid.uuid4().hex[:12]}"
        data = {"person_id": person_id, "alias": alias, "birth_year": year, "full_name": name}
        self._log("person.registered", data, actor)
        return self.get(person_id)

    def merge(self, duplicate_id: str, into_id: str, reason: str, *, by: Account | None) -> Person:
        """Fold `duplicate_id` into `into_id` (the explicit step for one person registered
        twice): afterwards the duplicate's sessions, feedback and plan count for the kept
        person, and the duplicate is left out of `list`. Returns the kept person."""
        actor = guard(self.store, COURSES_LOG, by, "person.merge", self.clock.now())
        reason = check_note(reason, "a reason")
        if not reason:
            raise BadInputError("say why the two records are one person (a reason is required)")
        with closing(self.store.reader()) as conn:
            duplicate = pq.person_by_id(conn, str(duplicate_id))
        if duplicate is None:
            raise BadInputError(f"no person {duplicate_id}; `groupkap course` lists them")
        if duplicate.merged_into is not None:
            raise BadInputError(
                f"{duplicate.alias} ({duplicate.id}) was already merged into "
                f"{duplicate.merged_into}"
            )
        kept = self.get(into_id)
        if kept.id == duplicate.id:
            raise BadInputError(
                "a person cannot be merged into themselves; choose the other record"
            )
        data = {"person_id": duplicate.id, "into": kept.id, "reason": reason}
        self._log("person.merged", data, actor)
        return kept

    def plan_course(
        self,
        person_id: str,
        sessions_planned: int,
        booster_due: str | date | None = None,
        note: str = "",
        *,
        by: Account | None,
    ) -> int:
        """Plan a person's course: how many medicine sessions, when a booster is due
        (YYYY-MM-DD), a note. The latest plan counts. Returns the event's seq."""
        actor = guard(self.store, COURSES_LOG, by, "person.manage", self.clock.now())
        person = self.get(person_id)
        data = {
            "person_id": person.id,
            "sessions_planned": check_sessions_planned(sessions_planned),
            "booster_due": check_booster_due(booster_due),
            "note": check_note(note),
        }
        return self._log("course.planned", data, actor)
