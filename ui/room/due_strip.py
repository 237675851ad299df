"""A slim strip above the room grid: what falls due next for the whole room, one line of chips.

The core (`groupkap.protocol.due.room_due`) decides what is due and in which order; the strip
only draws it. Chips are reused, their text set only when it changes, and a chip is restyled
only when its overdue state flips, so a refresh that brings nothing new costs one comparison.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from groupkap.protocol.due import DueItem, room_due
from groupkap.protocol.group import Protocol
from groupkap.readings import Latest
from groupkap.room.model import Room
from ui import theme

OVERDUE_MARK = "⚠"  # with the word "overdue" in the chip: colour is never the only cue


def _chip_style(overdue: bool) -> str:
    size = theme.px(theme.MIN_READABLE_PX)
    if overdue:
        colour, border, weight = theme.ALARM_COLOURS["medium"], theme.px(2), "bold"
        edge = colour
    else:
        colour, border, weight = theme.TEXT, 1, "normal"
        edge = theme.TILE_BORDER
    return (
        f"QLabel {{ color: {colour}; background: {theme.TILE}; border: {border}px solid {edge};"
        f" border-radius: {theme.px(4)}px; padding: {theme.px(2)}px {theme.px(8)}px;"
        f" font-size: {size}px; font-weight: {weight}; }}"
    )


def _plain_style(colour: str, bold: bool = False) -> str:
    weight = "bold" if bold else "normal"
    return (
        f"QLabel {{ color: {colour}; font-size: {theme.px(theme.MIN_READABLE_PX)}px;"
        f" font-weight: {weight}; }}"
    )


def chip_text(item: DueItem) -> str:
    """`3 · R.K. · BP +55 min · in 4 min`, marked `⚠` in front when overdue."""
    mark = f"{OVERDUE_MARK} " if item.overdue and item.kind != "flag" else ""
    return mark + item.text


class DueStrip(QWidget):
    """What falls due in the next minutes across every participant, overdue first.

    Chips that do not fit the width are left off behind `+N more`; the full list is in the
    strip's tooltip. `refresh(now)` is called by the room's frame timer.

    Attributes:
        items: the DueItems of the last refresh, in the order shown.
        chips: the chip labels (a reused pool; only the ones that fit are visible).
        empty: the "nothing due" line.
        more: the `+N more` label.
    """

    def __init__(
        self,
        protocol: Protocol,
        room: Room,
        now: Callable[[], float],
        spo2: Callable[[str], Latest | None] = lambda pid: None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.protocol = protocol
        self.room = room
        self._now = now
        self._spo2 = spo2
        self.items: list[DueItem] = []
        self.chips: list[QLabel] = []
        self._chip_overdue: list[bool] = []
        self._shown: tuple | None = None
        self.setObjectName("DueStrip")
        self.setAccessibleName("Due next")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(theme.px(8), theme.px(4), theme.px(8), 0)
        self._layout.setSpacing(theme.px(8))
        self.title = QLabel("Due next")
        self.title.setStyleSheet(_plain_style(theme.TEXT_DIM, bold=True))
        self.empty = QLabel("")
        self.empty.setStyleSheet(_plain_style(theme.TEXT_DIM))
        self.more = QLabel("")
        self.more.setStyleSheet(_plain_style(theme.TEXT_DIM))
        self._more_overdue = False
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.empty)
        self._layout.addWidget(self.more)
        self._layout.addStretch(1)
        self.more.hide()
        # A chip sets the strip's height, so it is the same with or without items.
        probe = QLabel("0")
        probe.setStyleSheet(_chip_style(True))
        probe.ensurePolished()
        self.setFixedHeight(probe.sizeHint().height() + theme.px(4))

    @property
    def horizon_min(self) -> float:
        return self.protocol.config.due_horizon_min

    def refresh(self, now: float | None = None) -> None:
        """Work out what is due at `now` (the session clock when None) and show it."""
        now = self._now() if now is None else now
        config = self.protocol.config
        items = room_due(
            self.protocol,
            self.room,
            now,
            config.due_horizon_min * 60,
            config.overdue_grace_min * 60,
            self._spo2,
        )
        shown = tuple((chip_text(i), i.overdue) for i in items)
        if shown == self._shown:
            return
        self._shown = shown
        self.items = items
        while len(self.chips) < len(items):
            self._add_chip()
        for i, (text, overdue) in enumerate(shown):
            chip = self.chips[i]
            if chip.property("full_text") != text:
                chip.setProperty("full_text", text)
                chip.setText(text)
                chip.setToolTip(text)
            if self._chip_overdue[i] != overdue:
                self._chip_overdue[i] = overdue
                chip.setStyleSheet(_chip_style(overdue))
                chip.ensurePolished()
        nothing = f"nothing due in the next {self.horizon_min:g} min"
        self.empty.setText(nothing if not items else "")
        self.empty.setVisible(not items)
        self.setToolTip("\n".join(text for text, _ in shown) if items else nothing)
        self._fit()

    def visible_chips(self) -> list[QLabel]:
        return [c for c in self.chips[: len(self.items)] if not c.isHidden()]

    # -- layout -------------------------------------------------------------------
    def _add_chip(self) -> None:
        chip = QLabel("")
        chip.setStyleSheet(_chip_style(False))
        chip.setTextFormat(Qt.TextFormat.PlainText)
        chip.setMinimumWidth(1)  # the strip decides what fits; a chip never widens the window
        chip.ensurePolished()  # the style sheet's font, before the first measure
        chip.hide()
        # before the `+N more` label and the stretch
        self._layout.insertWidget(self._layout.indexOf(self.more), chip)
        self.chips.append(chip)
        self._chip_overdue.append(False)

    def _fit(self) -> None:
        """Show as many whole chips as the width takes, `+N more` for the rest; a first
        chip wider than the strip is elided (its full text stays in the tooltip)."""
        n = len(self.items)
        spacing = self._layout.spacing()
        margins = self._layout.contentsMargins()
        room = self.width() - margins.left() - margins.right() - self.title.sizeHint().width()
        full = [self.chips[i].property("full_text") for i in range(n)]
        for i in range(n):  # measure whole texts (an earlier fit may have elided the first)
            if self.chips[i].text() != full[i]:
                self.chips[i].setText(full[i])
        widths = [self.chips[i].sizeHint().width() + spacing for i in range(n)]
        more_width = self._more_width(n) + spacing
        fit = n
        while fit and sum(widths[:fit]) + (more_width if fit < n else 0) > room:
            fit -= 1
        if n and not fit:  # not even one whole chip: the most urgent one, elided
            fit = 1
            chip = self.chips[0]
            padding = chip.sizeHint().width() - chip.fontMetrics().horizontalAdvance(full[0])
            width = max(0, room - spacing - (more_width if n > 1 else 0) - padding)
            chip.setText(chip.fontMetrics().elidedText(full[0], Qt.TextElideMode.ElideRight, width))
        for i, chip in enumerate(self.chips):
            visible = i < fit
            if chip.isHidden() == visible:
                chip.setVisible(visible)
        self._show_more(n - fit, any(item.overdue for item in self.items[fit:]))

    def _more_width(self, n: int) -> int:
        probe = f"{OVERDUE_MARK} +{n} more"
        return self.more.fontMetrics().horizontalAdvance(probe) + theme.px(4)

    def _show_more(self, hidden: int, overdue: bool) -> None:
        mark = f"{OVERDUE_MARK} " if overdue else ""
        text = f"{mark}+{hidden} more" if hidden else ""
        if text != self.more.text():
            self.more.setText(text)
            self.more.setVisible(bool(hidden))
        if overdue != self._more_overdue:
            self._more_overdue = overdue
            colour = theme.ALARM_COLOURS["medium"] if overdue else theme.TEXT_DIM
            self.more.setStyleSheet(_plain_style(colour, bold=overdue))
            self.more.ensurePolished()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self.items:
            self._fit()
