"""The command line: the headless contract QA and clinic leads rely on (DESIGN.md).

Exit codes: 0 ok, 1 the check failed, 2 bad usage or bad input (one line on stderr).
This module is also the composition root for headless commands; GUI commands import `ui`
lazily, so `groupkap verify` works on a machine without Qt.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from groupkap import (
    ADJUNCT_NOTICE,
    __version__,
    account_commands,
    app_command,
    cosign_command,
    course_command,
    export_command,
    log_commands,
)
from groupkap.errors import BadInputError, GroupKapError, no_session
from groupkap.global_options import add_global_options
from groupkap.log_commands import EXIT_BAD_INPUT
from groupkap.options import Hl7Options, RunOptions
from groupkap.protocol.esketamine import SIGN_MEANINGS
from groupkap.room.model import MAX_SEATS, MIN_SEATS, check_seat_count
from groupkap.store.store import check_db_path, default_db_path

# Bounds a run can honour: a clock much faster than 1000x would generate a backlog larger
# than memory in one pump; a demo is at most 12 hours.
SPEED_RANGE, MINUTES_RANGE, SEED_RANGE = (0.1, 1000.0), (1.0, 720.0), (0, 2**31 - 1)


def _bounded(kind: type, what: str, lo: float, hi: float):
    """An argparse type: a finite number of `kind` from lo to hi, else one clear line."""

    def parse(text: str):
        shown = text if len(text) <= 24 else text[:20] + "…"
        try:
            value = kind(text) if len(text) <= 40 else None
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                f"{what} must be a number from {lo:g} to {hi:g}, not {shown!r}"
            )
        return value

    return parse


class _OneLineParser(argparse.ArgumentParser):
    """Bad usage is one line on stderr and exit 2, like every other refusal (no usage dump)."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"groupkap: {message} (see `{self.prog} --help`)\n")


