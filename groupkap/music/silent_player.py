"""A silent seat player that keeps time on the session clock, for simulated speeds.

At 60× no audio can keep up, yet the log must still say which piece was playing when. This
player keeps time from each piece's known duration and reports the same events as the real
`SeatPlayer`, silently. Moves (skip, hold, duck, fade) behave as they would with sound.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from groupkap.clock import Clock
from groupkap.errors import BadInputError

DUCK_DB = -15.0
# libVLC's volume number is cubic in amplitude, so −15 dB of sound is ×0.562 on the number
# (the same factor the real SeatPlayer applies, so both report the same volume).
DUCK_VOLUME_FACTOR = 10 ** (DUCK_DB / 60)


class SilentPlayer:
    """Plays a queue of pieces on the session clock.

    Attributes:
        seat: the seat it plays for.
        state: `playing`, `paused`, `ducked`, `held`, `silenced` or `stopped`.
        current: the piece playing now, or None.
        volume: the volume the participant would hear (0–100).
    """

    def __init__(
        self,
        seat: int,
        *,
        clock: Clock,
        on_event: Callable[[str, dict], None],
        volume_cap: int = 80,
        volume: int = 60,
    ) -> None:
        self.seat, self.clock, self._emit = seat, clock, on_event
        self.volume_cap = volume_cap
        self._volume = min(volume, volume_cap)
        self._queue: list = []
        self._index = -1
        self._started_at = 0.0
        self._paused_at: float | None = None
        self.held = self.ducked = self.silenced = False
        self._after: list | None = None
        self._silenced_at: float | None = None

    # -- what is playing --------------------------------------------------------------
    @property
    def current(self):
        return self._queue[self._index] if 0 <= self._index < len(self._queue) else None

    @property
    def state(self) -> str:
        if self.silenced:
            return "silenced"
        if self.current is None:
            return "stopped"
        if self._paused_at is not None:
            return "paused"
        return "ducked" if self.ducked else "held" if self.held else "playing"

    @property
    def volume(self) -> float:
        if self.silenced or self._paused_at is not None:
            return 0.0
        return self._volume * (DUCK_VOLUME_FACTOR if self.ducked else 1.0)

    def _data(self, **extra) -> dict:
        piece = self.current
        data = {
            "seat": self.seat,
            "piece": getattr(piece, "title", None),
            "path": str(getattr(piece, "path", "")) or None,
        }
        data.update(extra)
        return data

    # -- queue --------------------------------------------------------------------------
    def load(self, tracks: Sequence, start: int = 0) -> None:
        """Replace the queue; the new list starts when the current piece ends (or now)."""
        self._queue = list(tracks)
        self._index = start - 1
        if self._paused_at is None and not self.silenced:
            self._next(self.clock.now())

    @property
    def waiting_list(self) -> bool:
        """True while a list given to `load_after_current` waits for the piece to end."""
        return self._after is not None

    def load_after_current(self, tracks: Sequence) -> None:
        """The new list starts when the piece playing now ends (a phase change that waits)."""
        if self.current is None:
            self.load(tracks)
        else:
            self._after = list(tracks)

    def play(self) -> None:
        now = self.clock.now()
        if self.silenced:
            self.silenced = False
            if self._silenced_at is not None:  # the piece stood still while silent
                self._started_at += now - self._silenced_at
                self._silenced_at = None
        if self._paused_at is not None:
            self._started_at += now - self._paused_at
            self._paused_at = None
        elif self.current is None:
            self._next(now)

    def pause(self) -> None:
        if self._paused_at is None:
            self._paused_at = self.clock.now()

    def _next(self, now: float, reason: str = "ended") -> None:
        if self.current is not None:
            self._emit("music.track_ended", self._data(reason=reason))
        if self._after is not None:
            self._queue, self._index, self._after = self._after, -1, None
        if not self._queue:
            self._index = -1
            return
        self._index = (self._index + 1) % len(self._queue)
        self._started_at = now
        self._emit("music.track_started", self._data(duration_s=self.current.duration_s))

    # -- facilitator moves ------------------------------------------------------------
    def skip(self, actor: str) -> None:
        self._emit("music.skipped", self._data(actor=actor))
        self._next(self.clock.now(), reason="skipped")

    def hold(self, on: bool, actor: str) -> None:
        self.held = on

    def duck(self, on: bool, actor: str, reason: str | None = None) -> None:
        """`reason` says why when nobody pressed it (a duck restored by itself)."""
        if on != self.ducked:
            self.ducked = on
            why = {"reason": reason} if reason else {}
            self._emit("music.ducked", self._data(on=on, actor=actor, db=DUCK_DB, **why))

    def fade_to_silence(
        self, actor: str, seconds: float | None = None, reason: str | None = None
    ) -> None:
        """`reason` says why when nobody pressed it (the participant was discharged)."""
        if not self.silenced:
            self.silenced = True
            self._silenced_at = self.clock.now()
            why = {"reason": reason} if reason else {}
            self._emit("music.silenced", self._data(actor=actor, fade_s=seconds or 4.0, **why))

    @property
    def volume_setting(self) -> int:
        """The volume the facilitator set (before ducking and fades)."""
        return int(self._volume)

    def set_volume(self, volume: int, actor: str) -> None:
        if not 0 <= volume <= 100:
            raise BadInputError(f"volume is 0 to 100, not {volume}")
        new = min(volume, self.volume_cap)
        self._emit(
            "music.volume_changed",
            self._data(actor=actor, volume=new, old=self._volume, cap=self.volume_cap),
        )
        self._volume = new

    def tick(self) -> None:
        """Move to the next piece when the current one's duration has passed."""
        now = self.clock.now()
        while self.current is not None and self._paused_at is None and not self.silenced:
            ends = self._started_at + max(1.0, self.current.duration_s)
            if now < ends:
                return
            if self.held:
                self._started_at = ends
                continue
            self._next(ends)

    def close(self) -> None:
        self._queue = []
        self._index = -1
