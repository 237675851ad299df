"""The tile's values: a big number per parameter and the BP line, marked when they alarm.

An out-of-range value speaks for itself: while its alarm is unacknowledged it is drawn inverse
(dark text on the priority colour) with ▲ or ▼; once acknowledged it is outlined in the
priority colour instead, steady and quieter. Which alarm marks which value, and the arrow,
come from the core (`groupkap.alarms.tile_alarms`); these widgets only paint.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from groupkap.alarms.tile_alarms import ValueMark
from groupkap.room.readout import Numeric
from ui import theme
from ui.room.text import TileText

INVERSE_TEXT = theme.ALARM_INVERSE_TEXT  # dark on the alarm colours (the theme checks it)
# The widest a three-digit value is drawn; every numeric is sized so this fits its box.
WIDEST_NUMBER = "888"
ARROW_SLOT = "▲"


class MarkedBlock(QWidget):
    """A group of values that fills with its alarm's colour, or is outlined once acknowledged.

    Attributes:
        mark: the alarm mark drawn now, or None.
        pad: the inner margin (px) between the mark's edge and the text.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.mark: ValueMark | None = None
        self.pad = theme.px(3)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def text_colour(self, normal: str) -> str:
        """The colour of text in this block: dark on the fill, the alarm colour when outlined."""
        if self.mark is None:
            return normal
        if not self.mark.acknowledged:
            return INVERSE_TEXT
        return theme.ALARM_COLOURS[self.mark.priority]

    def set_mark(self, mark: ValueMark | None) -> bool:
        """Show `mark` (None: no alarm on these values). True when it changed."""
        if mark == self.mark:
            return False
        self.mark = mark
        self.update()
        return True

    def mark_rect(self) -> QRect:
        """Where the mark is drawn (the whole block unless a subclass says less)."""
        return self.rect()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.mark is None:
            return
        colour = QColor(theme.ALARM_COLOURS[self.mark.priority])
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        radius = theme.px(4)
        if self.mark.acknowledged:
            width = theme.px(2)
            painter.setPen(QPen(colour, width))
            inset = width / 2
            painter.drawRoundedRect(
                QRectF(self.mark_rect()).adjusted(inset, inset, -inset, -inset), radius, radius
            )
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(self.mark_rect()), radius, radius)
        painter.end()


class NumericBox(MarkedBlock):
    """One big number with its name above: `HR /min` over `72`.

    The name line carries what the number alone cannot: ✎ for a value measured by hand, the
    age of a stale value (`SpO2 · 40 s`, the number grey), and ▲/▼ while it alarms.

    Attributes:
        name, value, arrow: the three texts (tests read them).
        colour: the parameter's colour on a normal value.
        numeric: the value drawn now.
    """

    def __init__(self, label: str, unit: str, colour: str, parent=None) -> None:
        super().__init__(parent)
        self.colour = colour
        self.unit = unit
        self.numeric: Numeric | None = None
        self.name = TileText(f"{label} {unit}", theme.px(18), colour=theme.TEXT)
        self.arrow = TileText("", theme.px(18), bold=True, fit=True)
        self.value = TileText("--", theme.px(48), bold=True, colour=colour)
        column = QVBoxLayout(self)
        column.setContentsMargins(self.pad, self.pad, self.pad, self.pad)
        column.setSpacing(0)
        top = QHBoxLayout()
        top.setSpacing(theme.px(2))
        top.addWidget(self.name, 1)
        top.addWidget(self.arrow)
        column.addLayout(top)
        column.addWidget(self.value)
        self.arrow.hide()
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._fit_height()

    def show_numeric(self, numeric: Numeric) -> None:
        """Draw `numeric`; nothing is touched when it has not changed."""
        if numeric == self.numeric:
            return
        self.numeric = numeric
        hand = " ✎" if numeric.by_hand else ""
        tail = f" {numeric.age}" if numeric.stale and numeric.age else f" {self.unit}"
        self.name.setText(f"{numeric.label}{hand}{tail}")
        # In a narrow box the age says more than the name (the column already does).
        self.name.set_short(numeric.age if numeric.stale and numeric.age else "")
        self.name.set_explanation(
            f"✎ measured by hand ({numeric.by_hand})" if numeric.by_hand else ""
        )
        self.value.setText(numeric.text)
        self._recolour()

    def set_mark(self, mark: ValueMark | None) -> bool:
        if not super().set_mark(mark):
            return False
        self.arrow.setText(mark.arrow if mark else "")
        self.arrow.setVisible(bool(mark and mark.arrow))  # the name keeps the width otherwise
        self._recolour()
        return True

    def set_value_size(self, size: int) -> None:
        """The number's pixel size, chosen by the tile from its own size."""
        self.value.set_font_size(size, bold=True)
        self._fit_height()

    def value_fits(self) -> bool:
        """The widest value is drawn whole in the box (the geometry test asks this)."""
        metrics = self.value.fontMetrics()
        return (
            metrics.horizontalAdvance(WIDEST_NUMBER) <= self.value.width()
            and metrics.height() <= self.value.height()
        )

    def _recolour(self) -> None:
        stale = self.numeric is None or self.numeric.stale
        self.value.set_colour(self.text_colour(theme.STALE if stale else self.colour))
        self.name.set_colour(self.text_colour(theme.TEXT))
        self.arrow.set_colour(self.text_colour(theme.TEXT))

    def _fit_height(self) -> None:
        self.setFixedHeight(2 * self.pad + self.name.height() + self.value.height())