def _seat_count(text: str) -> int:
    """A whole number (the room then checks 3–10 in its own words); never a traceback on a
    number with thousands of digits."""
    try:
        return int(text) if len(text) <= 4 else int("x")
    except ValueError:
        shown = text if len(text) <= 24 else text[:20] + "…"
        raise argparse.ArgumentTypeError(
            f"--seats must be a whole number from {MIN_SEATS} to {MAX_SEATS}, not {shown!r}"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="groupkap",
        description="Room display and session log for group ketamine-assisted psychotherapy. "
        + ADJUNCT_NOTICE,
    )
    parser.add_argument("--version", action="version", version=f"groupkap {__version__}")
    add_global_options(parser, root=True)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    app_command.add_arguments(  # `groupkap` alone: the room's window
        parser,
        seats=_seat_count,
        port=_bounded(int, "--hl7-port", 0, 65535),
        minutes=_bounded(float, "--minutes", *MINUTES_RANGE),
    )
    sub = parser.add_subparsers(dest="command", parser_class=_OneLineParser)

    demo = sub.add_parser("demo", help="open a simulated session in the room grid")
    demo.add_argument(
        "--seats",
        type=_seat_count,
        default=6,
        help=f"participants, {MIN_SEATS}–{MAX_SEATS}",
    )
    demo.add_argument(
        "--scenario",
        default="demo",
        help="calm, ketamine-bp-rise, desaturation, tachycardia, sensor-off or demo (a mixed room)",
    )
    demo.add_argument(
        "--speed",
        type=_bounded(float, "--speed", *SPEED_RANGE),
        default=1.0,
        help="simulated seconds per real second",
    )
    demo.add_argument(
        "--minutes",
        type=_bounded(float, "--minutes", *MINUTES_RANGE),
        help="end by itself after this many simulated minutes",
    )
    demo.add_argument(
        "--seed",
        type=_bounded(int, "--seed", *SEED_RANGE),
        default=1,
        help="simulator seed (same seed, same room)",
    )
    demo.add_argument("--offscreen", action="store_true", help="run without a window")
    demo.add_argument("--screenshot", type=Path, help="write a PNG of the room at the end")
    demo.add_argument(
        "--participant",
        action="append",
        default=[],
        metavar="ALIAS=SEAT",
        help="seat this participant (repeatable); default: a demo alias on every seat",
    )
    demo.add_argument("--resume", metavar="SESSION", help="take up an interrupted session")
    demo.add_argument(
        "--hl7",
        action="store_true",
        help="feed the room through the HL7 listener from simulated PCD-01 monitors over loopback",
    )
    demo.add_argument(
        "--hl7-seats",
        metavar="LIST",
        help="with --hl7, only these seats (e.g. 1,2,5) come from monitors; the rest are simulated",
    )
    add_global_options(demo)

    _record_parser(sub)

    sessions = sub.add_parser("sessions", help="list the sessions in the database")
    sessions.add_argument("--json", action="store_true", help="print JSON for scripts")
    add_global_options(sessions, ("db",))

    check = sub.add_parser(
        "verify", help="check the event log's hash chain against its anchored heads"
    )
    check.add_argument(
        "--anchor",
        type=Path,
        metavar="FILE",
        help="heads to check against: an anchor file kept elsewhere, or an export "
        "(default: the database's own .anchor file)",
    )
    add_global_options(check, ("db",))

    again = sub.add_parser(
        "reanchor",
        help="start a new anchor file when the old one is lost for good (the chain must verify)",
    )
    again.add_argument(
        "--reason", required=True, help="why the anchor file was lost (written into the new one)"
    )
    add_global_options(again, ("db",))

    copy = sub.add_parser("backup", help="make a consistent copy of the database (and its anchor)")
    copy.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the copy; never overwritten"
    )
    add_global_options(copy, ("db",))

    close = sub.add_parser("close", help="close an interrupted session without resuming it")
    close.add_argument("session")
    add_global_options(close, ("db",))

    export_command.add_parser(sub)
    account_commands.add_parsers(sub)
    cosign_command.add_parser(sub)
    course_command.add_parser(sub)

    review = sub.add_parser(
        "review",
        help="open the session browser, or one past session's review window (read-only)",
    )
    review.add_argument(
        "session", nargs="?", help="the session to open (default: the session browser)"
    )
    add_global_options(review)

    esk = sub.add_parser(
        "esketamine-record",
        help="write one participant's esketamine monitoring record (HTML, or PDF for a .pdf name)",
    )
    esk.add_argument("session")
    esk.add_argument("participant", help="alias or participant id")
    esk.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="the file to write: FILE.html, or FILE.pdf for a PDF",
    )
    esk.add_argument(
        "--sign",
        metavar="NAME",
        help="sign the record in the session log (refused while a field is not recorded)",
    )
    esk.add_argument(
        "--meaning",
        choices=SIGN_MEANINGS,
        default="author",
        help="what the signature means (default: author)",
    )
    add_global_options(esk)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    try:
        return _dispatch(args)
    except GroupKapError as exc:
        print(f"groupkap: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    app_command.refuse_beside_command(args)
    if args.command in log_commands.COMMANDS:  # the log's own commands need no settings
        return log_commands.COMMANDS[args.command](args)
    if args.command == "export":
        return export_command.run_export(args, log_commands.db_path(args))
    from groupkap.settings import load_settings

    settings = load_settings(args.config)
    if args.command in account_commands.COMMANDS:  # accounts need [security], not the room
        return account_commands.COMMANDS[args.command](args, settings)
    if args.command == "cosign":
        return cosign_command.run(args, settings)
    if args.command == "course":  # read-only: no room, no limits file
        return course_command.run(args, settings)
    from groupkap.alarms.limits import load_clinic_limits

    load_clinic_limits()  # a refused limits file is exit 2 before any session is written
    if args.command == "record":
        from groupkap.record import run_record  # headless: no Qt is imported

        return run_record(_record_options(args), settings)
    if args.command == "demo":
        options = _demo_options(args)
        if _needs_offscreen(options.offscreen):
            if not options.offscreen:
                print("groupkap: no display found, so the demo runs offscreen", file=sys.stderr)
            options = _offscreen(options)
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from ui.app import run_demo  # the GUI is imported only when it is needed

        return run_demo(options, settings)
    if args.command == "review":
        return _review(args, settings)
    return _room(args, settings)


def _room(args: argparse.Namespace, settings) -> int:
    """`groupkap` alone: the room's window, every option checked before anything is written."""
    options = app_command.room_options(args)
    if options.screenshot is not None:
        _check_writable_folder(options.screenshot, "--screenshot")
    if options.offscreen or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        options = replace(options, offscreen=True)  # no one there to answer a question
    elif _needs_offscreen(False):
        raise BadInputError(app_command.NO_DISPLAY)
    from ui.app import run_app

    return run_app(options, settings)


def _review(args: argparse.Namespace, settings) -> int:
    """The session is checked before a window opens: an unknown id is exit 2, one line."""
    db = log_commands.db_path(args)
    if args.session is not None:
        from groupkap.store import queries
        from groupkap.store.store import open_read_only

        conn = open_read_only(db)
        try:
            if queries.session_row(conn, args.session) is None:
                raise no_session(args.session, db)
        finally:
            conn.close()
    if _needs_offscreen(False) and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        raise BadInputError(
            "review needs a display; without one, write the session out with "
            "`groupkap export SESSION --format pdf --out FILE`"
        )
    from ui.app import qt_application  # the GUI is imported only when it is needed
    from ui.review.desk import ReviewDesk

    app = qt_application(settings)
    desk = ReviewDesk(db, settings)
    desk.open(args.session)  # the browser, or the session's review window, until closed
    return app.exec()


def _demo_options(args: argparse.Namespace) -> RunOptions:
    """The demo's options, every one checked before anything is written."""
    check_seat_count(args.seats)
    from groupkap.demo.plan import demo_plan, parse_plan
    from groupkap.sources.simulator import SCENARIOS

    plan = parse_plan(args.participant, args.seats) if args.participant else demo_plan(args.seats)
    if args.scenario not in SCENARIOS:
        raise BadInputError(
            f"unknown scenario {args.scenario!r}; choose one of {', '.join(SCENARIOS)}"
        )
    if args.screenshot is not None:
        _check_writable_folder(args.screenshot, "--screenshot")
    hl7 = None
    if args.hl7 or args.hl7_seats:
        real = _seat_list(args.hl7_seats, args.seats) if args.hl7_seats else ()
        hl7 = Hl7Options(port=0, bind="127.0.0.1", real_seats=real)
    return RunOptions(
        seats=args.seats,
        scenario=args.scenario,
        speed=args.speed,
        minutes=args.minutes,
        seed=args.seed,
        plan={} if args.resume else plan,
        resume=args.resume,
        db=args.db,
        offscreen=args.offscreen,
        screenshot=args.screenshot,
        title=f"demo: {args.scenario}" + (" over HL7" if hl7 else ""),
        hl7=hl7,
    )


def _seat_list(text: str, seat_count: int) -> tuple[int, ...]:
    """`1,2,5` -> (1, 2, 5), every seat in the room."""
    seats = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or not 1 <= int(part) <= seat_count:
            raise BadInputError(
                f"--hl7-seats {text!r}: {part!r} is not a seat of a {seat_count}-seat room "
                "(write them like 1,2,5)"
            )
        seats.append(int(part))
    return tuple(sorted(set(seats)))


def _record_parser(sub) -> None:
    record = sub.add_parser(
        "record", help="record a session from monitors over HL7, without a window"
    )
    record.add_argument(
        "--hl7-port",
        type=_bounded(int, "--hl7-port", 0, 65535),
        help="the MLLP port to listen on (default: [hl7] port, else 2575; 0: any free port)",
    )
    record.add_argument(
        "--bind",
        metavar="ADDR",
        help="the address to listen on (default: [hl7] bind, else 127.0.0.1)",
    )
    record.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="ADDR",
        help="let in this address or network (repeatable; default: [hl7] allow, else loopback)",
    )
    record.add_argument(
        "--seats", type=_seat_count, default=6, help=f"seats in the room, {MIN_SEATS}–{MAX_SEATS}"
    )
    record.add_argument(
        "--minutes",
        type=_bounded(float, "--minutes", *MINUTES_RANGE),
        help="end after this many minutes (default: when stopped with Ctrl+C or SIGTERM)",
    )
    record.add_argument(
        "--participant",
        action="append",
        default=[],
        metavar="ALIAS=SEAT",
        help="seat this participant (repeatable); default: one named 'Seat N' on every seat",
    )
    record.add_argument(
        "--assign",
        action="append",
        default=[],
        metavar="DEVICE=SEAT",
        help="put this monitor on this seat (repeatable; remembered for the room)",
    )
    record.add_argument("--resume", metavar="SESSION", help="take up an interrupted session")
    add_global_options(record)


