"""The alarm bar: every active alarm in the room, most urgent first, with its actions.

Acknowledge, reset and audio pause are reachable from the keyboard (A, R, Ctrl+Shift+P, bound
by the main window from ui/shortcuts.py; arrows move through the list), because a
facilitator in a dark room should not have to aim a mouse.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyledItemDelegate,
    QWidget,
)

from groupkap.alarms.engine import ROOM, AlarmEngine
from groupkap.errors import GroupKapError
from groupkap.room.model import Room
from groupkap.room.readout import format_age
from ui import shortcuts, theme
from ui.alarms.icons import crossed_bell


class _KeepPriorityColour(QStyledItemDelegate):
    """A selected row keeps its priority colour instead of the selection's text colour."""

    def initStyleOption(self, option, index) -> None:  # noqa: N802 (Qt override)
        super().initStyleOption(option, index)
        brush = index.data(Qt.ItemDataRole.ForegroundRole)
        if brush is not None:
            option.palette.setColor(QPalette.ColorRole.HighlightedText, brush.color())


class AlarmBar(QWidget):
    """The list of active alarms and the buttons that act on them.

    Attributes:
        engine: the alarm engine it shows and commands.
        alarm_list: one row per alarm, highest priority then oldest first.

    Signals:
        action_failed(str): an action was refused (the text says why).
    """

    action_failed = Signal(str)

    def __init__(
        self, engine: AlarmEngine, room: Room, actor: Callable[[], str], parent=None
    ) -> None:
        super().__init__(parent)
        self.engine, self.room, self._actor = engine, room, actor
        self._shown: list[tuple] = []
        self.alarm_list = QListWidget()
        self.alarm_list.setMaximumHeight(theme.px(4 * 27))  # four 18 px bold rows, then it scrolls
        self.alarm_list.setToolTip(
            "Every active alarm, most urgent first; arrows choose one, A acknowledges, R resets"
        )
        self.alarm_list.setItemDelegate(_KeepPriorityColour(self.alarm_list))
        ring = theme.px(theme.FOCUS_WIDTH)
        self.alarm_list.setStyleSheet(
            f"QListWidget {{ background: {theme.LIST_BACKGROUND}; "
            f"border: 1px solid {theme.CONTROL_BORDER}; padding: {ring - 1}px; "
            f"font-size: {theme.px(theme.MIN_READABLE_PX)}px; font-weight: bold; }}"
            f"QListWidget:focus {{ border: {ring}px solid {theme.FOCUS_RING}; "
            "padding: 0; }"
            # A quiet selection: a light edge, not a glaring block that hides the colour.
            f"QListWidget::item:selected {{ background: {theme.LIST_SELECTED}; "
            f"border-left: 4px solid {theme.TEXT}; }}"
        )
        self.summary = QLabel("No active alarms")
        self.summary.setStyleSheet(
            f"color: {theme.TEXT}; font-size: {theme.px(theme.MIN_READABLE_PX)}px;"
        )
        self.ack_button = QPushButton(
            shortcuts.with_key("Acknowledge", shortcuts.ALARM_ACKNOWLEDGE)
        )
        self.ack_button.setToolTip(
            "Acknowledge the chosen alarm: its sound stops, it stays listed until it clears"
        )
        self.reset_button = QPushButton(shortcuts.with_key("Reset", shortcuts.ALARM_RESET))
        self.reset_button.setToolTip("Clear a latched alarm whose condition has ended")
        self.pause_button = QPushButton(
            shortcuts.with_key("Pause audio, room", shortcuts.ALARM_PAUSE_ROOM)
        )
        self.pause_button.setToolTip(
            "Silence every alarm sound in the room for a while; the screen keeps showing them"
        )
        self.pause_button.setIcon(crossed_bell(theme.px(18), theme.TEXT))
        self.pause_label = QLabel("")
        self.pause_label.setStyleSheet(
            f"color: {theme.WARNING_TEXT}; font-size: {theme.px(theme.MIN_READABLE_PX)}px;"
        )
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.reset_button.clicked.connect(self.reset_selected)
        self.pause_button.clicked.connect(self.pause_room)
        # Their keys (A, R, Ctrl+Shift+P) live in ui/shortcuts.py and are bound by the main
        # window, where A acknowledges a focused seat's alarms instead of the selected one.

        # Three short rows beside the list, so larger text does not make the bar taller.
        buttons = QGridLayout()
        buttons.addWidget(self.summary, 0, 0)
        buttons.addWidget(self.pause_label, 0, 1)
        buttons.addWidget(self.ack_button, 1, 0)
        buttons.addWidget(self.reset_button, 1, 1)
        buttons.addWidget(self.pause_button, 2, 0, 1, 2)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        layout.addWidget(self.alarm_list, 1)
        layout.addLayout(buttons)

    # -- drawing --------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw from the engine; cheap when nothing changed (called every frame)."""
        now = self.engine.clock.now()
        rows = [
            (a.id, a.priority, a.label, a.acknowledged, format_age(now - a.raised_at))
            for a in self.engine.active()
        ]
        if rows != self._shown:
            if [r[:4] for r in rows] == [r[:4] for r in self._shown]:
                self._retext(rows)  # only ages moved on: no rebuild, the selection stays
            else:
                self._rebuild(rows)
        left = self.engine.pause_remaining()
        self.pause_label.setText(
            "" if left is None else f"room audio paused {int(left // 60)}:{int(left % 60):02d}"
        )

    def _row_text(self, alarm_id: str, label: str, acked: bool, age: str) -> str:
        alarm = self.engine.alarms[alarm_id]
        person = self.room.participants.get(alarm.participant_id)
        who = (
            f"{alarm.seat} · {person.alias}"
            if person
            else "the room"
            if alarm.participant_id == ROOM
            else f"seat {alarm.seat}"
        )
        state = " · acknowledged" if acked else ""
        return f"{label}   —   {who}   ({age}{state})"

    def _retext(self, rows: list[tuple]) -> None:
        """The same alarms in the same order, older: change the rows' text where the age
        shown changed (a rebuild every second would cost a frame at high demo speeds)."""
        for row, (old, new) in enumerate(zip(self._shown, rows, strict=True)):
            if old != new:
                alarm_id, _priority, label, acked, age = new
                self.alarm_list.item(row).setText(self._row_text(alarm_id, label, acked, age))
        self._shown = rows

    def _rebuild(self, rows: list[tuple]) -> None:
        selected = self.selected_id()
        self._shown = rows
        self.alarm_list.clear()
        for alarm_id, priority, label, acked, age in rows:
            item = QListWidgetItem(self._row_text(alarm_id, label, acked, age))
            item.setData(Qt.ItemDataRole.UserRole, alarm_id)
            item.setForeground(QColor(theme.ALARM_COLOURS[priority]))
            self.alarm_list.addItem(item)
            if alarm_id == selected:
                self.alarm_list.setCurrentItem(item)
        if self.alarm_list.currentRow() < 0 and rows:
            self.alarm_list.setCurrentRow(0)
        self.summary.setText(
            f"{len(rows)} active alarm{'s' * (len(rows) != 1)}" if rows else "No active alarms"
        )

    def selected_id(self) -> str | None:
        item = self.alarm_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    # -- actions --------------------------------------------------------------------
    def _act(self, action: Callable[[], object]) -> None:
        try:
            action()
        except GroupKapError as exc:
            self.action_failed.emit(str(exc))
        self.refresh()

    def acknowledge_selected(self) -> None:
        alarm_id = self.selected_id()
        if alarm_id:
            self._act(lambda: self.engine.acknowledge(alarm_id, self._actor()))

    def reset_selected(self) -> None:
        alarm_id = self.selected_id()
        if alarm_id:
            self._act(lambda: self.engine.reset(alarm_id, self._actor()))

    def pause_room(self) -> None:
        self._act(lambda: self.engine.pause_audio(self._actor()))
