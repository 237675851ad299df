"""A person's course as the care team reads it: every session they took part in, in the
review's own figures, their outcome trend, where they stand against the plan, and the plan
carried to their next session.

Each session's figures come from the same functions the review window and the exports use
(`groupkap.review`: the care record for dose, T0 and discharge, the alarm episodes, the
circle's fairness, the entries that still count), read for this one participant, so a peak
BP reads the same on the course page as in that session's review. Everything is read from
the database file alone, read-only (`open_read_only`); nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from groupkap.alarms.model import ALARM_KINDS
from groupkap.course.config import CourseConfig, course_config
from groupkap.course.feedback import Feedback
from groupkap.course.outcomes import (
    FLAG_KINDS,
    OUTCOME_KINDS,
    OutcomePoint,
    open_flags,
    outcome_series,
)
from groupkap.course.people import COURSES_LOG, Person
from groupkap.course.plan import CarriedPlan, carried_plan
from groupkap.errors import BadInputError, no_session
from groupkap.protocol.esketamine_log import measured, scores
from groupkap.readings import HAND
from groupkap.review.circle_stats import circle_stats
from groupkap.review.compliance import CARE_KINDS, care_records, standing
from groupkap.review.episodes import alarm_episodes, counts_by_priority
from groupkap.review.series import struck_hand_values
from groupkap.review.times import local_date
from groupkap.store import course_queries as cq
from groupkap.store import people_queries as pq
from groupkap.store import queries
from groupkap.store.queries import LoggedEvent
from groupkap.store.store import open_read_only, reading, shown_status

__all__ = ["Course", "CourseSession", "OutcomePoint", "load_course", "pieces_played"]

MUSIC_KINDS = ("music.track_started",)
CIRCLE_KINDS = ("circle.turn_started", "circle.turn_ended", "circle.passed")
ROOM_KINDS = ("circle.started", "circle.ended")
"""Kinds logged for the whole session that a participant's figures need (their circle)."""
SESSION_KINDS = tuple(
    dict.fromkeys(
        (
            *CARE_KINDS,
            *ALARM_KINDS,
            *FLAG_KINDS,
            *OUTCOME_KINDS,
            *MUSIC_KINDS,
            *CIRCLE_KINDS,
            "feedback.recorded",
        )
    )
)
"""Every kind a course session reads of its participant."""
VITALS = ("SBP", "DBP", "SpO2")


@dataclass(frozen=True)
class CourseSession:
    """One session of a person's course, as its row on the course page.

    Attributes:
        session_id, started_at: the session and when it began (UTC epoch seconds).
        participant_id, alias: the person in that session, as the session knew them.
        status: `ended`, `interrupted` or `running`.
        route, dose_mg, t0: the dose (None when not dosed).
        peak_sbp, peak_dbp: the highest systolic and the highest diastolic value, each on
            its own (monitor and hand values that still count; None without data).
        lowest_spo2: the lowest SpO2 (monitor and hand values that still count).
        alarms, high_alarms: alarm episodes raised for them, and how many reached high.
        lowest_moaas, highest_cadss: of the scores that still count (None: none scored).
        adverse_events: each as `nausea (mild)`, in the order recorded.
        pieces: the titles played on their seat, in play order, each once.
        circle_turns, circle_passes: their turns spoken and passes in the session's last
            circle (None when no circle was held).
        discharge_minute: minutes from T0 to the signed discharge (None: not signed).
        feedback: their feedback after the session that counts (None: none recorded).
    """

    session_id: str
    started_at: float
    participant_id: str
    alias: str
    status: str = "ended"
    route: str | None = None
    dose_mg: float | None = None
    t0: float | None = None
    peak_sbp: float | None = None
    peak_dbp: float | None = None
    lowest_spo2: float | None = None
    alarms: int = 0
    high_alarms: int = 0
    lowest_moaas: int | None = None
    highest_cadss: int | None = None
    adverse_events: tuple[str, ...] = ()
    pieces: tuple[str, ...] = ()
    circle_turns: int | None = None
    circle_passes: int | None = None
    discharge_minute: float | None = None
    feedback: Feedback | None = None

    @property
    def dosed(self) -> bool:
        return self.t0 is not None


