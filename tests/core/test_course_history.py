"""A person's course read back (`groupkap.course.history`): the recorded course of
`tests/course_fixture.py` (one person, three sessions on the simulated clock), each figure
checked against the stored rows read here with plain SQL, and against the review's own
figures for the same session; the outcome series, the carried plan, merges and the booster.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date, datetime, timedelta

import pytest
from course_fixture import COMFORT, FEEDBACK, PHQ9
from review_fixture import copy_db

from groupkap.clock import SimulatedClock
from groupkap.course import People
from groupkap.course.history import load_course, pieces_played
from groupkap.course.outcomes import flag_words, open_flags, outcome_series
from groupkap.errors import BadInputError
from groupkap.review.summary import load_summary
from groupkap.store import Store
from groupkap.store.queries import LoggedEvent


@pytest.fixture(scope="module")
def course(course_db):
    return load_course(course_db.path, course_db.person_id)


def _rows(path, sql: str, *params) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql, params).fetchall()


def _data(path, sid: str, pid: str, kind: str) -> list[dict]:
    sql = (
        "select data from events where session_id = ? and participant_id = ? and kind = ? "
        "order by seq"
    )
    return [json.loads(d) for (d,) in _rows(path, sql, sid, pid, kind)]


def test_the_outcome_series_shows_three_points(course, course_db):
    points = course.outcomes["PHQ-9"]
    assert [p.total for p in points] == [sum(answers) for answers in PHQ9]
    assert [p.session_id for p in points] == list(course_db.session_ids)
    assert [p.band for p in points] == ["moderately severe", "moderate", "mild"]
    assert points[0].flags and not points[1].flags and not points[2].flags
    assert list(course.outcomes) == ["PHQ-9"]


def test_every_session_is_listed_oldest_first(course, course_db):
    assert [s.session_id for s in course.sessions] == list(course_db.session_ids)
    assert [s.participant_id for s in course.sessions] == list(course_db.participant_ids)
    assert all(s.alias == "M.K." and s.status == "ended" for s in course.sessions)
    assert course.sessions_done == 3 and course.sessions_planned == 6
    assert course.position == "3 of 6 sessions done"
    assert course.next_due is None  # neither planned nor the course complete


@pytest.mark.parametrize("n", [0, 1, 2])
def test_the_page_figures_match_the_stored_rows(course, course_db, n):
    path, sid, pid = course_db.path, course_db.session_ids[n], course_db.participant_ids[n]
    s = course.sessions[n]
    (dose,) = _data(path, sid, pid, "dose.given")
    assert (s.route, s.dose_mg, s.t0) == (dose["route"], dose["dose_mg"], dose["t0"])
    # Peak BP and lowest SpO2: the stored values that count (the view marks struck ones).
    sql = (
        "select {f}(value) from v_vitals where session_id = ? and participant = 'M.K.' "
        "and param = ? and struck = 0"
    )
    assert s.peak_sbp == _rows(path, sql.format(f="max"), sid, "SBP")[0][0]
    assert s.peak_dbp == _rows(path, sql.format(f="max"), sid, "DBP")[0][0]
    assert s.lowest_spo2 == _rows(path, sql.format(f="min"), sid, "SpO2")[0][0]
    assert s.peak_sbp is not None and s.lowest_spo2 is not None
    # Alarms: each episode begins with an alarm.raised that is neither a rise nor a return.
    raised = _data(path, sid, pid, "alarm.raised")
    begun = [d for d in raised if d.get("from_priority") is None and not d.get("returned")]
    assert s.alarms == len(begun) > 0
    # MOAA/S and CADSS (no score was struck for this participant; a hand BP was).
    struck = {d["entry_id"] for d in _data(path, sid, pid, "entry.struck")}
    checks = _data(path, sid, pid, "check.recorded")
    assert not struck & {c.get("entry_id") for c in checks}
    assert s.lowest_moaas == min(c["value"] for c in checks if c["check"] == "MOAA/S")
    assert s.highest_cadss == max(c["value"] for c in checks if c["check"] == "CADSS")
    adverse = _data(path, sid, pid, "adverse_event.recorded")
    assert s.adverse_events == tuple(f"{a['description']} ({a['severity']})" for a in adverse)
    played = [d["piece"] for d in _data(path, sid, pid, "music.track_started")]
    assert s.pieces == tuple(dict.fromkeys(played)) and s.pieces
    turns = len(_data(path, sid, pid, "circle.turn_ended"))
    passes = len(_data(path, sid, pid, "circle.passed"))
    assert (s.circle_turns, s.circle_passes) == (turns, passes)
    (signed,) = _data(path, sid, pid, "discharge.signed")
    assert s.discharge_minute == signed["minutes_since_t0"]
    given = _data(path, sid, pid, "feedback.recorded")
    assert (s.feedback is None) == (not given)
    if given:
        assert s.feedback == FEEDBACK[n]


def test_a_struck_hand_value_never_counts_and_a_standing_one_does(course, course_db):
    """Session 2's hand BP of 190 was struck; its hand SpO2 of 91 stands. Sessions 1 and 3
    had no hand values (their extremes come from the index alone)."""
    path = course_db.path
    hand = [
        len(_data(path, sid, pid, "observation.entered"))
        for sid, pid in zip(course_db.session_ids, course_db.participant_ids)
    ]
    assert hand == [0, 2, 0]
    assert course.sessions[1].peak_sbp < 190 and course.sessions[1].peak_dbp < 110
    assert course.sessions[1].lowest_spo2 == 91
    assert all(s.lowest_spo2 > 91 for s in (course.sessions[0], course.sessions[2]))


def test_session_one_had_nausea_and_feedback_after_sessions_one_and_two(course):
    assert course.sessions[0].adverse_events == ("nausea (mild)",)
    assert course.sessions[1].adverse_events == course.sessions[2].adverse_events == ()
    assert [s.feedback is not None for s in course.sessions] == [True, True, False]
    assert course.sessions[0].feedback.music_distracting


def test_the_figures_read_the_same_as_the_sessions_review(course, course_db):
    for s in course.sessions:
        summary = load_summary(course_db.path, s.session_id, chain=_no_chain())
        p = summary.participant(s.participant_id)
        assert (s.route, s.dose_mg, s.t0) == (p.route, p.dose_mg, p.t0)
        assert (s.peak_sbp, s.lowest_spo2) == (p.peak_sbp, p.lowest_spo2)
        assert s.alarms == sum(p.alarm_counts.values())
        assert s.high_alarms == p.alarm_counts["high"]
        assert s.discharge_minute == round((p.discharged_at - p.t0) / 60, 1)
        speaker = next(sp for sp in summary.circle.speakers if sp.participant_id == p.id)
        assert (s.circle_turns, s.circle_passes) == (speaker.turns, speaker.passes)


def _no_chain():
    from groupkap.review.model import ChainStatus

    return ChainStatus(True, "not checked here")


def test_the_third_sessions_plan_proposes_silence_and_the_avoid_list(course_db):
    plan = course_db.plan_before_third
    assert plan.last_session_id == course_db.session_ids[1]
    assert plan.last_feedback == FEEDBACK[1]
    kinds = {p.kind: p for p in plan.proposals}
    assert "silence" in kinds and "the music was distracting" in kinds["silence"].text
    assert kinds["avoid_pieces"].pieces == ("Wide Field",)
    # Pre-fills the avoid list: what they asked after session 1 still counts in session 3.
    asked = {piece for fb in FEEDBACK[:2] for piece in fb.avoid_pieces}
    assert asked >= {"Wide Field"} and len(asked) > 1
    assert plan.music.avoid == frozenset(asked)
    assert not plan.music.silence  # proposed, not yet the team's decision
    assert plan.adjustments == (COMFORT,)


def test_an_avoided_piece_is_left_out_of_the_next_session(course):
    """Session 1's feedback asked to avoid "Open Sky": it played in session 1, not in 2."""
    assert "Open Sky" in course.sessions[0].pieces
    assert "Open Sky" not in course.sessions[1].pieces


