"""The room's alarm sound, wired: its self-test's result goes to the session log and, when no
one could hear the alarms, across the top of the window; libVLC and the self-test start once
the room's first frame is drawn, and libVLC opens on a worker thread, so neither holds the
room back (issue 17)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from groupkap.session import LiveSession
from ui.alarms.alarm_audio import AlarmAudio
from ui.first_frame import after_first_frame
from ui.main_window import MainWindow
from ui.room_run import RoomRun, on_sound_failed

OFFSCREEN_DEVICE = "dummy output (offscreen)"


def alarm_sound_folder() -> Path:
    return Path(platformdirs.user_cache_dir("groupkap", appauthor=False)) / "alarm-sounds"


def on_sound_tested(
    live: LiveSession, window: MainWindow, device: str | None, result: dict
) -> None:
    """Log the start-up self-test; if no one could hear the alarms, say so across the top
    of the window until the session ends (the tiles and alarm bar still show them)."""
    live.record_event(
        "alarm.sound_tested", {**result, "device": device or "system default"}, None, "system"
    )
    if not result.get("ok"):
        window.show_sound_failure(result.get("problem") or "the self-test did not pass")


def room_alarm_sound(
    live: LiveSession, window: MainWindow, device: str | None, offscreen: bool
) -> AlarmAudio:
    """The facilitators' alarm sound for this room, its self-test reported to `live` and
    `window`; nothing is opened yet (`start_after_first_frame`).

    Offscreen (QA, CI) nobody listens: libVLC's dummy output still decodes and times every
    burst, without probing sound cards that a headless machine does not have. The self-test
    says so honestly (banner and log), as it does when the sound could not be set up at all
    (sound.problem)."""
    sound = AlarmAudio(
        alarm_sound_folder(),
        device,
        vlc_args=["--aout=dummy"] if offscreen else None,
        deferred=True,
    )
    named = OFFSCREEN_DEVICE if offscreen else sound.device
    sound.bridge.finished.connect(lambda result: on_sound_tested(live, window, named, result))
    # A cue that waited for the player and then could not be played: as a failing cue would.
    sound.on_failure = lambda problem: on_sound_failed(live, window, problem)
    return sound


def start_after_first_frame(run: RoomRun, sound: AlarmAudio) -> None:
    """The sound's player and self-test once the room is on the screen, unless the session
    has ended by then (its log then says the self-test had not finished)."""

    def start() -> None:
        if not run.finished:
            sound.start_self_test()

    after_first_frame(run.window.grid, start)
