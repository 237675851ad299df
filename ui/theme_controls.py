"""Checkboxes and radio buttons that can be seen in a dark room, drawn by a Fusion proxy.

Fusion outlines a box in a shade of the window colour, which on a near-black window is
near-black (1.15:1: unticked boxes were invisible). A style sheet can draw an outline, but
then a ticked box shows no check mark unless an image file is shipped. This style draws the
box itself: an outline, a filled box with a check mark when ticked (never colour alone), and
the focus ring around it when it has the keyboard.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QProxyStyle, QStyle


@dataclass(frozen=True)
class IndicatorColours:
    """The colours of a check or radio indicator (the theme chooses them, with contrast).

    Attributes:
        border: the outline of an empty box or circle.
        inside: the inside of an empty box.
        fill: a ticked box or the dot of a chosen radio button.
        mark: the check mark on `fill`.
        focus: the focus ring.
        focus_width: the ring's width in pixels.
    """

    border: str
    inside: str
    fill: str
    mark: str
    focus: str
    focus_width: int


class ControlStyle(QProxyStyle):
    """Fusion, with indicators drawn in the theme's colours.

    Attributes:
        colours: what the indicators are drawn with.
    """

    def __init__(self, colours: IndicatorColours) -> None:
        super().__init__("Fusion")
        self.colours = colours

    def drawPrimitive(self, element, option, painter, widget=None) -> None:  # noqa: N802
        if element == QStyle.PrimitiveElement.PE_IndicatorCheckBox:
            self._draw_indicator(option, painter, round_=False)
        elif element == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
            self._draw_indicator(option, painter, round_=True)
        else:
            super().drawPrimitive(element, option, painter, widget)

    def _draw_indicator(self, option, painter: QPainter, *, round_: bool) -> None:
        c, state = self.colours, option.state
        ring = c.focus_width
        # The ring sits at the outer edge of the indicator; the box a gap inside it.
        outer = QRectF(option.rect)
        side = min(outer.width(), outer.height())
        outer = QRectF(
            outer.center().x() - side / 2, outer.center().y() - side / 2, side, side
        ).adjusted(ring / 2, ring / 2, -ring / 2, -ring / 2)
        inset = ring * 2
        box = outer.adjusted(inset, inset, -inset, -inset)
        on = bool(state & QStyle.StateFlag.State_On)
        partly = bool(state & QStyle.StateFlag.State_NoChange)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if not state & QStyle.StateFlag.State_Enabled:
            painter.setOpacity(0.5)
        if state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(QPen(QColor(c.focus), ring))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            self._shape(painter, outer, round_)
        ticked = on or partly
        painter.setPen(QPen(QColor(c.fill if ticked else c.border), 2))
        painter.setBrush(QColor(c.fill if ticked else c.inside))
        self._shape(painter, box, round_)
        if round_ and on:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(c.mark))
            dot = box.width() * 0.3
            painter.drawEllipse(box.center(), dot, dot)
        elif on or partly:
            pen = QPen(QColor(c.mark), max(2.0, box.width() / 7))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            x, y, w, h = box.x(), box.y(), box.width(), box.height()
            path = QPainterPath()
            if on:  # a check mark
                path.moveTo(QPointF(x + w * 0.22, y + h * 0.52))
                path.lineTo(QPointF(x + w * 0.42, y + h * 0.72))
                path.lineTo(QPointF(x + w * 0.78, y + h * 0.30))
            else:  # partly: a bar
                path.moveTo(QPointF(x + w * 0.25, y + h * 0.5))
                path.lineTo(QPointF(x + w * 0.75, y + h * 0.5))
            painter.drawPath(path)
        painter.restore()

    @staticmethod
    def _shape(painter: QPainter, rect: QRectF, round_: bool) -> None:
        if round_:
            painter.drawEllipse(rect)
        else:
            painter.drawRoundedRect(rect, 3, 3)
