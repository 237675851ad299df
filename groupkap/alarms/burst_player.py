"""Plays the alarm bursts through libVLC, on the facilitators' own output only."""

from __future__ import annotations

import logging
import queue
import time
import wave
from pathlib import Path
from typing import Any

from groupkap.alarms.output_check import SelfTestResult, null_device_problem, silent_module_problem
from groupkap.audio.libvlc import VlcPlayer
from groupkap.errors import AudioError

log = logging.getLogger("groupkap.audio")

RANK = {"low": 1, "medium": 2, "high": 3}
SELF_TEST_ORDER = ("low", "medium", "high")
# A burst whose end libVLC never reports (the sound server went away) is taken as over this
# long after it should have ended, so it cannot hold back every later alarm of its rank.
STALL_S = 5.0
UNKNOWN_LENGTH_S = 30.0  # for a sound file whose length cannot be read
# libVLC writes a burst's final statistics a few milliseconds after reporting its end.
STATS_WAIT_S = 0.5
STATS_POLL_S = 0.01
_VLC_EVENTS = {"MediaPlayerEndReached": "ended", "MediaPlayerEncounteredError": "error"}


class AlarmBurstPlayer:
    """Plays one alarm burst at a time on one output device, the higher priority winning.

    Participants are in a dissociated state, so alarms must never reach their headphones
    (CLINICAL.md): this player owns a libVLC instance and player of its own, bound to
    the facilitators' device, and shares nothing with the music players.

    Every method is called from one thread (the GUI thread in the app). libVLC reports the
    end of a burst on its own thread; the callback only queues plain values, and the state
    is brought up to date from that queue on the calling thread.

    Attributes:
        device: the output device id asked for (for PulseAudio, the sink name), or None
            for the system default.
        playing_priority: the priority sounding now, or None (a property).
    """

    def __init__(
        self,
        sound_files: dict[str, Path],
        *,
        device: str | None = None,
        vlc_args: list[str] | None = None,
    ) -> None:
        missing = [p for p in RANK if p not in sound_files]
        if missing:
            raise ValueError(f"no alarm sound given for {', '.join(missing)}")
        for priority, path in sound_files.items():
            if not Path(path).is_file():
                raise AudioError(f"the {priority} alarm sound {path} does not exist")
        self._media: dict[str, Any] = {}
        self._ended: queue.Queue[tuple[int, str]] = queue.Queue()
        # Bumped on the calling thread whenever the burst changes, and read (a plain int)
        # by the callback, so an end that belonged to a replaced burst is recognised as stale.
        self._generation = 0
        self._playing: str | None = None
        self._give_up_at = 0.0  # monotonic time after which a silent player is presumed done
        self._lengths = {p: _length_s(Path(sound_files[p])) for p in RANK}
        self.device = device
        self._output = VlcPlayer(vlc_args)
        self._player = self._output.player
        try:
            self._media = {p: self._output.media(sound_files[p]) for p in RANK}
            self._output.attach(self._on_vlc_event, _VLC_EVENTS)
            if device is not None:
                self._output.require_device(device)
                self._route_to_device()
        except BaseException:
            self.close()
            raise
        log.info("alarm burst player ready on %s", device or "the default output")

    def _route_to_device(self) -> None:
        """Choose the device again for the burst about to start, and read the choice back.

        If the choice does not hold, refuse to sound: better no alarm sound (the room
        display still shows the alarm) than one in a participant's headphones.
        """
        if self.device is None:
            return
        try:
            self._output.choose_device(self.device, "the alarm output device")
        except AudioError as exc:
            raise AudioError(f"{exc}; alarm sounds are held back") from None

    def output_devices(self) -> list[tuple[str, str]]:
        """(id, description) of each device the player's audio output can use."""
        return self._output.devices()

    def _on_vlc_event(self, event: Any, outcome: str) -> None:
        # libVLC's thread: copy plain values only; calling libVLC here would deadlock.
        self._ended.put((self._generation, outcome))

    def _drain(self) -> None:
        while True:
            try:
                generation, outcome = self._ended.get_nowait()
            except queue.Empty:
                return
            self._settle(generation, outcome)

    def _settle(self, generation: int, outcome: str) -> bool:
        """Apply one queued end; True if it ended the burst sounding now."""
        if generation != self._generation or self._playing is None:
            return False
        if outcome == "error":
            log.error("libVLC could not play the %s alarm sound", self._playing)
        else:
            log.debug("%s alarm burst finished", self._playing)
        self._playing = None
        return True

    @property
    def playing_priority(self) -> str | None:
        self._drain()
        if self._playing is not None and time.monotonic() > self._give_up_at:
            log.warning(
                "libVLC never reported the end of the %s alarm burst; taking it as over",
                self._playing,
            )
            self._playing = None
        return self._playing

    def play(self, priority: str) -> bool:
        """Sound one burst of `priority`; True if it started.

        A lower or equal priority does not cut into a burst already sounding: the louder
        message finishes, and a repeat of the same one would only stutter.

        Raises:
            AudioError: the chosen device could not be made this burst's output, or
                libVLC refused to play it.
        """
        if priority not in RANK:
            raise ValueError(f"unknown alarm priority {priority!r}")
        current = self.playing_priority
        if current is not None and RANK[current] >= RANK[priority]:
            log.debug("%s alarm not started: %s is sounding", priority, current)
            return False
        # set_media stops the old burst and joins its thread, so every event of the old
        # burst has been queued before the generation moves on.
        self._player.set_media(self._media[priority])
        self._generation += 1
        self._playing = None
        self._route_to_device()
        self._playing = priority
        self._give_up_at = time.monotonic() + self._lengths[priority] + STALL_S
        if self._player.play() != 0:
            self._playing = None
            raise AudioError(f"libVLC refused to play the {priority} alarm sound")
        log.info("%s alarm burst on %s", priority, self.device or "the default output")
        return True

    def stop(self) -> None:
        """Silence the burst sounding now, if any.

        Not `MediaPlayer.stop()`: in libVLC 3 that destroys the audio output, and the
        device chosen on it with it, so the next burst would sound on the default output,
        which may be a participant's headphones. Unsetting the media stops just as well.
        """
        if self._player is not None:
            self._player.set_media(None)
        self._generation += 1
        self._playing = None

    def wait_finished(self, timeout_s: float) -> bool:
        """Block until the burst sounding now has played to its end (at once if none is);
        False if it failed or `timeout_s` passed first."""
        return self._wait_outcome(timeout_s) == "ended"

    def _wait_outcome(self, timeout_s: float) -> str | None:
        self._drain()
        if self._playing is None:
            return "ended"
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                item = self._ended.get(timeout=left)
            except queue.Empty:
                break
            if self._settle(*item):
                return item[1]
        return None

    def self_test(self, timeout_s: float = 5.0) -> SelfTestResult:
        """Play one burst of each priority in turn, so a facilitator hears all three, and
        fail, saying why, when no one could have heard them.

        A burst counts as heard only if it played to its end (within `timeout_s`) on an
        output a person can hear: not libVLC's dummy output, not an output that never
        opened, not a null sink. A burst that did not play is stopped before the next.
        This blocks for several seconds: run it before the room opens, not in a session.
        """
        self.stop()
        self._drain()
        silent = silent_module_problem(self._output.options)
        if silent:
            # Nothing to listen for: the bursts would only be timed, never heard.
            return self._report(SelfTestResult.failed(silent, SELF_TEST_ORDER))
        heard: dict[str, bool] = {}
        problems: list[str] = []
        for priority in SELF_TEST_ORDER:
            try:
                trouble = self._test_burst(priority, timeout_s)
            except AudioError as exc:  # the device could not be chosen or read back
                self.stop()
                return self._report(SelfTestResult.failed(str(exc), SELF_TEST_ORDER))
            heard[priority] = not trouble
            if trouble:
                self.stop()
                problems.append(trouble)
        problem = "; ".join(dict.fromkeys(problems))  # one output fault, said once
        if not problem:
            problem = self._device_problem()
            if problem:  # a null sink times every burst like a speaker; none was heard
                heard = dict.fromkeys(SELF_TEST_ORDER, False)
        return self._report(SelfTestResult(heard, problem))

    def _test_burst(self, priority: str, timeout_s: float) -> str:
        """Play one burst to its end; what went wrong, or "" if it was played out."""
        if not self.play(priority):
            return f"libVLC refused to play the {priority} burst"
        outcome = self._wait_outcome(timeout_s)
        if outcome == "error":
            return f"libVLC could not play the {priority} burst"
        if outcome is None:
            return f"the {priority} burst did not play to its end within {timeout_s:g} s"
        if self._buffers_played(priority) == 0:
            where = (
                f"the facilitators' output device {self.device!r}"
                if self.device
                else "the default audio output"
            )
            return (
                f"libVLC could not open {where}: the bursts were decoded but no sound "
                "reached it (no sound card, or the sound server did not answer)"
            )
        return ""

    def _buffers_played(self, priority: str) -> int | None:
        """Audio buffers libVLC handed to the output for the last burst of `priority`; None
        when libVLC kept no statistics. An output that failed to open plays none, yet the
        burst still "ends" on time."""
        media = self._media[priority]
        stats = self._output.vlc.MediaStats()
        deadline = time.monotonic() + STATS_WAIT_S
        decoded = False
        while True:
            if media.get_stats(stats):
                if stats.played_abuffers > 0:
                    return stats.played_abuffers
                decoded = decoded or stats.decoded_audio > 0
            if time.monotonic() >= deadline:  # the final figures are in by now
                return 0 if decoded else None
            time.sleep(STATS_POLL_S)

    def _device_problem(self) -> str:
        """Why the device the bursts went to cannot be heard, or "" when it may be."""
        chosen = self._output.chosen_device()
        if chosen is None:  # an output with no devices of its own (a file, say)
            return ""
        descriptions = dict(self.output_devices())
        return null_device_problem(chosen, descriptions.get(chosen, ""))

    def _report(self, result: SelfTestResult) -> SelfTestResult:
        if result.ok:
            log.info("alarm self-test passed: %s", result.as_event())
        else:
            log.error("alarm self-test failed: %s", result.problem)
        return result

    def close(self) -> None:
        """Stop and release libVLC (an afile output is completed only now)."""
        self._output.close()
        self._player = None
        for media in self._media.values():
            media.release()
        self._media = {}
        self._playing = None

    def __enter__(self) -> AlarmBurstPlayer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _length_s(path: Path) -> float:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / w.getframerate()
    except (wave.Error, EOFError, OSError):
        return UNKNOWN_LENGTH_S