@dataclass(frozen=True)
class Course:
    """A person's course across sessions.

    Attributes:
        person: who (a merged duplicate's sessions count here too).
        sessions: every session they took part in, oldest first.
        outcomes: scale name -> its scorings over the course, oldest first.
        sessions_planned: the medicine sessions planned (the latest `course.planned`, else
            the clinic's `[course] sessions_planned`).
        sessions_done: the sessions in which they were dosed.
        next_due: the booster's date (`2026-02-01`): as planned, else once every planned
            session is done, `booster_after_days` after the last; None otherwise.
        plan: what carries to their next session (feedback, the team's adjustments,
            proposals, music preferences).
        open_flags: what the team must see before the next session (`PHQ-9 item 9
            positive on 2026-11-02`).
    """

    person: Person
    sessions: tuple[CourseSession, ...]
    outcomes: dict[str, list[OutcomePoint]]
    sessions_planned: int
    sessions_done: int
    next_due: str | None
    plan: CarriedPlan
    open_flags: tuple[str, ...]

    @property
    def position(self) -> str:
        """`4 of 6 sessions done`."""
        return f"{self.sessions_done} of {self.sessions_planned} sessions done"


def _titles(events: list[LoggedEvent]) -> list[str]:
    """The pieces started, in play order, each once."""
    found = (e.data.get("piece") for e in events if e.kind == "music.track_started")
    return list(dict.fromkeys(str(p) for p in found if p))


def pieces_played(db_path: Path | str, session_id: str, participant_id: str) -> list[str]:
    """The titles played on the participant's seat in the session, in play order, each
    once: what the feedback form offers as pieces to avoid."""
    path = Path(db_path).expanduser()
    conn = open_read_only(path)
    try:
        with reading(path):
            if queries.session_row(conn, session_id) is None:
                raise no_session(session_id, path)
            events = queries.events(
                conn, session_id, participant_id=participant_id, kinds=MUSIC_KINDS
            )
    finally:
        conn.close()
    return _titles(events)


def _hand_times(events: list[LoggedEvent]) -> list[float]:
    """When the values typed in by hand were measured (where the vitals table holds them;
    older logs kept a hand BP as its check alone)."""
    return sorted(
        {
            measured(e)
            for e in events
            if e.kind == "observation.entered"
            or (e.kind == "check.recorded" and e.data.get("source") == HAND)
        }
    )


def _extremes(conn, session_id: str, pid: str, events: list[LoggedEvent]) -> dict:
    """param -> (lowest, highest) of the participant's monitor values and the hand values
    that still count: `review.summary`'s extremes (its sources told apart as its queries
    do), read for one participant. The index alone answers for every moment without a
    hand entry; only the rows at a hand entry's time are read to tell the sources apart."""
    hand = _hand_times(events)
    values: dict[str, list[float]] = {
        param: [lo, hi]
        for param, lo, hi in cq.participant_vitals_range(conn, session_id, pid, VITALS, hand)
    }
    struck = struck_hand_values(events)
    for param, t, value, source in cq.participant_vitals_at(conn, session_id, pid, VITALS, hand):
        said = (source or "").lower()
        monitor = not said.startswith(HAND)
        typed = said.startswith(HAND + ":") and (pid, param, t, value) not in struck
        if monitor or typed:
            values.setdefault(param, []).append(value)
    return {param: (min(vs), max(vs)) for param, vs in values.items() if vs}


def _adverse(events: list[LoggedEvent]) -> tuple[str, ...]:
    out = []
    for e in events:
        if e.kind == "adverse_event.recorded":
            what, severity = e.data.get("description") or "adverse event", e.data.get("severity")
            out.append(f"{what} ({severity})" if severity else str(what))
    return tuple(out)


def _score_extreme(events: list[LoggedEvent], check: str, pick) -> int | None:
    values = [s.value for s in scores(events, check)]
    return pick(values) if values else None


def _circle(events: list[LoggedEvent], pid: str, alias: str, seat: int):
    stats = circle_stats(events, {pid: alias}, {pid: seat})
    if stats is None:
        return None, None
    mine = next((s for s in stats.speakers if s.participant_id == pid), None)
    return (mine.turns, mine.passes) if mine is not None else (0, 0)


def _feedback(events: list[LoggedEvent]) -> Feedback | None:
    """The participant's feedback that counts: the latest recorded (a correction is later)."""
    given = [e for e in events if e.kind == "feedback.recorded"]
    return Feedback.from_data(given[-1].data) if given else None


