"""A past session as a clinic lead reads it (issue 14): `load_summary` over a real file.

Most tests read the recorded fixture session (`tests/review_fixture.py`: four seats of the
simulator's demo scenario, the demo team, music, a circle, scripted acknowledgements and
hand entries); the figures are checked against the raw log and the readable views, never
against the code's own arithmetic. Alarm episodes with every transition are written by
hand (`HandLog`), where the simulator would never produce each case.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import replace

import pytest
from review_fixture import NURSE, HandLog, copy_db

from groupkap.clock import SimulatedClock
from groupkap.errors import BadInputError, StorageError
from groupkap.review.episodes import alarm_episodes
from groupkap.review.model import CHECK, CIRCLE, DOSE, MUSIC, SCALE
from groupkap.review.summary import chain_status, load_summary
from groupkap.store import Store, queries
from groupkap.store.proof import current_head
from groupkap.store.queries import epoch
from groupkap.store.store import open_read_only


@pytest.fixture(scope="module")
def fixture_summary(review_db):
    path, sid = review_db
    return load_summary(path, sid)


def rows(path, sql, *params):
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute(sql, params).fetchall()


def by_alias(summary, alias):
    return next(p for p in summary.participants if p.alias == alias)


# -- alarms ------------------------------------------------------------------------------
def test_every_response_time_is_the_first_acknowledgement_after_its_raise(
    review_db, fixture_summary
):
    path, sid = review_db
    raw = rows(
        path,
        "select json_extract(data, '$.alarm_id'), kind, t, actor, "
        "coalesce(json_extract(data, '$.latched'), 0) from events "
        "where session_id = ? and kind in ('alarm.raised', 'alarm.acknowledged', "
        "'alarm.cleared', 'alarm.reset') order by seq",
        sid,
    )
    expected, open_ = [], {}
    for alarm_id, kind, t, actor, latched in raw:
        t = epoch(t)
        if kind == "alarm.raised" and alarm_id not in open_:
            open_[alarm_id] = [alarm_id, t, None, None]
            expected.append(open_[alarm_id])
        elif kind == "alarm.acknowledged" and open_[alarm_id][2] is None:
            open_[alarm_id][2:] = [t - open_[alarm_id][1], actor]
        elif kind == "alarm.reset" or (kind == "alarm.cleared" and not latched):
            del open_[alarm_id]
    got = [
        [a.alarm_id, a.raised_at, a.response_s, a.acknowledged_by] for a in fixture_summary.alarms
    ]
    assert got == expected
    assert any(e[2] is None for e in expected) and any(e[2] for e in expected)


def test_the_tachycardia_alarm_answered_in_20_s_and_the_desaturation_never(fixture_summary):
    s = fixture_summary
    seat3 = by_alias(s, "J.L.").id
    hr = next(a for a in s.alarms if a.participant_id == seat3 and a.key == "HR")
    assert hr.response_s == 20.0 and hr.acknowledged_by == NURSE
    assert hr.priority == "high" and hr.escalations == 1  # rose from medium while shown
    assert hr.cleared_at is not None and hr.duration_s > 0 and hr.seat == 3
    seat2 = by_alias(s, "A.R.").id
    spo2 = next(a for a in s.alarms if a.participant_id == seat2 and a.key == "SpO2")
    assert spo2.acknowledged_at is None and spo2.response_s is None
    assert spo2.priority == "high" and not spo2.technical
    assert by_alias(s, "A.R.").alarm_counts["high"] >= 1


def test_episodes_rise_remind_latch_return_and_reset_as_logged(tmp_path):
    log = HandLog(tmp_path / "alarms.sqlite3")
    pid = log.add("p1", "K.W.", 1)
    log.alarm(1, "alarm.raised", pid, "SpO2", "medium")
    log.alarm(1.5, "alarm.escalated", pid, "SpO2", "high", from_priority="medium")
    log.alarm(2, "alarm.acknowledged", pid, "SpO2", "high", actor="RN Ada")
    log.alarm(3, "alarm.reminded", pid, "SpO2", "high")
    log.alarm(4, "alarm.acknowledged", pid, "SpO2", "high", actor="RN Bo")  # not the first
    log.alarm(5, "alarm.cleared", pid, "SpO2", "high", latched=True)
    log.alarm(6, "alarm.raised", pid, "SpO2", "high", returned=True)  # back while latched
    log.alarm(7, "alarm.cleared", pid, "SpO2", "high", latched=True)
    log.alarm(9, "alarm.reset", pid, "SpO2", "high", actor="RN Ada")
    log.alarm(10, "alarm.raised", pid, "SpO2", "low")  # a new episode of the same alarm
    log.alarm(10.5, "alarm.raised", "room", "HL7_DOWN", "high", technical=True)
    path = log.close(end_minute=12)
    s = load_summary(path, log.sid)
    first, second, room = s.alarms
    assert first.raised_at == log.at(1) and first.priority == "high"
    assert first.escalations == 1 and first.reminders == 1
    assert first.acknowledged_at == log.at(2) and first.acknowledged_by == "RN Ada"
    assert first.response_s == 60.0
    assert first.cleared_at == log.at(7)  # the condition's last end, not the reset at 9
    assert second.raised_at == log.at(10) and second.priority == "low"
    assert second.cleared_at is None and second.response_s is None  # still active at the end
    assert room.participant_id is None and room.seat is None and room.technical
    assert s.participant("p1").alarm_counts == {"high": 1, "medium": 0, "low": 1}


def test_a_transition_of_an_alarm_raised_before_the_log_makes_no_episode(tmp_path):
    log = HandLog(tmp_path / "a.sqlite3")
    pid = log.add("p1", "K.W.", 1)
    log.alarm(1, "alarm.acknowledged", pid, "HR", "medium")
    log.close(end_minute=2)
    with closing(open_read_only(log.path)) as conn:
        assert alarm_episodes(queries.events(conn, log.sid)) == ()


# -- participants, extremes, markers ------------------------------------------------------
def test_participants_come_in_seat_order_with_their_dose_and_discharge(fixture_summary):
    s = fixture_summary
    assert [(p.alias, p.seat, p.route) for p in s.participants] == [
        ("M.K.", 1, "IM"),
        ("A.R.", 2, "SL"),
        ("J.L.", 3, "IV"),
        ("S.T.", 4, "IN"),
    ]
    for p in s.participants[:3]:
        assert p.discharged_by == "Dr A. Demo" and p.discharged_at > p.t0 and p.compliant
    left = by_alias(s, "S.T.")
    assert left.removed_at is not None and left.discharged_at is None
    assert left.compliant is False
    assert [c.met for c in left.compliance] == [True, True, False, False]
    assert "left the room" in left.compliance[3].detail


def test_extremes_leave_out_struck_hand_values_as_v_vitals_does(review_db, fixture_summary):
    path, sid = review_db
    mk = by_alias(fixture_summary, "M.K.")
    ((lowest, highest_sbp, struck),) = rows(
        path,
        "select min(case when param = 'SpO2' and struck = 0 then value end), "
        "max(case when param = 'SBP' and struck = 0 then value end), sum(struck) "
        "from v_vitals where session_id = ? and participant = 'M.K.'",
        sid,
    )
    assert struck == 3  # SpO2 80 struck; SBP 190 and DBP 110 corrected
    assert mk.lowest_spo2 == lowest and mk.lowest_spo2 > 80
    assert mk.peak_sbp == highest_sbp and mk.peak_sbp < 190
    (n,) = rows(
        path, "select count(*) from vitals where session_id = ? and participant_id = ?", sid, mk.id
    )[0]
    assert mk.vitals_rows == n


def test_every_participants_peaks_are_v_vitals_without_the_struck(review_db, fixture_summary):
    """Peaks come from one pass over the index, read again only where a value was struck:
    each participant's agree with the readable view's values that still count."""
    path, sid = review_db
    for p in fixture_summary.participants:
        ((sbp, spo2, hr, pr, n),) = rows(
            path,
            "select max(case when param = 'SBP' then value end), "
            "min(case when param = 'SpO2' then value end), "
            "max(case when param = 'HR' then value end), "
            "max(case when param = 'PR' then value end), count(*) "
            "from v_vitals where session_id = ? and participant = ? and struck = 0",
            sid,
            p.alias,
        )
        assert (p.peak_sbp, p.lowest_spo2, p.peak_hr) == (sbp, spo2, hr if hr is not None else pr)
        assert p.vitals_rows >= n > 0


def test_the_window_s_summary_leaves_out_only_the_peaks_and_row_counts(review_db, fixture_summary):
    path, sid = review_db
    quick = load_summary(path, sid, chain=fixture_summary.chain, extremes=False)
    assert all(
        (p.peak_sbp, p.lowest_spo2, p.peak_hr, p.vitals_rows) == (None, None, None, 0)
        for p in quick.participants
    )
    blank = dict(peak_sbp=None, lowest_spo2=None, peak_hr=None, vitals_rows=0)
    full = replace(
        fixture_summary,
        participants=tuple(replace(p, **blank) for p in fixture_summary.participants),
    )
    assert quick == full


def test_markers_show_doses_checks_scales_music_and_circle_turns(fixture_summary):
    s = fixture_summary
    marks = s.markers
    assert [m.t for m in marks] == sorted(m.t for m in marks)
    doses = [m for m in marks if m.category == DOSE]
    assert [(m.participant_id, m.t, m.label) for m in doses] == [
        (p.id, p.t0, f"{p.route} {p.dose_mg:g} mg") for p in s.participants
    ]
    labels = {m.label for m in marks}
    assert "hand SpO2 80 (struck)" in labels and "hand BP 190/110 (struck)" in labels
    assert "hand BP 128/82" in labels
    assert any(
        m.category == CHECK and m.label.startswith("BP ") and "+40 min" in m.label for m in marks
    )
    assert any(m.category == SCALE and m.label == "MOAA/S 3" for m in marks)
    assert any(m.category == MUSIC and m.label.startswith("♪ skipped") for m in marks)
    assert any(m.label == "♪ ducked" for m in marks)
    turns = [m for m in marks if m.category == CIRCLE and m.kind == "circle.turn_started"]
    assert [m.label for m in turns][1] == "passed" and len(turns) == 4
    assert any(m.label.startswith("circle ends") for m in marks)
    assert not any("Full Name" in m.label or "555" in m.label for m in marks)


def test_the_circle_s_fairness_comes_from_its_end(fixture_summary):
    c = fixture_summary.circle
    assert c is not None and c.ended_at is not None and c.ended_at > c.started_at
    assert [s.alias for s in c.speakers] == ["M.K.", "A.R.", "J.L."]  # S.T. had left
    assert sum(s.share for s in c.speakers) == pytest.approx(1.0, abs=0.002)
    jl = c.speakers[2]
    assert jl.overtime_s == 41.0 and jl.turns == 1
    assert c.speakers[1].passes == 1 and 0 < c.gini < 1 and c.fair_share_s == 520.0


def test_a_circle_cut_short_is_worked_out_from_its_turns(tmp_path):
    log = HandLog(tmp_path / "c.sqlite3")
    a, b = log.add("pa", "A.A.", 1), log.add("pb", "B.B.", 2)
    log.event(1, "circle.started", {"speakers": 2, "order": "clockwise", "fair_share_s": 300.0})
    log.event(2, "circle.turn_started", {"seat": 1, "round": 1}, a)
    log.event(7, "circle.turn_ended", {"round": 1, "duration_s": 300.0, "overtime_s": 0.0}, a)
    log.event(7, "circle.turn_started", {"seat": 2, "round": 1}, b)
    log.event(8, "circle.passed", {"round": 1, "duration_s": 60.0}, b)
    path = log.close()  # the process died mid-circle: no circle.ended
    c = load_summary(path, log.sid).circle
    assert c.ended_at is None and c.fair_share_s == 300.0
    assert [(s.alias, s.spoken_s, s.share, s.passes) for s in c.speakers] == [
        ("A.A.", 300.0, 1.0, 0),
        ("B.B.", 0.0, 0.0, 1),
    ]
    assert c.gini == 0.5


# -- the session ---------------------------------------------------------------------------
def test_facilitators_chain_and_counts(review_db, fixture_summary):
    path, sid = review_db
    s = fixture_summary
    assert s.status == "ended" and s.title == "review fixture" and s.seats == 4
    assert "RN B. Demo" in s.facilitators and "Dr A. Demo" in s.facilitators
    assert "system" not in s.facilitators
    ((n, top),) = rows(path, "select count(*), max(seq) from events where session_id = ?", sid)
    assert s.events == n
    assert s.chain.intact and s.chain.broken_seq is None
    assert s.chain.head_seq == top == current_head(path).seq


def test_reading_changes_nothing_in_the_file(review_db):
    path, sid = review_db
    before = (path.stat().st_mtime_ns, path.stat().st_size, current_head(path))
    load_summary(path, sid)
    assert (path.stat().st_mtime_ns, path.stat().st_size, current_head(path)) == before


def test_an_interrupted_session_ends_at_its_last_logged_moment(tmp_path):
    log = HandLog(tmp_path / "i.sqlite3")
    pid = log.add("p1", "K.W.", 1)
    log.dose(pid, 5)
    log.vital(pid, "HR", 30, 72)
    path = log.close()  # no session.ended: the process died
    # Found interrupted two hours later: that mark is no part of the session's own record.
    Store.open(path, SimulatedClock(start=log.at(150))).close()
    s = load_summary(path, log.sid)
    assert s.status == "interrupted"
    assert s.ended_at == log.at(30)  # its last vital sign, after its last event
    assert rows(path, "select count(*) from events where kind = 'session.interrupted'") == [(1,)]
    assert s.participant(pid).compliance[3].met is False


def test_a_tampered_log_says_which_row_broke(review_db, tmp_path):
    path = copy_db(review_db[0], tmp_path)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("drop trigger events_no_update")
        conn.execute("update events set actor = 'someone else' where seq = 40")
    s = load_summary(path, review_db[1])
    assert not s.chain.intact and s.chain.broken_seq == 40
    assert "40" in s.chain.detail
    assert chain_status(path) == s.chain


def test_an_unknown_session_or_a_missing_file_is_refused_clearly(review_db, tmp_path):
    path, _ = review_db
    with pytest.raises(BadInputError, match=r"no session 2020-01-01-abcdef in .*groupkap sessions"):
        load_summary(path, "2020-01-01-abcdef")
    with pytest.raises(StorageError, match="there is no database"):
        load_summary(tmp_path / "nothing.sqlite3", "x")
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all")
    with pytest.raises(StorageError, match="not a SQLite database"):
        load_summary(junk, "x")
    assert os.listdir(tmp_path) == ["junk.sqlite3"]