def test_the_course_plan_after_the_last_session_carries_nothing_yet(course, course_db):
    assert course.plan.last_session_id == course_db.session_ids[2]
    assert course.plan.last_feedback is None
    assert course.plan.proposals == () and course.plan.adjustments == ()


def test_a_flag_closed_by_a_later_scoring_is_not_open(course):
    assert course.outcomes["PHQ-9"][0].flags  # item 9 was positive in session 1
    assert course.open_flags == ()


def test_pieces_played_for_the_feedback_form(course, course_db):
    for s in course.sessions:
        assert pieces_played(course_db.path, s.session_id, s.participant_id) == list(s.pieces)
    with pytest.raises(BadInputError, match="no session nope"):
        pieces_played(course_db.path, "nope", course_db.participant_ids[0])


def test_an_unknown_person_is_refused(course_db):
    with pytest.raises(BadInputError, match="no person per-000000000000"):
        load_course(course_db.path, "per-000000000000")


def _local(t: float) -> date:
    return datetime.fromtimestamp(t).date()


def test_a_merged_duplicate_reads_as_the_kept_person(course_db, tmp_path):
    path = copy_db(course_db.path, tmp_path)
    clock = SimulatedClock(start=1_800_000_000.0, speed=0)
    with Store.open(path, clock) as store:
        people = People(store, clock)
        kept = people.register("Mary K.", 1980, by=None)
        people.merge(course_db.person_id, kept.id, "registered twice", by=None)
    course = load_course(path, kept.id)
    assert course.person.id == kept.id and course.person.alias == "Mary K."
    assert [s.session_id for s in course.sessions] == list(course_db.session_ids)
    assert load_course(path, course_db.person_id).person.id == kept.id


