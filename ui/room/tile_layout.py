"""How a tile shares its fixed size: the big numbers as large as fit, the rest to the plots.

Worked out once per size (`SeatTile.resizeEvent`), never per frame; the sizes themselves
are pure functions of the tile's geometry (`ui.room.tile_parts`).
"""

from __future__ import annotations

from ui import theme
from ui.room.numerics import WIDEST_NUMBER
from ui.room.tile_parts import bp_size, number_sizes


class TileLayout:
    """The layout part of `SeatTile` (a mixin: it uses the tile's widgets)."""

    def _lay_out(self) -> None:
        """Size the numbers and plots from the tile, once per layout (not per frame)."""
        size = (self.width(), self.height())
        if size == self._laid_out_for:
            return
        self._laid_out_for = size
        margins = self.outer.contentsMargins()
        inner_w = self.width() - margins.left() - margins.right()
        inner_h = self.height() - margins.top() - margins.bottom()
        family = self.bp.value.font().family()
        # The widest reading still leaves room for its age in few words (`· 12 min`).
        short_age = self.bp_age.fontMetrics().horizontalAdvance("· ✎ 12 min")
        room = inner_w - self.bp_label.width() - 2 * theme.px(6) - short_age
        self.bp.set_value_size(bp_size(family, room - self.bp.width_for(""), self.bp.WIDEST))
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
        sizes = number_sizes(family, column, inner_h, fixed, WIDEST_NUMBER)
        for numeric in self.boxes:
            numeric.set_value_size(sizes.value)
        self._room_for_plots = sizes.plots
        self.music_chip.set_room(inner_w - self.entry_button.width() - theme.px(6))
        self.pleth.fit_width(round((inner_w - self.trend.scale.width()) / 4))
        self._show_plots()

    def _show_plots(self) -> None:
        show = self.participant is not None and self._room_for_plots
        for widget in (self.pleth.widget, self.trend.widget, self.trend.scale):
            widget.setVisible(show)
