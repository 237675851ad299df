"""The lock after idle (pytest-qt, real widgets, a real store): exactly at `lock_after_min`,
the room and its alarms in sight and audible, acknowledging still possible and logged,
nothing else; the PIN, the waits after wrong PINs, a user switch, emergency access."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget, QWidgetAction

from groupkap.alarms.limits import HIGH
from tests.ui import staffed_room
from tests.ui.staffed_room import LOCK_AFTER_MIN, PINS, logged
from ui.accounts.words import EMERGENCY
from ui.dialogs import CommandDialog
from ui.room_run import RoomRun

LOCK_AFTER_S = LOCK_AFTER_MIN * 60

staffed = staffed_room.staffed  # the fixture (tests/ui/staffed_room.py)


def press(qtbot, window, key: str) -> None:
    """A key as the keyboard sends it: to the focused widget, else the window."""
    target = QApplication.focusWidget() or window
    combo = QKeySequence(key)[0]
    qtbot.keyClick(target, combo.key(), combo.keyboardModifiers())


def active(qtbot, room) -> None:
    room.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is room.window)


def commands(window) -> list:
    """The toolbar's commands (its widgets — the clock, who acts, the lock panel — aside)."""
    return [a for a in window.toolbar.actions() if not isinstance(a, QWidgetAction)]


def shown_dialogs(window) -> list[CommandDialog]:
    return [d for d in window.findChildren(CommandDialog) if d.isVisible()]


def raise_alarm(room, seat: int = 2, priority: str = HIGH) -> str:
    person = room.live.room.on_seat(seat)
    room.live.alarms.raise_technical(
        person.id, "CHECK_OVERDUE", priority, "BP check overdue", seat=seat
    )
    room.window.alarm_bar.refresh()
    room.window.grid.draw_frame()
    return person.id


def test_the_window_locks_at_exactly_lock_after_min_of_idle_not_before(staffed):
    access = staffed.window.access
    staffed.idle.t = LOCK_AFTER_S - 0.001
    access.check()
    assert not access.locked
    staffed.idle.t = LOCK_AFTER_S
    access.check()
    assert access.locked
    [event] = logged(staffed.store, staffed.live.id, "session.locked")
    assert (event.actor, event.data["reason"], event.data["signed_in"]) == (
        "RN Kim",
        "idle",
        "RN Kim",
    )


def test_a_key_or_the_mouse_starts_the_idle_time_again(qtbot, staffed):
    window, access = staffed.window, staffed.window.access
    staffed.idle.t = 100.0
    qtbot.keyClick(window.grid, Qt.Key.Key_Shift)
    staffed.idle.t = 100.0 + LOCK_AFTER_S - 0.001
    access.check()
    assert not access.locked
    staffed.idle.t = 200.0
    qtbot.mouseMove(window.grid.tiles[1], window.grid.tiles[1].rect().center())
    qtbot.mouseMove(window.grid.tiles[2], window.grid.tiles[2].rect().center())
    staffed.idle.t = 200.0 + LOCK_AFTER_S - 0.001
    access.check()
    assert not access.locked
    staffed.idle.t = 200.0 + LOCK_AFTER_S
    access.check()
    assert access.locked


def test_the_idle_check_runs_by_itself(qtbot, staffed):
    staffed.idle.t = LOCK_AFTER_S + 1
    qtbot.waitUntil(lambda: staffed.window.access.locked, timeout=3000)