def _record_options(args: argparse.Namespace) -> RunOptions:
    """`groupkap record`'s options, every one checked before anything is written."""
    from groupkap.demo.plan import parse_plan
    from groupkap.hl7.config import check_address, check_allow
    from groupkap.hl7.room_monitors import parse_assignments

    check_seat_count(args.seats)
    if args.participant:
        plan = parse_plan(args.participant, args.seats)
    else:
        plan = {seat: f"Seat {seat}" for seat in range(1, args.seats + 1)}
    assign = parse_assignments(args.assign, args.seats)
    bind = check_address("--bind", args.bind) if args.bind is not None else None
    if args.allow:
        check_allow("--allow", args.allow)
    return RunOptions(
        seats=args.seats,
        minutes=args.minutes,
        plan={} if args.resume else plan,
        resume=args.resume,
        db=args.db,
        title="record: HL7",
        hl7=Hl7Options(port=args.hl7_port, bind=bind, assign=assign, allow=tuple(args.allow)),
    )


def _check_writable_folder(path: Path, what: str) -> None:
    """The folder `path` will be written into exists (or can be made) and takes a file: found
    out now, not after a whole session."""
    folder = path.expanduser().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".groupkap-check-"):
            pass
    except OSError as exc:
        raise BadInputError(
            f"{what} {path}: cannot write into {folder} ({exc.strerror}); choose another path"
        ) from None


def _needs_offscreen(asked: bool) -> bool:
    return asked or not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _offscreen(options: RunOptions) -> RunOptions:
    """Offscreen nobody closes the window: a length and a screenshot are filled in."""
    minutes, screenshot = options.minutes, options.screenshot
    if minutes is None:
        minutes = 5.0
        print(
            "groupkap: offscreen, the demo runs for 5 simulated minutes "
            "(--minutes sets another length)",
            file=sys.stderr,
        )
    if screenshot is None:
        # The database's folder is checked first, as every writing command does: the
        # screenshot folder must not create a missing database folder on the way.
        db = check_db_path(options.db or default_db_path(), options.db is None)
        screenshot = db.parent / "screenshots" / "room.png"
        screenshot.parent.mkdir(parents=True, exist_ok=True)
    return replace(options, minutes=minutes, screenshot=screenshot, offscreen=True)


if __name__ == "__main__":
    sys.exit(main())
