"""Readiness for the next session (`groupkap.course.readiness`): the course position at the
plan's edge, the feedback line (never the care team's free text), the team's adjustments and
waiting proposals, open flags and when someone must review; the people listing."""

from __future__ import annotations

from datetime import datetime

import pytest
from course_fixture import ALIAS, BIRTH_YEAR, COMFORT, FEEDBACK
from review_fixture import NURSE, copy_db

from groupkap.clock import SimulatedClock
from groupkap.course import Feedback, People, record_feedback
from groupkap.course.readiness import (
    feedback_line,
    group_readiness,
    next_position,
    people_overview,
)
from groupkap.errors import BadInputError
from groupkap.protocol.scales import score
from groupkap.store import Store

ITEM_9 = (0, 0, 0, 0, 0, 0, 0, 0, 1)


@pytest.mark.parametrize(
    ("done", "planned", "words"),
    [
        (0, 6, "session 1 of 6"),
        (5, 6, "session 6 of 6"),  # the last planned session
        (6, 6, "booster 1 after a course of 6"),  # the first past the plan
        (8, 6, "booster 3 after a course of 6"),
        (0, 1, "session 1 of 1"),
        (1, 1, "booster 1 after a course of 1"),
    ],
)
def test_the_position_at_the_plans_edge(done, planned, words):
    assert next_position(done, planned) == words


def test_the_feedback_line_leaves_the_free_text_out():
    line = feedback_line(FEEDBACK[0], "2025-03-04")
    assert line.startswith("after 2025-03-04: liking 2/10, resonance 3/10, openness 5/10; ")
    assert "; music distracting; " in line
    assert "avoid Open Sky" in line and "anxiety: peak" in line and "nausea" in line
    assert "her brother" not in line
    assert feedback_line(None, "2025-03-04") == "no feedback recorded after the last session"
    assert feedback_line(None) == "first session"
    assert feedback_line(Feedback(), "2025-03-04") == "after 2025-03-04: nothing to change"
    assert len(feedback_line(Feedback(helped="x" * 500), "2025-03-04")) == 160


def test_readiness_after_the_recorded_course(course_db):
    (ready,) = group_readiness(course_db.path, [course_db.person_id])
    assert ready.person.id == course_db.person_id
    assert ready.position == "session 4 of 6"
    assert ready.last_feedback == "no feedback recorded after the last session"
    assert ready.adjustments == () and ready.flags == ()
    assert ready.needs_review is False


def _local(t: float) -> str:
    return datetime.fromtimestamp(t).strftime("%Y-%m-%d")


def test_a_flag_or_a_waiting_proposal_needs_review(course_db, tmp_path):
    """Feedback after session 3 (nausea) proposes pre-medication and a dose note; a PHQ-9
    with item 9 positive in session 3 opens a flag."""
    path = copy_db(course_db.path, tmp_path)
    sid, pid = course_db.session_ids[2], course_db.participant_ids[2]
    clock = SimulatedClock(start=1_742_400_000.0, speed=0)  # after session 3
    with Store.open(path, clock) as store:
        fb = Feedback(liking=7, physical=("nausea",), free_text="private")
        record_feedback(store, sid, pid, fb, by=None, clock=clock)
    (ready,) = group_readiness(path, [course_db.person_id])
    assert ready.last_feedback.startswith(f"after {_local(1_742_288_400.0)}: liking 7")
    assert ready.adjustments == (
        "proposed: pre-medicate for nausea",
        "proposed: dose note for the prescriber: nausea last session (a note only; no dose "
        "is changed)",
    )
    assert ready.flags == () and ready.needs_review is True
    with Store.open(path, clock) as store:
        data = score("PHQ-9", list(ITEM_9)).event_data()
        store.record(sid, "scale.scored", data, participant_id=pid, actor=NURSE).result(10)
    (ready,) = group_readiness(path, [course_db.person_id])
    assert ready.flags == (f"PHQ-9 item 9 positive on {_local(clock.now())}",)
    assert ready.needs_review is True


def test_the_teams_adjustments_come_first(course_db, tmp_path):
    path = copy_db(course_db.path, tmp_path)
    clock = SimulatedClock(start=1_742_400_000.0, speed=0)
    with Store.open(path, clock) as store:
        record_feedback(
            store,
            course_db.session_ids[2],
            course_db.participant_ids[2],
            Feedback(silence_preferred=True, anxiety=("onset",)),
            by=None,
            clock=clock,
        )
        from groupkap.course import adjust_plan

        adjust_plan(
            store,
            course_db.person_id,
            [COMFORT],
            after_session=course_db.session_ids[2],
            source="team",
            by=None,
            clock=clock,
        )
    (ready,) = group_readiness(path, [course_db.person_id])
    assert ready.adjustments[0] == COMFORT.text
    assert ready.adjustments[1].startswith("proposed: silence next time: they preferred silence")
    assert ready.adjustments[2] == "proposed: more grounding: anxious at onset"


def test_group_readiness_keeps_the_order_and_refuses_an_unknown_person(course_db, tmp_path):
    path = copy_db(course_db.path, tmp_path)
    clock = SimulatedClock(start=1_742_400_000.0, speed=0)
    with Store.open(path, clock) as store:
        new = People(store, clock).register("Z.Z.", 1990, by=None)
    ready = group_readiness(path, [new.id, course_db.person_id])
    assert [r.person.id for r in ready] == [new.id, course_db.person_id]
    assert ready[0].position == "session 1 of 6" and ready[0].last_feedback == "first session"
    with pytest.raises(BadInputError, match="no person per-ffffffffffff"):
        group_readiness(path, [course_db.person_id, "per-ffffffffffff"])


def test_the_people_listing(course_db, tmp_path):
    (line,) = people_overview(course_db.path)
    assert (line.person.alias, line.person.birth_year) == (ALIAS, BIRTH_YEAR)
    assert (line.sessions_done, line.sessions_planned) == (3, 6)
    assert line.position == "3 of 6 sessions done"
    assert line.last_session == _local(1_742_288_400.0)  # session 3's start
    assert line.flags == ()
    path = copy_db(course_db.path, tmp_path)
    clock = SimulatedClock(start=1_742_400_000.0, speed=0)
    with Store.open(path, clock) as store:
        people = People(store, clock)
        people.plan_course(course_db.person_id, 4, by=None)
        new = people.register("A.A.", 1970, by=None)
    lines = people_overview(path)
    assert [(x.person.alias, x.sessions_done, x.sessions_planned) for x in lines] == [
        ("A.A.", 0, 6),
        (ALIAS, 3, 4),
    ]
    assert lines[0].last_session is None and lines[0].person.id == new.id
