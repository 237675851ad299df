"""Every keyboard shortcut of the room, in one table, and the `?` overlay that lists them.

A facilitator in a dim room should not have to aim a mouse: seats, alarms, protocol entries
and the sharing circle are all reachable from the keyboard. The keys are defined here and
nowhere else; the windows bind them with `bind_window_keys` / `bind_widget_keys`, the buttons
name them with `with_key`, and the overlay (`?` or F1) prints this same table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from ui import theme

MAIN = "main window"
SEAT = "a seat focused"
NO_SEAT = "main window, no seat focused"
ALARM_LIST = "alarm list focused"
DISPLAY = "circle display, when it has focus"
ANYWHERE = "anywhere"
SIGNED_IN = "main window, someone signed in"


@dataclass(frozen=True)
class Shortcut:
    """One row of the table.

    Attributes:
        keys: the key sequences, in Qt's portable text ("Ctrl+N", "Shift+N", "?").
        what: what it does, in the facilitator's words.
        where: where it works (the main window, a focused seat, the circle display).
        label: how the keys are written for a person; by default the keys themselves.
    """

    keys: tuple[str, ...]
    what: str
    where: str
    label: str = ""

    @property
    def shown(self) -> str:
        return self.label or " / ".join(self.keys)


SEAT_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")

FOCUS_SEAT = Shortcut(SEAT_KEYS, "Go to seat 1 … 10 (0 is seat 10)", MAIN, "1 … 9, 0")
SEAT_MOAAS = Shortcut(("M",), "MOAA/S score for that seat", SEAT)
SEAT_BP = Shortcut(("B",), "BP (or another reading) by hand for that seat", SEAT)
SEAT_NOTE = Shortcut(("N",), "Note for that seat (care team only)", SEAT)
SEAT_ACKNOWLEDGE = Shortcut(("A",), "Acknowledge that seat's alarms", SEAT)
ALARM_ACKNOWLEDGE = Shortcut(("A",), "Acknowledge the alarm selected in the alarm list", NO_SEAT)
ALARM_RESET = Shortcut(("R",), "Reset the selected alarm once its condition has passed", MAIN)
ALARM_PAUSE_ROOM = Shortcut(("Ctrl+Shift+P",), "Pause the alarm sound for the whole room", MAIN)
ALARM_MOVE = Shortcut(("Up", "Down"), "Move through the alarm list", ALARM_LIST, "↑ ↓")
ADD_PARTICIPANT = Shortcut(("Ctrl+N",), "Add a participant on a free seat", MAIN)
CIRCLE_NEXT = Shortcut(("Shift+N",), "Circle: next speaker (after the opening: begin)", MAIN)
CIRCLE_PASS = Shortcut(("Shift+P",), "Circle: the speaker passes (speaks at the end)", MAIN)
CIRCLE_PAUSE = Shortcut(("Shift+B",), "Circle: pause or resume (the guardian bell)", MAIN)
CIRCLE_EXTEND = Shortcut(("Shift+E",), "Circle: one more minute for the speaker", MAIN)
DISPLAY_NEXT = Shortcut(("N",), "Circle: next speaker", DISPLAY)
DISPLAY_PASS = Shortcut(("P",), "Circle: the speaker passes", DISPLAY)
DISPLAY_PAUSE = Shortcut(("B",), "Circle: pause or resume", DISPLAY)
DISPLAY_EXTEND = Shortcut(("E",), "Circle: one more minute", DISPLAY)
MOVE_FOCUS = Shortcut(("Tab", "Shift+Tab"), "Next / previous control", ANYWHERE)
OPEN_MENU = Shortcut(("Space",), "Press the focused button (opens a seat's ⋯ or + menu)", ANYWHERE)
CLOSE = Shortcut(("Esc",), "Close a dialog, a menu or this list", ANYWHERE)
HELP = Shortcut(("?", "F1"), "Show or hide this list of shortcuts", MAIN)
LOCK = Shortcut(("Ctrl+L",), "Lock the screen now; when locked, go to the PIN", SIGNED_IN)

SHORTCUTS: tuple[Shortcut, ...] = (
    FOCUS_SEAT,
    SEAT_MOAAS,
    SEAT_BP,
    SEAT_NOTE,
    SEAT_ACKNOWLEDGE,
    ALARM_ACKNOWLEDGE,
    ALARM_RESET,
    ALARM_PAUSE_ROOM,
    ALARM_MOVE,
    ADD_PARTICIPANT,
    CIRCLE_NEXT,
    CIRCLE_PASS,
    CIRCLE_PAUSE,
    CIRCLE_EXTEND,
    DISPLAY_NEXT,
    DISPLAY_PASS,
    DISPLAY_PAUSE,
    DISPLAY_EXTEND,
    MOVE_FOCUS,
    OPEN_MENU,
    CLOSE,
    HELP,
    LOCK,
)


def with_key(text: str, shortcut: Shortcut) -> str:
    """A button's text or tooltip naming its key: `with_key("Next", CIRCLE_NEXT)`."""
    return f"{text} ({shortcut.shown})"


