"""A running room in the window: the timer that calls the session's heartbeat, the early beat
when a monitor's message arrives, what the window does with each beat's result, ending the
session whatever goes wrong, and the stop signals that end it cleanly.

The heartbeat keeps its cadence when a frame is slow: beats are due on a fixed 100 ms
schedule, fired by a precise single-shot timer, and the grid asks between tiles whether a
beat is due (`beat_if_due`), so a beat waits at most one tile's drawing (or the paint), not
a whole slow frame. The session's tick stays on the GUI thread: the tiles, alarm bar and
protocol read its state directly, and a worker thread would need every such read made safe.
"""

from __future__ import annotations

import logging
import math
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication

from groupkap.errors import GroupKapError
from groupkap.session import LiveSession
from ui.alarms.alarm_audio import AlarmAudio
from ui.bridges import ArrivalBridge
from ui.main_window import MainWindow

log = logging.getLogger("groupkap.ui")

PUMP_INTERVAL_MS = 100
# Beats closer than this are not run: a flood of monitor messages must leave the GUI
# thread time to draw (each beat takes every message waiting, so none waits longer).
EARLY_BEAT_GAP_MS = 15
SPEED_KEPT = 0.9  # a run slower than this share of the speed asked says so at the end
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class BeatTimer(QTimer):
    """The heartbeat's timer: one precise shot per beat, armed for the next due time after
    each, so a slow beat or frame does not shift the schedule and a beat run inside a frame
    is not run again. Stopped from outside (`stop`), it stays stopped until `start`: a
    benchmark that stops the window's timers and fires them by hand keeps that control."""

    def __init__(self, parent) -> None:
        super().__init__(parent)
        self.setSingleShot(True)
        self.setTimerType(Qt.TimerType.PreciseTimer)
        self.setInterval(PUMP_INTERVAL_MS)
        self.stopped = True

    def start(self, *args) -> None:
        self.stopped = False
        super().start(*args)

    def stop(self) -> None:
        self.stopped = True
        super().stop()

    def disarm(self) -> None:
        """Not now (a beat is running); `arm` follows."""
        super().stop()

    def arm(self, ms: int) -> None:
        """Fire in `ms` (0 if already due), unless stopped from outside."""
        if not self.stopped:
            super().start(max(0, ms))


