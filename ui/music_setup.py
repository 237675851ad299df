"""Builds the room's music: the demo library, the phase arcs and one player per seat.

A seat plays real audio through libVLC only at 1× and only on its own configured device
(its headphones); otherwise it follows the session clock silently, so the log still says
what would have played. It never falls back to another device.
"""

from __future__ import annotations

import logging
from pathlib import Path

from groupkap.clock import RealClock
from groupkap.errors import GroupKapError
from groupkap.music.arcs import default_arcs, route_group
from groupkap.music.silent_player import SilentPlayer
from groupkap.music.demo_library import demo_playlists
from groupkap.music.director import MusicDirector
from groupkap.protocol.room import Protocol
from groupkap.session import LiveSession
from groupkap.settings import Settings
from ui.music.playlist_editor import clinic_playlists

log = logging.getLogger("groupkap.audio")

DEMO_LIBRARY = Path(__file__).resolve().parents[1] / "media" / "demo-library"


def attach_music(live: LiveSession, protocol: Protocol, settings: Settings,
                 speed: float) -> tuple[MusicDirector | None, str]:
    """Give every seat its music; returns the director and a problem to show ("" if none)."""
    try:
        # The clinic's saved playlists replace the demo's for the phases they name.
        playlists = {**demo_playlists(DEMO_LIBRARY), **clinic_playlists()}
        arcs = default_arcs(playlists)
    except (GroupKapError, OSError) as exc:
        return None, f"music unavailable: {exc}"
    problems: list[str] = []

    def make_player(seat: int, on_event):
        device = settings.seat_devices.get(seat)
        if speed == 1 and device:
            try:
                from groupkap.music.player import SeatPlayer

                return SeatPlayer(seat, device=device, clock=RealClock(), on_event=on_event,
                                  volume_cap=settings.music_volume_cap)
            except GroupKapError as exc:  # libVLC missing: say how to install it
                problems.append(str(exc))
        return SilentPlayer(seat, clock=live.clock, on_event=on_event,
                            volume_cap=settings.music_volume_cap)

    def group_of(pid: str) -> str:
        dose = protocol.of(pid).dose
        return route_group(dose["route"]) if dose else route_group("SL")

    director = MusicDirector(live.clock, arcs, live.record_event, make_player,
                             t0_of=lambda pid: protocol.of(pid).t0, route_group_of=group_of)
    live.music = director
    for person in live.room.participants.values():
        director.add(person.id, person.seat)
    return director, "; ".join(dict.fromkeys(problems))
