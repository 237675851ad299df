"""Adverse events stay open until their resolution is recorded: `resolve_adverse_event`.

The Protocol's event sink is a plain list (the protocol is under test); the resume test writes
to a real session store and rebuilds the open events from it, as after a crash.
"""

from __future__ import annotations

import re
from contextlib import closing

import pytest

from groupkap.errors import BadInputError
from groupkap.protocol.group import Protocol
from groupkap.protocol.replay import restore_protocol

MIN = 60.0


class Log(list):
    """The protocol's event sink: (kind, data, pid, actor) in the order they were recorded."""

    def __call__(self, kind, data, pid, actor) -> None:
        self.append((kind, data, pid, actor))


@pytest.fixture
def log() -> Log:
    return Log()


@pytest.fixture
def protocol(clock, log) -> Protocol:
    return Protocol(clock, log)


def nausea(protocol, pid="p1", minutes_ago=20.0):
    return protocol.record_adverse_event(
        pid,
        description="nausea, vomited once",
        severity="mild",
        intervention="ondansetron 4 mg",
        outcome="ongoing",
        actor="RN Kim",
        t=protocol.clock.now() - minutes_ago * MIN,
    )


def test_an_adverse_event_gets_an_id_and_stays_open(protocol, log, clock):
    first, second = nausea(protocol), nausea(protocol)
    assert re.fullmatch(r"[0-9a-f]{12}", first["event_id"])
    assert first["event_id"] != second["event_id"]
    [(kind, data, pid, actor), _] = log
    assert (kind, pid, actor) == ("adverse_event.recorded", "p1", "RN Kim")
    assert data == {
        "event_id": first["event_id"],
        "description": "nausea, vomited once",
        "severity": "mild",
        "intervention": "ondansetron 4 mg",
        "outcome": "ongoing",
        "t_occurred": clock.now() - 20 * MIN,
    }
    assert list(protocol.of("p1").adverse_events) == [first["event_id"], second["event_id"]]


def test_a_resolution_is_written_and_closes_the_event(protocol, log, clock):
    event = nausea(protocol)
    record = protocol.resolve_adverse_event(
        "p1",
        event["event_id"],
        outcome="  settled  ",
        t_resolved=clock.now() - 5 * MIN,
        actor="Dr Reyes",
    )
    kind, data, pid, actor = log[-1]
    assert (kind, pid, actor) == ("adverse_event.resolved", "p1", "Dr Reyes")
    assert (
        data
        == record
        == {
            "event_id": event["event_id"],
            "outcome": "settled",
            "t_resolved": clock.now() - 5 * MIN,
            "description": "nausea, vomited once",
        }
    )
    p = protocol.of("p1")
    assert p.adverse_events == {} and p.resolved_adverse_events == {event["event_id"]: record}


def test_without_a_time_it_resolved_now(protocol, log, clock):
    event = nausea(protocol)
    protocol.resolve_adverse_event("p1", event["event_id"], outcome="settled", actor="Dr R")
    assert log[-1][1]["t_resolved"] == clock.now()


@pytest.mark.parametrize("offset", [0.0, 20 * MIN], ids=["resolved-now", "at-the-onset"])
def test_a_resolution_at_either_edge_is_accepted(protocol, log, clock, offset):
    event = nausea(protocol, minutes_ago=20)
    protocol.resolve_adverse_event(
        "p1", event["event_id"], outcome="settled", t_resolved=clock.now() - offset, actor="Dr R"
    )
    assert log[-1][0] == "adverse_event.resolved"


@pytest.mark.parametrize(
    "change, needle",
    [
        ({"event_id": "0123456789ab"}, "no open adverse event '0123456789ab'"),
        ({"outcome": "   "}, "needs its outcome"),
        ({"outcome": ""}, "needs its outcome"),
        ({"t_resolved": -20 * MIN - 1}, "before the adverse event occurred"),
        ({"t_resolved": 1.0}, "in the future"),
    ],
)
def test_a_bad_resolution_is_refused_and_writes_nothing(protocol, log, clock, change, needle):
    event = nausea(protocol, minutes_ago=20)
    args = {
        "event_id": event["event_id"],
        "outcome": "settled",
        "t_resolved": 0.0,
        "actor": "Dr R",
    } | change
    args["t_resolved"] += clock.now()  # offsets from now, so the thresholds are exact
    with pytest.raises(BadInputError, match=re.escape(needle)):
        protocol.resolve_adverse_event("p1", **args)
    assert [k for k, *_ in log] == ["adverse_event.recorded"]
    assert list(protocol.of("p1").adverse_events) == [event["event_id"]]


def test_an_event_of_another_participant_is_not_theirs_to_resolve(protocol, log):
    event = nausea(protocol, pid="p2")
    with pytest.raises(BadInputError, match="no open adverse event"):
        protocol.resolve_adverse_event("p1", event["event_id"], outcome="settled", actor="Dr R")
    assert len(log) == 1


def test_an_event_already_resolved_is_refused(protocol, log):
    event = nausea(protocol)
    protocol.resolve_adverse_event("p1", event["event_id"], outcome="settled", actor="Dr R")
    with pytest.raises(BadInputError, match="already resolved"):
        protocol.resolve_adverse_event("p1", event["event_id"], outcome="again", actor="Dr R")
    assert [k for k, *_ in log] == ["adverse_event.recorded", "adverse_event.resolved"]


def test_resume_rebuilds_the_open_adverse_events(store, clock):
    session = store.start_session(seats=2, source="test")

    def sink(kind, data, pid, actor):
        store.record(session, kind, data, participant_id=pid, actor=actor)

    before = Protocol(clock, sink)
    settled, open_ = nausea(before), nausea(before, minutes_ago=10)
    other = nausea(before, pid="p2")
    clock.advance(5 * MIN)
    before.resolve_adverse_event("p1", settled["event_id"], outcome="settled", actor="Dr R")
    # A log written before events had ids: shown in the record, but nothing can resolve it.
    sink(
        "adverse_event.recorded",
        {
            "description": "headache",
            "severity": "mild",
            "intervention": "",
            "outcome": "ongoing",
            "t_occurred": clock.now(),
        },
        "p2",
        "RN Kim",
    )
    store.flush()

    after = Protocol(clock, sink)
    with closing(store.reader()) as conn:
        assert restore_protocol(after, conn, session) == 5
    assert after.of("p1").adverse_events == {open_["event_id"]: open_}
    assert list(after.of("p1").resolved_adverse_events) == [settled["event_id"]]
    assert after.of("p2").adverse_events == {other["event_id"]: other}
    with pytest.raises(BadInputError, match="already resolved"):
        after.resolve_adverse_event("p1", settled["event_id"], outcome="x", actor="Dr R")
    after.resolve_adverse_event("p1", open_["event_id"], outcome="settled", actor="Dr R")
    assert after.of("p1").adverse_events == {}
