"""One seat's tile: alias and phase, the alarm line, big numerics, last BP with its age, scores,
trend and pleth, music, and what is due next.

The tile draws what the core works out (`TileReadout`, `TileAlarms`, `ProtocolReadout`); it has
no rules of its own. Its size is fixed by the grid: every line elides rather than pushing,
and the numbers are sized from the tile once per layout so they are never cut. Text is set
only when it changes and colours change by repainting, so a frame that brings nothing new
costs almost nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QToolButton, QVBoxLayout

from groupkap.alarms.model import Alarm
from groupkap.alarms.tile_alarms import TileAlarms
from groupkap.protocol.readout import ProtocolReadout
from groupkap.room.model import Participant, Seat
from groupkap.room.readout import TileReadout
from groupkap.settings import Settings
from ui import theme
from ui.protocol.ring import ObservationRing
from ui.room.alarm_line import AlarmLine
from ui.room.numerics import BloodPressure, NumericBox
from ui.room.plots import PlethPlot, TrendPlot
from ui.room.text import TileText
from ui.room.tile_alarm_signals import TileAlarmSignals
from ui.room.tile_frame import TileFrame
from ui.room.tile_layout import TileLayout
from ui.room.tile_menus import entry_menu, music_menu, tile_menu
from ui.room.tile_parts import MusicChip, sim_badge, tile_button
from ui.room.tile_vitals import TileVitals

OVERDUE = "#ffc83d"


class SeatTile(TileVitals, TileAlarmSignals, TileLayout, TileFrame):
    """The tile of one seat, with or without a participant on it. What it shows of the vital
    signs, the alarms, and how it shares its size are in `TileVitals`, `TileAlarmSignals` and
    `TileLayout`.

    Attributes:
        seat: the seat this tile stands for.
        participant: who sits there, or None for an empty seat.
        participant_id: their id, or None (for keyboard commands on the focused tile).
        readout: what the tile last drew (tests read it).
        alarms_view: the participant's alarms as the tile shows them (worst first).
        alarm: the alarm shown on the alarm line (the worst), or None.
        alarm_lit: whether the alarm light is on in this frame (it flashes by priority while
            unacknowledged; steady once acknowledged).
        alarms_off: the line saying which parameters' alarms are switched off (amber,
            shown for as long as they are off).
        boxes: the HR, SpO2 and RR numerics; bp: the BP line (`bp_value`, `bp_age`).
        alarm_line: the worst alarm, `+N`, `ACK` and the audio pause (its parts are also
            `alarm_icon`, `alarm_text`, `alarm_more`, `alarm_ack`, `status`, `pause_icon`,
            `pause_text`).
        sim_badge: `SIM` in the header while the seat's values are simulated.
        read_only: True in a replay: the tile shows, and offers no command (no menus, no
            entry or Add button, no right-click menu).
        trend, pleth: the two plots; ring: the observation ring; music_chip, entry_button,
            menu_button, add_button: the buttons, in Tab order after the tile.

    Signals:
        add_requested(int): add a participant on this (empty) seat.
        rename_requested(str): rename the participant with this id.
        reseat_requested(str): move the participant with this id to another seat.
        remove_requested(str): remove the participant with this id from the room.
        acknowledge_requested(str): acknowledge this participant's alarms.
        pause_requested(str): pause the alarm sound for this participant.
        limits_requested(str): edit this participant's alarm limits.
        protocol_requested(str, str, object): a protocol entry for a participant: action
            (`moaas`, `cadss`, `bp`, `correct`, `attest`, `adverse`, `resolve`, `note`,
            `screening`, `approve`, `readiness`, `dose`, `discharge`, `scale`) and its value
            (the MOAA/S score; None when a dialog should ask).
        music_requested(str, str): a music move for a participant: `duck`, `skip`, `hold`,
            `release`, `silence`, `resume`, `louder`, `softer`.
    """

    add_requested = Signal(int)
    acknowledge_requested = Signal(str)
    pause_requested = Signal(str)
    limits_requested = Signal(str)
    protocol_requested = Signal(str, str, object)
    music_requested = Signal(str, str)
    rename_requested = Signal(str)
    reseat_requested = Signal(str)
    remove_requested = Signal(str)

    UNITS = {"HR": "/min", "PR": "/min", "SpO2": "%", "RR": "/min"}

    def __init__(self, seat: Seat, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("SeatTile")
        self.seat = seat
        self.settings = settings
        self.participant: Participant | None = None
        self.readout = TileReadout()
        self.alarms_view = TileAlarms()
        self.alarm: Alarm | None = None
        self.alarm_lit = False
        self.protocol_readout: ProtocolReadout | None = None
        self._shown_alarms: tuple | None = None
        self._shown_bp: tuple | None = None
        self._laid_out_for = None
        self._room_for_plots = True
        self.read_only = False
        # The grid fixes the size; the content never asks for more.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        # Below this the plots would give way: the window scrolls instead.
        self.setMinimumSize(theme.px(260), theme.px(350))
        self._build(settings)
        self.watch_focus()
        self.bind(None)

    @property
    def participant_id(self) -> str | None:
        return self.participant.id if self.participant is not None else None

    # -- building -------------------------------------------------------------------
    def _build(self, settings: Settings) -> None:
        px = theme.px
        self.outer = QVBoxLayout(self)
        # Room for the 4 px alarm border and, 2 px inside it, the 3 px focus ring.
        margin = px(10)
        self.outer.setContentsMargins(margin, margin, margin, margin)
        self.outer.setSpacing(px(2))

        self.title = TileText("", px(22), bold=True)
        self.phase = TileText(
            "", px(18), colour=theme.TEXT_DIM, explanation="Route, time since T0, phase"
        )
        self.ring = ObservationRing()
        self.menu_button = tile_button(
            "⋯", "Alarms, alarm limits, rename, move or remove (or right-click the tile)"
        )
        self.menu_button.clicked.connect(self._open_menu)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.title)
        names.addWidget(self.phase)
        header = QHBoxLayout()
        header.setSpacing(px(6))
        header.addLayout(names, 1)
        self.sim_badge = sim_badge()
        header.addWidget(self.sim_badge, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.ring, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.menu_button, 0, Qt.AlignmentFlag.AlignTop)
        self.outer.addLayout(header)

        self.alarm_line = AlarmLine()
        line = self.alarm_line  # its parts by the names tests and callers know
        self.alarm_icon, self.alarm_text, self.alarm_more = line.icon, line.label, line.more
        self.alarm_ack, self.status = line.ack, line.status
        self.pause_icon, self.pause_text = line.pause_icon, line.pause_text
        self.outer.addWidget(line)
        self.alarms_off = TileText("", px(18), bold=True, colour=theme.ALARM_COLOURS["medium"])
        self.outer.addWidget(self.alarms_off)

        numerics = QHBoxLayout()
        numerics.setSpacing(px(8))
        self.boxes = [
            NumericBox(name, self.UNITS[name], theme.PARAM_COLOURS[name])
            for name in ("HR", "SpO2", "RR")
        ]
        for box in self.boxes:
            numerics.addWidget(box, 1)
        self.outer.addLayout(numerics)

        self.bp_label = TileText("BP", px(18), colour=theme.TEXT_DIM, fit=True)
        self.bp = BloodPressure()
        self.bp_value = self.bp.value
        self.bp_age = TileText("", px(18), colour=theme.TEXT_DIM)
        bp_row = QHBoxLayout()
        bp_row.setSpacing(px(6))
        bp_row.addWidget(self.bp_label)
        bp_row.addWidget(self.bp)
        bp_row.addWidget(self.bp_age, 1)
        self.outer.addLayout(bp_row)

        self.scores = TileText(
            "", px(18), explanation="Last MOAA/S and CADSS, with how long ago they were scored"
        )
        self.temperature = TileText("", px(18))
        scores_row = QHBoxLayout()
        scores_row.setSpacing(px(10))
        scores_row.addWidget(self.scores, 1)
        scores_row.addWidget(self.temperature, 1)
        self.outer.addLayout(scores_row)

        self.pleth = PlethPlot(settings.pleth_seconds)
        self.trend = TrendPlot(settings.trend_minutes)
        plots = QHBoxLayout()
        plots.setSpacing(px(4))
        plots.addWidget(self.trend.scale)
        plots.addWidget(self.trend.widget, 3)
        plots.addWidget(self.pleth.widget, 1)
        self.outer.addLayout(plots, 1)

        self.music_chip = MusicChip()
        self.entry_button = tile_button(
            "+", "Quick entry: MOAA/S, CADSS, BP or SpO2 by hand, adverse event, note, steps"
        )
        self.entry_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        music_row = QHBoxLayout()
        music_row.setSpacing(px(6))
        music_row.addWidget(self.music_chip)
        music_row.addStretch(1)
        music_row.addWidget(self.entry_button)
        self.outer.addLayout(music_row)

        # What is due next has the whole width: its end (`in 7 min`) matters most.
        self.next_due = TileText("", px(18), elide=Qt.TextElideMode.ElideMiddle)
        self.outer.addWidget(self.next_due)

        self.add_button = QPushButton("Add participant…")
        self.add_button.setToolTip("Seat a participant here")
        self.add_button.setStyleSheet(
            f"QPushButton {{ font-size: {px(18)}px; padding: {px(6)}px {px(14)}px; }}"
            f"QPushButton:focus {{ border: {px(2)}px solid {theme.FOCUS_RING}; }}"
        )
        self.add_button.clicked.connect(lambda: self.add_requested.emit(self.seat.number))
        self.outer.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignCenter)
        for hidden in (self.alarms_off, self.temperature, self.music_chip):
            hidden.hide()

    def focus_chain(self) -> list:
        """The tile, then its buttons, in the order Tab visits them."""
        return [self, self.menu_button, self.entry_button, self.music_chip, self.add_button]

    def _seated_widgets(self) -> list:
        return [
            self.phase,
            self.ring,
            self.menu_button,
            *self.boxes,
            self.bp_label,
            self.bp,
            self.bp_age,
            self.scores,
            self.next_due,
            self.entry_button,
        ]

    # -- who sits here ------------------------------------------------------------
    def bind(self, participant: Participant | None) -> None:
        """Show `participant` on this seat (None: the seat is empty)."""
        self.participant = participant
        empty = participant is None
        self.setProperty("empty", "true" if empty else "false")
        self.style().unpolish(self)
        self.style().polish(self)
        if empty:
            self.title.setText(f"{self.seat.number} · empty")
            self.status.setText("")
            self.readout = TileReadout()
            self.temperature.setText("")
            self.show_alarms((), None, 0.0)
            self.show_alarms_off({})
            self.show_protocol(None)
            self.music_chip.set_chip("")
            self.music_chip.setMenu(None)
        else:
            self.title.setText(f"{self.seat.number} · {participant.alias}")
            self.entry_button.setMenu(
                entry_menu(self, lambda a, v: self.protocol_requested.emit(participant.id, a, v))
            )
            self.music_chip.setMenu(
                music_menu(self, lambda m: self.music_requested.emit(participant.id, m))
            )
        self.add_button.setVisible(empty)
        for widget in self._seated_widgets():
            widget.setVisible(not empty)
        self.music_chip.setVisible(not empty and bool(self.music_chip.full_text))
        self.temperature.setVisible(not empty and bool(self.temperature.text()))
        if self.read_only:  # a replay: what was, with nothing to press
            for button in (self.menu_button, self.entry_button, self.add_button):
                button.hide()
            self.entry_button.setMenu(None)
            self.music_chip.setMenu(None)
        self._show_plots()

    def set_read_only(self, read_only: bool) -> None:
        """Show without commands (a replay) or with them (the live room)."""
        self.read_only = read_only
        self.bind(self.participant)

    def set_simulated(self, simulated: bool) -> None:
        """Mark this seat's values as simulated (`SIM` in the header) or not."""
        if self.sim_badge.isHidden() == simulated:
            self.sim_badge.setVisible(simulated)

    # -- protocol and music -----------------------------------------------------------
    def show_protocol(self, readout: ProtocolReadout | None) -> None:
        """Phase and time since T0 under the alias; next due item and observation ring."""
        if readout == self.protocol_readout:
            return
        overdue_before = bool(self.protocol_readout and self.protocol_readout.overdue)
        self.protocol_readout = readout
        self.phase.setText(readout.header if readout else "")
        self.next_due.setText(readout.next_due if readout else "")
        self.scores.setText(readout.scores if readout else "")
        overdue = bool(readout and readout.overdue)
        if overdue != overdue_before:  # a font change only when the state changes
            self.next_due.set_font_size(theme.px(18), bold=overdue)
        self.next_due.set_colour(OVERDUE if overdue else theme.TEXT)
        self.ring.set_fraction(readout.observed if readout else 0.0)

    def show_music(self, chip: str) -> None:
        """The music chip: piece, phase and state (`♪ Slow Tide · peak · ducked`)."""
        if chip != self.music_chip.full_text:
            self.music_chip.set_chip(chip)
            self.music_chip.setVisible(bool(chip) and self.participant is not None)

    # -- layout ---------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._lay_out()
        super().resizeEvent(event)

    # -- commands -----------------------------------------------------------------
    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.participant is not None and not self.read_only:
            where = event.globalPos()
            if event.reason() == event.Reason.Keyboard:
                where = self.mapToGlobal(self.rect().center())
            tile_menu(self).exec(where)

    def _open_menu(self) -> None:
        if self.participant is not None and not self.read_only:
            where = self.menu_button.mapToGlobal(self.menu_button.rect().bottomLeft())
            tile_menu(self).exec(where)
