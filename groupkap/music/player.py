"""One libVLC player per seat, on that participant's own headphones.

CLINICAL.md ("Music"): each participant hears their own playlist on their own device; the
facilitators' moves never cut sound abruptly (fades of at least 3 s); volume has a per-seat cap
and moves in slow perceptual steps; a seat whose device goes away falls silent rather than
play into the room.

libVLC 3 facts this relies on (measured; see tests/integration/test_seat_player.py):
- Volume percent v gives an amplitude of (v/100)**3 on PulseAudio (50 % is -18 dB), so
  gains here are amplitudes, turned into percent only when sent.
- A new stream opens at 100 % unless the volume is set just before `play()`.
- The device must be chosen again for every new media and read back; PulseAudio takes any
  name, so the name is also checked against the devices libVLC lists. Chosen before play(),
  the stream is created on that sink (PulseAudio logs "Created input ... on seat1", no move):
  there is no moment on the default sink. A name no sink has plays nowhere.
- Under load libVLC resamples a late stream to catch up: sidebands 40-60 dB down in that
  seat's own sound, not another seat's music (tests/integration/test_seat_player.py).
- When a sink disappears, PulseAudio moves its streams to the default sink (the room) and
  libVLC reads back that sink: the device watcher (device_watch.py, its own thread) sees it
  within 0.1 s and the next `tick` drops the stream.
- The file output (`--aout=afile`) has no volume control: fades are not heard there.
"""

from __future__ import annotations

import ctypes
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from groupkap.audio.libvlc import VlcPlayer
from groupkap.clock import Clock
from groupkap.errors import BadInputError
from groupkap.music.device_watch import DeviceWatch, shared_watch
from groupkap.music.library import unreadable

log = logging.getLogger("groupkap.music")

MIN_FADE_S = 3.0
DUCK_DB = -15.0
VOLUME_STEP_S = 1.5  # a volume change ramps this long: slow enough not to startle anyone
START_TIMEOUT_S = 5.0  # a piece with no audio stream this long after play() cannot be played
_AUDIO_TRACK = 0  # libvlc_track_audio
_VLC_EVENTS = {
    "MediaPlayerEndReached": "ended",
    "MediaPlayerEncounteredError": "error",
    "MediaPlayerESAdded": "es",
}


@dataclass(frozen=True)
class _Piece:
    item: Any  # what the owner queued (a path or a library Track); `current` hands it back
    path: Path
    title: str
    duration_s: float | None


def _piece(item: Any) -> _Piece:
    path = Path(getattr(item, "path", item))
    return _Piece(
        item, path, getattr(item, "title", "") or path.stem, getattr(item, "duration_s", None)
    )


def _percent(gain: float) -> int:
    return round(100 * max(0.0, gain) ** (1 / 3))


def _ramp(a: float, b: float, s: float) -> float:
    """The gain a fraction `s` of the way from a to b: in equal dB steps between two levels,
    and along a squared curve to or from silence, which no dB step reaches."""
    if s >= 1:
        return b
    if a > 0 and b > 0:
        return a * (b / a) ** s
    return a * (1 - s) ** 2 if b == 0 else b * s * s


