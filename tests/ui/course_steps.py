"""Steps of a person's course for the issue-16 UI tests: people registered, earlier sessions
they sat in (with pieces played and their feedback), on the test's real SQLite store and
simulated clock."""

from __future__ import annotations

from contextlib import closing

from groupkap.course import COURSES_LOG, Feedback, People, Person, record_feedback
from groupkap.protocol.config import DEFAULT_SCREENING
from groupkap.protocol.group import Protocol
from groupkap.session import LiveSession
from groupkap.sources.simulator import Simulator
from groupkap.store import queries

DAY = 24 * 3600.0
READY_ITEMS = {
    "consent_current": True,
    "fasting_confirmed": True,
    "ride_home_name": "Sam Lee",
    "ride_home_phone": "+44 20 7946 0000",
    "intention": "to rest",
    "touch_consent": False,
    "music_choice": "playlist",
}
PIECES = ("Arrival", "Open Water", "Slow Return")


def register(store, clock, alias: str, birth_year: int) -> Person:
    return People(store, clock).register(alias, birth_year, by=None)


def room(store, clock, settings, seats: int = 4) -> LiveSession:
    """A session with no one seated yet, following the protocol."""
    source = Simulator(
        list(range(1, seats + 1)), clock.now(), seed=7, nibp_interval_s=settings.nibp_interval_s
    )
    live = LiveSession.start(
        seat_count=seats, clock=clock, source=source, store=store, settings=settings
    )
    live.follow_protocol(Protocol(clock, live.record_event, settings.protocol))
    return live


def dose(live: LiveSession, pid: str) -> None:
    """Screening, readiness, a pre-dose BP and an IM dose now."""
    protocol = live.protocol
    protocol.complete_screening(pid, {r.id: False for r in DEFAULT_SCREENING}, "Dr Reyes")
    protocol.confirm_readiness(pid, READY_ITEMS, "RN Kim")
    protocol.record_bp(pid, 122, 78)
    protocol.give_dose(pid, route="IM", dose_mg=56, weight_kg=70, lot="L-7", given_by="RN Kim")


def play(live: LiveSession, pid: str, pieces=PIECES) -> None:
    """The seat's music as the director logs it (`music.track_started`)."""
    for piece in pieces:
        live.store.record(live.id, "music.track_started", {"piece": piece}, participant_id=pid)
    live.store.flush()


def past_session(
    store,
    clock,
    settings,
    person: Person,
    feedback: Feedback | None = None,
    phq9: list[int] | None = None,
) -> tuple[str, str]:
    """A whole earlier session for `person`: seated, dosed, music played, a PHQ-9 if given,
    feedback, ended; then a week passes. Returns (session id, participant id)."""
    live = room(store, clock, settings)
    pid = live.add_participant(person.alias, 1, person_id=person.id).id
    dose(live, pid)
    play(live, pid)
    if phq9 is not None:
        live.protocol.record_scale(pid, "PHQ-9", phq9, "RN Kim")
    if feedback is not None:
        record_feedback(store, live.id, pid, feedback, by=None, clock=clock)
    live.end()
    clock.advance(7 * DAY)
    return live.id, pid


def logged(store, log: str, *kinds: str) -> list:
    store.flush()
    with closing(store.reader()) as conn:
        return queries.events(conn, log, kinds=kinds)


def course_log(store, *kinds: str) -> list:
    return logged(store, COURSES_LOG, *kinds)
