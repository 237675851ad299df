"""The facilitators' alarm audio: plays the engine's cues, and self-tests at start-up.

Control calls to the libVLC player happen on the GUI thread (DESIGN.md). Opening it does
not: synthesising the bursts and starting libVLC take a fifth to half a second (0.6 s once
on a loaded machine, issue 17's soak), which the room would otherwise stall for. The room
opens the player after its first frame (`deferred`, then `start_self_test` or a cue) on a
worker thread, which hands the ready player, or why there is none, back through a bridge
(`AlarmOpenBridge`); from then on it is used on the GUI thread only.

A cue that comes while the player is opening is not lost: the highest one waiting sounds as
soon as the player is ready (a failure to play it reaches `on_failure`, as `play`'s return
would). The self-test runs once the player is open, as before.

The start-up self-test waits for each burst to end, so it runs on a worker thread with a
libVLC instance of its own, and hands its plain result (`SelfTestResult.as_event()`) back
through a bridge. A sound that could not even be set up reports the same way, so every
failure reaches the session log and the window alike.

Ending the session never waits, for the self-test (`end_self_test`: a result not in by then
is logged as unfinished, and one that comes later is not written) or for the opening (a
player that is ready only after `close` is closed at once and never sounds).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt

from groupkap.alarms.limits import PRIORITY_RANK
from groupkap.alarms.model import SoundCue
from groupkap.alarms.output_check import SelfTestResult, silent_module_problem
from groupkap.errors import AudioError
from ui.bridges import AlarmOpenBridge, SoundTestBridge

log = logging.getLogger("groupkap.audio")

UNFINISHED = "the alarm self-test had not finished when the session ended"


def unfinished_event() -> dict:
    """The `alarm.sound_tested` data of a self-test the session ended before: not passed
    (no one confirmed the sound), and no verdict per priority, as none was reached."""
    return {"ok": False, "problem": UNFINISHED, "unfinished": True}


class AlarmAudio:
    """Alarm audio for one workstation.

    Attributes:
        files: the generated burst files by priority (empty until opened, or when they
            could not be written).
        device: the facilitators' output device ("" or None: the system default).
        burst_player: the player, or None when libVLC or the device is unavailable (or
            before it is open).
        problem: why there is no sound, in words ("" when there is).
        bridge: emits the self-test result on the GUI thread: {priority: heard?, "ok",
            "problem"}, or `unfinished_event()` when the session ended first.
        result: that result once the GUI thread has it (None before).
        on_failure: called on the GUI thread with the problem when a cue that waited for
            the player could not be played (`play` returns it for the others).
    """

    def __init__(
        self,
        sound_folder: Path,
        device: str | None,
        vlc_args: list[str] | None = None,
        *,
        deferred: bool = False,
    ) -> None:
        """`deferred`: the files and the player are made later, on a worker thread, at
        `start_self_test` or the first cue (`open_soon`); otherwise now, on this thread."""
        self.sound_folder = Path(sound_folder)
        self.device = device or None
        self.vlc_args = vlc_args
        self.bridge = SoundTestBridge()
        self.problem = ""
        self.files: dict[str, Path] = {}
        self.burst_player = None
        self.result: dict | None = None
        self.on_failure: Callable[[str], None] | None = None
        self._opened = False  # asked to open (now or on the worker)
        self._ready = False  # the player (or its failure) is in, on the GUI thread
        self._closed = False
        self._waiting: SoundCue | None = None  # the highest cue raised before it was ready
        self._test_wanted = False
        self._opening: threading.Thread | None = None
        self._test_thread: threading.Thread | None = None
        # Held while a worker hands in its result and while the session's end (or the
        # close) is noted, so a result is either delivered before `session.ended` or not
        # written at all, and a player opened after the close is closed, never handed in.
        self._lock = threading.Lock()
        self._session_ended = False
        self.bridge.finished.connect(self._keep_result)  # first, before the window's slot
        self._open_bridge = AlarmOpenBridge()
        self._open_bridge.opened.connect(self._take_opened, Qt.ConnectionType.QueuedConnection)
        if not deferred:
            self.open()

    # -- opening ------------------------------------------------------------------------
    def open(self) -> None:
        """Write the burst files and start the player (libVLC) on this thread, once; a
        failure is kept in `problem`, and the self-test reports it."""
        if self._opened:
            return
        self._opened = True
        self._take_opened(self._make())

    def open_soon(self) -> None:
        """Open the player on a worker thread, once; it is handed to the GUI thread when
        ready (`_take_opened`), where waiting cues sound and a wanted self-test starts."""
        if self._opened or self._closed:
            return
        self._opened = True
        self._opening = threading.Thread(
            target=self._open_in_background, name="alarm-sound-open", daemon=True
        )
        self._opening.start()

    def _make(self) -> tuple[dict[str, Path], Any, str]:
        """(files, player, problem): the bursts written and the player started, or why not."""
        # libVLC and the bursts' synthesis are imported here, not with the window.
        from groupkap.alarms.burst_files import ensure_bursts
        from groupkap.alarms.burst_player import AlarmBurstPlayer

        try:
            files = ensure_bursts(self.sound_folder)
            player = AlarmBurstPlayer(files, device=self.device, vlc_args=self.vlc_args)
        except (AudioError, OSError) as exc:
            problem = f"alarm sound unavailable: {exc}"
            log.error("%s", problem)
            return {}, None, problem
        return files, player, ""

    def _open_in_background(self) -> None:
        try:
            outcome = self._make()
        except Exception as exc:  # anything else: the room must still hear of it
            log.exception("opening the alarm sound failed")
            outcome = ({}, None, f"alarm sound unavailable: {exc}")
        with self._lock:
            if not self._closed:
                self._open_bridge.report(outcome)  # queued to the GUI thread
                return
        if outcome[1] is not None:  # the room closed while it opened: never sounds
            outcome[1].close()

    def _take_opened(self, outcome: tuple[dict[str, Path], Any, str]) -> None:
        """On the GUI thread: keep the player (or its failure), sound the cue that waited,
        then start the self-test if it was asked for."""
        files, player, problem = outcome
        if self._closed:
            if player is not None:
                player.close()
            return
        self.files, self.burst_player, self._ready = files, player, True
        if problem:
            self.problem = problem
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            failure = self.play([waiting])
            if failure and self.on_failure is not None:
                self.on_failure(failure)
        if self._test_wanted:
            self._test_wanted = False
            if not self._session_ended:
                self._start_test()

    # -- sounding -----------------------------------------------------------------------
    def play(self, cues: list[SoundCue]) -> str | None:
        """Sound the cues of one engine tick (the first is the room's top burst).

        Returns the problem in words the first time a burst cannot be played (a headset
        unplugged mid-session), so the room can say so and the log can record it; None
        otherwise. A fault is reported once, not at every tick. A cue that comes before
        the deferred player is ready starts its opening and waits for it: the highest cue
        waiting sounds as soon as the player is ready, so no alarm goes unsounded for
        start-up.
        """
        if self._closed:
            return None
        if not self._ready:
            for cue in cues:
                rank = PRIORITY_RANK.get(cue.priority, 0)
                if self._waiting is None or rank > PRIORITY_RANK.get(self._waiting.priority, 0):
                    self._waiting = cue
            if cues:
                self.open_soon()
            return None
        if self.burst_player is None:
            return None
        for cue in cues:
            try:
                self.burst_player.play(cue.priority)
            except AudioError as exc:
                problem = f"alarm sound failed: {exc}"
                log.error("%s", problem)
                if problem != self.problem:
                    self.problem = problem
                    return problem
        return None

    # -- the self-test ------------------------------------------------------------------
    def start_self_test(self) -> None:
        """Play one burst of each priority on a worker thread; the bridge reports. A
        deferred player not yet open is opened first (on its worker), then tested.

        With no sound to test (libVLC or the device missing), or an output named that no
        one can hear (libVLC's dummy output, offscreen), the failure is reported at once
        (once the player is in), on the GUI thread: the bursts would only be timed, never
        heard.
        """
        if not self._ready:
            self._test_wanted = True
            self.open_soon()
            return
        self._start_test()

    def _start_test(self) -> None:
        if self.burst_player is None:
            self.bridge.report(SelfTestResult.failed(self.problem).as_event())
            return
        silent = silent_module_problem(self.vlc_args or [])
        if silent:
            log.error("alarm self-test failed: %s", silent)
            self.bridge.report(SelfTestResult.failed(silent).as_event())
            return
        self._test_thread = threading.Thread(
            target=self._self_test, name="alarm-self-test", daemon=True
        )
        self._test_thread.start()

    def _self_test(self) -> None:
        from groupkap.alarms.burst_player import AlarmBurstPlayer

        try:
            with AlarmBurstPlayer(self.files, device=self.device, vlc_args=self.vlc_args) as tester:
                result = tester.self_test()
        except AudioError as exc:
            result = SelfTestResult.failed(str(exc))
        with self._lock:
            if self._session_ended:
                log.warning(
                    "the alarm self-test finished after its session had ended (logged "
                    "there as unfinished): %s",
                    result.as_event(),
                )
                return
            self.bridge.report(result.as_event())  # queued to the GUI thread

    def _keep_result(self, result: dict) -> None:
        self.result = result

    def end_self_test(self) -> None:
        """At the session's end, before `session.ended`: never waits for the self-test (nor
        for the player to open).

        A result already handed in is delivered now (so it is logged in the session), else
        `unfinished_event()` is reported in its place; a result that comes after this is
        logged to the program's log only, never to the ended session.
        """
        with self._lock:
            self._session_ended = True
        if self.result is None:
            # A result the worker handed in before the lock is queued: deliver it.
            QCoreApplication.sendPostedEvents(None, QEvent.Type.MetaCall)
        if self.result is None:
            log.error("%s", UNFINISHED)
            self.bridge.report(unfinished_event())

    def close(self) -> None:
        """Release the player; one still opening is closed on its worker when it is ready."""
        with self._lock:
            self._closed = True
        self._waiting = None
        if self.burst_player is not None:
            self.burst_player.close()
            self.burst_player = None
