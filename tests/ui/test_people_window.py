"""The people list ("Participants…", issue 16): everyone known across sessions with their
course position, last session and open flags; it opens a person's course page; it says so
when nobody is registered; and only a role with `course.read` opens it (the refusal is
said and logged)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from groupkap.accounts import Account
from groupkap.course import People
from groupkap.store import Store
from tests.ui import staffed_room
from tests.ui.staffed_room import PINS, logged
from ui import theme
from ui.course.course_window import CourseWindow
from ui.course.people_window import NOBODY, PeopleWindow

staffed = staffed_room.staffed  # the fixture (tests/ui/staffed_room.py)


def _cells(model) -> list[dict[str, str]]:
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return [
        {title: model.data(model.index(r, c)) for c, title in enumerate(titles)}
        for r in range(model.rowCount())
    ]


def _people(qtbot, path: Path, **kwargs) -> PeopleWindow:
    window = PeopleWindow(path, **kwargs)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.loaded, timeout=30_000):
        window.show()
    return window


@pytest.fixture
def named_db(tmp_path, clock) -> Path:
    """Two people, never seated: one with a full name."""
    path = tmp_path / "people.sqlite3"
    store = Store.open(path, clock)
    people = People(store, clock)
    people.register("J.D.", 1970, "Jane Doe", by=None)
    people.register("a.b.", 1985, by=None)
    store.close()
    return path


def test_the_list_shows_each_person_s_course(qtbot, qapp, course_db):
    theme.apply_theme(qapp)
    window = _people(qtbot, course_db.path)
    (row,) = _cells(window.model)
    last = datetime.fromtimestamp(1_742_288_400.0).strftime("%Y-%m-%d")  # the third session
    assert row == {
        "Alias": "M.K.",
        "Full name": "not recorded",  # no account: the workstation sees full names
        "Born": "1980",
        "Course": "session 3 of 6 planned",
        "Last session": last,
        "Open flags": "none",
    }
    assert window.pages.currentWidget() is window.view and window.open_button.isEnabled()


def test_a_person_opens_their_course_page(qtbot, course_db):
    window = _people(qtbot, course_db.path)
    window.view.selectRow(0)
    window.open_button.click()
    (page,) = window.courses
    assert isinstance(page, CourseWindow) and page.person_id == course_db.person_id
    qtbot.waitUntil(lambda: page.course is not None, timeout=30_000)
    assert page.sessions_model.rowCount() == 3


def test_people_without_sessions_sort_by_alias_and_say_none_yet(qtbot, named_db):
    window = _people(qtbot, named_db)
    rows = [_cells(window.model)[window.view.model().mapToSource(
        window.view.model().index(r, 0)).row()] for r in range(2)]  # fmt: skip
    assert [r["Alias"] for r in rows] == ["a.b.", "J.D."]  # case does not sort
    assert [r["Last session"] for r in rows] == ["none yet", "none yet"]
    assert [r["Course"] for r in rows] == ["no sessions yet · 6 planned"] * 2


def test_full_names_only_for_the_roles_that_see_them(qtbot, named_db):
    facilitator = _people(qtbot, named_db, account=Account("u-1", "RN Kim", "facilitator"))
    assert "Full name" not in _cells(facilitator.model)[0]
    assert not any("Jane Doe" in v for row in _cells(facilitator.model) for v in row.values())
    lead = _people(qtbot, named_db, account=Account("u-2", "Dr Lo", "lead"))
    assert "Jane Doe" in [row["Full name"] for row in _cells(lead.model)]


def test_nobody_registered_is_said(qtbot, tmp_path, clock):
    Store.open(tmp_path / "empty.sqlite3", clock).close()
    window = _people(qtbot, tmp_path / "empty.sqlite3")
    assert window.pages.currentWidget() is window.message and window.message.text() == NOBODY
    assert not window.open_button.isEnabled() and window.open_course() is None


def test_a_page_is_not_opened_once_the_gate_refuses(qtbot, course_db):
    asked = []

    def may(action: str) -> bool:
        asked.append(action)
        return False

    window = _people(qtbot, course_db.path, may=may)
    assert window.open_course(0) is None and asked == ["course.read"] and not window.courses


def test_course_read_is_refused_to_a_role_without_it(qtbot, staffed):
    window = staffed.window
    entry = next(a for a in window.toolbar.actions() if a.text() == "Participants…")
    staffed.live.account = staffed.accounts.sign_in("Admin Lee", PINS["Admin Lee"])
    entry.trigger()
    assert window.open_people() is None
    assert not any(isinstance(w, PeopleWindow) for w in window.findChildren(PeopleWindow))
    refused = logged(staffed.store, staffed.live.id, "action.refused")
    assert [e.data["action"] for e in refused] == ["course.read", "course.read"]
    assert "may not read a person's course" in window.statusBar().currentMessage()


def test_a_facilitator_opens_the_list_from_the_room(qtbot, staffed):
    window = staffed.window  # signed in as RN Kim, facilitator
    people = window.open_people()
    assert isinstance(people, PeopleWindow) and people.account.name == "RN Kim"
    # Its course pages record feedback through the room's own store (one writer per file).
    assert people.store is staffed.live.store and people.clock is staffed.live.clock
    assert people.parent() is window  # a lock closes it
    # The staffed room's participants were seated without being registered as people.
    qtbot.waitUntil(lambda: people.message.text() == NOBODY, timeout=30_000)
    assert not logged(staffed.store, staffed.live.id, "action.refused")


def test_plan_a_group_starts_with_the_people_selected(qtbot, named_db):
    window = _people(qtbot, named_db)
    assert window.plan_button.text() == "Plan a group…" and window.plan_button.isVisible()
    window.view.selectAll()  # both, as Ctrl+click would
    ids = window.selected_ids()
    assert len(ids) == 2
    window.plan_button.click()
    (planning,) = window.plannings
    qtbot.addWidget(planning)
    assert planning.isVisible() and planning.parent() is window  # a lock closes it with the list
    qtbot.waitUntil(lambda: sorted(planning.cards) == sorted(ids), timeout=30_000)
    assert sorted(planning.chosen_ids()) == sorted(ids)
    window.view.selectRow(0)
    one = window.plan_group()
    qtbot.addWidget(one)
    qtbot.waitUntil(lambda: list(one.cards) == window.selected_ids(), timeout=30_000)
    assert len(one.chosen_ids()) == 1


def test_plan_a_group_is_not_opened_once_the_gate_refuses(qtbot, named_db):
    asked = []
    window = _people(qtbot, named_db, may=lambda action: asked.append(action) and False)
    window.plan_button.click()
    assert asked == ["course.read"] and window.plannings == []
