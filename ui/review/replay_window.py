"""Replay: a stored session played back on the live room's own tiles, for training and review.

The grid is the live room's `RoomGrid`; what it draws comes from the log instead of a
running session: the vitals from a `ReplaySource` (each value at its own stored time), who
sat where, the protocol, the alarms shown and the music from a `RoomReplay`. A simulated
clock at the session's own times runs at 1× to 60× while playing and stands still while
paused; a seek rebuilds the room at the new moment and refills the tiles from the store.

Nothing here writes: the database is opened read-only, the tiles offer no command (no
entry, acknowledge or music menu), and no alarm ever sounds; the banner says so, so nobody
takes the replay for the live room.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QMainWindow, QScrollArea, QVBoxLayout, QWidget

from groupkap.clock import SimulatedClock
from groupkap.readings import Latest
from groupkap.review.replay import RoomReplay, moment_label, session_date
from groupkap.room.buffers import SeatVitals
from groupkap.settings import Settings
from groupkap.sources.replay import ReplaySource
from groupkap.store.store import open_read_only
from ui import shortcuts, theme
from ui.review.transport import PLAY_PAUSE, Transport
from ui.room.grid import RoomGrid

PUMP_INTERVAL_MS = 100
RESEEK_BEHIND_S = 120.0  # further behind than this (a stalled machine at 60×): seek instead


def replay_banner_text(title: str, started_at: float) -> str:
    """The banner: what this is, whose session, and that it neither sounds nor writes."""
    name = title or "untitled session"
    return (
        f"REPLAY — {name}, {session_date(started_at)}  ·  not the live room  ·  "
        "silent: no alarm sounds  ·  read-only: nothing here changes the record"
    )


class ReplayWindow(QMainWindow):
    """A past session replayed in the room grid.

    Attributes:
        replay: the room at the moment shown (RoomReplay).
        source: the stored vitals, handed out as the clock passes them (ReplaySource).
        vitals: each seated participant's tile buffers, by participant id.
        clock: the replay's clock (session time; stands still while paused).
        speed: simulated seconds per real second while playing.
        playing: whether the replay is running.
        grid: the live room's grid, its tiles read-only.
        transport: play/pause, speed and the scrub bar.
        banner: `REPLAY — <title>, <date> …` across the top.
        room_alarms: the room's own alarms at the moment (no tile shows them), or hidden.
    """

    def __init__(
        self,
        db_path: Path,
        session_id: str,
        settings: Settings,
        parent=None,
        *,
        speed: float = 10.0,
        start: float | None = None,
    ) -> None:
        conn = open_read_only(Path(db_path))
        try:
            replay = RoomReplay(conn, session_id, config=settings.protocol, start=start)
            source = ReplaySource(conn, session_id, start=replay.t)
        except BaseException:
            conn.close()
            raise
        super().__init__(parent)
        self._conn: sqlite3.Connection | None = conn
        self.settings = settings
        self.replay, self.source = replay, source
        self.speed = float(speed)
        self.playing = False
        self.clock = SimulatedClock(start=replay.t, speed=0.0)
        self.vitals = self._refilled()
        self.setWindowTitle(f"GroupKAP · replay · {replay.title or session_id}")

        self.grid = RoomGrid(
            replay.room,
            lambda pid: self.vitals.get(pid),
            lambda: self.replay.t,
            settings,
            alarms=replay.alarms,
            protocol=replay.protocol,
            music=replay.music,
            spo2=self.latest_spo2,
        )
        for tile in self.grid.tiles.values():
            tile.set_read_only(True)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid)
        self.scroll = scroll

        self.banner = QLabel(replay_banner_text(replay.title, replay.started_at))
        self.banner.setObjectName("ReplayBanner")
        self.banner.setWordWrap(True)
        # The selection blue: unlike every alarm colour, and white on it reads at 5.3:1
        # (the theme's "selected row text" pair).
        self.banner.setStyleSheet(
            f"QLabel#ReplayBanner {{ background: {theme.HIGHLIGHT}; "
            f"color: {theme.HIGHLIGHTED_TEXT}; font-size: {theme.px(20)}px; "
            f"font-weight: bold; padding: {theme.px(8)}px {theme.px(14)}px; }}"
        )
        self.room_alarms = QLabel("")
        self.room_alarms.setStyleSheet(
            f"color: {theme.ALARM_COLOURS['medium']}; font-size: {theme.px(18)}px; "
            f"font-weight: bold; padding: 0 {theme.px(14)}px;"
        )
        self.room_alarms.hide()
        self.transport = Transport(replay.started_at, replay.ended_at, self.speed)
        self.speed = self.transport.speed  # the nearest speed the box offers
        self.transport.play_toggled.connect(self._on_transport_play_toggled)
        self.transport.speed_chosen.connect(self.set_speed)
        self.transport.seek_requested.connect(self.seek)

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.room_alarms)
        column.addWidget(self.transport)
        column.addWidget(scroll, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(
            f"Replay of session {session_id} · {db_path} (opened read-only)"
        )
        shortcuts.bind_window_keys(self, [(PLAY_PAUSE, self.transport.toggle)])

        self.pump_timer = QTimer(self)
        self.pump_timer.setInterval(PUMP_INTERVAL_MS)
        self.pump_timer.timeout.connect(self.pump)
        self._show_moment()
        self.grid.draw_frame(all_plots=True)
        self.grid.start()

    # -- the transport --------------------------------------------------------------------
    def play(self) -> None:
        """Run from the moment shown at the chosen speed (from the start once at the end)."""
        if self.replay.t >= self.replay.ended_at:
            self.seek(self.replay.started_at)
        self.playing = True
        self.clock.run(self.speed)
        self.pump_timer.start()
        self.transport.set_playing(True)

    def pause(self) -> None:
        """Stop the clock where it is; the tiles keep showing that moment."""
        self.playing = False
        self.pump_timer.stop()
        self.clock.stop()
        self.pump()
        self.transport.set_playing(False)

    def set_speed(self, speed: float) -> None:
        """Play on at `speed` from where the clock is (the moment shown does not jump); a
        speed the box does not offer becomes the nearest one it does."""
        self.speed = float(speed)
        if self.playing:
            self.clock.run(self.speed)
        self.transport.set_speed(self.speed)

    def seek(self, t: float) -> None:
        """Show the room at `t`: rebuilt from the log, the tiles refilled from the store."""
        self.replay.seek(t)
        self.source.seek(self.replay.t)
        self.vitals = self._refilled()
        self.clock = SimulatedClock(start=self.replay.t, speed=self.speed if self.playing else 0)
        self._rebind()
        self.grid.draw_frame(all_plots=True)

    def step(self, seconds: float) -> None:
        """Move a paused replay on by `seconds` of session time (tests, frame by frame)."""
        self.clock.advance(seconds)
        self.pump()

    # -- the heartbeat ------------------------------------------------------------------
    def pump(self) -> None:
        """Bring the room up to the clock: the events passed and the values measured."""
        now = min(self.clock.now(), self.replay.ended_at)
        if now - self.source.position > RESEEK_BEHIND_S:
            self.seek(now)
        while now > self.replay.t:
            before = self.source.position
            batch = self.source.take(now)
            if self.source.position <= before:
                break
            cuff = any(r.param == "SBP" and not r.by_hand for _, r in batch.readings)
            passed = self.replay.advance(self.source.position, cuff_measured=cuff)
            if passed.seating:
                for pid, person in self.replay.room.participants.items():
                    self.vitals.setdefault(pid, SeatVitals(person.seat)).seat = person.seat
                for pid in set(self.vitals) - set(self.replay.room.participants):
                    del self.vitals[pid]
            for pid, reading in batch.readings:
                if pid in self.vitals:
                    self.vitals[pid].add_reading(reading)
            for pid, block in batch.blocks:
                if pid in self.vitals:
                    self.vitals[pid].add_block(block)
            for pid, param, t, value in passed.struck:
                if pid in self.vitals:
                    self.vitals[pid].strike(param, t, value)
            if passed.seating:
                self.grid.sync()
        self.grid.protocol = self.replay.protocol
        if now >= self.replay.ended_at and self.playing:
            self.pause()
        self._show_moment()

    # -- helpers ------------------------------------------------------------------------
    def _refilled(self) -> dict[str, SeatVitals]:
        return self.replay.fresh_vitals(
            trend_s=self.settings.trend_minutes * 60, pleth_s=self.settings.pleth_seconds
        )

    def _rebind(self) -> None:
        """After a seek: the grid reads the rebuilt room's alarms, protocol and music."""
        self.grid.alarms = self.replay.alarms
        self.grid.protocol = self.replay.protocol
        self.grid.music = self.replay.music
        self.grid.sync()
        self._show_moment()

    def latest_spo2(self, pid: str) -> Latest | None:
        """The newest SpO2 on the participant's tile, with its time and source."""
        vitals = self.vitals.get(pid)
        latest = vitals.latest("SpO2") if vitals else None
        if latest is None:
            return None
        return Latest(latest[0], latest[1], vitals.source_of_latest("SpO2") or "monitor")

    def moment_seat(self) -> tuple[int, float] | None:
        """(seat, T0) the moment is told against: the focused seat if dosed, else the first
        seat dosed by then, else the first seat dosed at all."""
        dosed = []
        for seat, person in self.replay.room.by_seat():
            t0 = self.replay.t0_of(person.id) if person is not None else None
            if t0 is not None:
                dosed.append((seat.number, t0))
        focused = next((n for n, tile in self.grid.tiles.items() if tile.hasFocus()), None)
        for number, t0 in dosed:
            if number == focused:
                return number, t0
        passed = [d for d in dosed if d[1] <= self.replay.t]
        return (passed or dosed or [None])[0]

    def _show_moment(self) -> None:
        t = self.replay.t
        seat = self.moment_seat()
        label = moment_label(t, seat[1], seat[0]) if seat else moment_label(t)
        self.transport.show_moment(t, label)
        room = self.replay.alarms.room_alarms()
        text = "Room: " + "   ".join(a.label for a in room) if room else ""
        if text != self.room_alarms.text():
            self.room_alarms.setText(text)
            self.room_alarms.setVisible(bool(text))

    def _on_transport_play_toggled(self, play: bool) -> None:
        if play:
            self.play()
        else:
            self.pause()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.pump_timer.stop()
        self.grid.stop()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        super().closeEvent(event)
