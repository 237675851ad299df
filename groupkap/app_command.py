"""`groupkap` with no command: the room's window, fed by real monitors or by the simulator.

    groupkap [--seats N] [--participant ALIAS=SEAT ...]
             [--hl7] [--hl7-port P] [--bind ADDR] [--allow ADDR ...] [--assign DEVICE=SEAT ...]
             [--offscreen] [--minutes M] [--screenshot PNG]

The command line says whether monitors feed the room, explicitly: `--hl7` listens with the
`[hl7]` settings, and `--hl7-port`, `--bind`, `--allow` or `--assign` imply it. A settings
file alone never opens a port. With monitors the room opens with no one seated and nothing
simulated; without, every seat is simulated (today's room, which says so). These options
belong to the room only: given before a command (`groupkap --hl7 demo`) they are refused
rather than silently ignored.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from groupkap.errors import BadInputError
from groupkap.options import Hl7Options, RunOptions

DEFAULT_SEATS = 6
SIMULATED_TITLE = "room (simulated participants)"
MONITORS_TITLE = "room: monitors over HL7"
NO_DISPLAY = (
    "the room needs a display; add --offscreen to run it without one, or record monitors "
    "headless with `groupkap record`"
)
# (flag, namespace name): every option of the room, for the refusal beside a command
ROOM_FLAGS = (
    ("--seats", "room_seats"),
    ("--participant", "room_participant"),
    ("--hl7", "room_hl7"),
    ("--hl7-port", "room_hl7_port"),
    ("--bind", "room_bind"),
    ("--allow", "room_allow"),
    ("--assign", "room_assign"),
    ("--offscreen", "room_offscreen"),
    ("--minutes", "room_minutes"),
    ("--screenshot", "room_screenshot"),
)


def add_arguments(
    parser: argparse.ArgumentParser,
    *,
    seats: Callable[[str], int],
    port: Callable[[str], int],
    minutes: Callable[[str], float],
) -> None:
    """The room's options on the top-level parser; `seats`, `port` and `minutes` are the
    command line's checked number types (one-line refusals)."""
    room = parser.add_argument_group("the room (groupkap with no command)")
    room.add_argument(
        "--seats",
        dest="room_seats",
        type=seats,
        metavar="N",
        help=f"seats in the room, 3–10 (default {DEFAULT_SEATS})",
    )
    room.add_argument(
        "--participant",
        dest="room_participant",
        action="append",
        default=[],
        metavar="ALIAS=SEAT",
        help="seat this participant (repeatable); default: no one with monitors, a simulated "
        "participant on every seat without",
    )
    room.add_argument(
        "--hl7",
        dest="room_hl7",
        action="store_true",
        help="take vitals from monitors over HL7 ([hl7] settings); without it every seat "
        "is simulated",
    )
    room.add_argument(
        "--hl7-port",
        dest="room_hl7_port",
        type=port,
        metavar="P",
        help="listen for monitors on this port (implies --hl7; default: [hl7] port, else 2575)",
    )
    room.add_argument(
        "--bind",
        dest="room_bind",
        metavar="ADDR",
        help="the address to listen on (implies --hl7; default: [hl7] bind, else 127.0.0.1)",
    )
    room.add_argument(
        "--allow",
        dest="room_allow",
        action="append",
        default=[],
        metavar="ADDR",
        help="let in this address or network (repeatable; implies --hl7)",
    )
    room.add_argument(
        "--assign",
        dest="room_assign",
        action="append",
        default=[],
        metavar="DEVICE=SEAT",
        help="put this monitor on this seat (repeatable; implies --hl7)",
    )
    room.add_argument(
        "--offscreen",
        dest="room_offscreen",
        action="store_true",
        help="run without a window on a screen (QA, CI); ends on SIGTERM or after --minutes",
    )
    room.add_argument(
        "--minutes",
        dest="room_minutes",
        type=minutes,
        metavar="M",
        help="end by itself after this many minutes",
    )
    room.add_argument(
        "--screenshot",
        dest="room_screenshot",
        type=Path,
        metavar="PNG",
        help="write a PNG of the room at the end",
    )


def given(args: argparse.Namespace) -> list[str]:
    """The room's options given on this command line."""
    return [flag for flag, name in ROOM_FLAGS if getattr(args, name, None) not in (None, False, [])]


def refuse_beside_command(args: argparse.Namespace) -> None:
    """A room option before a command (`groupkap --hl7-port 2575 record`) is refused: the
    command would otherwise run without it, silently."""
    flags = given(args)
    if args.command is not None and flags:
        raise BadInputError(
            f"{flags[0]} is an option of the room (`groupkap` with no command), not of "
            f"`groupkap {args.command}`; put the command's own options after its name"
        )


def room_options(args: argparse.Namespace) -> RunOptions:
    """The room's options, every one checked before anything is written."""
    from groupkap.room.model import check_seat_count

    seats = args.room_seats if args.room_seats is not None else DEFAULT_SEATS
    check_seat_count(seats)
    from groupkap.demo.plan import demo_plan, parse_plan

    hl7 = _monitors(args, seats)
    if args.room_participant:
        plan = parse_plan(args.room_participant, seats)
    else:  # with monitors no one is seated until the facilitators add them
        plan = demo_plan(seats) if hl7 is None else {}
    return RunOptions(
        seats=seats,
        scenario="calm",
        speed=1.0,
        minutes=args.room_minutes,
        seed=1,
        plan=plan,
        db=args.db,
        offscreen=args.room_offscreen,
        screenshot=args.room_screenshot,
        title=SIMULATED_TITLE if hl7 is None else MONITORS_TITLE,
        hl7=hl7,
    )


def _monitors(args: argparse.Namespace, seats: int) -> Hl7Options | None:
    """How monitors feed the room, or None for a simulated room."""
    asked = (
        args.room_hl7
        or args.room_hl7_port is not None
        or args.room_bind is not None
        or args.room_allow
        or args.room_assign
    )
    if not asked:
        return None
    from groupkap.hl7.config import check_address, check_allow
    from groupkap.hl7.room_monitors import parse_assignments

    bind = check_address("--bind", args.room_bind) if args.room_bind is not None else None
    if args.room_allow:
        check_allow("--allow", args.room_allow)
    return Hl7Options(
        port=args.room_hl7_port,
        bind=bind,
        allow=tuple(args.room_allow),
        assign=parse_assignments(args.room_assign, seats),
    )
