"""The observation ring: how much of the minimum observation time has passed since T0."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ui import theme


class ObservationRing(QWidget):
    """A ring filling clockwise from the top, with the percentage inside (18 px, readable
    from the chair).

    Attributes:
        fraction: 0–1 of the minimum observation time.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.fraction = 0.0
        self.setFixedSize(QSize(theme.px(42), theme.px(42)))
        self.setToolTip("Minimum observation time since T0 (per cent)")

    def set_fraction(self, fraction: float) -> None:
        fraction = max(0.0, min(1.0, fraction))
        if abs(fraction - self.fraction) >= 0.005:
            self.fraction = fraction
            self.update()

    def text_font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(theme.px(18))
        return font

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = theme.px(3)
        rect = QRectF(pen / 2, pen / 2, self.width() - pen, self.height() - pen)
        p.setPen(QPen(QColor(theme.TILE_BORDER), pen))
        p.drawEllipse(rect)
        done = self.fraction >= 1.0
        p.setPen(QPen(QColor("#7fbf8f" if done else theme.TEXT_DIM), pen))
        p.drawArc(rect, 90 * 16, int(-self.fraction * 360 * 16))
        p.setPen(QColor(theme.TEXT))
        p.setFont(self.text_font())
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{self.fraction * 100:.0f}")
        p.end()
