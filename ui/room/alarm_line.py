"""The tile's alarm line: the worst alarm of the participant, how many more, ACK, the audio
pause, or (with no alarm) why the seat is quiet.

Colour is never the only cue: the `***`/`**`/`*` prefix and a triangle with as many marks
say the priority too. Every alarm is reachable from here: the others are counted (`+2`) and
listed in the tooltip.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from groupkap.alarms.tile_alarms import TileAlarms
from ui import theme
from ui.alarms.icons import alarm_triangle, crossed_bell
from ui.room.text import TileText
from ui.room.tile_menus import alarm_lines


class AlarmLine(QWidget):
    """One line of alarm state on a tile.

    Attributes:
        icon, label, more, ack: the worst alarm's triangle and label, `+N`, `ACK`.
        status: why the seat is quiet (`no data 15 s`), shown while no alarm is.
        pause_icon, pause_text: the crossed bell and the time left of an audio pause.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        px = theme.px
        self.icon = QLabel()
        self.icon.setFixedSize(px(22), px(22))
        self._icons = {
            name: alarm_triangle(px(22), theme.ALARM_COLOURS[name], marks)
            for name, marks in (("high", 3), ("medium", 2), ("low", 1))
        }
        self.label = TileText("", px(18), bold=True)
        self.more = TileText("", px(18), bold=True, fit=True)
        self.ack = TileText("ACK", px(18), bold=True, colour=theme.TEXT, fit=True)
        self.ack.set_explanation("Acknowledged: someone is on it")
        self.status = TileText("", px(18), bold=True)
        self.pause_icon = QLabel()
        self.pause_icon.setPixmap(crossed_bell(px(22), theme.TEXT))
        self.pause_icon.setToolTip("Alarm sound paused")
        self.pause_text = TileText("", px(18), bold=True, fit=True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(px(4))
        for widget, stretch in (
            (self.icon, 0),
            (self.label, 3),
            (self.more, 0),
            (self.ack, 0),
            (self.status, 1),
            (self.pause_icon, 0),
            (self.pause_text, 0),
        ):
            row.addWidget(widget, stretch)
        for hidden in (self.label, self.more, self.ack, self.pause_icon, self.pause_text):
            hidden.hide()
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(max(self.label.height(), self.icon.height()))
        self._pause: str | None = None

    def show_alarms(self, view: TileAlarms) -> None:
        """Draw `view` (the caller calls this only when the alarms changed)."""
        worst = view.worst
        everything = "\n".join(alarm_lines(view))
        if worst is None:
            self.label.setText("")
            self.icon.clear()
        else:
            self.label.setText(worst.label)
            self.label.set_colour(theme.ALARM_COLOURS[worst.priority])
            self.icon.setPixmap(self._icons[worst.priority])
        self.label.set_explanation(everything if view.others else "")
        self.icon.setToolTip(everything)
        self.more.setText(view.more)
        self.more.set_explanation("\n".join(alarm_lines(view)[1:]))
        self.more.setVisible(bool(view.more))
        self.ack.setVisible(view.acknowledged)
        self.label.setVisible(worst is not None)
        self.status.setVisible(worst is None)

    def show_pause(self, pause_left: float | None) -> None:
        """The crossed bell and `1:15` while the sound is paused for this participant."""
        pause = (
            None if pause_left is None else f"{int(pause_left // 60)}:{int(pause_left % 60):02d}"
        )
        if pause != self._pause:
            self._pause = pause
            self.pause_icon.setVisible(pause is not None)
            self.pause_text.setText(pause or "")
            self.pause_text.setVisible(pause is not None)
