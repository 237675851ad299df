"""The alarm bar: every active alarm in the room, most urgent first, with its actions.

Acknowledge, reset and audio pause are reachable from the keyboard (A, R, P; arrows move
through the list), because a facilitator in a dark room should not have to aim a mouse.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from groupkap.alarms.engine import ROOM, AlarmEngine
from groupkap.errors import GroupKapError
from groupkap.room.model import Room
from groupkap.room.readout import format_age
from ui import theme
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
        self.alarm_list.setMaximumHeight(96)
        self.alarm_list.setItemDelegate(_KeepPriorityColour(self.alarm_list))
        self.alarm_list.setStyleSheet(
            f"QListWidget {{ background: #101216; border: 1px solid {theme.TILE_BORDER}; "
            "font-size: 16px; font-weight: bold; }"
            # A quiet selection: a light edge, not a glaring block that hides the colour.
            "QListWidget::item:selected { background: #1c222b; border-left: 4px solid "
            f"{theme.TEXT}; }}"
        )
        self.summary = QLabel("No active alarms")
        self.summary.setStyleSheet(f"color: {theme.TEXT_DIM}; font-size: 14px;")
        self.ack_button = QPushButton("Acknowledge (A)")
        self.reset_button = QPushButton("Reset (R)")
        self.pause_button = QPushButton("Pause audio, room (Ctrl+Shift+P)")
        self.pause_button.setIcon(crossed_bell(18, theme.TEXT))
        self.pause_label = QLabel("")
        self.pause_label.setStyleSheet(f"color: {theme.TEXT}; font-size: 15px;")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.reset_button.clicked.connect(self.reset_selected)
        self.pause_button.clicked.connect(self.pause_room)
        for key, slot in (
            ("A", self.acknowledge_selected),
            ("R", self.reset_selected),
            ("Ctrl+Shift+P", self.pause_room),
        ):  # plain P is the circle's pass
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

        buttons = QVBoxLayout()
        buttons.addWidget(self.summary)
        for w in (self.ack_button, self.reset_button, self.pause_button, self.pause_label):
            buttons.addWidget(w)
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
            selected = self.selected_id()
            self._shown = rows
            self.alarm_list.clear()
            for alarm_id, priority, label, acked, age in rows:
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
                item = QListWidgetItem(f"{label}   —   {who}   ({age}{state})")
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
        left = self.engine.pause_remaining()
        self.pause_label.setText(
            "" if left is None else f"room audio paused {int(left // 60)}:{int(left % 60):02d}"
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
