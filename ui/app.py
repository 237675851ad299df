"""The composition root: builds the clock, store, source, session and window, and wires them.

Nothing else in the program constructs these objects; everything below receives what it
needs through its constructor.
"""

from __future__ import annotations

import argparse
from contextlib import closing
import logging
import sys
import time
import traceback
from pathlib import Path

import platformdirs
from PySide6.QtCore import QtMsgType, QTimer, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import clinic_limits_path, load_clinic_limits
from groupkap.alarms.limits_file import LimitsFile
from groupkap.clock import RealClock, SimulatedClock
from groupkap.circle.chime import Chime
from groupkap.demo_circle import DemoCircleDirector
from groupkap.demo_protocol import DemoProtocolDirector
from groupkap.errors import AudioError
from groupkap.music.demo_library import chime_path
from groupkap.demo_room import demo_plan, seat_participants
from groupkap.protocol.replay import restore_participant_limits, restore_protocol
from groupkap.protocol.room import Protocol
from groupkap.session import LiveSession
from groupkap.settings import Settings
from groupkap.sources.simulator import Simulator
from groupkap.store import Store
from groupkap.store.store import default_db_path, list_sessions, verify
from ui.alarms.sound import AlarmSound
from ui.bridges import StoreBridge
from ui.circle.circle_view import CircleView
from ui.music_setup import DEMO_LIBRARY, attach_music
from ui.main_window import MainWindow
from ui.theme import apply_theme

log = logging.getLogger("groupkap.ui")
qt_log = logging.getLogger("groupkap.qt")

PUMP_INTERVAL_MS = 100
SELF_TEST_WAIT_S = 10.0
SCREENSHOT_SIZE = (1920, 1080)


def _qt_message(mode: QtMsgType, context, message: str) -> None:
    """Route Qt's own warnings into logging (qutebrowser's utils/qtlog.py does the same)."""
    if "propagateSizeHints" in message:  # the offscreen platform's harmless notice
        return
    level = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING}.get(mode, logging.ERROR)
    qt_log.log(level, "%s", message)


def _excepthook(window_ref: list) -> callable:
    def hook(exc_type, exc, tb) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.critical("unhandled error\n%s", text)
        if window_ref and QApplication.platformName() != "offscreen":
            QMessageBox.critical(window_ref[0], "GroupKAP error",
                                 f"An unexpected error occurred:\n\n{exc}\n\nDetails are "
                                 "in the log. The session log is intact up to this point.")
    return hook


def qt_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("GroupKAP")
    qInstallMessageHandler(_qt_message)
    apply_theme(app)
    return app


class DemoRun:
    """A running demo or live room: the objects and the timers that drive them.

    Attributes:
        live: the session.
        window: the main window.
        end_at: session time at which the run ends by itself (None: when closed).
    """

    LIMITS_CHECK_EVERY = 20  # pumps: the limits file is looked at every 2 s

    def __init__(self, live: LiveSession, window: MainWindow, store: Store,
                 end_at: float | None, screenshot: Path | None,
                 limits_file: LimitsFile | None = None,
                 sound: AlarmSound | None = None,
                 director: DemoProtocolDirector | None = None,
                 circle_director: DemoCircleDirector | None = None) -> None:
        self.live, self.window, self.store = live, window, store
        self.sound = sound
        self.director = director
        self.circle_director = circle_director
        self.end_at, self.screenshot = end_at, screenshot
        self.limits_file = limits_file
        self._pumps = 0
        self.finished = False
        self.pump_timer = QTimer(window)
        self.pump_timer.setInterval(PUMP_INTERVAL_MS)
        self.pump_timer.timeout.connect(self._on_pump_timer_timeout)
        window.close_requested.connect(lambda: self.finish("closed by facilitator"))

    def start(self) -> None:
        self.live.pump()
        self.window.grid.draw_frame()
        self.pump_timer.start()
        self.window.grid.start()

    def _on_pump_timer_timeout(self) -> None:
        if self.end_at is not None and self.live.clock.now() >= self.end_at:
            self.finish("finished")
            QApplication.instance().quit()
            return
        pulled_until = self.live.pump().until
        self._pumps += 1
        if self.limits_file and self._pumps % self.LIMITS_CHECK_EVERY == 0:
            if self.limits_file.check() is None and self.limits_file.problem:
                self.window.show_error(self.limits_file.problem)
        if self.live.protocol is not None:
            self.live.protocol.tick(self.live.latest_spo2)
        if self.director is not None:
            self.director.tick()
        if self.live.music is not None:
            self.live.music.tick()
        if self.circle_director is not None:
            self.circle_director.tick()
            circle = self.circle_director.circle
            if circle is not None and self.window.circle is not circle:
                self.window.circle_started(circle)
        if self.live.alarms is not None:
            cues = self.live.alarms.tick(pulled_until)
            if self.sound is not None:
                failure = self.sound.play(cues)
                if failure:
                    _on_sound_failed(self.live, self.window, failure)

    def finish(self, reason: str) -> None:
        if self.finished:
            return
        self.finished = True
        self.pump_timer.stop()
        self.window.grid.stop()
        stop = getattr(self.live.clock, "stop", None)
        if stop is not None:  # a simulated clock: session time ends here, not while we wait
            stop()
        self.live.pump()
        if self.window.circle_view is not None:
            self.window.circle_view.refresh()  # the circle's last cues and end, on this clock
        self.window.grid.draw_frame(all_plots=True)
        if self.screenshot is not None:
            self.screenshot.parent.mkdir(parents=True, exist_ok=True)
            self.window.grab().save(str(self.screenshot))
        if self.sound is not None:
            # The self-test's result belongs in this session's log, before it ends.
            self.sound.wait_for_self_test(SELF_TEST_WAIT_S)
            QApplication.processEvents()
            self.sound.close()
        self.live.end(reason)


