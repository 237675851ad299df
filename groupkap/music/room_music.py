"""The room's music, built in the core: the phase arcs from the library's and the clinic's
playlists, and one player per seat.

A seat plays real audio through libVLC only at 1× and only on its own configured device
(its headphones); otherwise it follows the session clock silently, so the log still says
what would have played. It never falls back to another device. The composition root calls
`build_room_music` and gives the session the director.
"""

from __future__ import annotations

import logging
from pathlib import Path

import platformdirs

from groupkap.clock import RealClock
from groupkap.errors import GroupKapError
from groupkap.music.arcs import default_arcs, route_group
from groupkap.music.director import MusicDirector
from groupkap.music.library import Playlist
from groupkap.music.playlist_files import load_m3u
from groupkap.music.silent_player import SilentPlayer
from groupkap.protocol.group import Protocol
from groupkap.session import LiveSession
from groupkap.settings import Settings

log = logging.getLogger("groupkap.audio")


def playlists_folder() -> Path:
    """Where the clinic's own playlists are saved (the Playlists editor writes here)."""
    return Path(platformdirs.user_data_dir("groupkap", appauthor=False)) / "playlists"


def clinic_playlists(folder: Path | None = None) -> dict[str, Playlist]:
    """Every saved playlist by name (missing files inside one are simply left out)."""
    folder = folder or playlists_folder()
    lists = {}
    for path in sorted(folder.glob("*.m3u8")):
        try:
            lists[path.stem] = load_m3u(path)[0]
        except GroupKapError as exc:  # one bad file must not silence every seat
            log.warning("playlist %s left out: %s", path, exc)
    return lists


def build_room_music(
    live: LiveSession,
    protocol: Protocol,
    settings: Settings,
    speed: float,
    library: dict[str, Playlist],
) -> tuple[MusicDirector | None, str]:
    """A director with a player for every seat; returns it and a problem to show ("" if
    none). `library` holds the phase playlists the clinic's saved ones replace by name."""
    try:
        arcs = default_arcs({**library, **clinic_playlists()})
    except (GroupKapError, OSError) as exc:
        return None, f"music unavailable: {exc}"
    problems: list[str] = []

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
    )
    for person in live.room.participants.values():
        director.add(person.id, person.seat)
    return director, "; ".join(dict.fromkeys(problems))
