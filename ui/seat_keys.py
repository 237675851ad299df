"""The seats from the keyboard: `1` … `0` go to a seat; with a seat focused, `M`, `B`, `N`
open its MOAA/S, BP and note entries and `A` acknowledges its alarms.

The keys come from ui/shortcuts.py; this module says what they do in the room window.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from ui import shortcuts
from ui.room.tile import SeatTile


class SeatKeys:
    """The seat keys of one window.

    Attributes:
        tiles: the room's tiles by seat number.
        bound: every QShortcut made (they belong to the window and its tiles).
    """

    def __init__(
        self,
        window: QWidget,
        tiles: dict[int, SeatTile],
        scroll: QScrollArea,
        *,
        open_entry: Callable[[str, str], object],
        acknowledge_seat: Callable[[str], object],
        acknowledge_selected: Callable[[], object] | None,
    ) -> None:
        self.tiles, self._scroll = tiles, scroll
        self._open_entry = open_entry
        self._acknowledge_seat, self._acknowledge_selected = acknowledge_seat, acknowledge_selected
        self.bound: list[QShortcut] = shortcuts.bind_seat_numbers(window, self.focus_seat)
        if acknowledge_selected is not None:
            # One A for the window: the focused seat's alarms, else the alarm chosen in the
            # list (two A shortcuts would be ambiguous, and Qt would then do neither).
            self.bound += shortcuts.bind_window_keys(
                window, [(shortcuts.ALARM_ACKNOWLEDGE, self._on_acknowledge_key)]
            )
        for tile in tiles.values():
            # Only while the focus is on this tile or inside it.
            self.bound += shortcuts.bind_widget_keys(
                tile,
                [
                    (shortcuts.SEAT_MOAAS, lambda t=tile: self._on_entry_key(t, "moaas")),
                    (shortcuts.SEAT_BP, lambda t=tile: self._on_entry_key(t, "bp")),
                    (shortcuts.SEAT_NOTE, lambda t=tile: self._on_entry_key(t, "note")),
                ],
            )

    def focus_seat(self, number: int) -> None:
        """Put the keyboard focus on a seat's tile (nothing when the room has no such seat)."""
        tile = self.tiles.get(number)
        if tile is not None:
            self._scroll.ensureWidgetVisible(tile, 0, 0)
            tile.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focused_seat(self) -> SeatTile | None:
        """The tile that has the focus, or holds the widget that has it."""
        focus = QApplication.focusWidget()
        for tile in self.tiles.values():
            if focus is tile or (focus is not None and tile.isAncestorOf(focus)):
                return tile
        return None

    def _on_entry_key(self, tile: SeatTile, action: str) -> None:
        if tile.participant is not None:
            self._open_entry(tile.participant.id, action)

    def _on_acknowledge_key(self) -> None:
        tile = self.focused_seat()
        if tile is None:
            self._acknowledge_selected()
        elif tile.participant is not None:
            self._acknowledge_seat(tile.participant.id)
