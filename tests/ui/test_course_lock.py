"""The lock closes the course windows (issue 16): a person's course page is patient data, so
the people list (a child of the room window), every course page it opened, the group planning
and a feedback form left half-filled all go at a lock, and nothing of the form is saved."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

from groupkap.course import Feedback
from tests.ui import staffed_room
from tests.ui.course_steps import logged, past_session, register
from ui.course import feedback_form as form
from ui.course.course_window import CourseWindow
from ui.course.group_planning import GroupPlanning
from ui.course.people_window import PeopleWindow
from ui.dialogs import CommandDialog

staffed = staffed_room.staffed  # the fixture (tests/ui/staffed_room.py)


@pytest.fixture
def room_with_courses(request, store, clock, settings):
    """(room, [(person, session id)]): two people each with a session behind them (M.K.
    with feedback), then the staffed room running now on the same database."""
    seen = []
    for alias, year, said in (("M.K.", 1980, Feedback(liking=4)), ("A.R.", 1975, None)):
        person = register(store, clock, alias, year)
        session_id, _ = past_session(store, clock, settings, person, said)
        seen.append((person, session_id))
    return request.getfixturevalue("staffed"), seen


def _shown(kind: type) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def _gone(widget: QWidget) -> bool:
    return not isValid(widget) or not widget.isVisible()


def test_a_lock_closes_the_people_list_every_course_page_and_the_planning(qtbot, room_with_courses):
    room, seen = room_with_courses
    window = room.window
    people = window.open_people()
    qtbot.waitUntil(lambda: len(people.lines) == 2, timeout=30_000)
    pages = [people.open_course(row) for row in range(2)]
    for page in pages:
        qtbot.waitUntil(lambda page=page: page.course is not None, timeout=30_000)
    planning = people.plan_group([person.id for person, _ in seen])
    qtbot.waitUntil(lambda: len(planning.cards) == 2, timeout=30_000)
    # A feedback form left half-filled on M.K.'s page.
    page = next(p for p in pages if p.course.person.alias == "M.K.")
    half_filled = page.open_feedback()
    assert "Correcting" in half_filled.fields
    half_filled.fields[form.SCORE_LABELS["liking"]].setValue(9)
    half_filled.fields[form.SILENCE].setChecked(True)
    opened = [people, *pages, planning, half_filled]
    assert all(w.isVisible() for w in opened)
    assert all(w.window() is not window for w in opened)  # windows of their own, all the same
    window.access.lock("idle")
    qtbot.waitUntil(lambda: all(_gone(w) for w in opened), timeout=3000)
    for kind in (PeopleWindow, CourseWindow, GroupPlanning, CommandDialog):
        assert _shown(kind) == [], kind.__name__
    # The half-filled correction was dropped: only the feedback of the day is recorded.
    mk_session = seen[0][1]
    assert [e.data["liking"] for e in logged(room.store, mk_session, "feedback.recorded")] == [4]
    assert logged(room.store, seen[1][1], "feedback.recorded") == []
    assert window.access.locked and window.isVisible()  # the room stays in sight


def test_unlocked_again_the_course_windows_stay_closed_and_open_afresh(qtbot, room_with_courses):
    room, _ = room_with_courses
    window = room.window
    people = window.open_people()
    qtbot.waitUntil(lambda: len(people.lines) == 2, timeout=30_000)
    window.access.lock("by hand")
    qtbot.waitUntil(lambda: _gone(people), timeout=3000)
    assert window.access.unlock(staffed_room.PINS["RN Kim"])
    assert _shown(PeopleWindow) == []  # nothing comes back by itself
    again = window.open_people()
    qtbot.waitUntil(lambda: len(again.lines) == 2, timeout=30_000)
    assert again.isVisible() and again is not people
