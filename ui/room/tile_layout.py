"""How a tile shares its fixed size: the big numbers as large as fit, the rest to the plots.

Worked out once per size, never per frame, and before the tile takes that size: the grid
calls `lay_out_for` ahead of `setGeometry` (`SeatTile.resizeEvent` does it otherwise), so
the tile's layout places its rows once with the new numbers. Sized afterwards, the numbers
changed the rows' heights after the layout had run, and every tile laid itself out and
repainted a second time, one tile after another (issue 17: a third of the stall when the
circle's dock narrowed the room). The sizes themselves are pure functions of the tile's
geometry (`ui.room.tile_parts`), the same for every tile of a grid, so they are worked out
once per size for all of them.
"""

from __future__ import annotations

from functools import lru_cache

from ui import theme
from ui.room.numerics import WIDEST_NUMBER
from ui.room.tile_parts import NumberSizes, bp_size, number_sizes


@lru_cache(maxsize=64)
def _bp_size(scale: int, family: str, room: int, widest: str) -> int:
    return bp_size(family, room, widest)


@lru_cache(maxsize=64)
def _number_sizes(
    scale: int, family: str, column: int, inner_h: int, fixed: int, widest: str
) -> NumberSizes:
    return number_sizes(family, column, inner_h, fixed, widest)


class TileLayout:
    """The layout part of `SeatTile` (a mixin: it uses the tile's widgets)."""

    def lay_out_for(self, width: int, height: int) -> None:
        """Size the numbers and plots for a tile of `width` x `height`, once per size (not
        per frame); the grid calls it just before giving the tile that size."""
        size = (width, height)
        if size == self._laid_out_for:
            return
        self._laid_out_for = size
        margins = self.outer.contentsMargins()
        inner_w = width - margins.left() - margins.right()
        inner_h = height - margins.top() - margins.bottom()
        scale = theme.px(1000)  # the cached sizes hold for one scale
        family = self.bp.value.font().family()
        # The widest reading still leaves room for its age in few words (`· 12 min`).
        short_age = self.bp_age.fontMetrics().horizontalAdvance("· ✎ 12 min")
        room = inner_w - self.bp_label.width() - 2 * theme.px(6) - short_age
        self.bp.set_value_size(
            _bp_size(scale, family, room - self.bp.width_for(""), self.bp.WIDEST)
        )
        box = self.boxes[0]
        column = (inner_w - 2 * theme.px(8)) // 3 - 2 * box.pad
        gap = self.outer.spacing()
        rows = [
            max(self.title.height() + self.phase.height(), self.ring.height()),
            self.alarm_line.height(),
            self.alarms_off.height(),
            2 * box.pad + box.name.height(),
            max(self.bp.height(), self.bp_age.height()),
            self.scores.height(),
            max(self.music_chip.height(), self.entry_button.height()),
            self.next_due.height(),
        ]
        fixed = sum(rows) + gap * len(rows)  # one gap more: the plots' row
        sizes = _number_sizes(scale, family, column, inner_h, fixed, WIDEST_NUMBER)
        for numeric in self.boxes:
            numeric.set_value_size(sizes.value)
        self._room_for_plots = sizes.plots
        self.music_chip.set_room(inner_w - self.entry_button.width() - theme.px(6))
        self.pleth.fit_width(round((inner_w - self.trend.scale.width()) / 4))
        self._show_plots()

    def _lay_out(self) -> None:
        """Size the numbers and plots from the tile's own size (when nothing sized it first)."""
        self.lay_out_for(self.width(), self.height())

    def _show_plots(self) -> None:
        show = self.participant is not None and self._room_for_plots
        for widget in (self.pleth.widget, self.trend.widget, self.trend.scale):
            widget.setVisible(show)
