"""Signing in (pytest-qt, real widgets, a real store): the first run creates the administrator,
later starts ask for a name and PIN, the demo says it is the demo, the signed-in account is
who acts, a role's refusal is shown, and the admin adds staff."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidgetAction

from groupkap.accounts import ACCOUNTS_LOG, DEMO_ACCOUNT, Accounts, SecurityConfig
from groupkap.alarms.limits import HIGH
from tests.ui import staffed_room
from tests.ui.staffed_room import PINS, fast_hasher, logged
from ui.accounts.dialogs import PINS_DIFFER
from ui.accounts.start import sign_in_at_start, start_dialog

staffed = staffed_room.staffed  # the fixture (tests/ui/staffed_room.py)


@pytest.fixture
def fresh(store, clock) -> Accounts:
    """The accounts of a database no one has used yet."""
    return Accounts(store, clock, SecurityConfig(), hasher=fast_hasher())


def test_the_first_run_creates_the_administrator_and_signs_them_in(qtbot, fresh, store):
    signed: list = []
    dialog = start_dialog(fresh, signed.append)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Create the administrator account"
    assert [dialog.role.itemData(i) for i in range(dialog.role.count())] == ["admin"]
    dialog.name_field.setText("Admin Lee")
    dialog.pin.setText("admin01")
    dialog.again.setText("admin02")
    dialog.try_accept()
    assert dialog.error.text() == PINS_DIFFER and not fresh.has_users()
    dialog.pin.setText("ad1")
    dialog.again.setText("ad1")
    dialog.try_accept()
    assert "at least 6" in dialog.error.text() and not fresh.has_users()
    dialog.pin.setText("admin01")
    dialog.again.setText("admin01")
    dialog.try_accept()
    assert [(a.name, a.role) for a in signed] == [("Admin Lee", "admin")]
    kinds = [e.kind for e in logged(store, ACCOUNTS_LOG, "user.added", "user.signed_in")]
    assert kinds == ["user.added", "user.signed_in"]


def test_later_starts_ask_for_name_and_pin_and_show_a_refusal(qtbot, fresh):
    admin = fresh.add("Admin Lee", "admin", "admin01")
    fresh.add("RN Kim", "facilitator", "kim2222", by=admin)
    signed: list = []
    dialog = start_dialog(fresh, signed.append)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Sign in to GroupKAP"
    dialog.name_field.setText("RN Kim")
    dialog.pin.setText("kim0000")
    dialog.try_accept()
    assert "wrong PIN for RN Kim" in dialog.error.text() and signed == []
    dialog.pin.setText("kim2222")
    dialog.try_accept()
    assert [(a.name, a.role) for a in signed] == [("RN Kim", "facilitator")]


def _answer_when_shown(qtbot, fill) -> None:
    """Fill in the modal dialog the code under test is about to run (`exec`)."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, answer)
            return
        fill(dialog)

    QTimer.singleShot(0, answer)


def test_sign_in_at_start_waits_for_someone_or_gives_none(qtbot, fresh):
    admin = fresh.add("Admin Lee", "admin", "admin01")
    fresh.add("Dr Ode", "medical", "ode33333", by=admin)

    def sign_in(dialog) -> None:
        dialog.name_field.setText("Dr Ode")
        dialog.pin.setText("ode33333")
        dialog.try_accept()

    _answer_when_shown(qtbot, sign_in)
    account = sign_in_at_start(fresh)
    assert (account.name, account.role) == ("Dr Ode", "medical")
    _answer_when_shown(qtbot, lambda dialog: dialog.reject())
    assert sign_in_at_start(fresh) is None


def test_the_demo_runs_as_the_demo_user_says_so_and_never_locks(qtbot, window, room10):
    room10.account = DEMO_ACCOUNT
    window.access.show_account()
    assert window.access.word.text() == "Demo user — demo mode"
    window.resize(1920, 1080)
    window.show()
    qtbot.waitUntil(window.access.word.isVisible)
    assert window.access.lock_action is None and window.access.panel is None
    assert not any(
        a.text() in ("Lock", "Switch user…")
        for a in window.toolbar.actions()
        if not isinstance(a, QWidgetAction)
    )
    window.access.watch.lock_after_s = 0  # idle for ever: still no lock without accounts
    window.access.check()
    assert not window.access.locked


def _alarm_on_seat(staffed, seat: int) -> str:
    person = staffed.live.room.on_seat(seat)
    staffed.live.alarms.raise_technical(person.id, "X", HIGH, "BP check overdue", seat=seat)
    staffed.window.alarm_bar.refresh()
    return person.id


def test_the_signed_in_account_is_who_acts_and_a_switch_changes_it(qtbot, staffed):
    window, live = staffed.window, staffed.live
    assert window.access.word.text() == "RN Kim · facilitator"
    _alarm_on_seat(staffed, 1)
    window.alarm_bar.acknowledge_selected()
    dialog = window.access.open_switch()
    dialog.name_field.setText("Dr Ode")
    dialog.pin.setText(PINS["Dr Ode"])
    dialog.try_accept()
    assert window.access.word.text() == "Dr Ode · medical" and live.actor == "Dr Ode"
    _alarm_on_seat(staffed, 2)
    rows = window.alarm_bar.alarm_list
    rows.setCurrentRow(next(i for i in range(rows.count()) if "2 ·" in rows.item(i).text()))
    window.alarm_bar.acknowledge_selected()
    acks = logged(staffed.store, live.id, "alarm.acknowledged")
    assert [e.actor for e in acks] == ["RN Kim", "Dr Ode"]
    signed = logged(staffed.store, live.id, "user.signed_in")
    assert signed[-1].actor == "Dr Ode"


def test_a_forbidden_act_shows_the_cores_refusal_and_changes_nothing(qtbot, staffed):
    window, live = staffed.window, staffed.live
    live.account = staffed.accounts.sign_in("QA Ray", PINS["QA Ray"])
    window.access.show_account()
    pid = _alarm_on_seat(staffed, 1)
    window.alarm_bar.acknowledge_selected()
    assert not any(a.acknowledged for a in live.alarms.active() if a.participant_id == pid)
    message = window.statusBar().currentMessage()
    assert "QA Ray (QA) may not acknowledge an alarm" in message
    [refused] = logged(staffed.store, live.id, "action.refused")
    assert (refused.actor, refused.data["action"]) == ("QA Ray", "alarm.acknowledge")
    # A facilitator may acknowledge but not open a past session (leads and QA review).
    live.account = staffed.accounts.sign_in("RN Kim", PINS["RN Kim"])
    assert window.open_review() is None and window.review_desk is None
    assert "may not review a past session" in window.statusBar().currentMessage()


def test_only_the_admin_sees_accounts_and_adds_staff_there(qtbot, staffed):
    window, accounts = staffed.window, staffed.accounts
    assert not window.access.accounts_action.isVisible()
    staffed.live.account = accounts.sign_in("Admin Lee", PINS["Admin Lee"])
    window.access.show_account()
    assert window.access.accounts_action.isVisible()
    dialog = window.access.open_new_account()
    dialog.name_field.setText("RN Sol")
    dialog.role.setCurrentIndex(dialog.role.findData("facilitator"))
    dialog.pin.setText("sol12345")
    dialog.again.setText("sol12345")
    dialog.try_accept()
    assert not dialog.isVisible()
    assert accounts.get("RN Sol").role == "facilitator"
    assert window.statusBar().currentMessage() == "Account added: RN Sol (facilitator)"