class BloodPressure(MarkedBlock):
    """The last BP as `128/82 (97)`, grey when old, marked when SBP, DBP or MAP alarms.

    The block is as wide as the widest reading (`220/140 (170)` and an arrow), set once per
    layout, so a new reading never moves the age beside it; the mark covers the reading only.

    Attributes:
        value, arrow: the texts; the arrow follows the digits, which never move when an alarm
            comes or goes.
    """

    WIDEST = "220/140 (170)"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.pad = theme.px(2)
        self.stale = True
        self.value = TileText(
            "--/--", theme.px(26), bold=True, colour=theme.PARAM_COLOURS["SBP"], fit=True
        )
        self.arrow = TileText("", theme.px(22), bold=True, fit=True)
        row = QHBoxLayout(self)
        row.setContentsMargins(self.pad + theme.px(2), self.pad, self.pad, self.pad)
        row.setSpacing(theme.px(2))
        row.addWidget(self.value)
        row.addWidget(self.arrow)
        row.addStretch(1)
        self.arrow.hide()
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._fit()

    def show_reading(self, text: str, stale: bool) -> None:
        if text != self.value.text():
            self.value.setText(text)
            if self.mark is not None:
                self.update()  # the mark follows the reading's width
        if stale != self.stale:
            self.stale = stale
            self._recolour()

    def set_mark(self, mark: ValueMark | None) -> bool:
        if not super().set_mark(mark):
            return False
        self.arrow.setText(mark.arrow if mark else "")
        self.arrow.setVisible(bool(mark and mark.arrow))
        self._recolour()
        return True

    def set_value_size(self, size: int) -> None:
        self.value.set_font_size(size, bold=True)
        self.arrow.set_font_size(max(theme.px(18), round(size * 0.8)), bold=True)
        self._fit()

    def width_for(self, text: str, arrow: bool = True) -> int:
        """How wide `text` is drawn in the block, with or without an arrow after it."""
        margins = self.layout().contentsMargins()
        slot = self.layout().spacing() + self.arrow.fontMetrics().horizontalAdvance(ARROW_SLOT) + 2
        return (
            margins.left()
            + self.value.fontMetrics().horizontalAdvance(text)
            + 2
            + (slot if arrow else 0)
            + margins.right()
        )

    def mark_rect(self) -> QRect:
        return QRect(
            0, 0, self.width_for(self.value.text(), self.arrow.isVisibleTo(self)), self.height()
        )

    def value_fits(self) -> bool:
        metrics = self.value.fontMetrics()
        return (
            metrics.horizontalAdvance(self.value.text()) <= self.value.width()
            and metrics.height() <= self.value.height()
            and self.width_for(self.WIDEST) <= self.width()
        )

    def _fit(self) -> None:
        margins = self.layout().contentsMargins()
        self.setFixedSize(
            self.width_for(self.WIDEST), margins.top() + self.value.height() + margins.bottom()
        )

    def _recolour(self) -> None:
        normal = theme.STALE if self.stale else theme.PARAM_COLOURS["SBP"]
        self.value.set_colour(self.text_colour(normal))
        self.arrow.set_colour(self.text_colour(normal))
