"""The demo continues courses (issue 16, item 6): its participants are people who come back.

Each demo alias is a person with a fixed birth year. The first demo on a database registers
them; a later demo on the same database finds them (alias and birth year, never a second
record) and seats them for their next session, their music following the plan carried from
the last one. Near each participant's discharge (or near the end of the demo, for someone
still in the room) the demo team records their feedback (`feedback.recorded`, simulated:
`groupkap.demo.feedback_sim`) and accepts what it proposes (`plan.adjusted`, source
"proposal"), so the next demo session carries it forward: silence, or pieces left out.
"""

from __future__ import annotations

import logging
import random
import statistics
import zlib
from collections import deque
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field

from groupkap.course.config import course_config
from groupkap.course.feedback import record_feedback
from groupkap.course.people import COURSES_LOG, People, Person
from groupkap.course.plan import CarriedPlan, adjust_plan, carried_plan, propose
from groupkap.demo.feedback_sim import demo_feedback
from groupkap.errors import GroupKapError
from groupkap.session import LiveSession
from groupkap.store import people_queries as pq

log = logging.getLogger("groupkap.demo")

DEMO_BIRTH_YEARS = {
    "M.K.": 1984,
    "A.R.": 1971,
    "J.L.": 1990,
    "S.T.": 1966,
    "D.P.": 1979,
    "E.W.": 1988,
    "R.N.": 1975,
    "C.H.": 1993,
    "L.B.": 1962,
    "F.O.": 1981,
}
FEEDBACK_LEAD_S = 120.0
"""Someone still in the room gives feedback this long before the demo ends (more on a
fast clock, where a heartbeat can be a minute of session time)."""


def demo_birth_year(alias: str) -> int:
    """The demo person's birth year: fixed for the demo's aliases, and for any other alias
    the same year every time (so `--participant` people come back too)."""
    if alias in DEMO_BIRTH_YEARS:
        return DEMO_BIRTH_YEARS[alias]
    return 1950 + zlib.crc32(alias.casefold().encode()) % 45


@dataclass
class CourseSeat:
    """A demo participant in their course.

    Attributes:
        participant_id, alias, seat: this session's participant.
        person: who they are across sessions.
        registered: registered by this demo (their first session).
        number: which session of their course this is (1 for the first).
        planned: the sessions their course plans.
        carried: the plan carried into this session.
        heard: the titles played on their seat so far.
        recorded: their feedback has been recorded in this session.
    """

    participant_id: str
    alias: str
    seat: int
    person: Person
    registered: bool
    number: int
    planned: int
    carried: CarriedPlan
    heard: set[str] = field(default_factory=set)
    recorded: bool = False

    def line(self) -> str:
        """`course: M.K. (born 1984) on seat 1 — session 2 of 6; carried: silence · more
        grounding`."""
        first = " (registered now)" if self.registered else ""
        text = (
            f"course: {self.alias} (born {self.person.birth_year}) on seat {self.seat}"
            f"{first} — session {self.number} of {self.planned}"
        )
        carried = [carried_words(a) for a in self.carried.adjustments]
        return f"{text}; carried: {' · '.join(carried)}" if carried else text


CARRIED_WORDS = {
    "silence": "silence",
    "grounding": "more grounding",
    "premedicate": "pre-medicate for nausea",
    "dose_note": "dose note for the prescriber",
    "comfort": "comfort items",
    "trusted_contact": "trusted contact",
}


def carried_words(adjustment) -> str:
    """An adjustment in a few words for the demo's output (`leave out Morning Fog`)."""
    if adjustment.kind == "avoid_pieces":
        return "leave out " + ", ".join(adjustment.pieces)
    return CARRIED_WORDS.get(adjustment.kind, adjustment.text)


def seat_demo_people(
    live: LiveSession, plan: Mapping[int, str], end_at: float | None = None
) -> DemoCourses:
    """Seat everyone in `plan` (seat -> alias) as the person they are: found by alias and
    birth year, registered the first time. Returns the director that records their feedback."""
    people = People(live.store, live.clock)
    seats: dict[str, CourseSeat] = {}
    for seat in sorted(plan):
        alias = plan[seat]
        year = demo_birth_year(alias)
        person = people.find(alias, year)
        registered = person is None
        if person is None:
            person = people.register(alias, year, by=live.account)
        participant = live.add_participant(alias, seat, person_id=person.id)
        number, planned, carried = _course_now(live, person.id)
        seats[participant.id] = CourseSeat(
            participant.id, alias, seat, person, registered, number, planned, carried
        )
    return DemoCourses(live, seats, end_at)


