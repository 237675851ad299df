"""The circle's time ring: the remaining share as an arc that shifts slowly from calm to amber."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

CALM = QColor("#4fa3a5")
AMBER = QColor("#d9a441")
TRACK = QColor("#1a2126")
DIGITS = QColor("#c9ced6")


def ring_colour(fraction_left: float) -> QColor:
    """Calm teal while more than half the share is left, then slowly toward amber."""
    t = max(0.0, min(1.0, 1.0 - fraction_left / 0.5))
    return QColor(
        int(CALM.red() + (AMBER.red() - CALM.red()) * t),
        int(CALM.green() + (AMBER.green() - CALM.green()) * t),
        int(CALM.blue() + (AMBER.blue() - CALM.blue()) * t),
    )


def clock_text(seconds: float) -> str:
    """`2:31` left, or `+0:30` over (a speaker is never cut off)."""
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
        self.setMinimumSize(180, 180)

    def show_time(self, fraction_left: float, text: str) -> None:
        self.fraction_left = max(0.0, min(1.0, fraction_left))
        self.colour = ring_colour(self.fraction_left)
        self.text = text
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height()) - 24
        width = max(8, side // 20)
        rect = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        p.setPen(QPen(TRACK, width))
        p.drawEllipse(rect)
        pen = QPen(self.colour, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.drawArc(rect, 90 * 16, int(self.fraction_left * 360 * 16))
        font = p.font()
        # Sized from the ring (which the window sizes), not by the clinic's scale: the
        # digits always fill the ring's middle, far above the readable minimum.
        font.setPixelSize(max(1, int(side / 4.5)))
        p.setFont(font)
        p.setPen(DIGITS)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.text)
        p.end()
