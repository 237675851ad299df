"""The composition root: builds the clock, store, source, session and window, and wires them.

Nothing else in the program constructs these objects; everything below receives what it
needs through its constructor.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from groupkap.accounts import DEMO_ACCOUNT, Account, Accounts
from groupkap.alarms.engine import ROOM
from groupkap.alarms.limits import HIGH
from groupkap.clock import Clock, RealClock, SimulatedClock
from groupkap.demo.courses import seat_demo_people
from groupkap.demo.music_library import chime_path, demo_library_folder, demo_playlists
from groupkap.demo.protocol_team import DemoProtocolDirector
from groupkap.errors import AudioError, GroupKapError
from groupkap.hl7.room_monitors import RoomMonitors
from groupkap.music.room_music import build_room_music
from groupkap.options import RunOptions
from groupkap.session import LiveSession
from groupkap.session_start import SourceFactory, open_live_session
from groupkap.settings import Settings
from groupkap.sources.simulator import Simulator
from groupkap.store import Store, queries
from groupkap.store.proof import verify
from ui.accounts.start import sign_in_at_start
from ui.bridges import ArrivalBridge, StoreBridge
from ui.first_frame import mark_first_frame
from ui.main_window import MainWindow
from ui.room_run import RoomRun, end_on_signals, hold_signals
from ui.room_sound import on_sound_tested as _on_sound_tested  # noqa: F401 (tests)
from ui.room_sound import room_alarm_sound, start_after_first_frame
from ui.start_questions import ask_about_interrupted as _ask_about_interrupted
from ui.start_questions import sign_in_first as _sign_in_first
from ui.theme import apply_theme, set_scale

if TYPE_CHECKING:  # imported where used: the circle and the test tone wait for their moment
    from groupkap.circle.chime import Chime
    from ui.circle.circle_view import CircleView

log = logging.getLogger("groupkap.ui")
qt_log = logging.getLogger("groupkap.qt")

SCREENSHOT_SIZE = (1920, 1080)
LOG_NOT_WRITTEN = "LOG_NOT_WRITTEN"  # the room's technical alarm while the log fails
NO_MONITORS = (
    "groupkap: no monitors configured, so every seat is simulated "
    "(`groupkap --hl7` listens for monitors: see Connecting monitors in the README)"
)


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


def open_circle_view(
    circle,
    room_device: str | None,
    vlc_args: list[str] | None,
    guard: Callable[[], object] | None = None,
) -> CircleView:
    """The circle's display and controls, ticking, with the chime on the room speakers.
    `guard` refuses a command from a role without `circle.run` (`live.require`).

    The main window places them (`MainWindow.circle_started`): the display on a screen of
    its own or beside the grid, the controls on the facilitators' side.
    """
    from groupkap.circle.chime import Chime
    from ui.circle.circle_view import CircleView

    chime = None
    try:
        chime = Chime(chime_path(demo_library_folder()), room_device, vlc_args)
    except (AudioError, OSError) as exc:
        log.warning("circle chime unavailable: %s", exc)
    view = CircleView(circle, chime.play if chime else None, guard=guard)
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
    from groupkap.audio.test_tone import test_tone_file
    from groupkap.circle.chime import Chime

    chime = Chime(test_tone_file(), device, vlc_args)
    if not chime.play():
        raise AudioError(f"device {device} could not be selected")
    return chime


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


def run_demo(
    options: RunOptions,
    settings: Settings,
    *,
    sign_in: bool = False,
    account: Account | None = None,
) -> int:
    """`groupkap demo` (and the app without monitors): a simulated room whose team walks the
    protocol, ending by itself after `options.minutes` if set. The demo runs as the built-in
    demo user; the app (`sign_in`) runs as `account`, signed in already, or asks who is
    there first."""
    clock = SimulatedClock(start=time.time(), speed=0)  # runs once the room is built

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

    # `groupkap demo`: its people come back for the next session of their course.
    courses = not sign_in and not options.resume

    def demo_team(live: LiveSession, end_at: float | None) -> None:
        if options.resume:
            return
        team = seat_demo_people(live, options.plan, end_at) if courses else None
        for line in team.describe() if team else ():
            print(line, flush=True)
        director = DemoProtocolDirector(live, live.protocol, live.source.dose_time)
        director.start()
        live.directors.append(director)
        if team is not None:
            live.directors.append(team)
        if end_at is not None and options.minutes >= 60:
            from groupkap.demo.circle_director import DemoCircleDirector

            live.directors.append(DemoCircleDirector(live, end_at, options.minutes))

    return _run_room(
        replace(options, plan={}) if courses else options,  # the demo team seats them
        settings,
        clock,
        simulator,
        prepare=demo_team,
        sign_in=sign_in,
        demo=not sign_in,
        account=account,
    )


def run_app(options: RunOptions, settings: Settings) -> int:
    """`groupkap`: the room at real time.

    With monitors (`options.hl7`: `--hl7`, `--hl7-port` …) nothing is simulated and no one
    is seated: the listener is tried first (a taken port or a bad vendor codes file is exit 2
    before anything is asked or written), monitors that send wait in the unassigned-monitors
    tray, and the facilitators add participants and put monitors on their seats. Without
    monitors every seat is simulated, as the toolbar says, and stderr says how to listen.

    Someone signs in first (not offscreen, where no one could type a PIN), then an
    interrupted session is offered: resume it, or close it and start a new one — so the
    close, too, is recorded under the signed-in account.
    """
    qt_application(settings)
    clock = RealClock()
    monitors = arrivals = None
    if options.hl7 is not None:
        arrivals = ArrivalBridge()
        monitors = RoomMonitors(settings.hl7, options.hl7, clock, on_arrival=arrivals.report)
        monitors.check()
    else:
        print(NO_MONITORS, file=sys.stderr)
    # Offscreen (QA, CI) no one could type a PIN: the room acts as the system, unlocked.
    sign_in = not options.offscreen
    account = None
    if sign_in:
        account = _sign_in_first(options.db, settings)
        if account is None:
            print("groupkap: no one signed in, so the room was not opened", file=sys.stderr)
            return 2
    resume = None if options.offscreen else _ask_about_interrupted(options.db, account)
    if resume is not None:
        options = replace(options, resume=resume, plan={})
    if monitors is None:
        return run_demo(options, settings, sign_in=sign_in, account=account)

    def seat_monitors(live: LiveSession, _end_at: float | None) -> None:
        monitors.place(live.actor)
        print(f"room session {live.id}: {monitors.describe()}", flush=True)

    return _run_room(
        options,
        settings,
        clock,
        monitors,
        prepare=seat_monitors,
        arrivals=arrivals,
        close=monitors.close,
        sign_in=sign_in,
        account=account,
    )


def _run_room(
    options: RunOptions,
    settings: Settings,
    clock: Clock,
    make_source: SourceFactory,
    *,
    prepare: Callable[[LiveSession, float | None], None] | None = None,
    arrivals: ArrivalBridge | None = None,
    close: Callable[[], None] | None = None,
    sign_in: bool = False,
    demo: bool = False,
    account: Account | None = None,
) -> int:
    """Open the session `options` asks for, build its window, music and alarm sound, and run
    it until it ends; the exit code. `prepare(live, end_at)` adds what this kind of room
    needs before the window opens (the demo's team, the monitors' seats); `arrivals` wakes
    the heartbeat early; `close` runs at the end whatever happened. `sign_in`: someone signs
    in first (or creates the administrator), the window locks after idle; `demo`: the room
    acts as the demo user. `account`: who signed in already (the app signs in before it
    offers an interrupted session); with it, `sign_in` asks no one again."""
    held_signals = hold_signals()
    app = qt_application(settings)
    window_ref: list = []
    sys.excepthook = _excepthook(window_ref)
    bridge = StoreBridge()
    store = Store.open(
        options.db,
        clock,
        on_error=bridge.report,
        on_recovered=bridge.recovered,
        vitals_interval_s=settings.vitals_commit_s,
        anchor_every_s=settings.anchor_every_s,
    )
    try:
        accounts = None
        if account is None and demo:
            account = DEMO_ACCOUNT
        if sign_in and account is None:
            # Real time for PIN waits: a simulated clock has not started yet.
            account = sign_in_at_start(Accounts(store, RealClock(), settings.security))
            if account is None:
                print("groupkap: no one signed in, so the room was not opened", file=sys.stderr)
                return 2
        live = open_live_session(
            options,
            store=store,
            clock=clock,
            settings=settings,
            make_source=make_source,
            account=account,
        )
        if sign_in:
            accounts = Accounts(store, clock, settings.security, session_id=live.id)
        live.account = account
        end_at = clock.now() + options.minutes * 60 if options.minutes else None
        if prepare is not None:
            prepare(live, end_at)
        live.music, music_problem = room_music(live, settings, options.speed)
        chime_args = ["--aout=dummy"] if options.offscreen else None
        room_device = settings.room_device or None
        window = MainWindow(
            live,
            settings,
            db_path=str(store.path),
            open_circle=lambda circle: open_circle_view(
                circle, room_device, chime_args, guard=lambda: live.require("circle.run")
            ),
            music_library=demo_library_folder(),
            play_tone=lambda device: play_test_tone(device, chime_args),
            accounts=accounts,
        )
        if music_problem:
            window.show_error(music_problem)
        window_ref.append(window)
        bridge.write_failed.connect(lambda reason: _on_log_failed(live, window, reason))
        bridge.write_recovered.connect(lambda: _on_log_recovered(live, window))
        sound = room_alarm_sound(live, window, settings.facilitator_device, options.offscreen)
        if options.offscreen:
            window.resize(*SCREENSHOT_SIZE)
            window.show()
        else:
            # The room grid is meant to fill the workstation screen; the explicit geometry
            # covers X servers without a window manager, where maximising does nothing.
            window.setGeometry(app.primaryScreen().availableGeometry())
            window.showMaximized()
        run = RoomRun(live, window, end_at, options.screenshot, sound)
        if arrivals is not None:
            run.wake_on(arrivals)
        end_on_signals(run, held_signals)
        start_clock = getattr(clock, "run", None)
        if start_clock is not None:  # a simulated clock starts once the room is built
            start_clock(options.speed)
        run.start()
        start_after_first_frame(run, sound)  # libVLC and the self-test wait for the room
        # Installed last, so it runs first: the marker does not count the deferred work.
        mark_first_frame(window.grid)  # for scripts/bench/startup.py, only when asked
        app.exec()
        run.finish("closed by facilitator")
        if not run.problems:
            _print_summary(live, store, options.screenshot)
    finally:
        if close is not None:
            close()
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


def _print_summary(live: LiveSession, store: Store, screenshot: Path | None) -> None:
    with closing(store.reader()) as conn:
        per_person = queries.vitals_per_participant(conn, live.id)
        events = queries.event_count(conn, live.id)
    print(
        f"session {live.id}: {len(live.room.participants)} participants, {events} events, "
        f"database {store.path}"
    )
    print(
        "vitals per participant: "
        + ", ".join(f"{alias or '(no one: monitors on no seat)'} {n}" for alias, n in per_person)
    )
    if screenshot is not None:
        print(f"screenshot: {screenshot.resolve()}")
