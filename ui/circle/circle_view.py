"""The circle view: whose turn it is and how much time remains, calm and large.

Suited to a second screen or a projector in a dim room: the speaker's alias, the remaining
time as a ring that shifts slowly from calm to amber, who is next. No flashing, no red, and
never the fairness figures (those are for staff). The facilitator's controls sit in a strip
below with keyboard shortcuts: N next, P pass, B pause (the guardian bell), E +1 min.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from groupkap.circle.circle import CHIME, CLOSING, ENDED, OPENING, READY, Circle
from groupkap.errors import GroupKapError

CALM = QColor("#4fa3a5")
AMBER = QColor("#d9a441")
BACKGROUND = "#07090b"


def ring_colour(fraction_left: float) -> QColor:
    """Calm teal while more than half the share is left, then slowly toward amber."""
    t = max(0.0, min(1.0, 1.0 - fraction_left / 0.5))
    return QColor(
        int(CALM.red() + (AMBER.red() - CALM.red()) * t),
        int(CALM.green() + (AMBER.green() - CALM.green()) * t),
        int(CALM.blue() + (AMBER.blue() - CALM.blue()) * t),
    )


def clock_text(seconds: float) -> str:
    sign = "+" if seconds < 0 else ""
    seconds = abs(seconds)
    return f"{sign}{int(seconds // 60)}:{int(seconds % 60):02d}"


class TimeRing(QWidget):
    """The remaining time as a ring, with the minutes and seconds inside.

    Attributes:
        fraction_left: 0–1 of the turn's time left (0 in overtime).
        text: what is written inside.
        colour: the ring's colour now.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.fraction_left, self.text, self.colour = 1.0, "", CALM
        self.setMinimumSize(260, 260)

    def show_time(self, fraction_left: float, text: str) -> None:
        self.fraction_left = max(0.0, min(1.0, fraction_left))
        self.colour = ring_colour(self.fraction_left)
        self.text = text
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height()) - 24
        rect = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        p.setPen(QPen(QColor("#1a2126"), 14))
        p.drawEllipse(rect)
        pen = QPen(self.colour, 14)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.drawArc(rect, 90 * 16, int(self.fraction_left * 360 * 16))
        font = p.font()
        font.setPixelSize(int(side / 4.5))
        p.setFont(font)
        p.setPen(QColor("#c9ced6"))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.text)
        p.end()


class CircleView(QWidget):
    """The circle window.

    Attributes:
        circle: the circle it shows and commands.
        chimes: how many chimes it asked for (the chime plays on the room speakers).
    """

    def __init__(
        self, circle: Circle, chime: Callable[[], object] | None = None, parent=None
    ) -> None:
        super().__init__(parent)
        self.circle = circle
        self._chime = chime or (lambda: None)
        self.chimes = 0
        self.setWindowTitle("GroupKAP · sharing circle")
        self.setStyleSheet(f"background: {BACKGROUND}; color: #c9ced6;")
        self.prompt = self._label(26, "#8a939e")
        self.speaker = self._label(96, "#e3e6ea", bold=True)
        self.ring = TimeRing()
        self.status = self._label(24, "#8a939e")
        self.next_up = self._label(30, "#aab2bc")
        controls = QHBoxLayout()
        for text, key, slot in (
            ("Next (N)", "N", self.next),
            ("Pass (P)", "P", self.pass_turn),
            ("Pause / resume (B)", "B", self.toggle_pause),
            ("+1 min (E)", "E", self.extend),
        ):
            button = QPushButton(text)
            button.setStyleSheet(
                "background: #141a1f; color: #aab2bc; padding: 6px 14px; "
                "border: 1px solid #26303a; border-radius: 4px;"
            )
            button.clicked.connect(slot)
            controls.addWidget(button)
            QShortcut(QKeySequence(key), self).activated.connect(slot)
        note = QPushButton("Note (care team)")
        note.setStyleSheet(
            "background: #141a1f; color: #6f7882; padding: 6px 14px; "
            "border: 1px solid #26303a; border-radius: 4px;"
        )
        note.clicked.connect(self._ask_note)
        controls.addWidget(note)
        self.message = self._label(16, "#d9a441")
        layout = QVBoxLayout(self)
        for w in (self.prompt, self.speaker):
            layout.addWidget(w)
        layout.addWidget(self.ring, 1)
        for w in (self.status, self.next_up, self.message):
            layout.addWidget(w)
        layout.addLayout(controls)
        self.timer = QTimer(self)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self.refresh)

    @staticmethod
    def _label(size: int, colour: str, bold: bool = False) -> QLabel:
        label = QLabel("")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet(
            f"color: {colour}; font-size: {size}px; font-weight: {'bold' if bold else 'normal'};"
        )
        return label

    def start(self) -> None:
        self.refresh()
        self.timer.start()

    # -- drawing ----------------------------------------------------------------------
    def refresh(self) -> None:
        c = self.circle
        for cue in c.tick():
            if cue == CHIME:  # one soft chime at the limit; the pre-warning is only visual
                self.chimes += 1
                self._chime()
        current = c.current
        self.prompt.setText(
            f"round {c.round} · {c.prompt}"
            if c.prompt and current
            else f"round {c.round}"
            if current
            else ""
        )
        if c.phase in (READY, OPENING, CLOSING, ENDED):
            self.speaker.setText(
                {
                    READY: "Sharing circle",
                    OPENING: "Opening",
                    CLOSING: "Closing",
                    ENDED: "Thank you",
                }[c.phase]
            )
        else:
            self.speaker.setText(current.alias if current else "")
        share = max(1.0, c.fair_share_s if current else 1.0)
        left = c.remaining_s if c.phase != ENDED else 0.0
        self.ring.show_time(
            left / share if current else (1.0 if left > 0 else 0.0),
            "" if c.phase == ENDED else clock_text(left),
        )
        self.status.setText("paused" if c.paused else "")
        upcoming = c.next_up
        self.next_up.setText(f"next: {upcoming.alias}" if upcoming and current else "")

    # -- the facilitator's controls ------------------------------------------------------
    def _act(self, action: Callable[[], object]) -> None:
        try:
            action()
            self.message.setText("")
        except GroupKapError as exc:
            self.message.setText(str(exc))
        self.refresh()

    def add_note(self, text: str) -> None:
        """A care-team note about the current turn: the only text a circle ever logs."""
        current = self.circle.current
        self._act(lambda: self.circle.add_note(current.participant_id if current else None, text))

    def _ask_note(self) -> None:
        text, ok = QInputDialog.getMultiLineText(
            self, "Care-team note", "Note (care team only, never shown here):"
        )
        if ok and text.strip():
            self.add_note(text)

    def next(self) -> None:
        c = self.circle
        self._act(c.begin_turns if c.phase == OPENING else c.next)

    def pass_turn(self) -> None:
        self._act(self.circle.pass_turn)

    def toggle_pause(self) -> None:
        c = self.circle
        self._act(c.resume if c.paused else c.pause)

    def extend(self) -> None:
        self._act(lambda: self.circle.extend(1))
