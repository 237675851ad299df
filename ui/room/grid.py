"""The room grid: seat tiles laid out where the chairs are, redrawn by one frame timer.

Live data is pulled: a single QTimer (at most 30 fps) reads each participant's buffers and
updates the tiles, so the input rate of any source never drives the drawing rate.

The grid never reflows: every tile gets the same fixed size for the seat count, worked out
from the grid's own size (not from what the tiles contain), so an alarm, a long alias or a
three-digit heart rate changes nothing but the tile's own drawing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QRect, QSize, QTimer, Signal
from PySide6.QtWidgets import QWidget

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.model import Alarm
from groupkap.music.director import MusicDirector
from groupkap.protocol.group import Protocol
from groupkap.protocol.readout import protocol_readout
from groupkap.readings import Latest
from groupkap.room.buffers import SeatVitals
from groupkap.room.model import Room
from groupkap.settings import Settings
from ui import theme
from ui.room.tile import SeatTile


class RoomGrid(QWidget):
    """All seat tiles of a room.

    Attributes:
        tiles: the tiles by seat number.
        rows, cols: the grid's shape (from the seats' positions).
        frames: how many frames have been drawn (for tests and the benchmark).
        between_tiles: called before each tile is drawn; True when it ran the heartbeat
            (the running room's `beat_if_due`), so a slow frame never holds a due beat
            for longer than one tile's drawing. The tiles after it show the new data.

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
        self.between_tiles: Callable[[], bool] | None = None
        self.margin = theme.px(8)
        self.spacing = theme.px(8)
        self.tiles: dict[int, SeatTile] = {}
        for seat, _ in room.by_seat():
            self.tiles[seat.number] = SeatTile(seat, settings, self)
        self.rows = 1 + max(t.seat.row for t in self.tiles.values())
        self.cols = 1 + max(t.seat.col for t in self.tiles.values())
        self._laid_out_for: QSize | None = None
        # Tab: tile 1, its buttons, tile 2, ... in seat order.
        chain = [w for n in sorted(self.tiles) for w in self.tiles[n].focus_chain()]
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)
        self.sync()
        # Trends redraw about twice a second (measured: scripts/bench_room.py), the tiles
        # in turn: one or two a frame, rather than every tile's in one frame that then
        # takes several times as long as the others (scripts/bench/room_frame.py).
        self._trend_every = max(1, round(settings.frame_rate_hz / 2))
        order = sorted(self.tiles)
        self._trend_slot = {n: i * self._trend_every // len(order) for i, n in enumerate(order)}
        self.timer = QTimer(self)
        self.timer.setInterval(max(33, int(1000 / settings.frame_rate_hz)))
        self.timer.timeout.connect(self.draw_frame)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    # -- the fixed layout ---------------------------------------------------------------
    def tile_size(self, size: QSize | None = None) -> QSize:
        """Every tile's size when the grid is `size` (its own size by default)."""
        size = self.size() if size is None else size
        width = (size.width() - 2 * self.margin - (self.cols - 1) * self.spacing) // self.cols
        height = (size.height() - 2 * self.margin - (self.rows - 1) * self.spacing) // self.rows
        return QSize(max(1, width), max(1, height))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        tile = next(iter(self.tiles.values())).minimumSize()
        return QSize(
            2 * self.margin + self.cols * tile.width() + (self.cols - 1) * self.spacing,
            2 * self.margin + self.rows * tile.height() + (self.rows - 1) * self.spacing,
        )

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return self.minimumSizeHint()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._place_tiles()
        super().resizeEvent(event)

    def _place_tiles(self) -> None:
        """Place every tile at its seat's cell, all the same size; once per grid size."""
        if self._laid_out_for == self.size():
            return
        self._laid_out_for = self.size()
        tile = self.tile_size()
        for t in self.tiles.values():
            x = self.margin + t.seat.col * (tile.width() + self.spacing)
            y = self.margin + t.seat.row * (tile.height() + self.spacing)
            # Its numbers sized first, so its layout runs once at the new size, not twice.
            t.lay_out_for(tile.width(), tile.height())
            t.setGeometry(QRect(x, y, tile.width(), tile.height()))

    def sync(self) -> None:
        """Re-bind tiles to whoever sits on each seat (after add, move, rename, remove)."""
        for number, tile in self.tiles.items():
            person = self.room.on_seat(number)
            if tile.participant is not person or (
                person is not None and tile.title.text() != f"{number} · {person.alias}"
            ):
                tile.bind(person)

    def trends_due(self, frame: int | None = None) -> list[int]:
        """The seats whose trends frame number `frame` (the next one by default) redraws."""
        slot = (self.frames if frame is None else frame) % self._trend_every
        return [n for n, s in self._trend_slot.items() if s == slot]

    def draw_frame(self, all_plots: bool = False) -> None:
        """Draw one frame; `all_plots` also redraws every trend (for a screenshot)."""
        now = self._now()
        flash_t = self._flash_clock()
        slot = self.frames % self._trend_every
        alarms = self._alarms_by_participant()
        for tile in self.tiles.values():
            if self.between_tiles is not None and self.between_tiles():
                now, alarms = self._now(), self._alarms_by_participant()
            if tile.participant is not None:
                pid = tile.participant.id
                trends = all_plots or self._trend_slot[tile.seat.number] == slot
                tile.refresh(self._vitals_for(pid), now, trends)
                if self.alarms is not None:
                    tile.show_alarms(alarms.get(pid, ()), self.alarms.pause_remaining(pid), flash_t)
                    tile.show_alarms_off(self.alarms.off_params(pid))
                if trends:
                    tile.show_trend_marks(
                        self.protocol.of(pid).t0 if self.protocol is not None else None,
                        self.alarms.limits_for(pid) if self.alarms is not None else None,
                        now,
                    )
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

    def _alarms_by_participant(self) -> dict[str, list[Alarm]]:
        alarms: dict[str, list[Alarm]] = {}
        if self.alarms is not None:
            for alarm in self.alarms.alarms.values():
                alarms.setdefault(alarm.participant_id, []).append(alarm)
        return alarms
