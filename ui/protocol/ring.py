"""The observation ring: how much of the minimum observation time has passed since T0."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ui import theme


class ObservationRing(QWidget):
    """A ring filling clockwise from the top, with the percentage inside.

    Attributes:
        fraction: 0–1 of the minimum observation time.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.fraction = 0.0
        self.setFixedSize(QSize(34, 34))
        self.setToolTip("Minimum observation time since T0")

    def set_fraction(self, fraction: float) -> None:
        fraction = max(0.0, min(1.0, fraction))
        if abs(fraction - self.fraction) >= 0.005:
            self.fraction = fraction
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(3, 3, self.width() - 6, self.height() - 6)
        p.setPen(QPen(QColor(theme.TILE_BORDER), 3))
        p.drawEllipse(rect)
        done = self.fraction >= 1.0
        p.setPen(QPen(QColor("#7fbf8f" if done else theme.TEXT_DIM), 3))
        p.drawArc(rect, 90 * 16, int(-self.fraction * 360 * 16))
        p.setPen(QColor(theme.TEXT))
        font = p.font()
        font.setPixelSize(10)
        p.setFont(font)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{self.fraction * 100:.0f}")
        p.end()
