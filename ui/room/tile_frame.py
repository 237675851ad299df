"""A tile's frame: its alarm border and its keyboard focus ring, painted, never restyled.

The border flashes at the alarm's rate, so changing it must be cheap: it is a repaint of the
border's four strips, not a style-sheet change (which re-polishes every child, issue 17).
The focus ring is a blue inner frame, 2 px inside the border, so a tile in alarm that has
the keyboard shows both.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QRegion
from PySide6.QtWidgets import QFrame, QWidget

from ui import theme
from ui.room.tile_parts import FOCUS


class TileFrame(QFrame):
    """A frame with an alarm border and a focus ring; the widgets inside it that take focus
    (`focus_chain()[1:]`) keep the ring lit while they have it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._border: str | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def focus_chain(self) -> list[QWidget]:
        """The frame, then the widgets inside it in the order Tab visits them."""
        return [self]

    def watch_focus(self) -> None:
        """Keep the ring up to date while focus moves among the frame's own widgets."""
        for widget in self.focus_chain()[1:]:
            widget.installEventFilter(self)

    def has_focus_ring(self) -> bool:
        """The frame or one of its widgets has the keyboard focus."""
        return any(w.hasFocus() for w in self.focus_chain())

    def border_colour(self) -> str | None:
        """The alarm border's colour in this frame (None: no alarm)."""
        return self._border

    def set_border(self, colour: str | None) -> None:
        """Draw the alarm border in `colour` (None: no border); repaints only the border."""
        if colour != self._border:
            self._border = colour
            width = theme.px(4)
            rect = self.rect()
            self.update(QRegion(rect) - QRegion(rect.adjusted(width, width, -width, -width)))

    # -- Qt overrides ------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self.update()
        return False

    def focusInEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.update()
        super().focusOutEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        focused = self.has_focus_ring()
        if self._border is None and not focused:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        border = theme.px(4)
        if self._border is not None:
            painter.setPen(QPen(QColor(self._border), border))
            half = border / 2
            painter.drawRoundedRect(
                QRectF(self.rect()).adjusted(half, half, -half, -half), theme.px(6), theme.px(6)
            )
        if focused:  # inside the alarm border with a gap, so both stay visible and distinct
            ring = theme.px(3)
            inset = border + theme.px(2) + ring / 2
            painter.setPen(QPen(QColor(FOCUS), ring))
            painter.drawRoundedRect(
                QRectF(self.rect()).adjusted(inset, inset, -inset, -inset),
                theme.px(4),
                theme.px(4),
            )
        painter.end()
