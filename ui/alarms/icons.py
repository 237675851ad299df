"""Small painted icons, so an alarm's meaning never rests on colour alone.

Painted rather than taken from a font: the emoji bells are missing from most Linux fonts.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPixmap, QPolygonF


def _canvas(size: int) -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pixmap, painter


def crossed_bell(size: int, colour: str) -> QPixmap:
    """A bell with a stroke through it: alarm sound paused."""
    pixmap, p = _canvas(size)
    s = size / 20.0
    pen = QPen(QColor(colour), max(1.5, 1.6 * s))
    p.setPen(pen)
    bell = QPainterPath()
    bell.moveTo(4 * s, 15 * s)
    bell.lineTo(16 * s, 15 * s)
    bell.quadTo(14 * s, 13 * s, 14 * s, 9 * s)
    bell.quadTo(14 * s, 4 * s, 10 * s, 4 * s)
    bell.quadTo(6 * s, 4 * s, 6 * s, 9 * s)
    bell.quadTo(6 * s, 13 * s, 4 * s, 15 * s)
    p.drawPath(bell)
    p.drawArc(QRectF(8.5 * s, 15 * s, 3 * s, 3 * s), 180 * 16, 180 * 16)
    p.drawLine(QPointF(3 * s, 3 * s), QPointF(17 * s, 18 * s))
    p.end()
    return pixmap


def alarm_triangle(size: int, colour: str, marks: int) -> QPixmap:
    """A warning triangle with 1–3 exclamation marks (low, medium, high)."""
    pixmap, p = _canvas(size)
    s = size / 20.0
    p.setPen(QPen(QColor(colour), max(1.5, 1.4 * s)))
    p.setBrush(QColor(colour).darker(300))
    p.drawPolygon(
        QPolygonF([QPointF(10 * s, 2 * s), QPointF(19 * s, 18 * s), QPointF(1 * s, 18 * s)])
    )
    p.setPen(QPen(QColor(colour), max(1.2, 1.3 * s)))
    xs = {1: [10], 2: [8.5, 11.5], 3: [7.5, 10, 12.5]}[marks]
    for x in xs:
        p.drawLine(QPointF(x * s, 7 * s), QPointF(x * s, 13 * s))
        p.drawPoint(QPointF(x * s, 15.5 * s))
    p.end()
    return pixmap
