"""Who sees and does what in the room window (issue 15): full names only for medical and the
clinic lead, the circle's buttons refused to a role without `circle.run`, and an interrupted
session's close recorded under the signed-in account."""

from __future__ import annotations

import subprocess
import sys
from contextlib import closing

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox

from groupkap.accounts import Forbidden
from groupkap.circle.circle import OPENING, Circle
from groupkap.clock import RealClock
from groupkap.store import Store, queries
from groupkap.store.store import list_sessions
from tests.ui import staffed_room
from tests.ui.staffed_room import PINS, logged
from ui.app import _ask_about_interrupted
from ui.circle.circle_view import CircleView
from ui.room import participant_dialogs as dialogs

staffed = staffed_room.staffed  # the fixture (tests/ui/staffed_room.py)
FULL_NAME = "Margaret Kowalski"


def _texts(dialog) -> str:
    """Everything a dialog shows: its title, labels and fields."""
    parts = [dialog.windowTitle()]
    parts += [w.text() for w in dialog.findChildren(QLabel)]
    parts += [w.text() for w in dialog.findChildren(QLineEdit)]
    return "\n".join(parts)


def _seated(staffed) -> str:
    live = staffed.live
    _, person = next(pair for pair in live.room.by_seat() if pair[1])
    live.rename_participant(person.id, "M.K.", FULL_NAME)
    return person.id


def _sign_in(staffed, name: str) -> None:
    staffed.live.account = staffed.accounts.sign_in(name, PINS[name])


def test_a_facilitator_renames_without_seeing_the_full_name_which_is_kept(qtbot, staffed):
    pid = _seated(staffed)  # RN Kim, facilitator
    dialog = dialogs.rename_dialog(staffed.live, pid, staffed.window)
    qtbot.addWidget(dialog)
    assert FULL_NAME not in _texts(dialog) and dialog.full_name is None
    dialog.alias.setText("M.K.2")
    dialog.try_accept()
    person = staffed.live.room.participants[pid]
    assert person.alias == "M.K.2" and person.full_name == FULL_NAME


def test_qa_sees_the_alias_only(qtbot, staffed):
    pid = _seated(staffed)
    _sign_in(staffed, "QA Ray")
    dialog = dialogs.rename_dialog(staffed.live, pid, staffed.window)
    qtbot.addWidget(dialog)
    assert FULL_NAME not in _texts(dialog) and "M.K." in _texts(dialog)


def test_medical_staff_see_the_full_name(qtbot, staffed):
    pid = _seated(staffed)
    _sign_in(staffed, "Dr Ode")
    dialog = dialogs.rename_dialog(staffed.live, pid, staffed.window)
    qtbot.addWidget(dialog)
    assert dialog.full_name.text() == FULL_NAME


def _circle_view(qtbot, live) -> tuple[Circle, CircleView]:
    people = [(p.id, p.alias, p.seat) for _, p in live.room.by_seat() if p]
    circle = Circle(
        live.clock,
        people,
        total_s=30 * 60,
        opening_s=60,
        record=live.record_event,
        actor=live.actor,
    )
    circle.start()
    view = CircleView(circle, guard=lambda: live.require("circle.run"))
    qtbot.addWidget(view)
    view.controls.show()
    return circle, view


def test_the_circle_buttons_refuse_a_role_without_circle_run(qtbot, staffed):
    live = staffed.live
    circle, view = _circle_view(qtbot, live)
    _sign_in(staffed, "QA Ray")
    view.controls.next_button.click()
    assert circle.phase == OPENING  # nothing changed
    message = view.controls.message.text()
    assert message.startswith("QA Ray") and "may not run" in message
    refused = logged(staffed.store, live.id, "action.refused")
    assert refused and refused[-1].data["action"] == "circle.run"
    with pytest.raises(Forbidden):  # the care-team note box is refused the same way
        view.write_note("a note")
    _sign_in(staffed, "RN Kim")
    view.controls.next_button.click()
    assert circle.phase != OPENING and view.controls.message.text() == ""


def _interrupted_db(tmp_path):
    db = tmp_path / "x.sqlite3"
    script = (
        "import sys; from groupkap.clock import RealClock; from groupkap.store import Store;"
        "s = Store.open(sys.argv[1], RealClock()); s.start_session(seats=4, source='sim');"
        "s.flush(); import os; os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", script, str(db)], check=True, timeout=60)
    return db


def test_closing_an_interrupted_session_is_recorded_under_the_account(qtbot, tmp_path):
    from groupkap.accounts import Account

    db = _interrupted_db(tmp_path)

    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        next(b for b in box.buttons() if b.text() == "Close it and start new").click()

    QTimer.singleShot(0, click)
    kim = Account(id="u1", name="RN Kim", role="facilitator")
    assert _ask_about_interrupted(db, kim) is None
    sid = list_sessions(db)[0]["id"]
    store = Store.open(db, RealClock())
    try:
        with closing(store.reader()) as conn:
            ended = queries.events(conn, sid, kinds=("session.ended",))
    finally:
        store.close()
    assert [e.actor for e in ended] == ["RN Kim"]
