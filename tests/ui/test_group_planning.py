"""Group planning (issue 16): choose the people for a session and see each one's readiness:
course position, last feedback, the team's plan, open flags; a PHQ-9 item 9 flag in the alarm
colour and in words."""

from __future__ import annotations

from datetime import datetime

import pytest

from groupkap.course import Feedback
from tests.ui.course_steps import past_session, register
from ui import theme
from ui.course.group_planning import (
    FLAG_MARK,
    NOBODY,
    REVIEW_WORDS,
    GroupPlanning,
    person_choice_line,
    plan_words,
)

ITEM_9 = [1, 1, 1, 1, 1, 1, 1, 1, 2]  # PHQ-9 with item 9 answered 2: a hard flag


@pytest.fixture
def people(qapp, store, clock, settings):
    """Three people: A.A. never came, B.B. came once (music distracting), C.C. came once
    with PHQ-9 item 9 positive."""
    theme.apply_theme(qapp)
    a = register(store, clock, "A.A.", 1970)
    b = register(store, clock, "B.B.", 1981)
    c = register(store, clock, "C.C.", 1992)
    days = []
    for person, said, phq9 in ((b, Feedback(liking=6, music_distracting=True), None),
                               (c, Feedback(liking=8), ITEM_9)):  # fmt: skip
        days.append(datetime.fromtimestamp(clock.now()).strftime("%Y-%m-%d"))
        past_session(store, clock, settings, person, said, phq9=phq9)
    return a, b, c, days


@pytest.fixture
def planning(qtbot, store, settings, people):
    dialog = GroupPlanning(store.path, settings)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: len(dialog.boxes) == 3)
    return dialog


def _choose(qtbot, dialog, *ids):
    with qtbot.waitSignal(dialog.readiness_shown) as shown:
        dialog.choose(ids)
    return shown.args[0]


def test_the_list_says_each_person_s_course_and_flags(planning, people):
    a, b, c, (b_day, c_day) = people
    texts = [planning.boxes[p.id].text() for p in (a, b, c)]
    assert b_day != c_day  # a week apart
    assert texts == [
        "A.A. · born 1970\n0 of 6 sessions done · no session yet",
        f"B.B. · born 1981\n1 of 6 sessions done · last session {b_day}",
        f"C.C. · born 1992 · {FLAG_MARK} 1 open flag\n1 of 6 sessions done · last session {c_day}",
    ]
    assert texts == [person_choice_line(line) for line in planning.lines]


def test_the_chosen_show_their_readiness_and_the_item_9_flag_in_colour_and_words(
    qtbot, planning, people
):
    a, b, c, _ = people
    assert planning.message.text() == NOBODY
    shown = _choose(qtbot, planning, a.id, b.id, c.id)
    assert [r.person.id for r in shown] == [a.id, b.id, c.id] == planning.chosen_ids()
    first, once, flagged = (planning.cards[p.id] for p in (a, b, c))
    assert first.heading.text() == "A.A. · born 1970 — session 1 of 6"
    assert first.flags == [] and first.review is None
    assert first.last_feedback.text() == "Last time: first session"
    assert once.heading.text() == "B.B. · born 1981 — session 2 of 6"
    assert "music distracting" in once.last_feedback.text()
    assert [p.text() for p in once.plan] == [
        "Proposed, not decided yet: silence next time: the music was distracting"
    ]
    assert once.review.text() == f"{REVIEW_WORDS}: proposals waiting for the team"
    (flag,) = flagged.flags
    assert flag.text().startswith(f"{FLAG_MARK} PHQ-9 item 9 positive on ")
    assert theme.ALARM_COLOURS["high"] in flag.styleSheet()
    assert flagged.review.text() == f"{REVIEW_WORDS}: an open flag"
    assert not planning.message.isVisible()


def test_unchoosing_takes_the_card_away_and_the_find_field_narrows_the_list(
    qtbot, planning, people
):
    a, b, c, _ = people
    _choose(qtbot, planning, b.id, c.id)
    shown = _choose(qtbot, planning, c.id)
    assert [r.person.id for r in shown] == [c.id] and list(planning.cards) == [c.id]
    with qtbot.waitSignal(planning.readiness_shown):
        planning.boxes[c.id].setChecked(False)
    assert planning.cards == {} and planning.message.text() == NOBODY
    planning.find.setText("b b")
    assert [pid for pid, box in planning.boxes.items() if not box.isHidden()] == [b.id]


def test_a_plan_line_says_whether_the_team_decided_it():
    assert plan_words("proposed: more grounding") == "Proposed, not decided yet: more grounding"
    assert plan_words("silence next time") == "Plan: silence next time"


def test_screenshot(qtbot, planning, people):
    """For a person to look at: /tmp/k4_group_planning.png."""
    a, b, c, _ = people
    _choose(qtbot, planning, a.id, b.id, c.id)
    planning.show()
    qtbot.waitExposed(planning)
    assert planning.grab().save("/tmp/k4_group_planning.png")
