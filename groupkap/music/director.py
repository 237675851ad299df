"""The music director: each seat's playlist follows its participant's phase arc from T0.

The director decides *what* plays; a seat player (libVLC on the seat's headphones at 1×, or
the `SilentPlayer` on a simulated clock) decides *how*. A new phase starts at the end
of the piece playing, or at once with a slow cross-fade if the clinic prefers; nothing is
ever cut. Every musical event lands on the session timeline with the seat and the phase.

Two things happen without a facilitator's move, each logged with its reason: at discharge
the seat's music fades out and stays silent (no later phase starts it again), and a duck
restores itself after `duck_restore_s` unless the seat is held (a facilitator who holds a
seat has taken its music in hand; a forgotten duck must not last for hours).

Each seat also follows its participant's carried plan (`groupkap.music.their_plan`): silence
when the team chose silence, and no piece on their avoid list; a list the avoid list empties
falls back to silence. Each is logged once, with the reason "their plan".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from groupkap.clock import Clock
from groupkap.errors import BadInputError
from groupkap.music.their_plan import PLAN_REASON, PLAN_SILENCE_CHIP, split_avoided

MusicSink = Callable[[str, dict, "str | None", str], None]
END_OF_PIECE, CROSSFADE = "end of piece", "crossfade"
DISCHARGE_FADE_S = 10.0  # a slow ending as the participant gets ready to leave
DUCK_RESTORE_S = 600.0


@dataclass
class SeatMusic:
    """One participant's music. Attributes: player, seat, phase (the section playing),
    pending (a section waiting for the end of the piece), ducked_at (when the duck began),
    discharged (the music ended at discharge; phases no longer move it), prefs (their
    carried plan's `MusicPrefs`, or None), plan_silent (the list given last is silent by
    their plan: "silence" or "every piece avoided", else ""), plan_lifted (a facilitator
    played music on a seat the plan kept silent), plan_said (what was logged already)."""

    player: object
    seat: int
    phase: str | None = None
    pending: str | None = None
    note: str = ""  # a problem the tile should show, e.g. a piece that could not be played
    ducked_at: float | None = None
    discharged: bool = False
    prefs: object | None = None
    plan_silent: str = ""
    plan_lifted: bool = False
    plan_said: set = field(default_factory=set)


class MusicDirector:
    """Runs every seat's phase arc.

    Attributes:
        arcs: phase arcs by route group (`SL`, `IV/IM`).
        seats: SeatMusic by participant id.
        phase_change: `end of piece` (default) or `crossfade`.
        duck_restore_s: a duck ends by itself after this long on a seat not held.
    """

    def __init__(
        self,
        clock: Clock,
        arcs: dict,
        record: MusicSink,
        make_player: Callable[[int, Callable[[str, dict], None]], object],
        t0_of: Callable[[str], float | None],
        route_group_of: Callable[[str], str],
        phase_change: str = END_OF_PIECE,
        discharged_of: Callable[[str], bool] = lambda pid: False,
        duck_restore_s: float = DUCK_RESTORE_S,
        prefs_of: Callable[[str], object | None] = lambda pid: None,
    ) -> None:
        """`prefs_of(pid)`: the participant's carried `MusicPrefs` (None: no plan), read
        when their seat is added."""
        if phase_change not in (END_OF_PIECE, CROSSFADE):
            raise BadInputError(f"phase change is {END_OF_PIECE!r} or {CROSSFADE!r}")
        if duck_restore_s <= 0:
            raise BadInputError(f"a duck restores itself after some time, not {duck_restore_s}")
        self.clock, self.arcs, self._record = clock, arcs, record
        self._make_player, self._t0_of, self._group_of = make_player, t0_of, route_group_of
        self._discharged_of = discharged_of
        self._prefs_of = prefs_of
        self.phase_change = phase_change
        self.duck_restore_s = duck_restore_s
        self.seats: dict[str, SeatMusic] = {}

    def add(self, pid: str, seat: int) -> SeatMusic:
        def on_event(kind: str, data: dict) -> None:
            data = dict(data)
            actor = data.pop("actor", "system")
            music = self.seats.get(pid)
            if music is not None:
                if music.pending and not music.player.waiting_list:
                    music.phase, music.pending = music.pending, None  # the new list began
                data["phase"] = music.phase
                reason = str(data.get("reason", ""))
                if kind == "music.skipped" and reason.startswith("cannot play"):
                    music.note = f"skipped {data.get('piece') or 'a piece'}: cannot play it"
                elif kind == "music.device_lost":
                    music.note = "no output: check this seat's headphones"
            self._record(kind, data, pid, actor)

        music = SeatMusic(self._make_player(seat, on_event), seat, prefs=self._prefs_of(pid))
        self.seats[pid] = music
        return music

    def use_plan(self, pid: str, prefs) -> None:
        """Follow `prefs` (a `MusicPrefs`, or None) from this seat's next list on: the team
        accepted a plan after the seat was added."""
        music = self._music(pid)
        music.prefs, music.plan_lifted = prefs, False
        music.plan_said.clear()

    def remove(self, pid: str) -> None:
        music = self.seats.pop(pid, None)
        if music is not None:
            music.player.close()

    def section_for(self, pid: str):
        """The arc section this participant is in now (before T0: the first one)."""
        arc = self.arcs.get(self._group_of(pid)) or next(iter(self.arcs.values()))
        t0 = self._t0_of(pid)
        minutes = 0.0 if t0 is None else max(0.0, (self.clock.now() - t0) / 60)
        return arc.section_at(minutes)

    def tick(self) -> None:
        now = self.clock.now()
        for pid, music in self.seats.items():
            if music.discharged or self._discharged_of(pid):
                if not music.discharged:
                    self._end_at_discharge(music)
                music.player.tick()
                continue
            self._restore_forgotten_duck(music, now)
            section = self.section_for(pid)
            if section is not None and section.name not in (music.phase, music.pending):
                self._change_phase(music, section)
            elif music.pending and not music.player.waiting_list:
                music.phase, music.pending = music.pending, None  # the new list has begun
            music.player.tick()

    def _end_at_discharge(self, music: SeatMusic) -> None:
        """The participant is discharged: their music fades out and stays silent. A seat
        that never played this run (discharged before a resume) stays silent unlogged."""
        music.discharged, music.pending = True, None
        if music.phase is not None:
            music.player.fade_to_silence("system", DISCHARGE_FADE_S, reason="discharged")

    def _restore_forgotten_duck(self, music: SeatMusic, now: float) -> None:
        player = music.player
        if not getattr(player, "ducked", False):
            music.ducked_at = None
            return
        if music.ducked_at is None:  # ducked on the player directly: count from now
            music.ducked_at = now
        if not player.held and now - music.ducked_at >= self.duck_restore_s:
            minutes = f"{self.duck_restore_s / 60:g}"
            player.duck(False, "system", reason=f"restored by itself after {minutes} min")
            music.ducked_at = None

    def _change_phase(self, music: SeatMusic, section) -> None:
        tracks = self._planned(music, section)
        if music.phase is None or self.phase_change == CROSSFADE or music.player.current is None:
            music.phase, music.pending = section.name, None
            music.player.load(tracks)
            music.player.play()
        else:
            music.pending = section.name
            music.player.load_after_current(tracks)

    def _planned(self, music: SeatMusic, section) -> list:
        """The section's pieces this seat may hear by its plan; what the plan leaves out is
        logged once per seat (each piece, and the silence it leads to)."""
        tracks, prefs = list(section.playlist.tracks), music.prefs
        music.plan_silent = ""
        if prefs is None:
            return tracks
        if prefs.silence and not music.plan_lifted:
            music.plan_silent = "silence"
            self._say(music, "silence", "music.silenced", section, detail="silence preferred")
            return []
        kept, left_out = split_avoided(tracks, prefs.avoid)
        for track in left_out:
            self._say(
                music,
                f"piece:{section.playlist.name}:{track.title}",
                "music.piece_left_out",
                section,
                playlist=section.playlist.name,
                entry=track.title,
                piece=track.title,
                path=str(track.path),
            )
        if left_out and not kept:
            music.plan_silent = "every piece avoided"
            detail = f"every piece of {section.playlist.name!r} is on their avoid list"
            self._say(music, f"empty:{section.name}", "music.silenced", section, detail=detail)
        return kept

    def _say(self, music: SeatMusic, key: str, kind: str, section, **data) -> None:
        if key in music.plan_said:
            return
        music.plan_said.add(key)
        pid = next(p for p, m in self.seats.items() if m is music)
        data = {"seat": music.seat, "phase": section.name, "reason": PLAN_REASON, **data}
        data.setdefault("piece", None)
        self._record(kind, data, pid, "system")

    # -- facilitator moves, by participant -------------------------------------------
    def _music(self, pid: str) -> SeatMusic:
        try:
            return self.seats[pid]
        except KeyError:
            raise BadInputError("this participant has no music player") from None

    def skip(self, pid: str, actor: str) -> None:
        self._music(pid).player.skip(actor)

    def hold(self, pid: str, on: bool, actor: str) -> None:
        self._music(pid).player.hold(on, actor)

    def duck(self, pid: str, actor: str) -> bool:
        """Toggle: duck while someone talks to the participant, tap again to restore."""
        music = self._music(pid)
        on = not getattr(music.player, "ducked", False)
        music.player.duck(on, actor)
        music.ducked_at = self.clock.now() if on else None
        return on

    def silence(self, pid: str, actor: str) -> None:
        self._music(pid).player.fade_to_silence(actor)

    def resume(self, pid: str) -> None:
        """Play again. On a seat their plan keeps silent, the facilitator's move lifts the
        plan's silence for the rest of this session (the avoid list still holds)."""
        music = self._music(pid)
        if music.plan_silent == "silence" and not music.discharged:
            music.plan_lifted = True
            section = self.section_for(pid)
            if section is not None:
                music.phase, music.pending = section.name, None
                music.player.load(self._planned(music, section))
        music.player.play()

    def volume_step(self, pid: str, step: int, actor: str) -> None:
        """Slow, small steps (hearing safety): the player clamps to the seat's cap."""
        player = self._music(pid).player
        player.set_volume(max(0, min(100, player.volume_setting + step)), actor)

    def all_quiet(self, actor: str) -> None:
        """Room-wide: every seat fades to silence within 5 s."""
        for music in self.seats.values():
            music.player.fade_to_silence(actor, 4.0)

    def chip(self, pid: str) -> str:
        """The tile's music chip: `♪ Slow Tide · peak · ducked`."""
        music = self.seats.get(pid)
        if music is None:
            return ""
        piece = getattr(music.player.current, "title", None)
        state = music.player.state
        if music.discharged and state in ("silenced", "stopped"):
            return "♪ ended at discharge"
        if music.plan_silent and piece is None and state == "stopped":
            parts = [PLAN_SILENCE_CHIP, music.phase or ""]
            if music.plan_silent != "silence":
                parts.append(music.plan_silent)
            return " · ".join(p for p in parts if p)
        parts = [f"♪ {piece}" if piece and state != "silenced" else "♪ silence"]
        if music.phase:
            parts.append(music.phase)
        if state not in ("playing",):
            parts.append(state)
        if music.note:
            parts.append(f"⚠ {music.note}")
        return " · ".join(parts)
