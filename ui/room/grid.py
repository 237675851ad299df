"""The room grid: seat tiles laid out where the chairs are, redrawn by one frame timer.

Live data is pulled: a single QTimer (at most 30 fps) reads each participant's buffers and
updates the tiles, so the input rate of any source never drives the drawing rate.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from groupkap.alarms.engine import AlarmEngine
from groupkap.music.director import MusicDirector
from groupkap.protocol.group import Protocol
from groupkap.protocol.readout import protocol_readout
from groupkap.readings import Latest
from groupkap.room.buffers import SeatVitals
from groupkap.room.model import Room
from groupkap.settings import Settings
from ui.room.tile import SeatTile


class RoomGrid(QWidget):
    """All seat tiles of a room.

    Attributes:
        tiles: the tiles by seat number.
        frames: how many frames have been drawn (for tests and the benchmark).

    Signals:
        frame_drawn(float): after each frame, with the session time it showed.
    """

    frame_drawn = Signal(float)

    def __init__(
        self,
        room: Room,
        vitals_for: Callable[[str], SeatVitals | None],
        now: Callable[[], float],
        settings: Settings,
        parent=None,
        *,
        alarms: AlarmEngine | None = None,
        protocol: Protocol | None = None,
        music: MusicDirector | None = None,
        spo2: Callable[[str], Latest | None] = lambda pid: None,
        flash_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.room = room
        self.alarms = alarms
        self.protocol = protocol
        self.music = music
        self._spo2 = spo2
        # Lights flash in real time whatever the session clock's speed.
        self._flash_clock = flash_clock
        self._vitals_for = vitals_for
        self._now = now
        self.frames = 0
        layout = QGridLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        self.tiles: dict[int, SeatTile] = {}
        for seat, _ in room.by_seat():
            tile = SeatTile(seat, settings)
            layout.addWidget(tile, seat.row, seat.col)
            self.tiles[seat.number] = tile
        self.sync()
        # Trends redraw about twice a second (measured: scripts/bench_room.py).
        self._trend_every = max(1, round(settings.frame_rate_hz / 2))
        self.timer = QTimer(self)
        self.timer.setInterval(max(33, int(1000 / settings.frame_rate_hz)))
        self.timer.timeout.connect(self.draw_frame)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def sync(self) -> None:
        """Re-bind tiles to whoever sits on each seat (after add, move, rename, remove)."""
        for number, tile in self.tiles.items():
            person = self.room.on_seat(number)
            if tile.participant is not person or (
                person is not None and tile.title.text() != f"{number} · {person.alias}"
            ):
                tile.bind(person)

    def draw_frame(self, all_plots: bool = False) -> None:
        """Draw one frame; `all_plots` also redraws the trends (for a screenshot)."""
        now = self._now()
        flash_t = self._flash_clock()
        trends = all_plots or self.frames % self._trend_every == 0
        for tile in self.tiles.values():
            if tile.participant is not None:
                pid = tile.participant.id
                tile.refresh(self._vitals_for(pid), now, trends)
                if self.alarms is not None:
                    tile.show_alarm(
                        self.alarms.top_for(pid), self.alarms.pause_remaining(pid), flash_t
                    )
                    tile.show_alarms_off(self.alarms.off_params(pid))
                if self.music is not None:
                    tile.show_music(self.music.chip(pid))
                if self.protocol is not None:
                    tile.show_protocol(
                        protocol_readout(
                            self.protocol.of(pid),
                            now,
                            self._spo2(pid),
                            self.protocol.config.overdue_grace_min * 60,
                        )
                    )
        self.frames += 1
        self.frame_drawn.emit(now)
