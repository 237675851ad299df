"""The session browser's list (issue 14): each past session at a glance, filtered by date and
participant, the same figures as the full summary, and read with a fixed number of queries
whatever the number of sessions (one per table, one walk of the chain)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from review_fixture import START, HandLog, copy_db

from groupkap.clock import SimulatedClock
from groupkap.review import browse
from groupkap.review.browse import list_for_review
from groupkap.review.episodes import counts_by_priority
from groupkap.review.summary import chain_status, load_summary
from groupkap.store import Store

DAY = 86_400.0


@pytest.fixture(scope="module")
def clinic(review_db, tmp_path_factory):
    """The fixture session, then two days later a short session of K.W. (dosed, never
    discharged) and a session whose process died (interrupted)."""
    path = copy_db(review_db[0], tmp_path_factory.mktemp("browse"))
    later = HandLog(path, start=START + 2 * DAY)
    pid = later.add("k1", "K.W.", 1)
    later.cuff(pid, 1, 122, 78)
    later.dose(pid, 5)
    later.alarm(20, "alarm.raised", pid, "SpO2", "medium")
    later.close(end_minute=60)
    crashed = HandLog(path, start=START + 3 * DAY)
    crashed.add("z1", "Z.Q.", 2)
    crashed.event(10, "note.added", {"text": "settling in"}, "z1")
    crashed.close()  # no end: the process died
    Store.open(path, SimulatedClock(start=START + 3 * DAY + 3600)).close()  # found interrupted
    return path, review_db[1], later.sid, crashed.sid


def test_the_fixture_session_lists_the_same_figures_as_its_summary(clinic):
    path, sid, *_ = clinic
    listing = next(x for x in list_for_review(path) if x.id == sid)
    summary = load_summary(path, sid, chain=None)
    assert listing.title == "review fixture" and listing.status == "ended"
    assert listing.participants == ("M.K.", "A.R.", "J.L.", "S.T.")
    assert listing.facilitators == summary.facilitators
    assert (listing.started_at, listing.ended_at) == (summary.started_at, summary.ended_at)
    assert listing.alarm_counts == counts_by_priority(summary.alarms)
    assert listing.unanswered_alarms == sum(a.acknowledged_at is None for a in summary.alarms)
    assert listing.unanswered_alarms > 0
    flagged = sum(p.compliant is False for p in summary.participants)
    assert listing.compliance_flags == flagged == 1  # S.T. left undischarged
    assert listing.chain_intact and listing.seats == 4 and listing.host


def test_sessions_come_newest_first_with_their_status(clinic):
    path, sid, later, crashed = clinic
    listings = list_for_review(path)
    assert [x.id for x in listings] == [crashed, later, sid]
    assert [x.status for x in listings] == ["interrupted", "ended", "ended"]
    k = listings[1]
    assert k.participants == ("K.W.",) and k.compliance_flags == 1
    assert k.alarm_counts["medium"] == 1 and k.unanswered_alarms == 1
    assert listings[0].ended_at == START + 3 * DAY + 600  # its last logged moment


def test_filters_by_date_and_by_participant(clinic):
    path, sid, later, crashed = clinic
    chain = chain_status(path)  # checked once, as a window would

    def ids(**filters):
        return [x.id for x in list_for_review(path, chain=chain, **filters)]

    day = START + 2 * DAY
    assert ids(since=day, until=day + DAY) == [later]
    assert ids(until=START + DAY) == [sid]
    # A session overlapping the start of the range counts: it was still running then.
    assert ids(since=START + 3600, until=START + DAY) == [sid]
    assert ids(participant="k.w") == [later]
    assert ids(participant=" j.L. ") == [sid]
    assert ids(participant="nobody") == []


def test_a_break_in_the_chain_marks_the_sessions_from_it_on(clinic, tmp_path):
    path, sid, later, crashed = copy_db(clinic[0], tmp_path), *clinic[1:]
    with closing(sqlite3.connect(path)) as conn, conn:
        (seq,) = conn.execute(
            "select min(seq) from events where session_id = ?", (later,)
        ).fetchone()
        conn.execute("drop trigger events_no_update")
        conn.execute("update events set actor = 'x' where seq = ?", (seq + 2,))
    intact = {x.id: x.chain_intact for x in list_for_review(path)}
    assert intact == {sid: True, later: False, crashed: False}


def many_sessions(path, n: int) -> None:
    clock = SimulatedClock(start=START, speed=0)
    store = Store.open(path, clock)
    try:
        for i in range(n):
            session = store.start_session(seats=3, source="test", title=f"group {i}")
            for kind in ("source.lost", "source.restored"):
                clock.advance(60)
                store.record(session, kind, {"seat": 1}).result(10)
            store.end_session(session)
    finally:
        store.close()


def test_fifty_sessions_take_as_many_queries_as_three(tmp_path, monkeypatch):
    statements: list[str] = []
    verified: list[str] = []
    real_open, real_chain = browse.open_read_only, browse.chain_status

    def traced(path):
        conn = real_open(path)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(browse, "open_read_only", traced)
    monkeypatch.setattr(browse, "chain_status", lambda p: verified.append(p) or real_chain(p))
    counts = []
    for n in (3, 50):
        many_sessions(tmp_path / f"{n}.sqlite3", n)
        statements.clear()
        assert len(list_for_review(tmp_path / f"{n}.sqlite3")) == n
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert len(verified) == 2  # once per file