class RoomRun:
    """A running room, the demo's or the real one: the timer that calls the session's
    heartbeat, and what the window does with its result (sound, problems, a new circle).

    Attributes:
        live: the session.
        window: the main window.
        end_at: session time at which the run ends by itself (None: when closed).
        beats: heartbeats run so far; early_beats: of them, those a message's arrival ran;
            frame_beats: of them, those run from inside a frame (`beat_if_due`).
        real_speed: session seconds per real second the clock kept (set when it ends; a
            demo faster than the machine can take in runs slower than asked).
    """

    def __init__(
        self,
        live: LiveSession,
        window: MainWindow,
        end_at: float | None,
        screenshot: Path | None,
        sound: AlarmAudio | None = None,
        *,
        real_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.live, self.window = live, window
        self._real_clock = real_clock  # seconds, for the gap between beats
        self.sound = sound
        self.end_at, self.screenshot = end_at, screenshot
        self.finished = False
        self.problems: list[str] = []  # what failed while ending (the run exits non-zero)
        self.signal: int | None = None  # the signal that ended the run, if one did
        self.beats = self.early_beats = self.frame_beats = 0
        self.real_speed: float | None = None
        self._speed: float | None = None  # the clock's speed when the run started
        self._last_beat: float | None = None  # real_clock() at the last beat
        self._due = 0.0  # real_clock() at which the next regular beat is due
        self.pump_timer = BeatTimer(window)
        self.pump_timer.timeout.connect(self._on_pump_timer_timeout)
        self.early_timer = QTimer(window)  # while active, an early beat is already due
        self.early_timer.setSingleShot(True)
        self.early_timer.timeout.connect(self._on_early_timer_timeout)
        window.close_requested.connect(lambda: self.finish("closed by facilitator"))
        end_clock_at = getattr(live.clock, "end_at", None)
        if end_at is not None and end_clock_at is not None:
            end_clock_at(end_at)  # a simulated clock stops there: the last pump is the end

    def start(self) -> None:
        self._speed = getattr(self.live.clock, "speed", None)
        self.live.pump()
        self.window.grid.draw_frame()
        self._due = self._real_clock() + PUMP_INTERVAL_MS / 1000
        self.pump_timer.start()
        self.window.grid.between_tiles = self.beat_if_due
        self.window.grid.start()

    def wake_on(self, arrivals: ArrivalBridge) -> None:
        """Beat early whenever `arrivals` says a monitor's message came."""

        def on_arrived() -> None:
            arrivals.taken()
            self.beat_soon()

        arrivals.arrived.connect(on_arrived)
        # A message that came while the room was being built signalled no one; re-arm (the
        # first beat takes whatever it sent).
        arrivals.taken()

    def beat_soon(self) -> None:
        """Run a beat as soon as allowed: at once, or EARLY_BEAT_GAP_MS after the last one.
        At most one early beat waits; more arrivals before it runs add nothing (it takes
        every message waiting)."""
        if self.finished or self.early_timer.isActive():
            return
        last = self._last_beat
        since_ms = math.inf if last is None else (self._real_clock() - last) * 1000
        self.early_timer.start(early_beat_wait_ms(since_ms))

    def _on_early_timer_timeout(self) -> None:
        if not self.finished:
            self.early_beats += 1
            self._beat()

    def _on_pump_timer_timeout(self) -> None:
        if self.finished:
            return
        if self._at_end():
            self.end("finished")
            return
        self._regular_beat()

    def beat_if_due(self) -> bool:
        """Run the regular beat now if it is due (the grid asks between tiles); True if it
        ran. The end is left to the timer: a frame must not close the window under itself."""
        if self.finished or not self.pump_timer.isActive() or self.pump_timer.remainingTime():
            return False
        if self._at_end():
            return False
        self.frame_beats += 1
        self._regular_beat(in_frame=True)
        return True

    def _at_end(self) -> bool:
        return self.end_at is not None and self.live.clock.now() >= self.end_at

    def _regular_beat(self, in_frame: bool = False) -> None:
        """The beat that was due, then the timer armed for the next due time on the fixed
        schedule (a due time already passed is skipped, not run twice in a row)."""
        self.pump_timer.disarm()
        try:
            self._beat(in_frame)
        finally:
            interval = PUMP_INTERVAL_MS / 1000
            now = self._real_clock()
            self._due = next_due(self._due, now, interval)
            if not self.finished:
                self.pump_timer.arm(math.ceil((self._due - now) * 1000))

    def _beat(self, in_frame: bool = False) -> None:
        """One heartbeat (`LiveSession.tick`), then the sounds, problems and circle it asks for
        (a circle's dock opens after the frame when the beat ran inside one)."""
        self.beats += 1
        self._last_beat = self._real_clock()
        tick = self.live.tick()
        for problem in tick.problems:
            self.window.show_error(problem)
        circle = self.live.circle
        if circle is not None and self.window.circle is not circle:
            if in_frame:
                QTimer.singleShot(0, self._open_circle)
            else:
                self.window.circle_started(circle)
        if self.sound is not None:
            failure = self.sound.play(tick.cues)
            if failure:
                on_sound_failed(self.live, self.window, failure)

    def _open_circle(self) -> None:
        circle = self.live.circle
        if not self.finished and circle is not None and self.window.circle is not circle:
            self.window.circle_started(circle)

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
        self.early_timer.stop()
        self.window.grid.stop()
        self.window.grid.between_tiles = None
        stop = getattr(self.live.clock, "stop", None)
        if stop is not None:  # a simulated clock: session time ends here, not while we wait
            stop()
            self._say_real_speed()
        self._step("the last readings", self.live.pump)
        if self.window.circle_view is not None:  # the circle's last cues and end
            self._step("the circle", self.window.circle_view.refresh)
        # A circle dock closed a moment ago leaves a layout request pending: honour it, so
        # the last frame (and the screenshot) shows the room at its width, not beside a gap.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self._step("the last frame", lambda: self.window.grid.draw_frame(all_plots=True))
        if self.screenshot is not None:
            self._step("the screenshot", self._save_screenshot)
        if self.sound is not None:
            # The self-test's result belongs in this session's log, before it ends.
            self._step("the alarm sound", self._close_sound)
        self._step("ending the session", lambda: self.live.end(reason))

    def _say_real_speed(self) -> None:
        """A demo asked to run faster than this machine takes the data in ran as fast as it
        could (its clock waited for the work): say how fast, on stderr and in the log."""
        self.real_speed = getattr(self.live.clock, "real_speed", None)
        asked = self._speed
        if self.real_speed is None or not asked or self.real_speed >= SPEED_KEPT * asked:
            return
        line = (
            f"the room ran at {self.real_speed:,.0f}x, not the {asked:,.0f}x asked: "
            "this machine took the data in no faster (the session still ends on time)"
        )
        log.warning(line)
        print(f"groupkap: {line}", file=sys.stderr, flush=True)

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
        # Never waits for the self-test: its result, or that it had not finished, is logged
        # now, before `session.ended`, and nothing of it after (AlarmAudio.end_self_test).
        self.sound.end_self_test()
        self.sound.close()


def next_due(due: float, now: float, interval: float) -> float:
    """The next regular beat's due time after the one due at `due` ran at `now`: one
    interval on, or the first time on the same schedule after now if the beat ran that late."""
    due += interval
    if due <= now:
        due += math.ceil((now - due) / interval + 1e-9) * interval
    return due


def early_beat_wait_ms(since_last_beat_ms: float) -> int:
    """How long an early beat waits: none once EARLY_BEAT_GAP_MS have passed since the last
    beat, else the rest of the gap (rounded up: never sooner than the gap)."""
    if since_last_beat_ms >= EARLY_BEAT_GAP_MS:
        return 0
    return math.ceil(EARLY_BEAT_GAP_MS - max(0.0, since_last_beat_ms))


def on_sound_failed(live: LiveSession, window: MainWindow, problem: str) -> None:
    """A burst could not be played mid-session: the room says so at once, the log records it."""
    live.record_event("alarm.sound_failed", {"problem": problem}, None, "system")
    window.show_sound_failure(problem)


def hold_signals() -> list[int]:
    """Until the room runs, a stop signal is noted (the session then ends as soon as it has
    started) rather than killing the process half-way through building it."""
    held: list[int] = []
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda n, _frame: held.append(n))
    return held


def end_on_signals(run: RoomRun, held: list[int]) -> None:
    """SIGTERM, SIGHUP and SIGINT end the session cleanly ("ended by signal"), without a
    traceback. The pump timer gives Python control every 100 ms, so the handler runs at once.

    The handler only posts the end to the event loop: Python runs a signal handler between
    any two bytecodes, which may be inside a widget's paintEvent, and closing the window from
    there re-enters painting (Qt: "Recursive repaint detected") and can crash the process."""

    def end(signum: int) -> None:
        if run.signal is None:
            run.signal = signum
            run.end(f"ended by signal ({signal.Signals(signum).name})")

    def handler(signum, _frame) -> None:
        QTimer.singleShot(0, lambda: end(signum))

    for signum in STOP_SIGNALS:
        signal.signal(signum, handler)
    if held:
        handler(held[0], None)
