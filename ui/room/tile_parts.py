"""Small parts of a seat tile: its buttons, the music chip, and how big its numbers can be.

The sizes are worked out once per layout, from the tile's own width and height, so that the
widest value (`888`, `220/140 (170)`) is always drawn whole and what is left goes to the plots.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolButton

from ui import theme

FOCUS = theme.FOCUS_RING  # the keyboard focus ring: a blue no alarm uses


def dimmer(colour: str, share: float = 0.5) -> str:
    """`colour` mixed toward the tile's background: `share` of it is kept."""
    a, b = QColor(colour), QColor(theme.TILE)
    mix = [round(x * share + y * (1 - share)) for x, y in zip(a.getRgb()[:3], b.getRgb()[:3])]
    return QColor(*mix).name()


def tile_button(text: str, tooltip: str) -> QToolButton:
    """A tile's small square button (`⋯`, `+`), with a focus ring of its own."""
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tooltip)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.setStyleSheet(
        f"QToolButton {{ font-size: {theme.px(20)}px; padding: 0; }}"
        "QToolButton::menu-indicator { image: none; }"
    )
    button.setFixedSize(theme.px(34), theme.px(30))
    return button


def sim_badge() -> QLabel:
    """`SIM` in a simulated seat's header: its values come from the simulator, not a monitor.
    Dim text in a thin outline (both pairs in theme.COLOUR_PAIRS): there to be found, never
    to compete with the numbers. Hidden until `SeatTile.set_simulated`."""
    badge = QLabel("SIM")
    badge.setObjectName("SimBadge")
    badge.setToolTip("Simulated values: no monitor feeds this seat")
    badge.setAccessibleName("simulated seat")
    badge.setStyleSheet(
        f"QLabel#SimBadge {{ color: {theme.TEXT_DIM}; border: 1px solid {theme.CONTROL_BORDER};"
        f" border-radius: {theme.px(3)}px; font-size: {theme.px(theme.MIN_READABLE_PX)}px;"
        f" font-weight: bold; padding: 0 {theme.px(4)}px; }}"
    )
    badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    badge.hide()
    return badge


class MusicChip(QToolButton):
    """The music chip (`♪ Slow Tide · peak · ducked`), elided in the middle so both the piece
    and the state at its end stay readable; the whole text is in the tooltip.

    Attributes:
        full_text: the chip as the music director words it.
    """

    EXPLANATION = "Music: duck, skip, hold, fade to silence"

    def __init__(self) -> None:
        super().__init__()
        self.full_text = ""
        self._room = 0
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(self.EXPLANATION)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setStyleSheet(
            f"QToolButton {{ color: {theme.TEXT}; border: 1px solid transparent; "
            f"font-size: {theme.px(18)}px; padding: 0 {theme.px(2)}px; }}"
            f"QToolButton:focus {{ border: {theme.px(2)}px solid {FOCUS}; }}"
            "QToolButton::menu-indicator { image: none; }"
        )
        self.ensurePolished()
        self.setFixedHeight(self.fontMetrics().height() + theme.px(4))

    def set_chip(self, text: str) -> None:
        if text != self.full_text:
            self.full_text = text
            self.setToolTip(f"{text}\n{self.EXPLANATION}" if text else self.EXPLANATION)
            self._elide()

    def set_room(self, width: int) -> None:
        """The width the chip may take (the tile's inner width)."""
        if width != self._room:
            self._room = width
            self._elide()

    def _elide(self) -> None:
        pad = 2 * theme.px(2) + 4
        metrics = self.fontMetrics()
        shown = metrics.elidedText(
            self.full_text, Qt.TextElideMode.ElideMiddle, max(0, self._room - pad)
        )
        self.setText(shown)
        self.setFixedWidth(min(self._room, metrics.horizontalAdvance(shown) + pad) or 1)


def _metrics(family: str, size: int) -> QFontMetrics:
    font = QFont(family)
    font.setPixelSize(size)
    font.setBold(True)
    return QFontMetrics(font)


def largest_size(family: str, fits, smallest: int, largest: int) -> int:
    """The largest bold pixel size from `largest` down to `smallest` whose metrics `fits`."""
    for size in range(largest, smallest - 1, -1):
        if fits(_metrics(family, size)):
            return size
    return smallest


def bp_size(family: str, room: int, widest: str) -> int:
    """The BP reading's size: the widest reading fits `room` px, between 20 and 34 px."""
    return largest_size(
        family, lambda m: m.horizontalAdvance(widest) + 2 <= room, theme.px(20), theme.px(34)
    )


@dataclass(frozen=True)
class NumberSizes:
    """How the height left after the text rows is shared.

    Attributes:
        value: the big numbers' pixel size.
        plots: True when the pleth and the trend get the rest (False: too little is left).
    """

    value: int
    plots: bool


def number_sizes(
    family: str, column_width: int, inner_height: int, fixed_height: int, widest: str
) -> NumberSizes:
    """Size the big numbers from the tile: the widest value (`888`) fits its column, and the
    plots keep nearly a fifth of the height (at least 56 px) as long as numbers of 28 px
    still fit beside them; below that the plots give way. `fixed_height` is every other row
    at its height, in the worst case (every line shown)."""
    plots_min = max(theme.px(56), round(inner_height * 0.18))
    room = inner_height - fixed_height - plots_min
    plots = room >= _metrics(family, theme.px(28)).height()
    if not plots:
        room = inner_height - fixed_height
    value = largest_size(
        family,
        lambda m: m.horizontalAdvance(widest) + 2 <= column_width and m.height() <= room,
        theme.px(24),
        theme.px(96),
    )
    return NumberSizes(value, plots)