def _course_now(live: LiveSession, person_id: str) -> tuple[int, int, CarriedPlan]:
    """(this session's number in the course, sessions planned, the plan carried in)."""
    with closing(live.store.reader()) as conn:
        ids = pq.person_ids(conn, person_id)
        number = len({a.session_id for a in pq.attended(conn, ids)})
        planned_events = pq.course_events(conn, COURSES_LOG, ("course.planned",), ids)
        carried = carried_plan(conn, person_id, settings=live.settings, before=live.id)
    planned = course_config(live.settings).sessions_planned
    if planned_events:
        planned = int(planned_events[-1].data.get("sessions_planned") or planned)
    return number, max(planned, number), carried


class DemoCourses:
    """The demo team's part in each course: feedback and the plan carried forward.

    Attributes:
        seats: CourseSeat by participant id.
        end_at: when the demo ends (None: when the window is closed).
        distracted: the participant the music distracted this time (someone always is).
        names_a_piece: a participant who names one piece to avoid.
    """

    def __init__(
        self, live: LiveSession, seats: dict[str, CourseSeat], end_at: float | None
    ) -> None:
        self.live, self.seats, self.end_at = live, seats, end_at
        self._start = live.clock.now()
        self._last: float | None = None
        self._steps: deque[float] = deque(maxlen=9)  # the last beats' steps of session time
        rng = random.Random(live.id)
        order = sorted(seats, key=lambda pid: seats[pid].seat)
        hearing = [p for p in order if not seats[p].carried.music.silence]
        self.distracted = rng.choice(hearing) if hearing else None
        others = [p for p in hearing if p != self.distracted]
        self.names_a_piece = rng.choice(others) if others else None

    def describe(self) -> list[str]:
        """One line per participant: who, which session of their course, what carried."""
        return [s.line() for s in sorted(self.seats.values(), key=lambda s: s.seat)]

    def feedback_due(self, now: float) -> bool:
        """Near the end of the demo: FEEDBACK_LEAD_S before it (three beats when a beat is
        longer: the median of the last few, so the start-up's long beat does not count
        alone), never in its first half."""
        if self.end_at is None:
            return False
        step = statistics.median(self._steps) if self._steps else 0.0
        lead = max(FEEDBACK_LEAD_S, 3 * step)
        return now >= max(self._start + (self.end_at - self._start) / 2, self.end_at - lead)

    def tick(self) -> None:
        now = self.live.clock.now()
        if self._last is not None:
            self._steps.append(now - self._last)
        self._last = now
        self._listen()
        protocol = self.live.protocol
        near_end = self.feedback_due(now)
        for pid, seat in self.seats.items():
            if seat.recorded or pid not in self.live.room.participants:
                continue
            discharged = protocol is not None and protocol.of(pid).discharge is not None
            if discharged or near_end:
                self._feedback(seat)

    def _listen(self) -> None:
        """Note what each seat is playing (what they could name to avoid)."""
        music = self.live.music
        if music is None:
            return
        for pid, seat in self.seats.items():
            player = getattr(music.seats.get(pid), "player", None)
            piece = getattr(player, "current", None)
            if piece is not None and player.state != "silenced":
                seat.heard.add(piece.title)

    def _feedback(self, seat: CourseSeat) -> None:
        """Their feedback, then the team accepts what it proposes for the next session."""
        seat.recorded = True
        fb = demo_feedback(
            seat.person.id,
            self.live.id,
            seat.heard,
            distracted=seat.participant_id == self.distracted,
            names_a_piece=seat.participant_id == self.names_a_piece,
            had_silence=seat.carried.music.silence,
        )
        by, clock = self.live.account, self.live.clock
        try:
            record_feedback(
                self.live.store, self.live.id, seat.participant_id, fb, by=by, clock=clock
            )
            proposals = propose(fb, self.live.settings)
            if proposals:
                adjust_plan(
                    self.live.store,
                    seat.person.id,
                    proposals,
                    after_session=self.live.id,
                    source="proposal",
                    by=by,
                    clock=clock,
                )
        except GroupKapError as exc:  # the demo goes on; the log says what was refused
            log.warning("demo feedback for %s not recorded: %s", seat.alias, exc)
