"""Keyboard first (pytest-qt): seat numbers, seat keys, the one A, the `?` list, tooltips and
the Tab order, on a real window over a real session and alarm engine."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLineEdit,
    QToolBar,
    QWidget,
    QWidgetAction,
)

from ui import shortcuts
from ui.dialogs import CommandDialog


def shown_dialogs(window) -> list[CommandDialog]:
    return [d for d in window.findChildren(CommandDialog) if d.isVisible()]


def press(qtbot, window, key: str, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """One key press as a keyboard sends it: to the widget with the focus, else the window.

    (Sent to the window itself, QTest would ask the window, not a focused text field,
    whether it wants the key before any shortcut.)"""
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, QKeySequence(key)[0].key(), modifier)


@pytest.fixture
def active(qtbot, room):
    """The 4-seat room window, active, so its shortcuts are live."""
    live, window = room
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return live, window


@pytest.fixture
def active10(qtbot, window):
    window.resize(1920, 1080)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def test_the_number_keys_go_to_seats_1_to_10(qtbot, active10):
    window = active10
    for key, seat in (("1", 1), ("3", 3), ("9", 9), ("0", 10), ("5", 5)):
        press(qtbot, window, key)
        assert window.seat_keys.focused_seat() is window.grid.tiles[seat]
        assert QApplication.focusWidget() is window.grid.tiles[seat]


def test_a_number_beyond_the_room_changes_nothing(qtbot, active):
    _live, window = active
    press(qtbot, window, "2")
    press(qtbot, window, "7")  # a 4-seat room has no seat 7
    assert window.seat_keys.focused_seat() is window.grid.tiles[2]


@pytest.mark.parametrize(
    ("key", "title"),
    [("M", "MOAA/S"), ("B", "Reading by hand"), ("N", "Note")],
)
def test_seat_keys_open_the_entry_for_the_focused_seat(qtbot, active, key, title):
    live, window = active
    press(qtbot, window, "3")
    press(qtbot, window, key)
    [dialog] = shown_dialogs(window)
    assert dialog.windowTitle() == f"{title} · {live.room.on_seat(3).alias}"


def moaas(live) -> dict[str, list[int]]:
    """Every MOAA/S recorded, by participant."""
    scores = {}
    for pid in live.room.participants:
        mine = [e.value for e in live.protocol.of(pid).scores if e.check == "MOAA/S"]
        if mine:
            scores[pid] = mine
    return scores


def test_m_asks_for_the_score_and_records_it_for_that_participant(qtbot, active):
    live, window = active
    pid = live.room.on_seat(2).id
    press(qtbot, window, "2")
    press(qtbot, window, "M")
    [dialog] = shown_dialogs(window)
    [score] = dialog.fields.values()
    dialog.try_accept()  # nothing chosen: refused, stays open, nothing recorded
    assert "choose the MOAA/S score" in dialog.error.text() and dialog.isVisible()
    assert moaas(live) == {}
    score.setCurrentText("3")
    dialog.try_accept()
    assert not dialog.isVisible()
    assert moaas(live) == {pid: [3]}


def test_a_acknowledges_exactly_the_focused_seats_alarms(qtbot, active):
    live, window = active
    engine = live.alarms
    one, two = live.room.on_seat(1), live.room.on_seat(2)
    engine.raise_technical(one.id, "CHECK_OVERDUE", "high", "BP check overdue", seat=1)
    engine.raise_technical(two.id, "CHECK_OVERDUE", "medium", "BP check overdue", seat=2)
    engine.raise_technical(two.id, "LEAD_OFF", "low", "SpO2 probe off", seat=2)
    window.alarm_bar.refresh()  # the list selects seat 1's high alarm, the most urgent
    press(qtbot, window, "2")
    press(qtbot, window, "A")
    acked = {(a.participant_id, a.label) for a in engine.active() if a.acknowledged}
    assert acked == {(two.id, a.label) for a in engine.active() if a.participant_id == two.id}
    assert len(acked) == 2
    assert not any(a.acknowledged for a in engine.active() if a.participant_id == one.id)


def test_without_a_focused_seat_a_is_the_alarm_lists_and_m_b_n_do_nothing(qtbot, active):
    live, window = active
    engine = live.alarms
    one, two = live.room.on_seat(1), live.room.on_seat(2)
    engine.raise_technical(one.id, "CHECK_OVERDUE", "high", "BP check overdue", seat=1)
    engine.raise_technical(two.id, "CHECK_OVERDUE", "medium", "BP check overdue", seat=2)
    window.alarm_bar.refresh()
    window.alarm_bar.alarm_list.setFocus()
    for key in ("M", "B", "N"):
        press(qtbot, window, key)
    assert shown_dialogs(window) == []
    press(qtbot, window, "A")  # the selected alarm: seat 1's, the most urgent
    assert [a.participant_id for a in engine.active() if a.acknowledged] == [one.id]


def test_keys_do_nothing_while_a_text_field_has_the_focus(qtbot, active):
    live, window = active
    engine = live.alarms
    engine.raise_technical(live.room.on_seat(1).id, "CHECK_OVERDUE", "high", "overdue", seat=1)
    window.alarm_bar.refresh()
    field = QLineEdit()
    window.statusBar().addWidget(field)
    field.show()
    field.setFocus()
    assert QApplication.focusWidget() is field
    for key in ("1", "M", "A", "N"):
        press(qtbot, window, key)
    assert QApplication.focusWidget() is field and field.text() == "1man"
    assert shown_dialogs(window) == [] and not any(a.acknowledged for a in engine.active())


def test_keys_do_nothing_while_a_dialog_is_open(qtbot, active):
    live, window = active
    press(qtbot, window, "1")
    press(qtbot, window, "N")
    [note] = shown_dialogs(window)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is note)
    press(qtbot, window, "2")
    press(qtbot, window, "B")
    assert shown_dialogs(window) == [note]
    assert window.seat_keys.focused_seat() is None  # the focus is in the dialog, not on seat 2


def test_the_overlay_lists_every_shortcut_and_leaves_the_alarms_in_sight(qtbot, active):
    _live, window = active
    overlay = window.shortcut_overlay
    assert overlay.isHidden()
    press(qtbot, window, "?")
    assert overlay.isVisible()
    text = overlay.table.text()
    for s in shortcuts.SHORTCUTS:
        assert s.what in text and s.shown in text.replace("&amp;", "&")
    bar = window.alarm_bar
    assert not _global(overlay).intersects(_global(bar))
    qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    assert overlay.isHidden()
    press(qtbot, window, "F1")
    assert overlay.isVisible()
    press(qtbot, window, "?")
    assert overlay.isHidden()


def _global(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size())


def _bound_keys(window) -> dict[str, list[QShortcut | QAction]]:
    """Every key sequence bound in the window, by the portable text of the key."""
    bound: dict[str, list] = {}
    for s in window.findChildren(QShortcut):
        bound.setdefault(s.key().toString(), []).append(s)
    for a in window.findChildren(QAction):
        for key in a.shortcuts():
            bound.setdefault(key.toString(), []).append(a)
    return bound


def test_every_key_in_the_table_is_bound_and_no_key_twice_in_one_place(qtbot, room, settings):
    _live, window = room
    bound = _bound_keys(window)
    for s in shortcuts.SHORTCUTS:
        if s.where in (shortcuts.MAIN, shortcuts.SEAT, shortcuts.NO_SEAT):
            for key in s.keys:
                assert QKeySequence(key).toString() in bound, f"{key} ({s.what}) is not bound"
    # A window-wide key bound twice would be ambiguous, and Qt would then do neither.
    window_wide = [
        s.key().toString()
        for s in window.findChildren(QShortcut)
        if s.context() == Qt.ShortcutContext.WindowShortcut
    ] + [k.toString() for a in window.findChildren(QAction) for k in a.shortcuts()]
    assert len(window_wide) == len(set(window_wide))
    seat_keys = {
        s.key().toString()
        for s in window.grid.tiles[1].findChildren(QShortcut)
        if s.context() == Qt.ShortcutContext.WidgetWithChildrenShortcut
    }
    assert seat_keys == {"M", "B", "N"} and not seat_keys & set(window_wide)


def _self_explanatory(text: str) -> bool:
    """Two words or more say what a control does ("Add participant"); "+" or "About" do not."""
    words = [
        w for w in text.replace("&", "").replace("…", "").split() if any(c.isalpha() for c in w)
    ]
    return len(words) >= 2


def test_every_control_says_what_it_does(qtbot, circle_window):
    window = circle_window
    missing = []
    for button in window.findChildren(QAbstractButton):
        if button.objectName().startswith("qt_"):  # Qt's own (toolbar extension, dock)
            continue
        if not button.toolTip().strip() and not _self_explanatory(button.text()):
            missing.append(f"button {button.text()!r}")
    for action in window.findChildren(QAction):
        # An action is a control where a toolbar shows it; a menu entry reads as a sentence
        # where it stands, and a button carrying a menu is checked as a button above.
        shown = any(isinstance(w, QToolBar) for w in action.associatedObjects())
        if not shown or isinstance(action, QWidgetAction):  # a label on the toolbar
            continue
        plain = action.text().replace("&", "").replace("…", "").strip()
        explicit = action.toolTip().replace("…", "").strip() not in ("", plain)
        if not explicit and not _self_explanatory(action.text()):
            missing.append(f"action {action.text()!r}")
    assert missing == []


@pytest.fixture
def circle_window(qtbot, qapp, clock, settings, store, new_session):
    """A 6-seat window with alarms and a protocol and a running circle (its controls count)."""
    from groupkap.alarms.engine import AlarmEngine
    from groupkap.alarms.limits import default_limits
    from groupkap.circle.circle import Circle
    from groupkap.protocol.group import Protocol
    from ui.circle.circle_view import CircleView
    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    apply_theme(qapp)
    live = new_session(6)
    live.watch_with(AlarmEngine(clock, default_limits(), live.record_event))
    live.follow_protocol(Protocol(clock, live.record_event, alarms=live.alarms))
    window = MainWindow(live, settings, db_path=str(store.path), open_circle=CircleView)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    people = [(p.id, p.alias, p.seat) for _, p in live.room.by_seat() if p]
    circle = Circle(clock, people, total_s=1800, record=live.record_event)
    circle.start()
    window.circle_started(circle)
    return window


def _tab_until(qtbot, window, target, limit=200) -> tuple[int, list[QWidget]]:
    """Tab presses from the current focus until `target` has it, and the stops passed."""
    stops = []
    while QApplication.focusWidget() is not target and len(stops) < limit:
        qtbot.keyClick(window, Qt.Key.Key_Tab)
        stops.append(QApplication.focusWidget())
    return len(stops), stops


def test_the_plots_never_take_the_focus_and_seat_10s_plus_is_near(qtbot, active10):
    window = active10
    target = window.grid.tiles[10].entry_button
    press(qtbot, window, "1")
    presses, stops = _tab_until(qtbot, window, target)
    # pyqtgraph's plots are QGraphicsViews: a stop on one is a stop the facilitator wastes.
    assert [
        type(w).__name__
        for w in stops
        if "Plot" in type(w).__name__ or "Graphics" in type(w).__name__
    ] == []
    assert presses <= 3 * 10  # the tile, its ⋯ and its + — the issue counted 54 from the top
    press(qtbot, window, "0")
    presses, _ = _tab_until(qtbot, window, target)
    assert presses <= 3
