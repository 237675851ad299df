"""One seat's tile: alias, big numerics, last BP with its age, pleth and trend.

The tile draws a `TileReadout` the core works out; it has no rules of its own. Text is set
only when it changes, so a frame that brings nothing new costs almost nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
)

from groupkap.alarms.model import Alarm, flash_on
from groupkap.protocol.readout import ProtocolReadout
from groupkap.room.buffers import SeatVitals
from groupkap.room.model import Participant, Seat
from groupkap.room.readout import TileReadout, tile_readout
from groupkap.settings import Settings
from ui import theme
from ui.alarms.icons import alarm_triangle, crossed_bell
from ui.protocol.ring import ObservationRing
from ui.room.plots import TREND_PARAMS, PlethPlot, TrendPlot


def _style(label: QLabel, colour: str, size: int, bold: bool = False) -> None:
    # The size goes in the label's own style sheet: the window's sheet would override a QFont.
    label.setStyleSheet(
        f"color: {colour}; font-size: {size}px; font-weight: {'bold' if bold else 'normal'};"
    )


def _label(
    text: str = "",
    size: int = 13,
    bold: bool = False,
    colour: str = theme.TEXT,
    align=Qt.AlignmentFlag.AlignLeft,
) -> QLabel:
    label = QLabel(text)
    _style(label, colour, size, bold)
    label.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    return label


class _NumericBox:
    """A small label over a large number, greyed when stale."""

    def __init__(self, label: str, unit: str, colour: str) -> None:
        self.colour = colour
        self.name = _label(f"{label} <span style='color:{theme.TEXT_DIM}'>{unit}</span>", 14)
        self.size = 52
        self.value = _label("--", self.size, bold=True, colour=colour)
        self._shown: tuple[str, bool] | None = None
        self._stale = False

    def set_size(self, size: int) -> None:
        if size != self.size:
            self.size = size
            _style(self.value, theme.STALE if self._stale else self.colour, size, bold=True)

    def show(self, label: str, text: str, stale: bool, unit: str) -> None:
        if self._shown == (label + text, stale):
            return
        self._shown = (label + text, stale)
        self.name.setText(f"{label} <span style='color:{theme.TEXT_DIM}'>{unit}</span>")
        self.value.setText(text)
        if stale != self._stale:  # restyling costs far more than setText: only on change
            self._stale = stale
            _style(self.value, theme.STALE if stale else self.colour, self.size, bold=True)


class SeatTile(QFrame):
    """The tile of one seat, with or without a participant on it.

    Attributes:
        seat: the seat this tile stands for.
        participant: who sits there, or None for an empty seat.
        readout: what the tile last drew (tests read it).
        alarm: the participant's most urgent alarm, or None.
        alarm_lit: whether the alarm light is on in this frame (it flashes by priority).
        alarms_off: the line saying which parameters' alarms are switched off (amber,
            shown for as long as they are off).

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
            `screening`, `approve`,
            `readiness`, `dose`, `discharge`, `scale`) and its value (the MOAA/S score; None
            when a dialog should ask).
        music_requested(str, str): a music move for a participant: `duck`, `skip`, `hold`,
            `release`, `silence`, `resume`.
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
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(300, 400)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        outer.setSpacing(4)

        header = QHBoxLayout()
        self.title = _label("", 22, bold=True)
        self.status = _label("", 15, bold=True, align=Qt.AlignmentFlag.AlignRight)
        self.menu_button = QToolButton()
        self.menu_button.setText("⋯")
        self.menu_button.setToolTip("Rename, move or remove this participant")
        self.menu_button.clicked.connect(self._open_menu)
        self.phase = _label("", 13, colour=theme.TEXT_DIM, align=Qt.AlignmentFlag.AlignRight)
        self.phase.setMinimumWidth(0)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.phase)
        header.addWidget(self.menu_button)
        outer.addLayout(header)

        alarm_row = QHBoxLayout()
        self.alarm_icon = QLabel()
        self.alarm_text = _label("", 18, bold=True)
        self.pause_icon = QLabel()
        self.pause_icon.setPixmap(crossed_bell(22, theme.TEXT))
        self.pause_icon.setToolTip("Alarm sound paused")
        self.pause_text = _label("", 16, bold=True)
        alarm_row.addWidget(self.alarm_icon)
        alarm_row.addWidget(self.alarm_text, 1)
        alarm_row.addWidget(self.status)
        alarm_row.addWidget(self.pause_icon)
        alarm_row.addWidget(self.pause_text)
        outer.addLayout(alarm_row)
        self.alarms_off = _label("", 15, bold=True, colour=theme.ALARM_COLOURS["medium"])
        self.alarms_off.hide()
        outer.addWidget(self.alarms_off)
        self.alarm: Alarm | None = None
        self.alarm_lit = False
        self._shown_alarm: tuple | None = None
        self._shown_pause: str | None = None
        self._icons = {
            name: alarm_triangle(22, theme.ALARM_COLOURS[name], marks)
            for name, marks in (("high", 3), ("medium", 2), ("low", 1))
        }
        self.pause_icon.hide()

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(0)
        self.boxes = [
            _NumericBox("HR", "/min", theme.PARAM_COLOURS["HR"]),
            _NumericBox("SpO2", "%", theme.PARAM_COLOURS["SpO2"]),
            _NumericBox("RR", "/min", theme.PARAM_COLOURS["RR"]),
        ]
        for col, box in enumerate(self.boxes):
            grid.addWidget(box.name, 0, col)
            grid.addWidget(box.value, 1, col)
        outer.addLayout(grid)

        bp_row = QHBoxLayout()
        self.bp_label = _label("BP", 13, colour=theme.TEXT_DIM)
        self.bp_size = 28
        self.bp_value = _label("--/--", self.bp_size, bold=True, colour=theme.PARAM_COLOURS["SBP"])
        self.bp_age = _label("", 16, colour=theme.TEXT_DIM)
        bp_row.addWidget(self.bp_label)
        bp_row.addWidget(self.bp_value)
        bp_row.addWidget(self.bp_age, 1)
        outer.addLayout(bp_row)
        self.temperature = _label("", 15, colour=theme.TEXT)
        outer.addWidget(self.temperature)
        self.temperature.hide()
        self.scores = _label("", 15, colour=theme.TEXT)
        self.scores.setToolTip("Last MOAA/S and CADSS, with how long ago they were scored")
        outer.addWidget(self.scores)

        self.pleth = PlethPlot(settings.pleth_seconds)
        outer.addWidget(self.pleth.widget, 3)
        legend = " ".join(
            f"<span style='color:{theme.PARAM_COLOURS[p]}'>{p}</span>" for p in TREND_PARAMS
        )
        self.trend_caption = _label(
            f"trend {settings.trend_minutes:.0f} min · {legend}", 12, colour=theme.TEXT_DIM
        )
        outer.addWidget(self.trend_caption)
        self.trend = TrendPlot(settings.trend_minutes)
        outer.addWidget(self.trend.widget, 2)

        self.music_chip = QToolButton()
        self.music_chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.music_chip.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.music_chip.setToolTip("Music: duck, skip, hold, fade to silence")
        self.music_chip.setStyleSheet(
            f"QToolButton {{ color: {theme.TEXT_DIM}; border: 0; font-size: 14px; "
            "text-align: left; padding: 0; } QToolButton::menu-indicator { image: none; }"
        )
        self.music_chip.hide()
        outer.addWidget(self.music_chip, 0, Qt.AlignmentFlag.AlignLeft)

        bottom = QHBoxLayout()
        self.next_due = _label("", 15, colour=theme.TEXT)
        self.entry_button = QToolButton()
        self.entry_button.setText("+")
        self.entry_button.setToolTip("Quick entry: MOAA/S, CADSS, BP, adverse event, note")
        self.entry_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.ring = ObservationRing()
        bottom.addWidget(self.next_due, 1)
        bottom.addWidget(self.entry_button)
        bottom.addWidget(self.ring)
        outer.addLayout(bottom)
        self.protocol_readout: ProtocolReadout | None = None

        self.add_button = QPushButton("Add participant…")
        self.add_button.clicked.connect(lambda: self.add_requested.emit(self.seat.number))
        outer.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignCenter)
        self._shown_bp: tuple | None = None
        self.bind(None)

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
            self.temperature.hide()
            self.show_alarm(None, None, 0.0)
            self.show_alarms_off({})
            self.show_protocol(None)
            self.music_chip.setText("")
            self.music_chip.setMenu(None)
            self.music_chip.hide()
        else:
            self.title.setText(f"{self.seat.number} · {participant.alias}")
            self.entry_button.setMenu(self._entry_menu(participant.id))
            self.music_chip.setMenu(self._music_menu(participant.id))
        self.add_button.setVisible(empty)
        self.menu_button.setVisible(not empty)
        for w in (
            self.pleth.widget,
            self.trend.widget,
            self.trend_caption,
            self.bp_label,
            self.bp_value,
            self.bp_age,
            self.next_due,
            self.entry_button,
            self.ring,
            self.phase,
            self.scores,
        ):
            w.setVisible(not empty)
        for box in self.boxes:
            box.name.setVisible(not empty)
            box.value.setVisible(not empty)

    # -- alarm signals --------------------------------------------------------------
    def show_alarm(self, alarm: Alarm | None, pause_left: float | None, flash_t: float) -> None:
        """Border and alarm line in the IEC colour, flashing at the priority's rate, with
        the `***`/`**`/`*` prefix and an icon so colour is never the only cue."""
        self.alarm = alarm
        lit = flash_on(alarm.priority, flash_t) if alarm else False
        self.alarm_lit = lit
        key = (alarm.priority, alarm.label, lit) if alarm else None
        if key != self._shown_alarm:
            self._shown_alarm = key
            if alarm is None:
                self.setStyleSheet("")
                self.alarm_text.setText("")
                self.alarm_icon.clear()
            else:
                colour = theme.ALARM_COLOURS[alarm.priority]
                border = colour if lit else theme.ALARM_DIM[alarm.priority]
                self.setStyleSheet(f"QFrame#SeatTile {{ border: 4px solid {border}; }}")
                self.alarm_text.setText(alarm.label)
                _style(self.alarm_text, colour, 18, bold=True)
                self.alarm_icon.setPixmap(self._icons[alarm.priority])
        pause = (
            None if pause_left is None else f"{int(pause_left // 60)}:{int(pause_left % 60):02d}"
        )
        if pause != self._shown_pause:
            self._shown_pause = pause
            self.pause_icon.setVisible(pause is not None)
            self.pause_text.setText(pause or "")

    def show_alarms_off(self, off: dict[str, str]) -> None:
        """`SpO2 alarms OFF` while a parameter's alarms are switched off; the reason in
        the tooltip."""
        text = f"{', '.join(off)} alarms OFF" if off else ""
        if text != self.alarms_off.text():
            self.alarms_off.setText(text)
            self.alarms_off.setToolTip("\n".join(f"{p}: {why}" for p, why in off.items()))
            self.alarms_off.setVisible(bool(off))

    # -- protocol -----------------------------------------------------------------
    def show_protocol(self, readout: ProtocolReadout | None) -> None:
        """Phase and time since T0 in the header; next due item and observation ring below."""
        if readout == self.protocol_readout:
            return
        self.protocol_readout = readout
        self.phase.setText(readout.header if readout else "")
        self.next_due.setText(readout.next_due if readout else "")
        self.scores.setText(readout.scores if readout else "")
        _style(
            self.next_due,
            "#ffc83d" if readout and readout.overdue else theme.TEXT,
            15,
            bold=bool(readout and readout.overdue),
        )
        self.ring.set_fraction(readout.observed if readout else 0.0)

    def show_music(self, chip: str) -> None:
        """The music chip: piece, phase and state (`♪ Slow Tide · peak · ducked`)."""
        if chip != self.music_chip.text():
            self.music_chip.setText(chip)
            self.music_chip.setMinimumWidth(self.music_chip.sizeHint().width())
            self.music_chip.setVisible(bool(chip) and self.participant is not None)

    def _music_menu(self, pid: str) -> QMenu:
        menu = QMenu(self)
        for move, label in (
            ("duck", "Duck / restore (talking to them)"),
            ("skip", "Skip"),
            ("hold", "Hold this piece"),
            ("release", "Release hold"),
            ("silence", "Fade to silence"),
            ("resume", "Resume music"),
            ("louder", "Volume up"),
            ("softer", "Volume down"),
        ):
            menu.addAction(label, lambda m=move: self.music_requested.emit(pid, m))
        return menu

    def _entry_menu(self, pid: str) -> QMenu:
        """Two clicks from the tile: `+`, then the entry (MOAA/S scores are one level in)."""
        menu = QMenu(self)
        moaas = menu.addMenu("MOAA/S")
        for score in range(5, -1, -1):
            moaas.addAction(
                str(score), lambda s=score: self.protocol_requested.emit(pid, "moaas", s)
            )
        for action, label in (
            ("cadss", "CADSS total…"),
            ("bp", "Reading by hand (BP, SpO2 …)…"),
            ("correct", "Correct or strike an entry…"),
            ("attest", "Dissociation resolved (attest)…"),
            ("adverse", "Adverse event…"),
            ("resolve", "Resolve adverse event…"),
            ("note", "Note…"),
            (None, None),
            ("screening", "Screening…"),
            ("approve", "Approve screening review…"),
            ("readiness", "Ready checklist…"),
            ("dose", "Dose given…"),
            ("discharge", "Discharge…"),
            (None, None),
            ("scale", "Outcome scale…"),
        ):
            if action is None:
                menu.addSeparator()
                continue
            menu.addAction(label, lambda a=action: self.protocol_requested.emit(pid, a, None))
        return menu

    # -- drawing ------------------------------------------------------------------
    def refresh(self, vitals: SeatVitals | None, now: float, trends: bool = True) -> None:
        """Draw the latest values; called by the room grid's frame timer.

        `trends=False` skips the 30-minute trend, which moves less than a pixel between
        frames: the grid redraws it a few times a second, the pleth every frame.
        """
        if self.participant is None or vitals is None:
            return
        s = self.settings
        r = tile_readout(
            vitals, now, stale_after_s=s.stale_after_s, nibp_interval_s=s.nibp_interval_s
        )
        self.readout = r
        for box, numeric in zip(self.boxes, r.numerics):
            # A value measured by hand says so beside its name (who took it: the BP line).
            label = f"{numeric.label} · hand" if numeric.by_hand else numeric.label
            box.show(label, numeric.text, numeric.stale, self.UNITS[numeric.label])
        bp = (r.bp_text, r.bp_age, r.bp_stale)
        if bp != self._shown_bp:
            self._shown_bp = bp
            self.bp_value.setText(r.bp_text)
            _style(
                self.bp_value,
                theme.STALE if r.bp_stale else theme.PARAM_COLOURS["SBP"],
                self.bp_size,
                bold=True,
            )
            self.bp_age.setText(f"· {r.bp_age}" if r.bp_age else "")
        if r.temp_text != self.temperature.text():
            self.temperature.setText(r.temp_text)
            self.temperature.setVisible(bool(r.temp_text))
        status = "" if self.alarm is not None else r.status  # the alarm line says it then
        if self.status.text() != status:
            self.status.setText(status)
            self.status.ensurePolished()
            self.status.setMinimumWidth(self.status.fontMetrics().horizontalAdvance(status) + 4)
        stale = bool(r.status)
        # A live trace fills the plot up to its newest sample, however far the source lags.
        newest = now if stale or vitals.last_data_t is None else vitals.last_data_t
        t, v = vitals.pleth(newest - s.pleth_seconds)
        self.pleth.show(t, v, now, stale=stale)
        if not trends:
            return
        t_from = now - s.trend_minutes * 60
        for name in TREND_PARAMS:
            source = name
            if name == "HR" and vitals.latest("HR") is None and vitals.latest("PR"):
                source = "PR"
            t, v = vitals.trend(source, t_from)
            self.trend.show(name if source != "PR" else "PR", t, v, now)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        # Numerics grow with the tile: a 3-seat room gets bigger numbers than a 10-seat one.
        size = int(min(max(self.width() / 7.2, 48), 96))
        for box in self.boxes:
            box.set_size(size)
        bp_size = int(min(max(self.width() / 15, 22), 40))
        if bp_size != self.bp_size:
            self.bp_size = bp_size
            stale = self._shown_bp[2] if self._shown_bp else False
            _style(
                self.bp_value,
                theme.STALE if stale else theme.PARAM_COLOURS["SBP"],
                bp_size,
                bold=True,
            )
        super().resizeEvent(event)

    # -- commands -----------------------------------------------------------------
    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.participant is not None:
            self._menu().exec(event.globalPos())

    def _menu(self) -> QMenu:
        menu = QMenu(self)
        pid = self.participant.id
        if self.alarm is not None:
            menu.addAction("Acknowledge alarms", lambda: self.acknowledge_requested.emit(pid))
            menu.addAction("Pause alarm sound", lambda: self.pause_requested.emit(pid))
            menu.addSeparator()
        menu.addAction("Alarm limits…", lambda: self.limits_requested.emit(pid))
        menu.addAction("Rename…", lambda: self.rename_requested.emit(pid))
        menu.addAction("Move to another seat…", lambda: self.reseat_requested.emit(pid))
        menu.addSeparator()
        menu.addAction("Remove from the room…", lambda: self.remove_requested.emit(pid))
        return menu

    def _open_menu(self) -> None:
        if self.participant is not None:
            self._menu().exec(self.menu_button.mapToGlobal(self.menu_button.rect().bottomLeft()))
