"""Planning a person's course from their page (issue 16, item 4): the count and the booster
date reach the store as `course.planned`, and the page then counts against them; a bad date
is refused in the dialog with nothing written; a role that may not manage people, or a page
without the room's store, gets no button."""

from __future__ import annotations

import pytest

from groupkap.accounts import Account
from groupkap.course import Feedback
from tests.ui.course_steps import course_log, past_session, register
from ui import theme
from ui.course.course_window import CourseWindow

FACILITATOR = Account("u-1", "RN Kim", "facilitator")
QA = Account("u-3", "QA Ray", "qa")


@pytest.fixture
def person(qapp, store, clock, settings):
    theme.apply_theme(qapp)
    someone = register(store, clock, "M.K.", 1980)
    past_session(store, clock, settings, someone, Feedback(liking=7))
    return someone


def _page(qtbot, db, person, **kwargs) -> CourseWindow:
    page = CourseWindow(db.path, person.id, **kwargs)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        page.show()
    return page


def test_a_plan_of_four_sessions_and_a_booster_date_is_what_the_page_counts_against(
    qtbot, store, clock, person
):
    page = _page(qtbot, store, person, account=FACILITATOR, store=store, clock=clock)
    assert page.course.sessions_planned == 6  # the clinic's [course] default until planned
    dialog = page.open_plan()
    assert dialog.sessions.value() == 6
    dialog.sessions.setValue(4)
    dialog.booster.setText("2027-03-01")
    dialog.note.setText("booster if PHQ-9 rises again")
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        dialog.try_accept()
    (planned,) = course_log(store, "course.planned")
    assert planned.data == {
        "person_id": person.id,
        "sessions_planned": 4,
        "booster_due": "2027-03-01",
        "note": "booster if PHQ-9 rises again",
    }
    assert planned.actor == FACILITATOR.name
    assert page.course.sessions_planned == 4 and page.course.next_due == "2027-03-01"
    assert "of 4" in page.position.text()


def test_a_date_that_is_not_a_date_is_refused_in_the_dialog_and_nothing_is_written(
    qtbot, store, clock, person
):
    page = _page(qtbot, store, person, account=FACILITATOR, store=store, clock=clock)
    dialog = page.open_plan()
    dialog.booster.setText("1 March")
    dialog.try_accept()
    assert dialog.isVisible() and "YYYY-MM-DD" in dialog.error.text()
    assert course_log(store, "course.planned") == []


@pytest.mark.parametrize(
    ("kwargs", "offered"),
    [
        ({"account": FACILITATOR, "with_store": True}, True),
        ({"account": QA, "with_store": True}, False),
        ({"account": FACILITATOR, "with_store": False}, False),
    ],
)
def test_who_is_offered_the_plan(qtbot, store, clock, person, kwargs, offered):
    extra = {"store": store, "clock": clock} if kwargs["with_store"] else {}
    page = _page(qtbot, store, person, account=kwargs["account"], **extra)
    assert (page.plan_button is not None) == offered
    assert (page.open_plan() is not None) == offered
