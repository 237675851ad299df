"""Where each person stands before their next session: for group planning (is each one ready
for this session?) and the people listing (`groupkap course`, the people window).

A person's readiness is their course position (`session 4 of 6`), what they said after their
last session (one line, never the care team's free text), the team's adjustments and the
proposals still waiting for a decision, and the open flags. They need review when a flag is
open or a proposal waits: someone must look before the session starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from groupkap.course.config import course_config
from groupkap.course.feedback import Feedback, said_phrases, score_phrases
from groupkap.course.history import Course, person_of, read_course
from groupkap.course.outcomes import FLAG_KINDS, open_flags, outcome_series
from groupkap.course.people import COURSES_LOG, Person
from groupkap.review.markers import short
from groupkap.review.times import local_date
from groupkap.store import course_queries as cq
from groupkap.store import people_queries as pq
from groupkap.store.store import open_read_only, reading

LINE_MAX = 160
"""A feedback line is cut here: group planning shows one line per person."""


@dataclass(frozen=True)
class Readiness:
    """One person's readiness for the session being planned.

    Attributes:
        person: who.
        position: the session this will be (`session 4 of 6`; past the plan, `booster 1
            after a course of 6`).
        last_feedback: what they said after their last session, one line.
        adjustments: the team's adjustments carried to this session, then the proposals
            still waiting (`proposed: …`), one line each.
        flags: the open flags (`PHQ-9 item 9 positive on 2026-11-02`).
        needs_review: a flag is open or a proposal waits for the team's decision.
    """

    person: Person
    position: str
    last_feedback: str
    adjustments: tuple[str, ...]
    flags: tuple[str, ...]
    needs_review: bool


@dataclass(frozen=True)
class PersonLine:
    """One person in the people listing.

    Attributes:
        person: who.
        sessions_done, sessions_planned: dosed sessions against the plan.
        last_session: the date of their latest session (`2025-03-18`), None before the first.
        flags: the open flags.
    """

    person: Person
    sessions_done: int
    sessions_planned: int
    last_session: str | None
    flags: tuple[str, ...]

    @property
    def position(self) -> str:
        """`3 of 6 sessions done`."""
        return done_words(self.sessions_done, self.sessions_planned)


def done_words(done: int, planned: int) -> str:
    """`3 of 6 sessions done`: the course against its plan."""
    return f"{done} of {planned} sessions done"


def next_position(done: int, planned: int) -> str:
    """The session a person comes to next: `session 4 of 6` while the plan lasts, then
    `booster 1 after a course of 6`."""
    coming = done + 1
    if coming <= planned:
        return f"session {coming} of {planned}"
    return f"booster {coming - planned} after a course of {planned}"


def feedback_line(fb: Feedback | None, when: str | None = None) -> str:
    """What someone said after a session, in one line (`after 2025-03-11: liking 4/10;
    music distracting; …`); the free text stays in the course window."""
    if fb is None:
        return "no feedback recorded after the last session" if when else "first session"
    scores = ", ".join(score_phrases(fb))
    parts = ([scores] if scores else []) + said_phrases(fb)
    said = "; ".join(parts) or "nothing to change"
    return short(f"after {when}: {said}" if when else said, LINE_MAX)


def readiness(course: Course) -> Readiness:
    """A course read as readiness for the person's next session."""
    plan = course.plan
    last = next((s for s in course.sessions if s.session_id == plan.last_session_id), None)
    when = local_date(last.started_at) if last is not None else None
    lines = [a.text for a in plan.adjustments] + [f"proposed: {p.text}" for p in plan.proposals]
    return Readiness(
        person=course.person,
        position=next_position(course.sessions_done, course.sessions_planned),
        last_feedback=feedback_line(plan.last_feedback, when),
        adjustments=tuple(lines),
        flags=course.open_flags,
        needs_review=bool(course.open_flags or plan.proposals),
    )


def group_readiness(
    db_path: Path | str, person_ids: list[str], *, settings: object = None
) -> list[Readiness]:
    """Each person's readiness, in the order given, from one read-only connection.
    BadInputError names an unknown person (nothing is returned for the others)."""
    path = Path(db_path).expanduser()
    config = course_config(settings)
    conn = open_read_only(path)
    try:
        with reading(path):
            return [readiness(read_course(conn, pid, config)) for pid in person_ids]
    finally:
        conn.close()


def people_overview(db_path: Path | str, *, settings: object = None) -> list[PersonLine]:
    """Every registered person (merged duplicates counted in the kept one) with their
    course position, last session and open flags, by alias: the people listing. The log
    is read once for everyone, not once per person."""
    path = Path(db_path).expanduser()
    config = course_config(settings)
    conn = open_read_only(path)
    try:
        with reading(path):
            people = pq.people(conn)
            ids = {p.id: pq.person_ids(conn, p.id) for p in people}
            attended = {p.id: pq.attended(conn, ids[p.id]) for p in people}
            pairs = [(a.session_id, a.participant_id) for a_s in attended.values() for a in a_s]
            logged = cq.attended_events(conn, pairs, ("dose.given", *FLAG_KINDS))
            every = [i for group in ids.values() for i in group]
            plans = pq.course_events(conn, COURSES_LOG, ("course.planned",), every)
    finally:
        conn.close()
    by_pid: dict[str, list] = {}
    for sid, e in logged:
        by_pid.setdefault(e.participant_id, []).append((sid, e))
    planned: dict[str, int] = {}
    kept = {i: p for p, group in ids.items() for i in group}
    for e in plans:  # log order: the latest plan counts
        planned[kept[e.data["person_id"]]] = int(e.data["sessions_planned"])
    lines = []
    for row in people:
        mine = [pair for a in attended[row.id] for pair in by_pid.get(a.participant_id, [])]
        dosed = {sid for sid, e in mine if e.kind == "dose.given"}
        last = attended[row.id][-1].started_at if attended[row.id] else None
        lines.append(
            PersonLine(
                person=person_of(row),
                sessions_done=len(dosed),
                sessions_planned=planned.get(row.id, config.sessions_planned),
                last_session=local_date(last) if last is not None else None,
                flags=open_flags(outcome_series(mine), mine),
            )
        )
    return lines