def _bind(
    parent: QWidget,
    shortcut: Shortcut,
    slot: Callable[[], object],
    context: Qt.ShortcutContext,
) -> list[QShortcut]:
    bound = []
    for key in shortcut.keys:
        # The slot gets no argument: QShortcut.activated carries none, and a lambda keeps a
        # bound method's own parameters (Circle.extend's minutes) out of the way.
        made = QShortcut(QKeySequence(key), parent)
        made.setContext(context)
        made.activated.connect(lambda slot=slot: slot())
        bound.append(made)
    return bound


def bind_window_keys(
    window: QWidget, bindings: Iterable[tuple[Shortcut, Callable[[], object]]]
) -> list[QShortcut]:
    """Bind keys that work anywhere in `window` while it is the active window.

    A text field keeps its letters and digits (it takes them before any shortcut) and a
    dialog is a window of its own, so these never fire while someone is typing.
    """
    made: list[QShortcut] = []
    for shortcut, slot in bindings:
        made += _bind(window, shortcut, slot, Qt.ShortcutContext.WindowShortcut)
    return made


def bind_seat_numbers(window: QWidget, focus_seat: Callable[[int], object]) -> list[QShortcut]:
    """`1` … `9`, `0` call `focus_seat(1)` … `focus_seat(10)` anywhere in `window`."""
    made: list[QShortcut] = []
    for number, key in enumerate(FOCUS_SEAT.keys, start=1):
        one = Shortcut((key,), FOCUS_SEAT.what, FOCUS_SEAT.where)
        made += _bind(
            window, one, lambda n=number: focus_seat(n), Qt.ShortcutContext.WindowShortcut
        )
    return made


def bind_widget_keys(
    widget: QWidget, bindings: Iterable[tuple[Shortcut, Callable[[], object]]]
) -> list[QShortcut]:
    """Bind keys that work only while the focus is on `widget` or inside it (a seat's
    tile, the circle display), so the same letter can mean different things elsewhere."""
    made: list[QShortcut] = []
    for shortcut, slot in bindings:
        made += _bind(widget, shortcut, slot, Qt.ShortcutContext.WidgetWithChildrenShortcut)
    return made


def table_html(shortcuts: Iterable[Shortcut] = SHORTCUTS) -> str:
    """The table as rich text: key, what it does, where it works."""

    def cell(text: str, style: str) -> str:
        return f"<td style='{style} padding:4px 24px 4px 0'>{escape(text, quote=False)}</td>"

    rows = "".join(
        "<tr>"
        + cell(s.shown, f"color:{theme.TEXT}; font-weight:bold;")
        + cell(s.what, "")
        + cell(s.where, f"color:{theme.TEXT_DIM};")
        + "</tr>"
        for s in shortcuts
    )
    return f"<table cellspacing='0'>{rows}</table>"


class ShortcutOverlay(QFrame):
    """The `?` overlay: the shortcut table over the room grid, until a key or a click.

    It covers its parent (the grid's scroll area) and nothing else, so the alarm bar and
    the banners above stay in sight while it is open.

    Attributes:
        table: the label holding the table.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("ShortcutOverlay")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(
            f"QFrame#ShortcutOverlay {{ background: {theme.BACKGROUND}; "
            f"border: 2px solid {theme.TILE_BORDER}; }}"
        )
        title = QLabel("Keyboard shortcuts")
        title.setStyleSheet(f"color: {theme.TEXT}; font-size: {theme.px(26)}px; font-weight: bold;")
        self.table = QLabel(table_html())
        self.table.setTextFormat(Qt.TextFormat.RichText)
        self.table.setStyleSheet(f"color: {theme.TEXT}; font-size: {theme.px(20)}px;")
        hint = QLabel("Esc, ? or F1 closes this list.")
        hint.setStyleSheet(f"color: {theme.TEXT_DIM}; font-size: {theme.px(18)}px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 24, 40, 24)
        layout.addWidget(title)
        layout.addWidget(self.table)
        layout.addStretch(1)
        layout.addWidget(hint)
        parent.installEventFilter(self)
        self.hide()

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
            return
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()
        self.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.hide()

    def focusOutEvent(self, event) -> None:  # noqa: N802 (Qt override)
        # Any other key (a seat number, Tab) moves on: the list should not linger over the room.
        self.hide()
        super().focusOutEvent(event)
