"""Seats and participants, and the rules for changing them during a session.

Every change goes through `Room`, which validates first and only then records an event and
changes state, so a refused change leaves nothing behind.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from groupkap.errors import BadInputError

MIN_SEATS = 3
MAX_SEATS = 10
MAX_ALIAS = 24

EventSink = Callable[[str, dict, "str | None"], None]
"""Called as sink(kind, data, participant_id) for every change; the store commits it."""


@dataclass(frozen=True)
class Seat:
    """A chair in the room.

    Attributes:
        number: the seat number facilitators call it by (1-based).
        row, col: where it sits in the room, which is where its tile sits on the grid.
    """

    number: int
    row: int
    col: int


@dataclass
class Participant:
    """A person in the session.

    Attributes:
        id: a stable identifier used in the log (never shown).
        alias: initials or a chosen name; the only name shown on tiles.
        full_name: optional; kept for the record, never drawn on the room grid.
        seat: the seat number they are on.
        person_id: the person they are across sessions (`groupkap.course`, `per-…`); None
            for someone not registered as a person (their feedback cannot be recorded).
    """

    alias: str
    seat: int
    full_name: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    person_id: str | None = None


def room_layout(seat_count: int) -> list[Seat]:
    """Default seat positions: at most two rows on a 16:9 screen, filled row by row.

    Two rows keep every tile tall enough for its waveform and trend; 10 seats make 5 × 2.
    """
    check_seat_count(seat_count)
    cols = 2 if seat_count == 4 else math.ceil(seat_count / 2) if seat_count > 3 else 3
    return [Seat(n, (n - 1) // cols, (n - 1) % cols) for n in range(1, seat_count + 1)]


def check_seat_count(seat_count: int) -> int:
    if not MIN_SEATS <= seat_count <= MAX_SEATS:
        raise BadInputError(
            f"a room has {MIN_SEATS} to {MAX_SEATS} seats, not {seat_count}; "
            f"choose a seat count from {MIN_SEATS} to {MAX_SEATS}"
        )
    return seat_count


def _clean_alias(alias: str) -> str:
    alias = (alias or "").strip()
    if not alias:
        raise BadInputError("a participant needs an alias (initials are fine)")
    if len(alias) > MAX_ALIAS:
        raise BadInputError(f"alias {alias[:30]!r}… is longer than {MAX_ALIAS} characters")
    return alias


PERSON_ID = re.compile(r"per-[0-9a-f]{12}")


def _check_person(person_id: str | None, present) -> str | None:
    """A person id as `groupkap.course.People` makes them, not already seated in the room."""
    if person_id is None:
        return None
    if not isinstance(person_id, str) or not PERSON_ID.fullmatch(person_id):
        raise BadInputError(f"{person_id!r} is not a person id (per- and 12 hex digits)")
    holder = next((p for p in present if p.person_id == person_id), None)
    if holder is not None:
        raise BadInputError(
            f"that person is already in the room as {holder.alias} on seat {holder.seat}"
        )
    return person_id


class Room:
    """The seats of one session and who sits where.

    Attributes:
        seats: the room's seats, by number.
        participants: the people in the room, by id.
    """

    def __init__(self, seats: list[Seat], record: EventSink | None = None) -> None:
        check_seat_count(len(seats))
        self.seats: dict[int, Seat] = {s.number: s for s in seats}
        self.participants: dict[str, Participant] = {}
        self._record: EventSink = record or (lambda kind, data, pid: None)
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener()` after every successful change (the UI re-lays its tiles)."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in self._listeners:
            listener()

    # -- queries ------------------------------------------------------------------
    def on_seat(self, seat: int) -> Participant | None:
        return next((p for p in self.participants.values() if p.seat == seat), None)

    def free_seats(self) -> list[int]:
        return [n for n in self.seats if self.on_seat(n) is None]

    def by_seat(self) -> list[tuple[Seat, Participant | None]]:
        return [(s, self.on_seat(n)) for n, s in sorted(self.seats.items())]

    def _get(self, participant_id: str) -> Participant:
        try:
            return self.participants[participant_id]
        except KeyError:
            raise BadInputError(f"no participant {participant_id!r} in this room") from None

    def _check_free(self, seat: int, moving: str | None = None) -> None:
        if seat not in self.seats:
            raise BadInputError(f"there is no seat {seat} in this room (seats 1–{max(self.seats)})")
        holder = self.on_seat(seat)
        if holder is not None and holder.id != moving:
            raise BadInputError(
                f"seat {seat} already has {holder.alias}; choose a free seat "
                f"({', '.join(map(str, self.free_seats())) or 'none free'})"
            )

    # -- changes ------------------------------------------------------------------
    def add(
        self,
        alias: str,
        seat: int,
        full_name: str | None = None,
        participant_id: str | None = None,
        person_id: str | None = None,
    ) -> Participant:
        """Seat a new participant; refused if the alias is empty or the seat is taken, or
        the person (`person_id`, when they are a known person) already sits in the room."""
        alias = _clean_alias(alias)
        self._check_free(seat)
        person_id = _check_person(person_id, self.participants.values())
        person = Participant(
            alias=alias, seat=seat, full_name=(full_name or None), person_id=person_id
        )
        if participant_id:
            person.id = participant_id
        data: dict = {"alias": alias, "seat": seat, "full_name": person.full_name}
        if person_id is not None:
            data["person_id"] = person_id
        self._record("participant.added", data, person.id)
        self.participants[person.id] = person
        self._changed()
        return person

    def rename(self, participant_id: str, alias: str, full_name: str | None = None) -> None:
        person = self._get(participant_id)
        alias = _clean_alias(alias)
        self._record(
            "participant.renamed",
            {"old_alias": person.alias, "alias": alias, "full_name": full_name or None},
            person.id,
        )
        person.alias = alias
        person.full_name = full_name or None
        self._changed()

    def reseat(self, participant_id: str, seat: int) -> None:
        person = self._get(participant_id)
        self._check_free(seat, moving=person.id)
        if seat == person.seat:
            return
        self._record("participant.seated", {"old_seat": person.seat, "seat": seat}, person.id)
        person.seat = seat
        self._changed()

    def remove(self, participant_id: str, reason: str = "") -> None:
        person = self._get(participant_id)
        self._record("participant.removed", {"seat": person.seat, "reason": reason}, person.id)
        del self.participants[person.id]
        self._changed()
