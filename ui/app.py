"""The composition root: builds the clock, store, source, session and window, and wires them.

Nothing else in the program constructs these objects; everything below receives what it
needs through its constructor.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
import traceback
from contextlib import closing
from pathlib import Path

import platformdirs
from PySide6.QtCore import QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from groupkap.alarms.engine import ROOM
from groupkap.alarms.limits import HIGH
from groupkap.audio.test_tone import test_tone_file
from groupkap.circle.chime import Chime
from groupkap.clock import RealClock, SimulatedClock
from groupkap.demo.circle_director import DemoCircleDirector
from groupkap.demo.music_library import chime_path, demo_library_folder, demo_playlists
from groupkap.demo.plan import demo_plan
from groupkap.demo.protocol_team import DemoProtocolDirector
from groupkap.errors import AudioError, GroupKapError
from groupkap.music.room_music import build_room_music
from groupkap.options import RunOptions
from groupkap.session import LiveSession
from groupkap.session_start import open_live_session
from groupkap.settings import Settings
from groupkap.sources.simulator import Simulator
from groupkap.store import Store, queries
from groupkap.store.proof import verify
from groupkap.store.store import default_db_path, list_sessions
from ui.alarms.alarm_audio import AlarmAudio
from ui.bridges import StoreBridge
from ui.circle.circle_view import CircleView
from ui.main_window import MainWindow
from ui.theme import apply_theme, set_scale

log = logging.getLogger("groupkap.ui")
qt_log = logging.getLogger("groupkap.qt")

PUMP_INTERVAL_MS = 100
SELF_TEST_WAIT_S = 10.0
SCREENSHOT_SIZE = (1920, 1080)
LOG_NOT_WRITTEN = "LOG_NOT_WRITTEN"  # the room's technical alarm while the log fails


def _qt_message(mode: QtMsgType, context, message: str) -> None:
    """Route Qt's own warnings into logging (qutebrowser's utils/qtlog.py does the same)."""
    if "propagateSizeHints" in message:  # the offscreen platform's harmless notice
        return
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
    }.get(mode, logging.ERROR)
    qt_log.log(level, "%s", message)


def _excepthook(window_ref: list) -> callable:
    def hook(exc_type, exc, tb) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.critical("unhandled error\n%s", text)
        if window_ref and QApplication.platformName() != "offscreen":
            QMessageBox.critical(
                window_ref[0],
                "GroupKAP error",
                f"An unexpected error occurred:\n\n{exc}\n\nDetails are "
                "in the log. The session log is intact up to this point.",
            )

    return hook


def qt_application(settings: Settings | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("GroupKAP")
    qInstallMessageHandler(_qt_message)
    set_scale(settings.ui_scale if settings else 1.0)  # before any size is worked out
    apply_theme(app)
    return app


class RoomRun:
    """A running room, the demo's or the real one: the timer that calls the session's
    heartbeat, and what the window does with its result (sound, problems, a new circle).

    Attributes:
        live: the session.
        window: the main window.
        end_at: session time at which the run ends by itself (None: when closed).
    """

    def __init__(
        self,
        live: LiveSession,
        window: MainWindow,
        end_at: float | None,
        screenshot: Path | None,
        sound: AlarmAudio | None = None,
    ) -> None:
        self.live, self.window = live, window
        self.sound = sound
        self.end_at, self.screenshot = end_at, screenshot
        self.finished = False
        self.problems: list[str] = []  # what failed while ending (the run exits non-zero)
        self.signal: int | None = None  # the signal that ended the run, if one did
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
            self.end("finished")
            return
        tick = self.live.tick()
        for problem in tick.problems:
            self.window.show_error(problem)
        circle = self.live.circle
        if circle is not None and self.window.circle is not circle:
            self.window.circle_started(circle)
        if self.sound is not None:
            failure = self.sound.play(tick.cues)
            if failure:
                _on_sound_failed(self.live, self.window, failure)

    def end(self, reason: str) -> None:
        """End the session and leave the event loop, whatever goes wrong on the way."""
        try:
            self.finish(reason)
        finally:
            QApplication.instance().quit()

    def finish(self, reason: str) -> None:
        """End the session: last readings, the picture, the sound, then `session.ended`.

        Every step runs even when one before it fails, and each failure is kept in
        `problems` (the run then exits non-zero): ending must never hang or stop half-way.
        """
        if self.finished:
            return
        self.finished = True
        self.pump_timer.stop()
        self.window.grid.stop()
        stop = getattr(self.live.clock, "stop", None)
        if stop is not None:  # a simulated clock: session time ends here, not while we wait
            stop()
        self._step("the last readings", self.live.pump)
        if self.window.circle_view is not None:  # the circle's last cues and end
            self._step("the circle", self.window.circle_view.refresh)
        self._step("the last frame", lambda: self.window.grid.draw_frame(all_plots=True))
        if self.screenshot is not None:
            self._step("the screenshot", self._save_screenshot)
        if self.sound is not None:
            # The self-test's result belongs in this session's log, before it ends.
            self._step("the alarm sound", self._close_sound)
        self._step("ending the session", lambda: self.live.end(reason))

    def _step(self, what: str, do) -> None:
        try:
            do()
        except (GroupKapError, OSError) as exc:
            self.problems.append(f"{what}: {exc}")
            log.error("while ending the session, %s failed: %s", what, exc)

    def _save_screenshot(self) -> None:
        self.screenshot.parent.mkdir(parents=True, exist_ok=True)
        if not self.window.grab().save(str(self.screenshot)):
            raise OSError(f"could not write {self.screenshot}")

    def _close_sound(self) -> None:
        self.sound.wait_for_self_test(SELF_TEST_WAIT_S)
        QApplication.processEvents()
        self.sound.close()


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def _hold_signals() -> list[int]:
    """Until the room runs, a stop signal is noted (the session then ends as soon as it has
    started) rather than killing the process half-way through building it."""
    held: list[int] = []
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda n, _frame: held.append(n))
    return held


def _end_on_signals(run: RoomRun, held: list[int]) -> None:
    """SIGTERM, SIGHUP and SIGINT end the session cleanly ("ended by signal"), without a
    traceback. The pump timer gives Python control every 100 ms, so the handler runs at once."""

    def handler(signum, _frame) -> None:
        run.signal = signum
        run.end(f"ended by signal ({signal.Signals(signum).name})")

    for signum in STOP_SIGNALS:
        signal.signal(signum, handler)
    if held:
        QTimer.singleShot(0, lambda: handler(held[0], None))


def open_circle_view(circle, room_device: str | None, vlc_args: list[str] | None) -> CircleView:
    """The circle's display and controls, ticking, with the chime on the room speakers.

    The main window places them (`MainWindow.circle_started`): the display on a screen of
    its own or beside the grid, the controls on the facilitators' side.
    """
    chime = None
    try:
        chime = Chime(chime_path(demo_library_folder()), room_device, vlc_args)
    except (AudioError, OSError) as exc:
        log.warning("circle chime unavailable: %s", exc)
    view = CircleView(circle, chime.play if chime else None)
    view.start()
    return view


def room_music(live: LiveSession, settings: Settings, speed: float):
    """The room's music from the demo library and the clinic's playlists: (director or None,
    a problem to show or "")."""
    try:
        library = demo_playlists(demo_library_folder())
    except (GroupKapError, OSError) as exc:
        return None, f"music unavailable: {exc}"
    return build_room_music(live, live.protocol, settings, speed, library)


def play_test_tone(device: str, vlc_args: list[str] | None) -> Chime:
    """A soft tone on one device (music set-up); returns the player, which the caller keeps
    until the tone has played. Raises AudioError when the device cannot be chosen."""
    chime = Chime(test_tone_file(), device, vlc_args)
    if not chime.play():
        raise AudioError(f"device {device} could not be selected")
    return chime


def alarm_sound_folder() -> Path:
    return Path(platformdirs.user_cache_dir("groupkap", appauthor=False)) / "alarm-sounds"


def _on_log_failed(live: LiveSession, window: MainWindow, reason: str) -> None:
    """The session log is not being written: a banner and a high technical alarm for the
    room, at once (the facilitators note events by hand until it is written again)."""
    window.show_log_failure(reason)
    if live.alarms is not None:
        live.alarms.raise_technical(
            ROOM, LOG_NOT_WRITTEN, HIGH, f"session log not being written: {reason}"
        )


def _on_log_recovered(live: LiveSession, window: MainWindow) -> None:
    window.log_recovered()
    if live.alarms is not None:
        live.alarms.clear_technical(ROOM, LOG_NOT_WRITTEN)


def _on_sound_failed(live: LiveSession, window: MainWindow, problem: str) -> None:
    """A burst could not be played mid-session: the room says so at once, the log records it."""
    live.record_event("alarm.sound_failed", {"problem": problem}, None, "system")
    window.show_sound_failure(problem)


def _on_sound_tested(
    live: LiveSession, window: MainWindow, device: str | None, result: dict
) -> None:
    """Log the start-up self-test; if no one could hear the alarms, say so across the top
    of the window until the session ends (the tiles and alarm bar still show them)."""
    live.record_event(
        "alarm.sound_tested", {**result, "device": device or "system default"}, None, "system"
    )
    if not result.get("ok"):
        window.show_sound_failure(result.get("problem") or "the self-test did not pass")


def run_demo(options: RunOptions, settings: Settings) -> int:
    """`groupkap demo`: a simulated room, ending by itself after `options.minutes` if set."""
    held_signals = _hold_signals()
    app = qt_application(settings)
    window_ref: list = []
    sys.excepthook = _excepthook(window_ref)
    clock = SimulatedClock(start=time.time(), speed=0)  # runs once the room is built
    bridge = StoreBridge()
    store = Store.open(
        options.db,
        clock,
        on_error=bridge.report,
        on_recovered=bridge.recovered,
        vitals_interval_s=settings.vitals_commit_s,
        anchor_every_s=settings.anchor_every_s,
    )

    def simulator(seats: list[int], start: float) -> Simulator:
        if options.hl7 is not None:  # `--hl7`: the room fed through the real MLLP path
            from groupkap.hl7.demo_room import demo_hl7_source

            return demo_hl7_source(
                seats,
                start,
                clock,
                real_seats=options.hl7.real_seats,
                seed=options.seed,
                scenario=options.scenario,
                nibp_interval_s=settings.nibp_interval_s,
            )
        return Simulator(
            seats,
            start,
            seed=options.seed,
            scenario=options.scenario,
            nibp_interval_s=settings.nibp_interval_s,
        )

    try:
        live = open_live_session(
            options, store=store, clock=clock, settings=settings, make_source=simulator
        )
        start = clock.now()
        if not options.resume:  # the demo's team walks the protocol it starts
            director = DemoProtocolDirector(live, live.protocol, live.source.dose_time)
            director.start()
            live.directors.append(director)
        end_at = start + options.minutes * 60 if options.minutes else None
        if end_at is not None and options.minutes >= 60 and not options.resume:
            live.directors.append(DemoCircleDirector(live, end_at, options.minutes))
        live.music, music_problem = room_music(live, settings, options.speed)
        chime_args = ["--aout=dummy"] if options.offscreen else None
        room_device = settings.room_device or None
        window = MainWindow(
            live,
            settings,
            db_path=str(store.path),
            open_circle=lambda circle: open_circle_view(circle, room_device, chime_args),
            music_library=demo_library_folder(),
            play_tone=lambda device: play_test_tone(device, chime_args),
        )
        if music_problem:
            window.show_error(music_problem)
        window_ref.append(window)
        bridge.write_failed.connect(lambda reason: _on_log_failed(live, window, reason))
        bridge.write_recovered.connect(lambda: _on_log_recovered(live, window))
        # Offscreen (QA, CI) nobody listens: libVLC's dummy output still decodes and times
        # every burst, without probing sound cards that a headless machine does not have.
        # The self-test says so honestly (banner and log), as it does when the sound could
        # not be set up at all (sound.problem).
        sound = AlarmAudio(
            alarm_sound_folder(),
            settings.facilitator_device,
            vlc_args=["--aout=dummy"] if options.offscreen else None,
        )
        device_name = "dummy output (offscreen)" if options.offscreen else sound.device
        sound.bridge.finished.connect(
            lambda result: _on_sound_tested(live, window, device_name, result)
        )
        sound.start_self_test()
        if options.offscreen:
            window.resize(*SCREENSHOT_SIZE)
            window.show()
        else:
            # The room grid is meant to fill the workstation screen; the explicit geometry
            # covers X servers without a window manager, where maximising does nothing.
            window.setGeometry(app.primaryScreen().availableGeometry())
            window.showMaximized()
        run = RoomRun(live, window, end_at, options.screenshot, sound)
        _end_on_signals(run, held_signals)
        clock.run(options.speed)
        run.start()
        app.exec()
        run.finish("closed by facilitator")
        if not run.problems:
            _print_summary(live, store, options.screenshot)
    finally:
        store.close()
    for problem in run.problems:
        print(f"groupkap: {problem}", file=sys.stderr)
    if run.problems:
        return 1
    report = verify(store.path)
    print(
        f"event chain: {'intact' if report.ok else f'BROKEN at seq {report.broken_seq}'}"
        f" ({report.checked} events)"
    )
    if run.signal is not None:
        return 128 + run.signal
    return 0 if report.ok else 1


def run_app(db: Path | None, settings: Settings) -> int:
    """`groupkap`: the room at real time. Until a monitor feed is configured (the HL7
    listener arrives in a later release) the room is filled by the simulator, and says so.

    An interrupted session is offered first: resume it, or close it and start a new one.
    """
    qt_application(settings)
    resume = _ask_about_interrupted(db)
    return run_demo(
        RunOptions(
            seats=6,
            scenario="calm",
            speed=1.0,
            seed=1,
            db=db,
            resume=resume,
            plan={} if resume else demo_plan(6),
            title="room (simulated participants)",
        ),
        settings,
    )


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
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Interrupted session",
        f"Session {newest['id']} (started {newest['started']}, "
        f"{newest['participants']} participants) was interrupted.\n\n"
        "Resume it, or close it and start a new session?",
    )
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
        per_person = queries.vitals_per_participant(conn, live.id)
        events = queries.event_count(conn, live.id)
    print(
        f"session {live.id}: {len(live.room.participants)} participants, {events} events, "
        f"database {store.path}"
    )
    print("vitals per participant: " + ", ".join(f"{alias} {n}" for alias, n in per_person))
    if screenshot is not None:
        print(f"screenshot: {screenshot.resolve()}")