def _course_session(conn, attended: pq.Attended, events: list[LoggedEvent]) -> CourseSession:
    sid, pid = attended.session_id, attended.participant_id
    row = queries.session_row(conn, sid) or {}
    me = next((p for p in queries.participants(conn, sid) if p.id == pid), None)
    alias, seat = (me.alias, me.seat) if me is not None else ("", 0)
    end = float(row.get("ended_at") or attended.started_at)
    record = care_records(events, (), (end, "session ended"), participant_ids=[pid])[pid]
    dose = record.dose or {}
    vitals = _extremes(conn, sid, pid, events)
    counts = counts_by_priority(alarm_episodes(events))
    counting = standing(events)
    turns, passes = _circle(events, pid, alias, seat)
    discharge = None
    if record.discharged_at is not None and record.t0 is not None:
        discharge = round((record.discharged_at - record.t0) / 60, 1)
    return CourseSession(
        session_id=sid,
        started_at=float(attended.started_at),
        participant_id=pid,
        alias=alias,
        status=shown_status(row.get("status"), row.get("pid"), row.get("host")),
        route=dose.get("route"),
        dose_mg=dose.get("dose_mg"),
        t0=record.t0,
        peak_sbp=vitals.get("SBP", (None, None))[1],
        peak_dbp=vitals.get("DBP", (None, None))[1],
        lowest_spo2=vitals.get("SpO2", (None, None))[0],
        alarms=sum(counts.values()),
        high_alarms=counts.get("high", 0),
        lowest_moaas=_score_extreme(counting, "MOAA/S", min),
        highest_cadss=_score_extreme(counting, "CADSS", max),
        adverse_events=_adverse(events),
        pieces=tuple(_titles(events)),
        circle_turns=turns,
        circle_passes=passes,
        discharge_minute=discharge,
        feedback=_feedback(events),
    )


def person_of(row: pq.PersonRow) -> Person:
    """The `Person` of a `people` row (read-only readers build it without `People`)."""
    return Person(row.id, row.alias, row.birth_year, row.full_name, row.created_at, row.merged_into)


def _booster(planned: dict | None, done: list[CourseSession], count: int, config) -> str | None:
    if planned is not None and planned.get("booster_due"):
        return str(planned["booster_due"])
    if not done or len(done) < count:
        return None
    last = date.fromisoformat(local_date(done[-1].started_at))
    return (last + timedelta(days=config.booster_after_days)).isoformat()


def read_course(conn, person_id: str, config: CourseConfig | None = None) -> Course:
    """The course of `person_id` (a merged id reads as the kept person) over an open
    reading connection: `load_course` without opening the file, for a caller reading
    several people at once (`group_readiness`)."""
    config = course_config(config)
    kept = pq.kept_id(conn, str(person_id))
    row = pq.person_by_id(conn, kept) if kept is not None else None
    if row is None:
        raise BadInputError(f"no person {person_id}; `groupkap course` lists them")
    ids = pq.person_ids(conn, row.id)
    attended = pq.attended(conn, ids)
    pairs = [(a.session_id, a.participant_id) for a in attended]
    logged = cq.attended_events(conn, pairs, SESSION_KINDS, ROOM_KINDS)
    by_pair: dict[tuple[str, str], list[LoggedEvent]] = {pair: [] for pair in pairs}
    for sid, e in logged:  # log order; a whole-session event (its circle) goes to each pair
        for pair in [(sid, e.participant_id)] if e.participant_id else pairs:
            if pair[0] == sid:
                by_pair[pair].append(e)
    sessions = tuple(
        _course_session(conn, a, by_pair[(a.session_id, a.participant_id)]) for a in attended
    )
    mine = [(sid, e) for sid, e in logged if e.participant_id is not None]
    outcomes = outcome_series(mine)
    plans = pq.course_events(conn, COURSES_LOG, ("course.planned",), ids)
    planned = plans[-1].data if plans else None
    count = int(planned["sessions_planned"]) if planned else config.sessions_planned
    done = [s for s in sessions if s.dosed]
    return Course(
        person=person_of(row),
        sessions=sessions,
        outcomes=outcomes,
        sessions_planned=count,
        sessions_done=len(done),
        next_due=_booster(planned, done, count, config),
        plan=carried_plan(conn, row.id, settings=config),
        open_flags=open_flags(outcomes, mine),
    )


def load_course(db_path: Path | str, person_id: str, *, settings: object = None) -> Course:
    """The course of `person_id` from the database at `db_path`, read-only (its own
    connection, so a window may call it on a worker thread). `settings`: `Settings`, a
    `CourseConfig` or None for the defaults (sessions planned, booster interval). Raises
    BadInputError for an unknown person, StorageError for a missing or damaged file."""
    path = Path(db_path).expanduser()
    conn = open_read_only(path)
    try:
        with reading(path):
            return read_course(conn, person_id, course_config(settings))
    finally:
        conn.close()
