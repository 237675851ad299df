"""Change my PIN… in the account menu (issue 15): the signed-in person types their PIN now and
the new one twice; a wrong PIN now counts as a wrong PIN (logged, with the waits), a new PIN
one shorter than the minimum or two that differ are refused in the dialog with nothing
written, and every PIN box is emptied after a refusal. A disabled account is refused. The
demo and emergency access have no PIN, so no entry.

pytest-qt, offscreen, the staffed room (tests/ui/staffed_room.py) signed in as RN Kim.
"""

from __future__ import annotations

from argon2 import PasswordHasher

from groupkap.accounts import DEMO_ACCOUNT
from tests.ui import staffed_room
from tests.ui.staffed_room import PINS, logged
from ui.accounts.dialogs import PINS_DIFFER

staffed = staffed_room.staffed  # the fixture (tests/ui/staffed_room.py)

KIM_PIN, NEW_PIN = PINS["RN Kim"], "kimnew99"


def kinds_since(staffed, before: int) -> list[str]:
    return [e.kind for e in logged(staffed.store, staffed.live.id)[before:]]


def count(staffed) -> int:
    return len(logged(staffed.store, staffed.live.id))


def fill(dialog, old: str, new: str, again: str | None = None) -> None:
    dialog.old.setText(old)
    dialog.new.setText(new)
    dialog.again.setText(new if again is None else again)
    dialog.try_accept()


def test_the_entry_shows_for_a_person_with_a_pin_only(qtbot, staffed):
    access = staffed.window.access
    assert access.pin_action.isVisible()  # RN Kim
    access._signed_in(staffed.accounts.emergency_access("seat 3 alarming"))
    assert not access.pin_action.isVisible()
    assert access.open_change_pin() is None
    access._signed_in(DEMO_ACCOUNT)
    assert not access.pin_action.isVisible()


def test_a_person_changes_their_pin_and_the_new_one_unlocks(qtbot, staffed):
    window = staffed.window
    staffed.window.access.pin_action.trigger()
    dialog = window.access.dialog
    assert dialog.isVisible() and not dialog.isModal()  # the alarm bar stays usable
    assert dialog.windowTitle() == "Change my PIN · RN Kim"
    before = count(staffed)
    fill(dialog, KIM_PIN, NEW_PIN)
    assert dialog.error.text() == "" and not dialog.isVisible()
    assert kinds_since(staffed, before) == ["user.signed_in", "user.pin_changed"]
    changed = logged(staffed.store, staffed.live.id)[-1]
    assert (changed.actor, changed.data["by"]) == ("RN Kim", "RN Kim")
    assert NEW_PIN not in str(changed.data) and KIM_PIN not in str(changed.data)
    assert "your PIN is changed" in window.statusBar().currentMessage()
    window.access.lock("by hand")
    assert not window.access.unlock(KIM_PIN)  # the old PIN no longer opens it
    assert window.access.unlock(NEW_PIN) and not window.access.locked


def test_a_wrong_pin_now_is_a_wrong_pin_and_every_box_is_emptied(qtbot, staffed):
    dialog = staffed.window.access.open_change_pin()
    before = count(staffed)
    fill(dialog, "wrong-pin", NEW_PIN)
    assert dialog.isVisible() and "wrong PIN for RN Kim (4 more wrong" in dialog.error.text()
    assert kinds_since(staffed, before) == ["user.sign_in_failed"]
    assert (dialog.old.text(), dialog.new.text(), dialog.again.text()) == ("", "", "")
    assert dialog.focusWidget() is dialog.old  # typed afresh from the PIN now


def test_a_new_pin_one_shorter_than_the_minimum_or_two_that_differ_write_nothing(qtbot, staffed):
    shortest = staffed.settings.security.pin_min_length
    dialog = staffed.window.access.open_change_pin()
    before = count(staffed)
    fill(dialog, KIM_PIN, "k" * (shortest - 1))
    assert f"at least {shortest} characters" in dialog.error.text()
    fill(dialog, KIM_PIN, NEW_PIN, again=NEW_PIN + "x")
    assert dialog.error.text() == PINS_DIFFER
    assert kinds_since(staffed, before) == [] and dialog.isVisible()
    fill(dialog, KIM_PIN, "k" * shortest)  # the minimum itself is taken
    assert dialog.error.text() == "" and not dialog.isVisible()
    stored = staffed.accounts._row("RN Kim").pin_hash
    assert PasswordHasher().verify(stored, "k" * shortest)


def test_a_disabled_account_cannot_change_its_pin(qtbot, staffed):
    accounts = staffed.accounts
    accounts.disable("RN Kim", accounts.get("Admin Lee"), "left the clinic")
    dialog = staffed.window.access.open_change_pin()  # still signed in on this screen
    before = count(staffed)
    fill(dialog, KIM_PIN, NEW_PIN)
    assert "RN Kim's account is disabled" in dialog.error.text() and dialog.isVisible()
    assert kinds_since(staffed, before) == ["user.sign_in_failed"]
    assert logged(staffed.store, staffed.live.id)[-1].data["why"] == "disabled"
