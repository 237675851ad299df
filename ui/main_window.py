"""The main window: the room grid, a slim toolbar, and a status line with the session clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from groupkap import ADJUNCT_NOTICE, __version__
from groupkap.accounts import Accounts
from groupkap.clock import utc_iso
from groupkap.demo.music_library import demo_playlists
from groupkap.errors import GroupKapError
from groupkap.session import LiveSession
from groupkap.settings import Settings
from ui import shortcuts, theme
from ui.accounts.access import WindowAccess
from ui.alarms.alarm_bar import AlarmBar
from ui.alarms.limits_dialog import limits_dialog
from ui.circle.dock import CircleDock
from ui.circle.setup import circle_dialog, show_fairness
from ui.course import seat_person
from ui.course.feedback_form import feedback_for
from ui.devices.room_sources import RoomSources
from ui.music.playlist_editor import PlaylistEditor
from ui.music.setup_dialog import music_setup_dialog
from ui.protocol import dialogs as protocol_dialogs
from ui.room import participant_dialogs as dialogs
from ui.room.due_strip import DueStrip
from ui.room.grid import RoomGrid
from ui.room.tile_menus import FEEDBACK
from ui.seat_keys import SeatKeys

SOUND_FAILURE_TITLE = "⚠ Alarm sound not working — watch the screen"
LOG_FAILURE_TITLE = "⚠ Session log not being written — note events by hand"


def _banner(name: str) -> QLabel:
    """A banner across the top for a standing fault, hidden until there is one."""
    banner = QLabel()
    banner.setObjectName(name)
    banner.setWordWrap(True)
    # The high-alarm red, steady: it is a standing condition, not a new alarm. Black text
    # on that red reads better than white (contrast about 6:1 against 3.5:1).
    banner.setStyleSheet(
        f"QLabel#{name} {{ background: {theme.ALARM_COLOURS['high']}; "
        "color: #000000; font-size: 18px; font-weight: bold; padding: 8px 14px; }"
    )
    banner.hide()
    return banner


class MainWindow(QMainWindow):
    """The facilitators' window.

    Attributes:
        live: the running session.
        grid: the room grid inside a scroll area (scrollbars only on a too-small screen).
        sound_banner: the banner across the top saying the alarm sound is not working
            (hidden until `show_sound_failure`; it never hides by itself).
        log_banner: the banner saying the session log is not being written (from
            `show_log_failure` until `log_recovered`).
        circle, circle_view: the sharing circle and its view (None before the first).
        circle_dock: the column beside the grid with the circle's controls (and its
            display when it has no screen of its own); None before the first circle.
        sources: which seats are simulated (`SIM` badges, the toolbar's word) and the
            unassigned-monitors tray (`sources.tray`, under the due strip) for a room with
            monitors.
        shortcut_overlay: the `?` list of every keyboard shortcut.
        seat_keys: the seat keys (`1` … `0`, and M, B, N, A on a focused seat).
        window_keys: the window's other keys (the circle's, R, Ctrl+Shift+P, ?).
        access: who acts (`live.account`, the toolbar's word), the lock after idle,
            Switch user and emergency access (`ui/accounts/access.py`).

    Signals:
        close_requested(): the facilitator closed the window (the app ends the session).
    """

    close_requested = Signal()

    def __init__(
        self,
        live: LiveSession,
        settings: Settings,
        *,
        db_path: str,
        flash_clock: Callable[[], float] = time.monotonic,
        open_circle: Callable | None = None,
        music_library: Path | None = None,
        play_tone: Callable[[str], object] | None = None,
        accounts: Accounts | None = None,
        idle_clock: Callable[[], float] = time.monotonic,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.live = live
        self._music_library = music_library
        self.setWindowTitle(f"GroupKAP · {live.id}")
        self.grid = RoomGrid(
            live.room,
            live.vitals.get,
            live.clock.now,
            settings,
            alarms=live.alarms,
            protocol=live.protocol,
            music=live.music,
            spo2=live.latest_spo2,
            flash_clock=flash_clock,
        )
        for tile in self.grid.tiles.values():
            tile.add_requested.connect(self._on_tile_add_requested)
            tile.rename_requested.connect(self._on_tile_rename_requested)
            tile.reseat_requested.connect(self._on_tile_reseat_requested)
            tile.remove_requested.connect(self._on_tile_remove_requested)
            tile.acknowledge_requested.connect(self._on_tile_acknowledge_requested)
            tile.pause_requested.connect(self._on_tile_pause_requested)
            tile.limits_requested.connect(self._on_tile_limits_requested)
            tile.protocol_requested.connect(self._on_tile_protocol_requested)
            tile.music_requested.connect(self._on_tile_music_requested)
        live.room.on_change(self.grid.sync)

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.grid)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.sound_banner = _banner("SoundFailureBanner")
        column.addWidget(self.sound_banner)
        self.log_banner = _banner("LogFailureBanner")
        column.addWidget(self.log_banner)
        self.alarm_bar: AlarmBar | None = None
        if live.alarms is not None:
            self.alarm_bar = AlarmBar(live.alarms, live.room, lambda: self.access.alarm_actor())
            self.alarm_bar.action_failed.connect(self.show_error)
            self.grid.frame_drawn.connect(lambda _t: self.alarm_bar.refresh())
            column.addWidget(self.alarm_bar)
        self.due_strip: DueStrip | None = None
        if live.protocol is not None:  # what falls due next across the room, soonest first
            self.due_strip = DueStrip(live.protocol, live.room, live.clock.now, live.latest_spo2)
            self.grid.frame_drawn.connect(self.due_strip.refresh)
            column.addWidget(self.due_strip)
        self.sources = RoomSources(live, self.grid.tiles, self.show_error, real_clock=flash_clock)
        self.grid.frame_drawn.connect(self.sources.on_frame)
        if self.sources.tray is not None:
            column.addWidget(self.sources.tray)
        column.addWidget(self.scroll, 1)
        self.setCentralWidget(central)

        bar = self.toolbar = QToolBar("Session")
        bar.setMovable(False)
        self.addToolBar(bar)
        add = QAction("Add participant", self)
        add.setShortcuts(list(shortcuts.ADD_PARTICIPANT.keys))
        add.setToolTip(shortcuts.with_key("Seat a new participant", shortcuts.ADD_PARTICIPANT))
        add.triggered.connect(lambda: self._on_tile_add_requested(None))
        bar.addAction(add)
        if live.music is not None:
            setup = QAction("Music set-up…", self)
            setup.setToolTip("Choose each seat's audio output and test it with a soft tone")
            setup.triggered.connect(
                lambda: music_setup_dialog(self.live, settings, self, play_tone=play_tone).open()
            )
            bar.addAction(setup)
            lists = QAction("Playlists…", self)
            lists.setToolTip("Edit the playlists and the arc of each session phase")
            lists.triggered.connect(self._on_playlists_requested)
            bar.addAction(lists)
            quiet = QAction("All quiet", self)
            quiet.setToolTip("Fade every seat's music to silence within 5 s")
            quiet.triggered.connect(
                lambda: self.access.may("music.control") and live.music.all_quiet(live.actor)
            )
            bar.addAction(quiet)
        self.circle = None
        self.circle_view = None
        self._open_circle = open_circle
        if open_circle is not None:
            circle = QAction("Sharing circle…", self)
            circle.setToolTip(
                "Start a sharing circle: its display goes on a second screen, or beside the room"
            )
            circle.triggered.connect(self._on_circle_requested)
            bar.addAction(circle)
            figures = QAction("Circle figures", self)
            figures.setToolTip("Staff only: spoken time, passes, overtime and the Gini")
            figures.triggered.connect(lambda: show_fairness(self.circle, self.live, self))
            bar.addAction(figures)
        self._db_path, self._settings = Path(db_path), settings
        self.review_desk = None  # opened with the first Open session…
        review = QAction("Open session…", self)
        review.setToolTip(
            "Review a past session (read-only): timeline, alarms, compliance; replay or export it"
        )
        review.triggered.connect(self.open_review)
        bar.addAction(review)
        people = QAction("Participants…", self)
        people.setToolTip("Each person's course over the weeks: sessions, outcomes, feedback, plan")
        people.triggered.connect(self.open_people)
        bar.addAction(people)
        keys = QAction("Keys ?", self)
        keys.setToolTip(shortcuts.with_key("Every keyboard shortcut", shortcuts.HELP))
        keys.triggered.connect(lambda: self.shortcut_overlay.toggle())
        bar.addAction(keys)
        about = QAction("About", self)
        about.setToolTip("Version, and what GroupKAP is (and is not) for")
        about.triggered.connect(self.show_about)
        bar.addAction(about)
        self.clock_label = QLabel("")
        self.clock_label.setStyleSheet(
            f"color: {theme.TEXT}; font-size: {theme.px(theme.MIN_READABLE_PX)}px; padding: 0 12px;"
        )
        self.clock_label.setToolTip("Session time (UTC); ×N when a simulated clock runs faster")
        bar.addWidget(self.clock_label)
        self.source_label = self.sources.label
        bar.addWidget(self.source_label)
        self.circle_dock: CircleDock | None = None
        self.shortcut_overlay = shortcuts.ShortcutOverlay(self.scroll)
        self._bind_keys()
        self.access = WindowAccess(
            self,
            accounts,
            lock_after_s=settings.security.lock_after_min * 60,
            idle_clock=idle_clock,
        )

        self.statusBar().showMessage(
            f"Session {live.id} · {db_path} · adjunct display — bedside monitors remain the "
            "primary alarm source"
        )
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(500)
        self._clock_timer.timeout.connect(self._show_clock)
        self._clock_timer.start()
        self._show_clock()

    def _show_clock(self) -> None:
        now = self.live.clock.now()
        speed = getattr(self.live.clock, "speed", 1.0)
        text = f"{utc_iso(now)[11:19]} UTC"
        if speed not in (0, 1):
            text += f"  ×{speed:g}"
        self.clock_label.setText(text)

    def show_error(self, message: str) -> None:
        """Show a problem the facilitators must know about (a failed database write)."""
        self.statusBar().showMessage(f"⚠ {message}")
        self.statusBar().setStyleSheet("color: #e8b04c;")

    def show_sound_failure(self, reason: str) -> None:
        """Say across the top of the window that no one will hear the alarms, and why.

        The room has to be watched instead, for the whole session: unlike `show_error`,
        this banner stays until the window closes.
        """
        self.sound_banner.setText(f"{SOUND_FAILURE_TITLE}\n{reason}")
        self.sound_banner.setToolTip(reason)
        self.sound_banner.show()

    def show_log_failure(self, reason: str) -> None:
        """Say across the top that the session log is not being written, and why; it stays
        until the log is written again (`log_recovered`)."""
        self.log_banner.setText(f"{LOG_FAILURE_TITLE}\n{reason}")
        self.log_banner.setToolTip(reason)
        self.log_banner.show()

    def log_recovered(self) -> None:
        self.log_banner.hide()
        self.show_error("the session log is being written again; see the log for the gap")

    def open_review(self) -> QWidget:
        """The session browser of this room's database, in its own window (read-only: the
        live session stays writable only here)."""
        if not self.access.may("session.review"):
            return None
        return self._desk().open(None)

    def open_people(self) -> QWidget | None:
        """Everyone known across sessions and their courses, for `course.read` (refused, and
        the refusal logged, for anyone else). Its course pages record feedback after the day
        through this room's store (one writer per file), as whoever is signed in then; it is
        this window's child, so a lock closes it and every page it opened."""
        from ui.course.people_window import open_people

        return open_people(
            self._db_path,
            self.access.may,
            self.live.account,
            self._settings,
            self,
            store=self.live.store,
            clock=self.live.clock,
            acting=lambda: self.live.account,
        )

    def open_audit(self) -> QWidget | None:
        """The audit trail of every log in this database, for `audit.read` (lead, QA, admin;
        the desk's gate refuses anyone else, and the refusal is logged)."""
        return self._desk().audit(None)

    def _desk(self):
        from ui.review.desk import ReviewDesk

        if self.review_desk is None:
            self.review_desk = ReviewDesk(self._db_path, self._settings, self, may=self.access.may)
        return self.review_desk

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About GroupKAP",
            f"<b>GroupKAP {__version__}</b><p>Room display and session log for group "
            f"ketamine-assisted psychotherapy.</p><p><b>{ADJUNCT_NOTICE}</b></p>",
        )

    # -- keyboard -------------------------------------------------------------------
    def _bind_keys(self) -> None:
        """Bind every key of ui/shortcuts.py that works in this window."""
        self.seat_keys = SeatKeys(
            self,
            self.grid.tiles,
            self.scroll,
            open_entry=lambda pid, action: self._on_tile_protocol_requested(pid, action, None),
            acknowledge_seat=self._on_tile_acknowledge_requested,
            acknowledge_selected=self.alarm_bar.acknowledge_selected if self.alarm_bar else None,
        )
        window_keys = [
            (shortcuts.CIRCLE_NEXT, lambda: self._circle_command("next")),
            (shortcuts.CIRCLE_PASS, lambda: self._circle_command("pass_turn")),
            (shortcuts.CIRCLE_PAUSE, lambda: self._circle_command("toggle_pause")),
            (shortcuts.CIRCLE_EXTEND, lambda: self._circle_command("extend")),
            (shortcuts.HELP, lambda: self.shortcut_overlay.toggle()),
        ]
        if self.alarm_bar is not None:
            window_keys += [
                (shortcuts.ALARM_RESET, self.alarm_bar.reset_selected),
                (shortcuts.ALARM_PAUSE_ROOM, self.alarm_bar.pause_room),
            ]
        self.window_keys = shortcuts.bind_window_keys(self, window_keys)

    def _circle_command(self, name: str) -> None:
        if self.circle_view is None:
            self.show_error("no sharing circle is running")
            return
        if not self.access.may("circle.run"):
            return
        getattr(self.circle_view, name)()

    # -- tile commands --------------------------------------------------------------
    def _on_tile_add_requested(self, seat: int | None) -> None:
        if not self.live.room.free_seats():
            self.show_error("every seat is taken; remove or move a participant first")
            return
        seat_person.add_dialog(self.live, seat, self).open()

    def _on_tile_rename_requested(self, pid: str) -> None:
        dialogs.rename_dialog(self.live, pid, self).open()

    def _on_tile_reseat_requested(self, pid: str) -> None:
        dialogs.reseat_dialog(self.live, pid, self).open()

    def _on_tile_remove_requested(self, pid: str) -> None:
        dialogs.remove_dialog(self.live, pid, self).open()

    def _on_tile_acknowledge_requested(self, pid: str) -> None:
        if not self.access.may("alarm.acknowledge"):
            return
        engine = self.live.alarms
        for alarm in [a for a in engine.active() if a.participant_id == pid]:
            engine.acknowledge(alarm.id, self.live.actor)

    def _on_tile_pause_requested(self, pid: str) -> None:
        try:
            self.live.require("alarm.acknowledge")
            self.live.alarms.pause_audio(self.live.actor, pid)
        except GroupKapError as exc:
            self.show_error(str(exc))

    def _on_tile_limits_requested(self, pid: str) -> None:
        if self.live.alarms is not None:
            limits_dialog(self.live, pid, self).open()

    def _on_tile_protocol_requested(self, pid: str, action: str, value: object) -> None:
        if self.live.protocol is None:
            return
        try:
            if action == FEEDBACK:  # after the session: the course's form (issue 16)
                dialog = feedback_for(self.live, pid, self)
            else:
                dialog = protocol_dialogs.open_entry(self.live, pid, action, value, self)
        except GroupKapError as exc:
            self.show_error(str(exc))
            return
        if dialog is not None:
            dialog.open()

    def _on_tile_music_requested(self, pid: str, move: str) -> None:
        music, actor = self.live.music, self.live.actor
        try:
            self.live.require("music.control")
            {
                "duck": lambda: music.duck(pid, actor),
                "skip": lambda: music.skip(pid, actor),
                "hold": lambda: music.hold(pid, True, actor),
                "release": lambda: music.hold(pid, False, actor),
                "silence": lambda: music.silence(pid, actor),
                "resume": lambda: music.resume(pid),
                "louder": lambda: music.volume_step(pid, 10, actor),
                "softer": lambda: music.volume_step(pid, -10, actor),
            }[move]()
        except GroupKapError as exc:
            self.show_error(str(exc))

    def _on_playlists_requested(self) -> None:
        if self._music_library is None:
            self.show_error("no music library for this room")
            return
        try:
            editor = PlaylistEditor(
                [self._music_library], demo_playlists(self._music_library), parent=self
            )
        except GroupKapError as exc:
            self.show_error(str(exc))
            return
        editor.open()

    def _on_circle_requested(self) -> None:
        if not self.live.room.participants:
            self.show_error("a circle needs participants in the room")
            return
        if not self.access.may("circle.run"):
            return
        circle_dialog(self.live, self.circle_started, self).open()

    def circle_started(self, circle) -> None:
        """Show a circle (started from the toolbar, or by the demo): its display on a screen
        of its own, or beside the grid; its controls beside the grid."""
        self.circle = circle
        if self.circle_view is not None:
            self.circle_view.stop()
        self.circle_view = self._open_circle(circle) if self._open_circle else None
        if self.circle_view is None:
            return
        if self.circle_dock is None:
            self.circle_dock = CircleDock(self, self._room_width)
        self.circle_dock.show_view(self.circle_view)

    def _room_width(self) -> int:
        """The narrowest the room (grid and alarm bar) can be without a scroll bar."""
        frame = 2 * self.scroll.frameWidth() + self.scroll.verticalScrollBar().sizeHint().width()
        return max(self.grid.minimumSizeHint().width(), self.grid.minimumWidth()) + frame + 8

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if not self.access.may_close(event.spontaneous()):
            event.ignore()
            self.show_error("the screen is locked: unlock it before ending the session")
            return
        self.close_requested.emit()
        if self.circle_dock is not None:  # a display on its own screen closes with the room
            self.circle_dock.close_circle()
        super().closeEvent(event)