def test_while_locked_the_alarm_stays_in_sight_and_acknowledging_is_logged(qtbot, staffed):
    window, live = staffed.window, staffed.live
    active(qtbot, staffed)
    pid = raise_alarm(staffed)
    window.access.lock("by hand")
    window.grid.draw_frame()
    bar, tile = window.alarm_bar, window.grid.tiles[2]
    assert bar.isVisible() and bar.alarm_list.isEnabled() and bar.alarm_list.count() == 1
    assert bar.alarm_list.item(0).text().startswith("*** BP check overdue")
    assert tile.isVisible() and tile.alarm is not None and tile.alarm.priority == HIGH
    assert bar.ack_button.isEnabled()
    qtbot.mouseClick(bar.ack_button, Qt.MouseButton.LeftButton)
    assert all(a.acknowledged for a in live.alarms.active() if a.participant_id == pid)
    # A second alarm, acknowledged with the A key (the alarm list has the focus at a lock).
    other = raise_alarm(staffed, seat=3)
    bar.alarm_list.setCurrentRow(
        next(i for i in range(bar.alarm_list.count()) if "3 ·" in bar.alarm_list.item(i).text())
    )
    press(qtbot, window, "A")
    assert all(a.acknowledged for a in live.alarms.active() if a.participant_id == other)
    acks = logged(staffed.store, live.id, "alarm.acknowledged")
    assert [(e.participant_id, e.actor) for e in acks] == [(pid, "RN Kim"), (other, "RN Kim")]
    assert window.access.locked


def test_while_locked_the_alarms_still_sound(qtbot, staffed):
    class Sound:
        def __init__(self) -> None:
            self.cues: list = []

        def play(self, cues) -> str:
            self.cues += cues
            return ""

        def end_self_test(self) -> None:
            pass

        def close(self) -> None:
            pass

    sound = Sound()
    run = RoomRun(staffed.live, staffed.window, None, None, sound)
    staffed.window.access.lock("idle")
    raise_alarm(staffed)
    run.start()
    try:
        qtbot.waitUntil(lambda: any(c.priority == HIGH for c in sound.cues), timeout=3000)
        assert staffed.live.alarms.pause_remaining() is None  # the lock paused nothing
    finally:
        run.finish("test over")


def test_while_locked_nothing_but_acknowledge_works(qtbot, staffed):
    window, live = staffed.window, staffed.live
    active(qtbot, staffed)
    raise_alarm(staffed)
    shown_before = [a for a in commands(window) if a.isVisible()]
    assert "Add participant" in {a.text() for a in shown_before}
    assert {a.text() for a in window.access.word.menu().actions() if a.isVisible()} == {
        "Switch user…",
        "Lock now (Ctrl+L)",
        "Change my PIN…",
    }
    window.access.lock("by hand")
    # Every toolbar command is gone; the lock panel stands where they were.
    assert not any(a.isVisible() for a in commands(window))
    qtbot.waitUntil(window.access.panel.isVisible)
    assert not window.access.word.isVisible()  # and with it Switch user…, Lock
    # The tiles' menus and buttons are off, and so is every other alarm control.
    for tile in window.grid.tiles.values():
        buttons = tile.findChildren(QAbstractButton)
        assert buttons and not any(b.isEnabled() for b in buttons)
    qtbot.mouseClick(
        window.grid.tiles[1].findChildren(QAbstractButton)[0], Qt.MouseButton.LeftButton
    )
    assert QApplication.activePopupWidget() is None
    assert not window.alarm_bar.reset_button.isEnabled()
    assert not window.alarm_bar.pause_button.isEnabled()
    # Keys: add participant, seat numbers, room audio pause, the shortcut list: nothing.
    seats_before = set(live.room.participants)
    for key in ("Ctrl+N", "1", "Ctrl+Shift+P", "?", "Shift+N"):
        press(qtbot, window, key)
    assert shown_dialogs(window) == []
    assert live.room.participants.keys() == seats_before
    assert live.alarms.pause_remaining() is None
    assert not window.shortcut_overlay.isVisible()
    assert window.seat_keys.focused_seat() is None
    # Closing the window by hand would end the session: not from a locked screen.
    assert not window.access.may_close(spontaneous=True)
    assert window.access.may_close(spontaneous=False)  # a stop signal still ends it