def open_circle_view(circle, room_device: str | None,
                     vlc_args: list[str] | None) -> CircleView:
    """Show the circle on its own window, with the chime on the room speakers."""
    chime = None
    try:
        chime = Chime(chime_path(DEMO_LIBRARY), room_device, vlc_args)
    except (AudioError, OSError) as exc:
        log.warning("circle chime unavailable: %s", exc)
    view = CircleView(circle, chime.play if chime else None)
    view.resize(1280, 720)
    view.show()
    view.start()
    return view


def alarm_sound_folder() -> Path:
    return Path(platformdirs.user_cache_dir("groupkap", appauthor=False)) / "alarm-sounds"


def _on_sound_failed(live: LiveSession, window: MainWindow, problem: str) -> None:
    """A burst could not be played mid-session: the room says so at once, the log records it."""
    live.record_event("alarm.sound_failed", {"problem": problem}, None, "system")
    window.show_sound_failure(problem)


def _on_sound_tested(live: LiveSession, window: MainWindow, device: str | None,
                     result: dict) -> None:
    """Log the start-up self-test; if no one could hear the alarms, say so across the top
    of the window until the session ends (the tiles and alarm bar still show them)."""
    live.record_event("alarm.sound_tested",
                      {**result, "device": device or "system default"}, None, "system")
    if not result.get("ok"):
        window.show_sound_failure(result.get("problem") or "the self-test did not pass")


