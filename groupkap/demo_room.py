"""The demo room: simulated participants with aliases, seated and dosed a few minutes apart."""

from __future__ import annotations

from groupkap.session import LiveSession

DEMO_ALIASES = ("M.K.", "A.R.", "J.L.", "S.T.", "D.P.", "E.W.", "R.N.", "C.H.", "L.B.", "F.O.")


def seat_demo_participants(live: LiveSession) -> None:
    """Put one participant on every seat of the room, in seat order."""
    for number in sorted(live.room.seats):
        live.add_participant(DEMO_ALIASES[(number - 1) % len(DEMO_ALIASES)], number)