def test_a_lock_closes_the_dialogs_and_menus_left_open(qtbot, staffed):
    window = staffed.window
    window._on_tile_rename_requested(staffed.live.room.on_seat(1).id)
    [dialog] = shown_dialogs(window)
    dialog.alias.setText("Z.Z.")
    window.access.lock("idle")
    assert shown_dialogs(window) == []
    assert "Z.Z." not in {p.alias for p in staffed.live.room.participants.values()}


def test_the_right_pin_unlocks_and_everything_comes_back(qtbot, staffed):
    window = staffed.window
    shown_before = [a for a in commands(window) if a.isVisible()]
    window.access.lock("idle")
    panel = window.access.panel
    assert panel.title.text() == "LOCKED · RN Kim"
    assert panel.pin.placeholderText() == "RN Kim's PIN"
    qtbot.mouseClick(panel.pin, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.pin, PINS["RN Kim"])
    qtbot.keyClick(panel.pin, Qt.Key.Key_Return)
    assert not window.access.locked
    assert not panel.isVisible()
    assert [a for a in commands(window) if a.isVisible()] == shown_before
    assert all(b.isEnabled() for b in window.grid.tiles[1].findChildren(QAbstractButton))
    assert window.alarm_bar.reset_button.isEnabled() and window.alarm_bar.pause_button.isEnabled()
    [event] = logged(staffed.store, staffed.live.id, "session.unlocked")
    assert (event.actor, event.data["switched_from"]) == ("RN Kim", None)
    # Unlocking starts the idle time again.
    window.access.check()
    assert not window.access.locked


def test_ctrl_l_locks_and_at_the_lock_goes_to_the_pin(qtbot, staffed):
    window = staffed.window
    active(qtbot, staffed)
    press(qtbot, window, "Ctrl+L")
    assert window.access.locked
    assert QApplication.focusWidget() is window.alarm_bar.alarm_list  # A works at once
    press(qtbot, window, "Ctrl+L")
    assert QApplication.focusWidget() is window.access.panel.pin
    [event] = logged(staffed.store, staffed.live.id, "session.locked")
    assert event.data["reason"] == "by hand"


def test_five_wrong_pins_make_the_account_wait_and_the_panel_shows_the_wait(qtbot, staffed, clock):
    window = staffed.window
    access, panel = window.access, window.access.panel
    access.lock("idle")
    for n in range(1, 5):
        assert not access.unlock("wrong0")
        assert "wrong PIN for RN Kim" in panel.message.text()
        assert panel.unlock_button.isEnabled(), f"no wait after {n} wrong PINs"
    assert not access.unlock("wrong0")
    assert "wait 30 s" in panel.message.text()
    assert not panel.unlock_button.isEnabled()
    clock.advance(10)
    access.check()
    assert panel.message.text() == "Too many wrong PINs: try again in 20 s"
    assert not access.unlock(PINS["RN Kim"])  # during the wait even the right PIN is refused
    clock.advance(20)
    access.check()
    assert panel.unlock_button.isEnabled() and panel.message.text() == ""
    assert access.unlock(PINS["RN Kim"])
    assert not access.locked
    assert len(logged(staffed.store, staffed.live.id, "user.locked_out")) == 1


def test_switch_user_at_the_lock_unlocks_as_the_other_account(qtbot, staffed):
    window, live = staffed.window, staffed.live
    window.access.lock("idle")
    dialog = window.access.open_switch()
    assert dialog.isVisible() and not dialog.isModal()  # the alarm bar stays usable
    dialog.name_field.setText("Dr Ode")
    dialog.pin.setText(PINS["Dr Ode"])
    dialog.try_accept()
    assert not dialog.isVisible()
    assert not window.access.locked
    assert live.actor == "Dr Ode"
    assert window.access.word.text() == "Dr Ode · medical"
    [event] = logged(staffed.store, live.id, "session.unlocked")
    assert (event.actor, event.data["switched_from"]) == ("Dr Ode", "RN Kim")


