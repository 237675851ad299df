"""The facilitators' alarm audio: plays the engine's cues, and self-tests at start-up.

Control calls to the libVLC player happen on the GUI thread (DESIGN.md). The start-up
self-test waits for each burst to end, so it runs on a worker thread with a libVLC
instance of its own, and hands its plain result (`SelfTestResult.as_event()`) back
through a bridge. A sound that could not even be set up reports the same way, so every
failure reaches the session log and the window alike.

The room opens the player after its first frame (`deferred`, then `open`): libVLC takes
a fifth of a second to start, which the facilitators would otherwise wait for with an
empty window. Ending the session never waits for the self-test either (`end_self_test`):
a result not in by then is logged as unfinished, and one that comes later is not written.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent

from groupkap.alarms.model import SoundCue
from groupkap.alarms.output_check import SelfTestResult, silent_module_problem
from groupkap.errors import AudioError
from ui.bridges import SoundTestBridge

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
            before `open`).
        problem: why there is no sound, in words ("" when there is).
        bridge: emits the self-test result on the GUI thread: {priority: heard?, "ok",
            "problem"}, or `unfinished_event()` when the session ended first.
        result: that result once the GUI thread has it (None before).
    """

    def __init__(
        self,
        sound_folder: Path,
        device: str | None,
        vlc_args: list[str] | None = None,
        *,
        deferred: bool = False,
    ) -> None:
        """`deferred`: the files and the player are made only by `open` (or the first cue)."""
        self.sound_folder = Path(sound_folder)
        self.device = device or None
        self.vlc_args = vlc_args
        self.bridge = SoundTestBridge()
        self.problem = ""
        self.files: dict[str, Path] = {}
        self.burst_player = None
        self.result: dict | None = None
        self._opened = False
        self._test_thread: threading.Thread | None = None
        # Held while the worker hands in its result and while the session's end is noted,
        # so a result is either delivered before `session.ended` or not written at all.
        self._lock = threading.Lock()
        self._session_ended = False
        self.bridge.finished.connect(self._keep_result)  # first, before the window's slot
        if not deferred:
            self.open()

    def open(self) -> None:
        """Write the burst files and start the player (libVLC), once; a failure is kept in
        `problem`, and the self-test reports it."""
        if self._opened:
            return
        self._opened = True
        # libVLC and the bursts' synthesis are imported here, not with the window.
        from groupkap.alarms.burst_files import ensure_bursts
        from groupkap.alarms.burst_player import AlarmBurstPlayer

        try:
            self.files = ensure_bursts(self.sound_folder)
            self.burst_player = AlarmBurstPlayer(
                self.files, device=self.device, vlc_args=self.vlc_args
            )
        except (AudioError, OSError) as exc:
            self.files = {}
            self.problem = f"alarm sound unavailable: {exc}"
            log.error("%s", self.problem)

    def play(self, cues: list[SoundCue]) -> str | None:
        """Sound the cues of one engine tick (the first is the room's top burst).

        Returns the problem in words the first time a burst cannot be played (a headset
        unplugged mid-session), so the room can say so and the log can record it; None
        otherwise. A fault is reported once, not at every tick. A cue that comes before
        the deferred player was opened opens it: no alarm goes unsounded for start-up.
        """
        if cues and not self._opened:
            self.open()
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

    def start_self_test(self) -> None:
        """Play one burst of each priority on a worker thread; the bridge reports.

        With no sound to test (libVLC or the device missing), or an output named that no
        one can hear (libVLC's dummy output, offscreen), the failure is reported at once,
        on the calling thread: the bursts would only be timed, never heard.
        """
        self.open()
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
        """At the session's end, before `session.ended`: never waits for the self-test.

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
        if self.burst_player is not None:
            self.burst_player.close()
            self.burst_player = None
