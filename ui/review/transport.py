"""The replay's transport bar: play or pause, the speed, and a scrub bar over the whole session.

It only shows and asks: the replay window owns the clock and does the seeking. Dragging the
scrub bar asks for a seek as it moves (a few per second at most: each one rebuilds the room
from the log), so a lead can look for the moment an alarm began by eye.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from groupkap.review.replay import clock_time
from ui import theme
from ui.shortcuts import Shortcut, with_key

SPEEDS = (1.0, 5.0, 10.0, 30.0, 60.0)
REPLAY = "replay window"
PLAY_PAUSE = Shortcut(("Space",), "Play or pause the replay", REPLAY)
SCRUB_STEP_S = 10  # an arrow key on the scrub bar
SCRUB_PAGE_S = 60  # Page Up / Page Down
SEEK_COALESCE_MS = 120  # while dragging, at most one seek this often


def speed_text(speed: float) -> str:
    return f"{speed:g}×"


class Transport(QWidget):
    """Play/pause, speed and scrub bar for a replay from `start` to `end` (session times).

    Attributes:
        play_button, speed_box, slider: the controls.
        moment: `T = 11:42:10 (T0 +45 min for seat 3)`, set by the window.
        start_label, end_label: the session's first and last clock time (HH:MM).

    Signals:
        play_toggled(bool): play (True) or pause (False) was asked for.
        speed_chosen(float): a new speed (simulated seconds per real second).
        seek_requested(float): go to this session time.
    """

    play_toggled = Signal(bool)
    speed_chosen = Signal(float)
    seek_requested = Signal(float)

    def __init__(self, start: float, end: float, speed: float, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("ReplayTransport")
        self.start, self.end = float(start), float(end)
        self.playing = False
        self._pending: float | None = None
        px = theme.px
        text = f"color: {theme.TEXT}; font-size: {px(theme.MIN_READABLE_PX)}px;"

        self.play_button = QPushButton()
        self.play_button.setStyleSheet(
            f"QPushButton {{ font-size: {px(20)}px; padding: {px(6)}px {px(16)}px; }}"
            f"QPushButton:focus {{ border: {px(2)}px solid {theme.FOCUS_RING}; }}"
        )
        self.play_button.clicked.connect(self.toggle)
        self.speed_box = QComboBox()
        self.speed_box.setStyleSheet(f"QComboBox {{ font-size: {px(18)}px; }}")
        self.speed_box.setToolTip("Replay speed: session minutes per real minute")
        for s in SPEEDS:
            self.speed_box.addItem(speed_text(s), s)
        self.set_speed(speed)
        self.speed_box.currentIndexChanged.connect(
            lambda i: self.speed_chosen.emit(float(self.speed_box.itemData(i)))
        )
        self.moment = QLabel("")
        self.moment.setStyleSheet(f"color: {theme.TEXT}; font-size: {px(22)}px; font-weight: bold;")

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, max(1, round(self.end - self.start)))
        self.slider.setSingleStep(SCRUB_STEP_S)
        self.slider.setPageStep(SCRUB_PAGE_S)
        self.slider.setToolTip(
            "The whole session: drag, click, or use ← → (10 s) and Page Up / Down (1 min)"
        )
        self.slider.setMinimumHeight(px(32))
        # A bar to see from a step back: a thick groove, the played part in the focus blue,
        # a light round handle (the theme's controls: boundaries at 3:1 or better).
        self.slider.setStyleSheet(
            f"QSlider::groove:horizontal {{ height: {px(10)}px; background: {theme.FIELD}; "
            f"border: 1px solid {theme.CONTROL_BORDER}; border-radius: {px(5)}px; }}"
            f"QSlider::sub-page:horizontal {{ background: {theme.FOCUS_RING}; "
            f"border-radius: {px(5)}px; }}"
            f"QSlider::handle:horizontal {{ background: {theme.TEXT}; "
            f"border: {px(2)}px solid {theme.BACKGROUND}; width: {px(22)}px; "
            f"margin: -{px(8)}px 0; border-radius: {px(13)}px; }}"
            f"QSlider:focus {{ border: {px(2)}px solid {theme.FOCUS_RING}; }}"
        )
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.start_label = QLabel(clock_time(self.start, seconds=False))
        self.end_label = QLabel(clock_time(self.end, seconds=False))
        for label in (self.start_label, self.end_label):
            label.setStyleSheet(text)
        self._seek_timer = QTimer(self)
        self._seek_timer.setSingleShot(True)
        self._seek_timer.setInterval(SEEK_COALESCE_MS)
        self._seek_timer.timeout.connect(self._flush_seek)

        top = QHBoxLayout()
        top.setSpacing(px(12))
        top.addWidget(self.play_button)
        speed_label = QLabel("Speed")
        speed_label.setStyleSheet(text)
        top.addWidget(speed_label)
        top.addWidget(self.speed_box)
        top.addSpacing(px(16))
        top.addWidget(self.moment, 1)
        scrub = QHBoxLayout()
        scrub.setSpacing(px(10))
        scrub.addWidget(self.start_label)
        scrub.addWidget(self.slider, 1)
        scrub.addWidget(self.end_label)
        column = QVBoxLayout(self)
        column.setContentsMargins(px(12), px(6), px(12), px(6))
        column.setSpacing(px(4))
        column.addLayout(top)
        column.addLayout(scrub)
        self._show_playing()

    # -- what the window tells it ---------------------------------------------------------
    def show_moment(self, t: float, label: str) -> None:
        """Put the scrub bar's handle at `t` (without asking for a seek) and say the moment."""
        if self._pending is None and not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(round(t - self.start))
            self.slider.blockSignals(False)
        if label != self.moment.text():
            self.moment.setText(label)

    def set_playing(self, playing: bool) -> None:
        self.playing = playing
        self._show_playing()

    def set_speed(self, speed: float) -> None:
        """Choose `speed` in the box (the nearest offered one)."""
        nearest = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - speed))
        self.speed_box.setCurrentIndex(nearest)

    @property
    def speed(self) -> float:
        return float(self.speed_box.currentData())

    # -- what a person does ---------------------------------------------------------------
    def toggle(self) -> None:
        """Play if paused, pause if playing (the button, or Space)."""
        self.play_toggled.emit(not self.playing)

    def _on_slider_value_changed(self, value: int) -> None:
        self._pending = self.start + value
        if not self._seek_timer.isActive():
            self._seek_timer.start()

    def _flush_seek(self) -> None:
        if self._pending is not None:
            t, self._pending = self._pending, None
            self.seek_requested.emit(t)

    def _show_playing(self) -> None:
        label = "❚❚  Pause" if self.playing else "▶  Play"
        self.play_button.setText(label)
        self.play_button.setToolTip(with_key("Play or pause the replay", PLAY_PAUSE))
