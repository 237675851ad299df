"""The facilitators' alarm audio: plays the engine's cues, and self-tests at start-up.

Control calls to the libVLC player happen on the GUI thread (DESIGN.md). The start-up
self-test waits for each burst to end, so it runs on a worker thread with a libVLC
instance of its own, and hands its plain result (`SelfTestResult.as_event()`) back
through a bridge. A sound that could not even be set up reports the same way, so every
failure reaches the session log and the window alike.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from groupkap.alarms.burst_files import ensure_bursts
from groupkap.alarms.burst_player import AlarmBurstPlayer
from groupkap.alarms.model import SoundCue
from groupkap.alarms.output_check import SelfTestResult
from groupkap.errors import AudioError
from ui.bridges import SoundTestBridge

log = logging.getLogger("groupkap.audio")


class AlarmAudio:
    """Alarm audio for one workstation.

    Attributes:
        files: the generated burst files by priority.
        device: the facilitators' output device ("" or None: the system default).
        burst_player: the player, or None when libVLC or the device is unavailable.
        problem: why there is no sound, in words ("" when there is).
        bridge: emits the self-test result on the GUI thread: {priority: heard?, "ok",
            "problem"}.
    """

    def __init__(
        self, sound_folder: Path, device: str | None, vlc_args: list[str] | None = None
    ) -> None:
        self.device = device or None
        self.vlc_args = vlc_args
        self.bridge = SoundTestBridge()
        self.problem = ""
        self.burst_player: AlarmBurstPlayer | None = None
        self._test_thread: threading.Thread | None = None
        try:
            self.files = ensure_bursts(sound_folder)
            self.burst_player = AlarmBurstPlayer(self.files, device=self.device, vlc_args=vlc_args)
        except (AudioError, OSError) as exc:
            self.files = {}
            self.problem = f"alarm sound unavailable: {exc}"
            log.error("%s", self.problem)

    def play(self, cues: list[SoundCue]) -> str | None:
        """Sound the cues of one engine tick (the first is the room's top burst).

        Returns the problem in words the first time a burst cannot be played (a headset
        unplugged mid-session), so the room can say so and the log can record it; None
        otherwise. A fault is reported once, not at every tick.
        """
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

        With no sound to test (libVLC or the device missing), the failure is reported at
        once, on the calling thread.
        """
        if self.burst_player is None:
            self.bridge.report(SelfTestResult.failed(self.problem).as_event())
            return
        self._test_thread = threading.Thread(
            target=self._self_test, name="alarm-self-test", daemon=True
        )
        self._test_thread.start()

    def _self_test(self) -> None:
        try:
            with AlarmBurstPlayer(self.files, device=self.device, vlc_args=self.vlc_args) as tester:
                result = tester.self_test()
        except AudioError as exc:
            result = SelfTestResult.failed(str(exc))
        self.bridge.report(result.as_event())

    def wait_for_self_test(self, timeout_s: float) -> None:
        if self._test_thread is not None:
            self._test_thread.join(timeout_s)

    def close(self) -> None:
        if self.burst_player is not None:
            self.burst_player.close()
            self.burst_player = None
