"""Helpers for the course tests: sessions on the simulated clock with known people seated,
and the log read back (to count that a refused act wrote nothing)."""

from __future__ import annotations

from contextlib import closing

from groupkap.accounts import Account
from groupkap.session import LiveSession
from groupkap.settings import Settings
from groupkap.store import queries
from tests.core.conftest import SteadySource

KIM = Account(id="kim", name="RN Kim", role="facilitator")
LEAD = Account(id="lee", name="Dr Lee", role="lead")
QA = Account(id="quinn", name="Quinn QA", role="qa")


def all_events(store) -> list[tuple]:
    """(seq, session_id, participant_id, kind, actor) of every event, after the writer has
    caught up."""
    store.flush()
    with closing(store.reader()) as conn:
        return [
            tuple(r)
            for r in conn.execute(
                "select seq, session_id, participant_id, kind, actor from events order by seq"
            )
        ]


def log_of(store, session_id: str) -> list[queries.LoggedEvent]:
    store.flush()
    with closing(store.reader()) as conn:
        return queries.events(conn, session_id)


def run_session(store, clock, seated, *, end: bool = True, minutes: float = 120):
    """A session with `seated` = [(alias, seat, person_id or None)], `minutes` long on the
    clock, ended unless `end` is False. Returns (session, {alias: participant id})."""
    live = LiveSession.start(
        seat_count=4,
        clock=clock,
        source=SteadySource(clock.now()),
        store=store,
        settings=Settings(),
    )
    ids = {}
    for alias, seat, person_id in seated:
        ids[alias] = live.add_participant(alias, seat, person_id=person_id).id
    clock.advance(minutes * 60)
    if end:
        live.end()
    store.flush()
    return live, ids
