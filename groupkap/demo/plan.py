"""Who sits where at the start of a session: the demo's aliases, or a seating plan given.

A seating plan is checked whole before the session starts, so a plan with two people on one
seat is refused before a single row is written.
"""

from __future__ import annotations

from groupkap.errors import BadInputError
from groupkap.room.model import _clean_alias, check_seat_count
from groupkap.session import LiveSession

DEMO_ALIASES = ("M.K.", "A.R.", "J.L.", "S.T.", "D.P.", "E.W.", "R.N.", "C.H.", "L.B.", "F.O.")


def demo_plan(seat_count: int) -> dict[int, str]:
    """One demo participant on every seat, in seat order."""
    check_seat_count(seat_count)
    return {n: DEMO_ALIASES[(n - 1) % len(DEMO_ALIASES)] for n in range(1, seat_count + 1)}


def parse_plan(entries: list[str], seat_count: int) -> dict[int, str]:
    """Parse `ALIAS=SEAT` entries (from `--participant`) into seat -> alias, all or nothing."""
    check_seat_count(seat_count)
    plan: dict[int, str] = {}
    for entry in entries:
        alias, sep, seat_text = entry.rpartition("=")
        if not sep or not seat_text.strip().isdigit():
            raise BadInputError(f"--participant {entry!r} is not ALIAS=SEAT; write it like M.K.=3")
        alias, seat = _clean_alias(alias), int(seat_text)
        if not 1 <= seat <= seat_count:
            raise BadInputError(
                f"--participant {entry!r}: there is no seat {seat} in a {seat_count}-seat room"
            )
        if seat in plan:
            raise BadInputError(
                f"seat {seat} is given to both {plan[seat]} and {alias}; one participant per seat"
            )
        plan[seat] = alias
    return plan


def seat_participants(live: LiveSession, plan: dict[int, str]) -> None:
    """Seat everyone in the plan, in seat order (each an event)."""
    for seat in sorted(plan):
        live.add_participant(plan[seat], seat)


def seat_demo_participants(live: LiveSession) -> None:
    seat_participants(live, demo_plan(len(live.room.seats)))