def test_the_booster_falls_due_after_the_last_planned_session(course_db, tmp_path):
    path = copy_db(course_db.path, tmp_path)
    clock = SimulatedClock(start=1_800_000_000.0, speed=0)
    with Store.open(path, clock) as store:
        People(store, clock).plan_course(course_db.person_id, 3, by=None)
    course = load_course(path, course_db.person_id)
    assert (course.sessions_done, course.sessions_planned) == (3, 3)
    expected = _local(course.sessions[-1].started_at) + timedelta(days=90)
    assert course.next_due == expected.isoformat()
    with Store.open(path, clock) as store:  # one more planned: not yet due
        People(store, clock).plan_course(course_db.person_id, 4, by=None)
    assert load_course(path, course_db.person_id).next_due is None
    with Store.open(path, clock) as store:  # a planned date always counts
        People(store, clock).plan_course(course_db.person_id, 4, "2025-09-01", by=None)
    assert load_course(path, course_db.person_id).next_due == "2025-09-01"


def _event(seq: int, kind: str, data: dict, t: float = 1_741_078_800.0) -> LoggedEvent:
    return LoggedEvent(seq, "p1", t, kind, "RN B.", data)


def test_open_flags_are_those_of_each_scales_latest_scoring():
    item9 = "PHQ-9 item 9 positive: self-harm thoughts — review before the session"
    day = 86_400.0
    events = [
        ("s1", _event(1, "scale.scored", {"scale": "PHQ-9", "total": 9, "band": "mild"})),
        (
            "s2",
            _event(
                2,
                "scale.scored",
                {"scale": "PHQ-9", "total": 12, "band": "moderate", "flags": [item9]},
                1_741_078_800.0 + 7 * day,
            ),
        ),
        ("s2", _event(3, "adverse_event.recorded", {"event_id": "a", "severity": "mild"})),
        ("s2", _event(4, "adverse_event.recorded", {"event_id": "b", "severity": "severe"})),
        ("s2", _event(5, "adverse_event.resolved", {"event_id": "a"})),
    ]
    series = outcome_series(events)
    assert [p.total for p in series["PHQ-9"]] == [9, 12]
    when = _local(1_741_078_800.0 + 7 * day).isoformat()
    assert flag_words(item9, 1_741_078_800.0 + 7 * day) == f"PHQ-9 item 9 positive on {when}"
    flags = open_flags(series, events)
    assert flags[0] == f"PHQ-9 item 9 positive on {when}"
    assert flags[1].startswith("severe adverse event not resolved") and len(flags) == 2
    later = [*events, ("s3", _event(6, "scale.scored", {"scale": "PHQ-9", "total": 4}, 2e9))]
    assert open_flags(outcome_series(later), later) == flags[1:]


# -- the review and the exports include it -------------------------------------------------
def test_feedback_is_a_mark_on_the_sessions_timeline(course_db):
    from groupkap.review.markers import timeline_markers
    from groupkap.review.model import NOTE

    sid, pid = course_db.session_ids[0], course_db.participant_ids[0]
    summary = load_summary(course_db.path, sid, chain=_no_chain())
    (mark,) = [m for m in summary.markers if m.kind == "feedback.recorded"]
    assert (mark.participant_id, mark.category) == (pid, NOTE)
    assert mark.label == "feedback: music distracting, liked 2/10"
    corrected = LoggedEvent(9, pid, 1.0, "feedback.recorded", "x", {"corrects": 3})
    assert timeline_markers([corrected])[0].label == "feedback corrected"


def test_a_deidentified_export_keeps_the_scores_and_withholds_the_words(course_db, tmp_path):
    from groupkap.review.export_data import export_csv

    sid = course_db.session_ids[0]
    export_csv(course_db.path, sid, tmp_path / "copy", deidentify=True)
    events = (tmp_path / "copy" / "events.csv").read_text()
    assert "feedback.recorded" in events and "Open Sky" in events and "nausea" in events
    assert '""liking"": 2' in events and '""music_distracting"": true' in events
    for secret in ("brother", "slow breathing", course_db.person_id, "per-"):
        assert secret not in events
    export_csv(course_db.path, sid, tmp_path / "full")  # the care team's own copy keeps them
    full = (tmp_path / "full" / "events.csv").read_text()
    assert "brother" in full and course_db.person_id in full
