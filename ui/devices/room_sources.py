"""Where each seat's values come from, in the window: the toolbar's word, the tiles' `SIM`
badges, the unassigned-monitors tray, and putting a monitor on a seat.

A seat is simulated as long as its source says so (`simulated_seats`); putting a monitor on
a simulated seat makes it real for good, and the badge and the toolbar follow within half a
second. The tray, the drop targets and the menu exist only for a source with monitors (one
that has `unassigned()`); a plain simulator gets the badges and the word only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

from groupkap.errors import GroupKapError
from groupkap.session import LiveSession
from groupkap.sources.mixed import simulated_seats
from ui import theme
from ui.devices.seat_drop import SeatDrops
from ui.devices.tray import DeviceTray
from ui.devices.words import seat_list, source_words

REFRESH_S = 0.5  # the tray and the badges follow the room twice a second (real time)


def _device_map(source):
    """The room's device → seat map of a source with monitors (None for a simulator)."""
    return getattr(getattr(source, "hl7", source), "devices", None)


class RoomSources(QObject):
    """The window's view of which seats are real and which monitors are on no seat.

    Attributes:
        label: the toolbar's `SIMULATED participants` / `seats 3, 5 simulated` /
            `live monitors`.
        tray: the unassigned-monitors tray (None for a source without monitors).
        drops: the tiles as drop targets for a monitor's chip (None likewise).
        simulated: the simulated seats as last shown.
    """

    def __init__(
        self,
        live: LiveSession,
        tiles: Mapping[int, object],
        show_error: Callable[[str], None],
        *,
        real_clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.live = live
        self.tiles = tiles
        self._show_error = show_error
        self._real_clock = real_clock
        self._refreshed_at: float | None = None
        self.simulated: tuple[int, ...] | None = None
        self.label = QLabel("")
        self.label.setStyleSheet(
            f"color: {theme.TEXT_DIM}; font-size: {theme.px(theme.MIN_READABLE_PX)}px; "
            "padding: 0 12px;"
        )
        self.tray: DeviceTray | None = None
        self.drops: SeatDrops | None = None
        if callable(getattr(live.source, "unassigned", None)):
            self.tray = DeviceTray(live.source.unassigned, live.clock.now, self.free_seats)
            self.tray.assign_requested.connect(self.assign)
            self.drops = SeatDrops(lambda seat: seat in self._free_numbers(), self)
            for seat, tile in tiles.items():
                self.drops.watch(tile, seat)
            self.drops.device_dropped.connect(self.assign)
        self.show_sources()

    # -- what is shown ----------------------------------------------------------------
    def on_frame(self, now: float) -> None:
        """The room's frame timer: follow the source at most every REFRESH_S of real time."""
        real = self._real_clock()
        if self._refreshed_at is not None and real - self._refreshed_at < REFRESH_S:
            return
        self._refreshed_at = real
        self.show_sources()
        if self.tray is not None:
            self.tray.refresh(now)

    def show_sources(self) -> None:
        """Badge the simulated seats' tiles and word the toolbar, when that changed."""
        simulated = simulated_seats(self.live.source)
        if simulated == self.simulated:
            return
        self.simulated = simulated
        for seat, tile in self.tiles.items():
            tile.set_simulated(seat in simulated)
        self.label.setText(source_words(self.tiles, simulated))
        real = set(self.tiles) - set(simulated)
        self.label.setToolTip(
            "Where the vital signs come from: "
            + (f"monitors on seats {seat_list(real)}" if real else "no monitor")
            + (f"; simulated values on seats {seat_list(simulated)}" if simulated else "")
        )

    # -- putting a monitor on a seat ---------------------------------------------------
    def _free_numbers(self) -> set[int]:
        devices = _device_map(self.live.source)
        taken = set(devices.mapping.values()) if devices is not None else set()
        return set(self.tiles) - taken

    def free_seats(self) -> list[tuple[int, str]]:
        """Seats no monitor feeds yet, as the chip's menu names them
        (`Seat 4 · S.T. (simulated)`)."""
        out = []
        for seat in sorted(self._free_numbers()):
            person = self.live.room.on_seat(seat)
            name = f"Seat {seat} · {person.alias if person else 'empty'}"
            if self.simulated and seat in self.simulated:
                name += " (simulated)"
            out.append((seat, name))
        return out

    def assign(self, device: str, seat: int) -> bool:
        """Put `device` on `seat` for this room (logged as `device.assigned` by the source);
        a problem is shown in the window, never raised."""
        try:
            self.live.source.assign(device, seat, self.live.actor)
        except GroupKapError as exc:
            self._show_error(f"monitor {device} not put on seat {seat}: {exc}")
            return False
        devices = _device_map(self.live.source)
        if devices is not None and devices.save_problem:
            self._show_error(devices.save_problem + "; the assignment holds for this session")
        self.show_sources()
        if self.tray is not None:
            self.tray.refresh()
        return True