def test_emergency_access_needs_a_reason_and_is_logged_and_shown(qtbot, staffed):
    window, live = staffed.window, staffed.live
    window.access.lock("idle")
    dialog = window.access.open_emergency()
    dialog.reason.setText("   ")
    dialog.try_accept()
    assert dialog.isVisible() and "needs a reason" in dialog.error.text()
    assert window.access.locked
    assert logged(staffed.store, live.id, "access.emergency") == []
    dialog.reason.setText("participant in distress, RN Kim out of the room")
    dialog.try_accept()
    assert not window.access.locked
    assert window.access.word.text().startswith(EMERGENCY)
    assert live.account.emergency and live.actor == "Emergency access"
    [event] = logged(staffed.store, live.id, "access.emergency")
    assert event.data["reason"] == "participant in distress, RN Kim out of the room"
    assert event.data["flag"] == "for the lead"
    # Locked again while in emergency access, no one's PIN unlocks: only a sign-in does.
    window.access.lock("idle")
    assert not window.access.panel.pin.isVisible()
    switch = window.access.open_switch()
    switch.name_field.setText("RN Kim")
    switch.pin.setText(PINS["RN Kim"])
    switch.try_accept()
    assert window.access.word.text() == "RN Kim · facilitator"
    assert not window.access.locked


def test_the_lock_panel_leaves_the_grid_and_alarm_bar_uncovered(qtbot, staffed, tmp_path):
    window = staffed.window
    raise_alarm(staffed)
    window.grid.draw_frame()
    before = window.scroll.geometry()
    window.access.lock("idle")
    qtbot.waitUntil(lambda: window.access.panel.isVisible())
    window.grid.draw_frame()

    def in_window(widget) -> QRect:
        return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())

    panel = in_window(window.access.panel)
    assert not panel.intersects(in_window(window.scroll))
    assert not panel.intersects(in_window(window.alarm_bar))
    assert window.scroll.geometry() == before  # the grid keeps all of its room
    picture = tmp_path / "locked.png"
    assert window.grab().save(str(picture))


@pytest.mark.parametrize("lock_after_min", [1, 5])
def test_the_lock_follows_the_setting(qtbot, qapp, staffed, lock_after_min):
    from dataclasses import replace

    from groupkap.accounts import SecurityConfig
    from ui.main_window import MainWindow

    settings = replace(staffed.settings, security=SecurityConfig(lock_after_min=lock_after_min))
    idle = type(staffed.idle)()
    window = MainWindow(
        staffed.live,
        settings,
        db_path=str(staffed.store.path),
        accounts=staffed.accounts,
        idle_clock=idle,
    )
    qtbot.addWidget(window)
    idle.t = lock_after_min * 60 - 0.5
    window.access.check()
    assert not window.access.locked
    idle.t = lock_after_min * 60
    window.access.check()
    assert window.access.locked


def test_no_full_name_in_any_tile_locked_or_not(qtbot, staffed):
    live, window = staffed.live, staffed.window
    full_names = {}
    for seat, person in live.room.by_seat():
        if person is not None:
            full_name = f"Fullname Number{seat.number} Person"
            live.rename_participant(person.id, person.alias, full_name)
            full_names[person.alias] = full_name
    raise_alarm(staffed)

    def rendered() -> str:
        window.grid.draw_frame(all_plots=True)
        window.alarm_bar.refresh()
        texts = []
        for tile in window.grid.tiles.values():
            for widget in [tile, *tile.findChildren(QWidget)]:
                texts.append(widget.toolTip())
                text = getattr(widget, "text", None)  # labels, buttons, the tile's own lines
                if callable(text):
                    texts.append(text())
        bar = window.alarm_bar.alarm_list
        texts += [bar.item(i).text() for i in range(bar.count())]
        return "\n".join(texts)

    for lock in (False, True):
        if lock:
            window.access.lock("idle")
        text = rendered()
        assert all(alias in text for alias in full_names)  # the tiles do name them
        for full_name in full_names.values():
            assert full_name not in text
            assert full_name.split()[0] not in text
