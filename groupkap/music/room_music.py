"""The room's music, built in the core: the phase arcs from the library's and the clinic's
playlists, and one player per seat.

A seat plays real audio through libVLC only at 1× and only on its own configured device
(its headphones); otherwise it follows the session clock silently, so the log still says
what would have played. It never falls back to another device. The composition root calls
`build_room_music` and gives the session the director.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from groupkap.clock import RealClock
from groupkap.errors import GroupKapError
from groupkap.music.arcs import default_arcs, route_group
from groupkap.music.director import MusicDirector
from groupkap.music.library import Playlist
from groupkap.music.playlist_files import read_m3u
from groupkap.music.silent_player import SilentPlayer
from groupkap.music.their_plan import read_music_prefs
from groupkap.protocol.group import Protocol
from groupkap.session import LiveSession
from groupkap.settings import Settings

log = logging.getLogger("groupkap.audio")


def playlists_folder() -> Path:
    """Where the clinic's own playlists are saved (the Playlists editor writes here)."""
    return Path(platformdirs.user_data_dir("groupkap", appauthor=False)) / "playlists"


@dataclass(frozen=True)
class ListProblem:
    """A saved list, or one piece of it, that the room plays without.

    Attributes:
        playlist: the list's name (its file name without `.m3u8`).
        path: the list's file.
        reason: why, in the facilitator's words.
        entry: the piece's entry as written in the list; None when the whole list is out.
    """

    playlist: str
    path: Path
    reason: str
    entry: str | None = None

    def __str__(self) -> str:
        if self.entry is None:
            return f"playlist {self.playlist!r} left out ({self.reason})"
        name = Path(self.entry).name or self.entry
        name = name if len(name) <= 60 else name[:57] + "…"
        return f"playlist {self.playlist!r}: {name} left out ({self.reason})"

    def event(self) -> tuple[str, dict]:
        """The session-log event that records it: (kind, data)."""
        data = {"playlist": self.playlist, "path": str(self.path), "reason": self.reason}
        if self.entry is None:
            return "music.list_refused", data
        return "music.piece_left_out", {**data, "entry": self.entry}


def read_clinic_playlists(
    folder: Path | None = None,
) -> tuple[dict[str, Playlist], list[ListProblem]]:
    """Every saved playlist by name, and what was left out: a list that cannot be read (or
    none of whose pieces can) is left out whole, so that phase plays the library's list; a
    bad piece only leaves that piece out. One bad file never silences any other list."""
    folder = folder or playlists_folder()
    lists: dict[str, Playlist] = {}
    problems: list[ListProblem] = []
    try:
        paths = sorted(folder.glob("*.m3u8"))
    except OSError as exc:  # the folder itself is unreadable
        return {}, [ListProblem("(all)", folder, f"playlists folder cannot be read: {exc}")]
    for path in paths:
        try:
            loaded = read_m3u(path)
        except GroupKapError as exc:
            problems.append(ListProblem(path.stem, path, str(exc)))
            continue
        if loaded.left_out and not loaded.playlist.tracks:
            problems.append(ListProblem(path.stem, path, "none of its pieces can be played"))
        else:
            lists[path.stem] = loaded.playlist
        problems += [ListProblem(path.stem, path, why, entry) for entry, why in loaded.left_out]
    for problem in problems:
        log.warning("%s", problem)
    return lists, problems


def clinic_playlists(folder: Path | None = None) -> dict[str, Playlist]:
    """Every saved playlist by name (what cannot be read is logged and left out)."""
    return read_clinic_playlists(folder)[0]


def person_of(live: LiveSession, pid: str) -> str | None:
    """The person a participant of this session is (None: not linked to a person)."""
    return getattr(live.room.participants.get(pid), "person_id", None)


def build_room_music(
    live: LiveSession,
    protocol: Protocol,
    settings: Settings,
    speed: float,
    library: dict[str, Playlist],
    playlists: Path | None = None,
) -> tuple[MusicDirector | None, str]:
    """A director with a player for every seat; returns it and the problems to show, "; "
    joined ("" if none). `library` holds the phase playlists the clinic's saved ones (in
    `playlists`, by default the editor's folder) replace by name. Each saved list or piece
    left out is named there and logged as an event; every seat still plays.

    Each seat follows its participant's carried plan (silence, the avoid list), read from
    the store when the seat is added: in every session, for every known person."""
    saved, left_out = read_clinic_playlists(playlists)
    for problem in left_out:
        kind, data = problem.event()
        live.record_event(kind, data, None, "system")
    problems: list[str] = [str(p) for p in left_out]
    try:
        arcs = default_arcs({**library, **saved})
    except (GroupKapError, OSError) as exc:
        return None, "; ".join([f"music unavailable: {exc}", *problems])

    def make_player(seat: int, on_event):
        device = settings.seat_devices.get(seat)
        if speed == 1 and device:
            try:
                from groupkap.music.player import SeatPlayer

                return SeatPlayer(
                    seat,
                    device=device,
                    clock=RealClock(),
                    on_event=on_event,
                    volume_cap=settings.music_volume_cap,
                )
            except GroupKapError as exc:  # libVLC missing: say how to install it
                problems.append(str(exc))
        return SilentPlayer(
            seat, clock=live.clock, on_event=on_event, volume_cap=settings.music_volume_cap
        )

    def group_of(pid: str) -> str:
        dose = protocol.of(pid).dose
        return route_group(dose["route"]) if dose else route_group("SL")

    director = MusicDirector(
        live.clock,
        arcs,
        live.record_event,
        make_player,
        t0_of=lambda pid: protocol.of(pid).t0,
        route_group_of=group_of,
        discharged_of=lambda pid: protocol.of(pid).discharge is not None,
        duck_restore_s=settings.music_duck_restore_min * 60,
        prefs_of=lambda pid: read_music_prefs(live.store, person_of(live, pid), live.id),
    )
    for person in live.room.participants.values():
        director.add(person.id, person.seat)
    return director, "; ".join(dict.fromkeys(problems))
