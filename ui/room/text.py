"""One line of tile text that never pushes its neighbours and is never cut mid-word.

A tile's geometry is fixed by the grid, so a text that is too long must give way: it is
elided (`…`) to the width it has, and the whole text goes in its tooltip. Its colour changes
with a repaint, never a style-sheet change (restyling labels was the frame's hot spot, issue
17). Its font is its own, kept beside the widget's and drawn with, not a style sheet: the
tile's numbers are resized whenever the tile is (the circle's dock narrows every tile at
once), and fifty style sheets a resize were a sixth of that stall.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui import theme


class TileText(QWidget):
    """A single line of text, elided to its width, in its own font and colour.

    Attributes:
        explanation: what the line means, always in the tooltip (the full text joins it
            when the line is elided).
        fit: True for a short text that is always drawn whole (`+2`, `ACK`, `2:00`): the
            widget is exactly as wide as its text.
    """

    def __init__(
        self,
        text: str = "",
        size: int = theme.MIN_READABLE_PX,
        bold: bool = False,
        colour: str = theme.TEXT,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        elide: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
        explanation: str = "",
        fit: bool = False,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self._text = text
        self._short = ""
        self._colour = QColor(colour)
        self._align = align | Qt.AlignmentFlag.AlignVCenter
        self._elide = elide
        self._shown = ""
        self._size: tuple[int, bool] | None = None
        self._font = QFont(theme.FONT_FAMILY)
        self._metrics = QFontMetrics(self._font)
        self.explanation = explanation
        self.fit = fit
        horizontal = QSizePolicy.Policy.Fixed if fit else QSizePolicy.Policy.Ignored
        self.setSizePolicy(horizontal, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.set_font_size(size, bold)

    # -- what it says ----------------------------------------------------------------
    def text(self) -> str:
        """The whole text, however much of it fits."""
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 (the QLabel name callers know)
        if text != self._text:
            self._text = text
            self._fit_width()
            self._elide_to_width()
            self.update()

    def set_short(self, short: str) -> None:
        """A shorter wording to draw when the whole text does not fit (`4 min` for
        `· 4 min ago`): better than cutting the longer one."""
        if short != self._short:
            self._short = short
            self._elide_to_width()
            self.update()

    def shown_text(self) -> str:
        """What is drawn: the text, or its elided form when it does not fit."""
        return self._shown

    def is_elided(self) -> bool:
        return self._shown != self._text

    def set_explanation(self, explanation: str) -> None:
        if explanation != self.explanation:
            self.explanation = explanation
            self._elide_to_width()

    def set_colour(self, colour: str) -> None:
        """Repaint in `colour` (cheap: no style sheet is touched)."""
        if QColor(colour) != self._colour:
            self._colour = QColor(colour)
            self.update()

    def colour(self) -> str:
        return self._colour.name()

    def set_font_size(self, size: int, bold: bool = False) -> None:
        """Pixel size (already through theme.px) and weight; only when the tile is laid out."""
        if (size, bold) == self._size:
            return
        self._size = (size, bold)
        # The window's style sheet sets every widget's font, so the text keeps a font of its
        # own (the style sheet's family) and draws and measures with it.
        font = QFont(theme.FONT_FAMILY)
        font.setPixelSize(size)
        font.setBold(bold)
        self._font, self._metrics = font, QFontMetrics(font)
        self.setFixedHeight(self._metrics.height())
        self._fit_width()
        self._elide_to_width()
        self.updateGeometry()

    def font_size(self) -> int:
        return self._size[0] if self._size else 0

    def font(self) -> QFont:
        """The font the text is drawn in (its own, not the style sheet's)."""
        return QFont(self._font)

    def fontMetrics(self) -> QFontMetrics:  # noqa: N802 (the QWidget name callers know)
        return self._metrics

    # -- Qt overrides ----------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self._text) + 2, metrics.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(0, self.fontMetrics().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._elide_to_width()
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if not self._shown:
            return
        painter = QPainter(self)
        painter.setPen(self._colour)
        painter.setFont(self._font)
        painter.drawText(self.contentsRect(), int(self._align), self._shown)
        painter.end()

    def _fit_width(self) -> None:
        if self.fit:
            self.setFixedWidth(self.fontMetrics().horizontalAdvance(self._text) + 2)

    def _elide_to_width(self) -> None:
        metrics, width = self.fontMetrics(), max(0, self.width())
        text = self._text
        if self._short and metrics.horizontalAdvance(text) > width:
            text = self._short
        self._shown = metrics.elidedText(text, self._elide, width)
        whole = self._text if self._shown != self._text else ""
        tip = "\n".join(t for t in (whole, self.explanation) if t)
        if tip != self.toolTip():
            self.setToolTip(tip)