def watch_alarms(live: LiveSession, settings: Settings) -> LimitsFile | None:
    """Give the session its alarm engine with the clinic's limits; record them as applied.

    Returns a watcher of the clinic's limits file when there is one, so edits apply live.
    """
    limits = load_clinic_limits()
    engine = AlarmEngine(live.clock, limits, live.record_event, settings.alarms)
    live.watch_with(engine)
    live.record_event("limits.applied", {
        "source": limits.source,
        "limits": {name: p.describe() for name, p in limits.params.items()},
    }, None, "system")
    path = clinic_limits_path()
    return LimitsFile(path, engine) if path.exists() else None


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    """`groupkap demo`: a simulated room, ending by itself after --minutes when given."""
    app = qt_application()
    window_ref: list = []
    sys.excepthook = _excepthook(window_ref)
    start = time.time()
    clock = SimulatedClock(start=start, speed=0)  # runs once the room is built
    bridge = StoreBridge()
    store = Store.open(args.db, clock, on_error=bridge.report,
                       vitals_interval_s=settings.vitals_commit_s)
    try:
        if args.resume:
            row = store.session(args.resume)
            last = store.last_event_time(args.resume)
            if last is not None and last > clock.now():
                # A simulated session runs ahead of the wall clock: resume after its last
                # event, so the log's times never run backwards and every T0 stays past.
                clock.advance(last - clock.now() + 1.0)
                start = clock.now()
            source = Simulator(list(range(1, row["seats"] + 1)), start, seed=args.seed,
                               scenario=args.scenario, nibp_interval_s=settings.nibp_interval_s)
            live = LiveSession.resume(args.resume, clock=clock, source=source, store=store,
                                      settings=settings)
        else:
            source = Simulator(list(range(1, args.seats + 1)), start, seed=args.seed,
                               scenario=args.scenario, nibp_interval_s=settings.nibp_interval_s)
            live = LiveSession.start(seat_count=args.seats, clock=clock, source=source,
                                     store=store, settings=settings, speed=args.speed,
                                     title=f"demo: {args.scenario}")
            seat_participants(live, getattr(args, "plan", None) or demo_plan(args.seats))
        limits_file = watch_alarms(live, settings)
        protocol = Protocol(clock, live.record_event, settings.protocol, alarms=live.alarms)
        live.follow_protocol(protocol)
        if args.resume:  # the room comes back as the log says it was
            with closing(store.reader()) as conn:
                restore_protocol(protocol, conn, live.id)
                restore_participant_limits(live.alarms, conn, live.id)
        director = None
        if not args.resume:
            director = DemoProtocolDirector(live, protocol, source.dose_time)
            director.start()
        music, music_problem = attach_music(live, protocol, settings, args.speed)
        chime_args = ["--aout=dummy"] if args.offscreen else None
        room_device = settings.room_device or None
        window = MainWindow(live, settings, simulated=True, db_path=str(store.path),
                            open_circle=lambda circle: open_circle_view(circle, room_device,
                                                                        chime_args))
        if music_problem:
            window.show_error(music_problem)
        window_ref.append(window)
        bridge.write_failed.connect(window.show_error)
        # Offscreen (QA, CI) nobody listens: libVLC's dummy output still decodes and times
        # every burst, without probing sound cards that a headless machine does not have.
        # The self-test says so honestly (banner and log), as it does when the sound could
        # not be set up at all (sound.problem).
        sound = AlarmSound(alarm_sound_folder(), settings.facilitator_device,
                           vlc_args=["--aout=dummy"] if args.offscreen else None)
        device_name = "dummy output (offscreen)" if args.offscreen else sound.device
        sound.bridge.finished.connect(
            lambda result: _on_sound_tested(live, window, device_name, result))
        sound.start_self_test()
        if args.offscreen:
            window.resize(*SCREENSHOT_SIZE)
            window.show()
        else:
            # The room grid is meant to fill the workstation screen; the explicit geometry
            # covers X servers without a window manager, where maximising does nothing.
            window.setGeometry(app.primaryScreen().availableGeometry())
            window.showMaximized()
        end_at = start + args.minutes * 60 if args.minutes else None
        circle_director = None
        if end_at is not None and args.minutes >= 60 and not args.resume:
            circle_director = DemoCircleDirector(live, end_at, args.minutes)
        run = DemoRun(live, window, store, end_at, args.screenshot, limits_file, sound,
                      director, circle_director)
        clock.run(args.speed)
        run.start()
        app.exec()
        run.finish("closed by facilitator")
        _print_summary(live, store, args.screenshot)
    finally:
        store.close()
    report = verify(store.path)
    print(f"event chain: {'intact' if report.ok else 'BROKEN at seq %s' % report.broken_seq}"
          f" ({report.checked} events)")
    return 0 if report.ok else 1


def run_app(args: argparse.Namespace, settings: Settings) -> int:
    """`groupkap`: the room at real time. Until a monitor feed is configured (the HL7
    listener arrives in a later release) the room is filled by the simulator, and says so.

    An interrupted session is offered first: resume it, or close it and start a new one.
    """
    args.seats, args.scenario, args.speed, args.seed = 6, "calm", 1.0, 1
    args.minutes, args.screenshot, args.resume, args.offscreen = None, None, None, False
    qt_application()
    args.resume = _ask_about_interrupted(args.db)
    return run_demo(args, settings)


def _ask_about_interrupted(db: Path | None) -> str | None:
    """Offer the newest interrupted session; returns its id to resume, or None."""
    path = db or default_db_path()
    if not path.exists():
        return None
    # Opening the store marks sessions whose process died as interrupted.
    store = Store.open(path, RealClock())
    store.close()
    interrupted = [r for r in list_sessions(path) if r["status"] == "interrupted"]
    if not interrupted:
        return None
    newest = interrupted[0]
    box = QMessageBox(QMessageBox.Icon.Question, "Interrupted session",
                      f"Session {newest['id']} (started {newest['started']}, "
                      f"{newest['participants']} participants) was interrupted.\n\n"
                      "Resume it, or close it and start a new session?")
    resume = box.addButton("Resume", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Close it and start new", QMessageBox.ButtonRole.DestructiveRole)
    box.exec()
    if box.clickedButton() is resume:
        return newest["id"]
    store = Store.open(path, RealClock())
    try:
        store.close_interrupted(newest["id"], actor="facilitator")
    finally:
        store.close()
    return None


def _print_summary(live: LiveSession, store: Store, screenshot: Path | None) -> None:
    with closing(store.reader()) as conn:
        per_person = conn.execute(
            "select participant, count(*) as n from v_vitals where session_id = ? "
            "group by participant order by min(seat)", (live.id,)).fetchall()
        events = conn.execute("select count(*) from events where session_id = ?",
                              (live.id,)).fetchone()[0]
    print(f"session {live.id}: {len(live.room.participants)} participants, {events} events, "
          f"database {store.path}")
    print("vitals per participant: "
          + ", ".join(f"{r['participant']} {r['n']}" for r in per_person))
    if screenshot is not None:
        print(f"screenshot: {screenshot.resolve()}")
