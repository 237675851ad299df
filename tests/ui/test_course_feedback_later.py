"""Feedback after the day (issue 16): the room window of a session is long gone when the
participant gives their feedback, so the course page offers the form for each session row,
writes through the running room's own store as whoever acts now, and reads the course again
to show it; a page without a room's store (review-only), or a role that may not record
feedback, offers no door at all."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from groupkap.accounts import Account
from groupkap.course import Feedback
from tests.ui import staffed_room
from tests.ui.course_steps import DAY, PIECES, logged, past_session, register, room
from ui import theme
from ui.course import feedback_form as form
from ui.course.course_window import CourseWindow
from ui.course.feedback_later import CORRECT, RECORD, may_record

FACILITATOR = Account("u-1", "RN Kim", "facilitator")
MEDICAL = Account("u-2", "Dr Ode", "medical")
LEAD = Account("u-4", "Dr Lo", "lead")
QA = Account("u-3", "QA Ray", "qa")
ADMIN = Account("u-5", "Admin Lee", "admin")

staffed = staffed_room.staffed  # the fixture (tests/ui/staffed_room.py)


@pytest.fixture
def course(qapp, store, clock, settings):
    """M.K. through three sessions a week apart: the first not dosed (seated, then the
    session ended), the second with feedback recorded on the day, the third without.
    Returns (person, [(session id, participant id)] oldest first, seq of the day's feedback)."""
    theme.apply_theme(qapp)
    person = register(store, clock, "M.K.", 1980)
    undosed = room(store, clock, settings)
    first = (undosed.id, undosed.add_participant("M.K.", 1, person_id=person.id).id)
    undosed.end()
    clock.advance(DAY)
    second = past_session(store, clock, settings, person, Feedback(liking=3, openness=6))
    third = past_session(store, clock, settings, person)
    (said,) = logged(store, second[0], "feedback.recorded")
    return person, [first, second, third], said.seq


def _page(qtbot, db, person, **kwargs) -> CourseWindow:
    page = CourseWindow(db.path, person.id, **kwargs)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        page.show()
    return page


def _save(qtbot, page, dialog) -> None:
    with qtbot.waitSignal(page.loaded, timeout=30_000):  # the page reads the course again
        dialog.try_accept()
    assert dialog.error.text() == ""


def test_the_latest_session_offers_record_feedback_and_the_page_shows_it_once_saved(
    qtbot, store, clock, course
):
    person, sessions, _ = course
    page = _page(qtbot, store, person, account=FACILITATOR, store=store, clock=clock)
    door = page.door
    assert door is not None and door.isVisible()
    assert page.windowTitle() == "Course · M.K. · born 1980"  # not "(read-only)": it writes
    assert door.session.session_id == sessions[2][0]  # the latest, picked at once
    assert door.button.text() == RECORD and door.button.isEnabled()
    assert door.label.text().startswith("Session 3 · ")
    assert door.label.text().endswith(": no feedback recorded yet")
    qtbot.mouseClick(door.button, Qt.MouseButton.LeftButton)
    dialog = page.feedback_form
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == "Feedback after the session · M.K."
    assert list(dialog.fields[form.AVOID].boxes) == list(PIECES)  # what that seat heard
    dialog.fields[form.SCORE_LABELS["liking"]].setValue(2)
    dialog.fields[form.DISTRACTING].setChecked(True)
    dialog.fields[form.AVOID].boxes["Open Water"].setChecked(True)
    _save(qtbot, page, dialog)
    session_id, pid = sessions[2]
    (event,) = logged(store, session_id, "feedback.recorded")
    assert (event.participant_id, event.actor, event.seq) == (pid, "RN Kim", dialog.recorded)
    assert event.data["person_id"] == person.id and event.data["corrects"] is None
    assert event.data["avoid_pieces"] == ["Open Water"] and event.data["liking"] == 2
    # Read again: the feedback tab shows it, the same session stays picked, now to correct.
    row = page.history.model.rows.index(page.course.sessions[2])
    said = page.history.model.data(page.history.model.index(row, 2))
    assert said == "music distracting · avoid Open Water"
    assert page.course.sessions[2].feedback.liking == 2
    assert page.door.session.session_id == session_id
    assert page.door.button.text() == CORRECT
    assert page.door.label.text().endswith(": feedback recorded")


def test_a_session_with_feedback_offers_a_correction_that_starts_from_it(
    qtbot, store, clock, course
):
    person, sessions, first_seq = course
    page = _page(qtbot, store, person, account=MEDICAL, store=store, clock=clock)
    page.tabs.setCurrentIndex(1)  # the feedback tab: its rows pick the session as well
    view = page.history.view
    row = next(r for r in range(3) if page.session_at(view, r).session_id == sessions[1][0])
    view.selectRow(row)
    assert page.door.session.session_id == sessions[1][0]
    assert page.door.button.text() == CORRECT
    dialog = page.open_feedback()
    assert dialog.fields[form.SCORE_LABELS["liking"]].score() == 3
    assert dialog.fields[form.SCORE_LABELS["openness"]].score() == 6
    assert "Correcting" in dialog.fields
    dialog.fields[form.SCORE_LABELS["openness"]].setValue(9)
    _save(qtbot, page, dialog)
    events = logged(store, sessions[1][0], "feedback.recorded")
    assert [e.data["openness"] for e in events] == [6, 9]
    assert events[1].data["corrects"] == first_seq and events[1].actor == "Dr Ode"
    assert page.course.sessions[1].feedback.openness == 9
    assert page.tabs.currentIndex() == 1  # still on the feedback, the session still picked
    assert page.door.session.session_id == sessions[1][0]
    assert page.door.button.text() == CORRECT


def test_a_session_they_were_not_dosed_in_asks_no_feedback(qtbot, store, clock, course):
    person, sessions, _ = course
    page = _page(qtbot, store, person, store=store, clock=clock)
    view = page.sessions_view
    row = next(r for r in range(3) if page.session_at(view, r).session_id == sessions[0][0])
    view.selectRow(row)
    button = page.door.button
    assert not button.isEnabled() and button.text() == RECORD
    assert button.toolTip() == "M.K. was not dosed in this session: there is no feedback to ask"
    assert page.door.label.text().startswith("Session 1 · ")
    # The row's right-click offers the same, switched off.
    at = QPoint(5, view.rowViewportPosition(row) + 5)
    (action,) = page.row_menu(view, at).actions()
    assert action.text() == RECORD and not action.isEnabled()
    latest = next(r for r in range(3) if page.session_at(view, r).session_id == sessions[2][0])
    (action,) = page.row_menu(view, QPoint(5, view.rowViewportPosition(latest) + 5)).actions()
    assert action.isEnabled()
    action.trigger()
    assert page.feedback_form.windowTitle() == "Feedback after the session · M.K."
    page.feedback_form.reject()
    assert logged(store, sessions[2][0], "feedback.recorded") == []


@pytest.mark.parametrize(
    ("account", "with_store", "offered"),
    [
        (FACILITATOR, True, True),
        (MEDICAL, True, True),
        (LEAD, True, True),
        (None, True, True),  # no accounts at this workstation
        (QA, True, False),  # course.read, not feedback.record
        (ADMIN, True, False),
        (FACILITATOR, False, False),  # review-only: no room's store to write through
    ],
)
def test_the_door_is_offered_only_where_feedback_may_be_recorded(
    qtbot, store, clock, course, account, with_store, offered
):
    person, _, _ = course
    writes = {"store": store, "clock": clock} if with_store else {}
    page = _page(qtbot, store, person, account=account, **writes)
    assert (page.door is not None) is offered
    assert may_record(store if with_store else None, account) is offered
    assert page.windowTitle().endswith("(read-only)") is not offered
    assert (page.open_feedback() is not None) is offered
    on_first_row = page.row_menu(page.sessions_view, QPoint(5, 5)).actions()
    assert len(on_first_row) == (1 if offered else 0)


def test_from_the_room_the_page_writes_through_its_store_as_whoever_acts_now(
    qtbot, request, store, clock, settings
):
    theme.apply_theme(request.getfixturevalue("qapp"))
    person = register(store, clock, "M.K.", 1980)
    session_id, pid = past_session(store, clock, settings, person)
    room_now = request.getfixturevalue("staffed")  # the room running now, RN Kim signed in
    people = room_now.window.open_people()
    qtbot.waitUntil(lambda: bool(people.lines), timeout=30_000)
    assert people.store is room_now.live.store and people.clock is room_now.live.clock
    page = people.open_course(0)
    qtbot.waitUntil(lambda: page.course is not None, timeout=30_000)
    assert page.store is room_now.live.store and page.door is not None
    # Another member of staff signs in meanwhile: the feedback is theirs.
    room_now.live.account = room_now.accounts.sign_in("Dr Ode", staffed_room.PINS["Dr Ode"])
    dialog = page.open_feedback()
    dialog.fields[form.SILENCE].setChecked(True)
    _save(qtbot, page, dialog)
    (event,) = logged(store, session_id, "feedback.recorded")
    assert (event.participant_id, event.actor) == (pid, "Dr Ode")
    assert page.course.sessions[0].feedback.silence_preferred


def test_screenshot(qtbot, store, clock, course):
    """For a person to look at: /tmp/k6_course_feedback.png (the page with its door)."""
    person, _, _ = course
    page = _page(qtbot, store, person, account=FACILITATOR, store=store, clock=clock)
    page.resize(1366, 768)
    qtbot.waitExposed(page)
    assert page.grab().save("/tmp/k6_course_feedback.png")