class SeatPlayer:
    """Plays one seat's queue on that seat's output device, and nowhere else.

    Every method runs on the owner's thread (the GUI thread), which also calls `tick` about
    ten times a second: fades step there, from `clock`, and libVLC's reports are taken in
    there. libVLC's own thread only queues plain values (calling libVLC from it deadlocks).
    Each seat has its own libVLC instance, so nothing is shared with other seats or alarms.
    The one exception is `probe_device`, which the device watcher calls on its own thread:
    asking libVLC where the stream plays can wait on PulseAudio, so `tick` only reads the
    watcher's verdict (issue 17).

    Events go to `on_event(kind, data)`; data always holds seat, piece (title), path and
    actor ("system" when nobody acted).

    Attributes:
        seat, device (None: the default output), volume_cap, fade_s.
        ducked, held: the facilitators' duck and hold, as set.
    """

    def __init__(
        self,
        seat: int,
        *,
        device: str | None,
        clock: Clock,
        on_event: Callable[[str, dict], None],
        vlc_args: list[str] | None = None,
        volume_cap: int = 80,
        volume: int = 60,
        fade_s: float = 4.0,
        device_watch: DeviceWatch | None = None,
    ) -> None:
        """`device_watch`: the thread that checks the device while a piece plays (the
        process's shared one by default)."""
        for name, value in (("volume cap", volume_cap), ("volume", volume)):
            if not 0 <= value <= 100:
                raise BadInputError(f"the {name} is 0 to 100, not {value}")
        if fade_s < MIN_FADE_S:
            raise BadInputError(f"fades last at least {MIN_FADE_S:g} s, not {fade_s}")
        self.seat, self.device, self.clock, self._emit = seat, device, clock, on_event
        self.volume_cap, self.fade_s = volume_cap, fade_s
        self._volume = min(volume, volume_cap)
        self._queue: list[_Piece] = []
        self._next = 0  # index in _queue of the piece after _current
        self._after: list[_Piece] | None = None  # a list waiting for the end of this piece
        self._current: _Piece | None = None  # sounding, or to sound when play() is called
        self._mode = "stopped"  # as asked: stopped, playing, paused or silenced
        self._active = self._lost = self._audio_seen = self.ducked = self.held = False
        self._started_at, self._failures, self._resume_s = 0.0, 0, 0.0
        self._gain, self._sent = self._target(), -1
        self._fade: tuple[float, float, float, float] | None = None  # from, to, t0, seconds
        self._then: tuple[str, str] | None = None  # (move, actor) due when a fade-out ends
        self._silence_reason: str | None = None  # why a silence nobody pressed was made
        self._reports: queue.Queue[tuple[int, str]] = queue.Queue()
        # Bumped on the owner's thread when the media changes; the callback stamps reports
        # with it, so a report about a piece already replaced is recognised as stale.
        self._generation = 0
        # The watcher's verdict on the stream of generation `_checked` (the last one whose
        # device `_start` read back): (generation, problem or None). Held by the watcher while
        # it asks libVLC, so the player is never released under it.
        self._checked = -1
        self._verdict: tuple[int, str | None] | None = None
        self._probe_lock = threading.Lock()
        self._watch = device_watch or shared_watch()
        self._output = VlcPlayer(vlc_args)
        self._player = self._output.player
        try:
            self._output.attach(self._on_vlc_event, _VLC_EVENTS)
        except BaseException:
            self.close()
            raise
        if device is not None and device not in self._output.device_ids():
            self._lose("the device is not connected")
        if device is not None:
            self._watch.add(self)

    # -- what the tile shows ----------------------------------------------------------
    @property
    def state(self) -> str:
        if self._lost:
            return "no output"
        if self._mode != "playing":
            return self._mode
        return "ducked" if self.ducked else "held" if self.held else "playing"

    @property
    def current(self) -> Any:
        return None if self._current is None else self._current.item

    @property
    def position_s(self) -> float:
        if self._active and self._player is not None:
            return max(0.0, self._player.get_time() / 1000)
        return self._resume_s

    @property
    def volume(self) -> int:
        """The volume (libVLC percent) the participant hears now; 0 while silent."""
        sounding = self._active and self._mode == "playing" and not self._lost
        return _percent(self._gain) if sounding else 0

    @property
    def waiting_list(self) -> bool:
        return self._after is not None

    # -- queue ------------------------------------------------------------------------
    def load(self, tracks: Sequence[Any], start: int = 0) -> None:
        """Replace the queue. A piece sounding now fades out (a phase change that cannot
        wait) and the new list's piece `start` follows; otherwise it waits for play()."""
        pieces = [_piece(t) for t in tracks]
        if pieces and not 0 <= start < len(pieces):
            raise BadInputError(f"no piece {start} in a list of {len(pieces)}")
        self._queue, self._next, self._after, self._failures = pieces, start, None, 0
        # A seat fading to silence stays on that course: the new list follows this piece.
        quieting = self._then is not None and self._then[0] in ("pause", "silence")
        if self._active and self._mode == "playing" and not quieting:
            self._quiet("switch", "system", self.fade_s)
        elif not quieting:
            self._drop()
            self._current, self._resume_s, self._then = None, 0.0, None
            self._advance()

    def load_after_current(self, tracks: Sequence[Any]) -> None:
        """The new list starts when the piece sounding now ends."""
        if self._active:
            self._after = [_piece(t) for t in tracks]
        else:
            self.load(tracks)

    # -- facilitator moves (last move wins) ----------------------------------------------
    def play(self, actor: str = "system") -> None:
        if self._lost:
            if self.device not in self._output.device_ids():
                return
            self._lost = False
            log.info("seat %s: device %s is back", self.seat, self.device)
        if self._then is not None and self._then[0] in ("pause", "silence"):
            self._then = None  # fading out: come back up from where the fade is
            self._fade_to(self._target(), self.fade_s)
            return
        if self._mode == "playing" and self._active:
            return
        resuming = self._mode in ("paused", "silenced") or self._resume_s > 0
        self._mode, self._failures = "playing", 0
        if self._active:
            self._player.set_pause(0)
            self._gain, self._started_at = 0.0, self.clock.now()
            self._fade_to(self._target(), self.fade_s)
        else:
            if self._current is None:
                self._advance()
            self._start(fade_in=resuming)

    def pause(self, actor: str = "system") -> None:
        """Fade out, then pause; play() fades back in."""
        if self._mode == "playing":
            self._quiet("pause", actor, self.fade_s)

    def skip(self, actor: str) -> None:
        """Fade the piece out, then the next; a silent seat moves on at once, still silent."""
        if self._current is not None:
            self._quiet("skip", actor, self.fade_s)

    def hold(self, on: bool, actor: str) -> None:
        """Repeat the current piece when it ends, until released (a skip releases it)."""
        self.held = bool(on)

    def duck(self, on: bool, actor: str, reason: str | None = None) -> None:
        """About -15 dB while someone talks to the participant; again to restore. `reason`
        says why when nobody pressed it (a duck restored by itself)."""
        if bool(on) == self.ducked:
            return
        self.ducked = bool(on)
        if self._then is None and self._active and self._mode == "playing":
            self._fade_to(self._target(), self.fade_s)
        why = {"reason": reason} if reason else {}
        self._emit(
            "music.ducked",
            self._data(actor, on=self.ducked, db=DUCK_DB, volume=_percent(self._target()), **why),
        )

    def fade_to_silence(
        self, actor: str, seconds: float | None = None, reason: str | None = None
    ) -> None:
        """Fade out over `seconds` (at least 3), then stay paused until play(). `reason`
        says why when nobody pressed it (the participant was discharged); the log gets it
        with the silence."""
        if self._mode != "silenced":
            seconds = max(MIN_FADE_S, self.fade_s if seconds is None else seconds)
            self._silence_reason = reason
            self._quiet("silence", actor, seconds)

    @property
    def volume_setting(self) -> int:
        """The volume the facilitator set (before ducking and fades)."""
        return int(self._volume)

    def set_volume(self, volume: int, actor: str) -> None:
        """Set the seat's volume (libVLC percent), held to the cap, reached in a slow ramp."""
        if not 0 <= volume <= 100:
            raise BadInputError(f"volume is 0 to 100, not {volume}")
        old, self._volume = self._volume, min(int(volume), self.volume_cap)
        if self._then is None and self._active and self._mode == "playing":
            self._fade_to(self._target(), VOLUME_STEP_S)
        self._emit(
            "music.volume_changed",
            self._data(actor, volume=self._volume, old=old, requested=volume, cap=self.volume_cap),
        )

    # -- the owner's heartbeat ----------------------------------------------------------
    def tick(self) -> None:
        """Take libVLC's reports, the device watcher's verdict, and step the fade; ~10 times
        a second. No libVLC call here but the volume, and that only when it changes."""
        if self._player is None:
            return
        self._drain()
        if self._active and self.device is not None and (problem := self._watched_problem()):
            self._lose(problem)
        if self._fade is not None:
            a, b, t0, seconds = self._fade
            s = (self.clock.now() - t0) / seconds
            self._gain = _ramp(a, b, s)
            if s >= 1:
                self._fade = None
        self._send_volume()
        if self._fade is None and self._then is not None:
            then, self._then = self._then, None
            self._complete(then)
        if (
            self._active
            and self._mode == "playing"
            and not self._audio_seen
            and self.clock.now() - self._started_at > START_TIMEOUT_S
        ):
            self._unplayable(f"no sound within {START_TIMEOUT_S:g} s")

    def close(self) -> None:
        """Stop and release libVLC (an afile output is completed only now)."""
        self._watch.discard(self)
        with self._probe_lock:  # not while the watcher is asking libVLC
            self._output.close()
            self._player = None
        self._active, self._mode = False, "stopped"

    def __enter__(self) -> SeatPlayer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- inside -----------------------------------------------------------------------
    def _on_vlc_event(self, event: Any, outcome: str) -> None:
        # libVLC's thread: read plain values only; calling libVLC here would deadlock.
        # python-vlc's union lacks the ES fields; the track type is the union's first int.
        if outcome == "es":
            if ctypes.c_int.from_address(ctypes.addressof(event.u)).value != _AUDIO_TRACK:
                return
            outcome = "audio"
        self._reports.put((self._generation, outcome))

    def _drain(self) -> None:
        while self._player is not None:
            try:
                generation, outcome = self._reports.get_nowait()
            except queue.Empty:
                return
            if generation != self._generation or not self._active:
                continue
            if outcome == "audio" and not self._audio_seen:
                self._audio_seen, self._failures = True, 0
                self._emit("music.track_started", self._data(duration_s=self._current.duration_s))
            elif outcome == "ended" and self._audio_seen:
                then, self._then, self._fade = self._then, None, None
                if then is not None and then[0] in ("pause", "silence"):
                    self._complete(then)  # it ended during that fade-out: stay silent
                self._complete(("end", "system"))
            elif outcome != "audio":
                if self.device is not None and self._device_problem():
                    self._lose("libVLC stopped and the device is gone")
                else:
                    self._unplayable(
                        "libVLC found no sound in it"
                        if outcome == "ended"
                        else "libVLC could not open or decode it"
                    )

    def _complete(self, then: tuple[str, str]) -> None:
        """Carry out a move a fade-out led to, a move on a seat already silent, or the end
        of a piece ("end"): pause, silence, skip, switch (to a new list) or end."""
        move, actor = then
        if move in ("pause", "silence"):
            if self._active:
                self._player.set_pause(1)
            self._mode = "paused" if move == "pause" else "silenced"
            if move == "silence":
                why, self._silence_reason = self._silence_reason, None
                self._emit("music.silenced", self._data(actor, **({"reason": why} if why else {})))
            return
        if move == "skip":
            self._emit("music.skipped", self._data(actor, reason="skipped"))
            self.held = False
        reason = {"end": "ended", "skip": "skipped"}.get(move, "new list")
        self._emit("music.track_ended", self._data(actor, reason=reason))
        self._drop()
        self._resume_s = 0.0
        if not (move == "end" and self.held):
            self._advance()
        self._gain = self._target()
        if self._mode == "playing":
            self._start()

    def _advance(self) -> None:
        """Move the cursor to the next piece, into a waiting list if one waits; lists loop."""
        if self._after is not None:
            self._queue, self._next, self._after, self._failures = self._after, 0, None, 0
        if not self._queue:
            self._current = None
            return
        index = self._next % len(self._queue)
        self._current, self._next = self._queue[index], index + 1

    def _start(self, fade_in: bool = False) -> None:
        """Put the current piece on the seat's device at the right volume and play it."""
        while self._current is not None and (problem := unreadable(self._current.path)):
            if not self._unplayable(problem, start=False):
                return
        if self._current is None or self._lost:
            self._mode = "stopped" if self._current is None else self._mode
            return
        media = self._output.media(self._current.path)
        if self._resume_s > 0:
            media.add_option(f":start-time={self._resume_s:.2f}")
        self._resume_s = 0.0
        self._player.set_media(media)  # stops the old piece and joins its thread
        media.release()
        self._generation += 1
        self._active, self._audio_seen, self._started_at = True, False, self.clock.now()
        if self.device is not None:
            # libVLC 3 applies a device choice to the next stream only; the setter reports
            # nothing, so read it back, and PulseAudio accepts any name, so check the list.
            self._output.set_device(self.device)
            if problem := self._device_problem():
                self._lose(problem)
                return
            self._checked = self._generation  # on its device: the watcher takes over
        self._fade, self._then = None, None
        self._gain = 0.0 if fade_in else self._target()
        if fade_in:
            self._fade_to(self._target(), self.fade_s)
        self._send_volume(force=True)  # before play(): a new stream otherwise opens at 100 %
        if self._player.play() != 0:
            self._unplayable("libVLC refused to play it")

    def _unplayable(self, problem: str, start: bool = True) -> bool:
        """Skip a piece that cannot be played and start the next (if `start`); False once
        every piece of the list has failed in a row, which stops the seat."""
        self._drop()
        log.warning("seat %s cannot play %s: %s", self.seat, self._current.path, problem)
        self._emit("music.skipped", self._data(reason=f"cannot play: {problem}"))
        self._failures += 1
        if self._failures >= len(self._queue):
            log.error("seat %s: no piece in its list can be played", self.seat)
            self._current, self._mode = None, "stopped"
            return False
        self._advance()
        if start and self._mode == "playing":
            self._start()
        return True

    def _lose(self, reason: str) -> None:
        """Fall silent on a device that went away: never play on into another device."""
        if self._active:
            self._resume_s = self.position_s
        self._drop()
        self._fade = self._then = None
        if not self._lost:
            self._lost = True
            log.error("seat %s lost its output %s: %s", self.seat, self.device, reason)
            self._emit("music.device_lost", self._data(device=self.device, reason=reason))

    def _drop(self) -> None:
        # Not MediaPlayer.stop(): in libVLC 3 it destroys the output and the device chosen.
        if self._active:
            self._player.set_media(None)
            self._generation += 1
            self._active = False

    def _quiet(self, move: str, actor: str, seconds: float) -> None:
        """Fade out, then carry out `move`; a seat already silent does it at once."""
        if self._active and self._mode == "playing":
            self._fade_to(0.0, seconds)
            self._then = (move, actor)
        else:
            self._complete((move, actor))

    def _fade_to(self, gain: float, seconds: float) -> None:
        if self._fade is not None:  # start from where the fade running now has got to
            a, b, t0, length = self._fade
            self._gain = _ramp(a, b, (self.clock.now() - t0) / length)
        self._fade = (self._gain, gain, self.clock.now(), seconds)

    def _target(self) -> float:
        return (self._volume / 100) ** 3 * (10 ** (DUCK_DB / 20) if self.ducked else 1.0)

    def _send_volume(self, force: bool = False) -> None:
        percent = _percent(self._gain)
        if force or percent != self._sent:
            self._player.audio_set_volume(percent)
            self._sent = percent

    def _device_problem(self, listed: Callable[[], set[str]] | None = None) -> str | None:
        """Why the seat's device is not (or no longer) the player's output, if it is not.
        A vanished PulseAudio sink's streams move to the default sink, read back here.
        `listed`: the device ids (the watcher's, read once for all seats); else this
        output's own."""
        chosen = self._output.chosen_device()
        if chosen != self.device:
            return f"libVLC's output is {chosen!r}, not the seat's device"
        ids = self._output.device_ids() if listed is None else listed()
        return None if self.device in ids else "the device is not connected"

    def probe_device(self, listed: Callable[[VlcPlayer], set[str]]) -> None:
        """On the device watcher's thread: whether the piece playing now is still on the
        seat's device, left for `tick`. The verdict carries the stream's generation, so one
        about a stream replaced meanwhile is ignored; a stream not yet read back by `_start`
        is not probed."""
        with self._probe_lock:
            generation = self._checked
            if self._player is None or not self._active or generation != self._generation:
                return
            self._verdict = (generation, self._device_problem(lambda: listed(self._output)))

    def _watched_problem(self) -> str | None:
        """The watcher's verdict on the stream playing now (no libVLC call)."""
        verdict = self._verdict
        if verdict is None or verdict[0] != self._generation:
            return None
        return verdict[1]

    def _data(self, actor: str = "system", **extra: Any) -> dict:
        piece = self._current
        return {
            "seat": self.seat,
            "piece": piece and piece.title,
            "path": piece and str(piece.path),
            "actor": actor,
            **extra,
        }
