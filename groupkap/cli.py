"""The command line: the headless contract QA and clinic leads rely on (DESIGN.md).

Exit codes: 0 ok, 1 the check failed, 2 bad usage or bad input (one line on stderr).
This module is also the composition root for headless commands; GUI commands import `ui`
lazily, so `groupkap verify` works on a machine without Qt.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from groupkap import ADJUNCT_NOTICE, __version__
from groupkap.errors import BadInputError, GroupKapError
from groupkap.options import RunOptions
from groupkap.protocol.esketamine import SIGN_MEANINGS
from groupkap.room.model import MAX_SEATS, MIN_SEATS, check_seat_count
from groupkap.store.anchor import anchor_path
from groupkap.store.proof import backup, reanchor, verify
from groupkap.store.store import check_db_path, default_db_path, list_sessions

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


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
    parser.add_argument(
        "--db", type=Path, help=f"session database (default: GROUPKAP_DB or {default_db_path()})"
    )
    parser.add_argument("--config", type=Path, help="settings file (TOML)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
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
    for name in ("db", "config"):
        demo.add_argument(f"--{name}", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    sessions = sub.add_parser("sessions", help="list the sessions in the database")
    sessions.add_argument("--json", action="store_true", help="print JSON for scripts")
    sessions.add_argument("--db", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)

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
    check.add_argument("--db", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    again = sub.add_parser(
        "reanchor",
        help="start a new anchor file when the old one is lost for good (the chain must verify)",
    )
    again.add_argument(
        "--reason", required=True, help="why the anchor file was lost (written into the new one)"
    )
    again.add_argument("--db", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    copy = sub.add_parser("backup", help="make a consistent copy of the database (and its anchor)")
    copy.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the copy; never overwritten"
    )
    copy.add_argument("--db", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    close = sub.add_parser("close", help="close an interrupted session without resuming it")
    close.add_argument("session")
    close.add_argument("--db", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    esk = sub.add_parser(
        "esketamine-record", help="write one participant's esketamine monitoring record (HTML)"
    )
    esk.add_argument("session")
    esk.add_argument("participant", help="alias or participant id")
    esk.add_argument(
        "--out", type=Path, required=True, metavar="FILE.html", help="the HTML file to write"
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
    for name in ("db", "config"):
        esk.add_argument(f"--{name}", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
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
    if args.command == "sessions":
        return _sessions(args)
    if args.command == "verify":
        return _verify(args)
    if args.command == "backup":
        return _backup(args)
    if args.command == "reanchor":
        head = reanchor(_db(args), args.reason)
        print(
            f"new anchor file {anchor_path(_db(args))} starts at event {head.seq}; "
            "a copy of the old anchor file, if one turns up, still checks the "
            "events before it"
        )
        return EXIT_OK
    if args.command == "close":
        return _close(args)
    if args.command == "esketamine-record":
        return _esketamine_record(args)
    from groupkap.settings import load_settings

    settings = load_settings(args.config)
    from groupkap.alarms.limits import load_clinic_limits

    load_clinic_limits()  # a refused limits file is exit 2 before any session is written
    if args.command == "demo":
        options = _demo_options(args)
        if _needs_offscreen(options.offscreen):
            if not options.offscreen:
                print("groupkap: no display found, so the demo runs offscreen", file=sys.stderr)
            options = _offscreen(options)
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from ui.app import run_demo  # the GUI is imported only when it is needed

        return run_demo(options, settings)
    from ui.app import run_app

    return run_app(args.db, settings)


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
        title=f"demo: {args.scenario}",
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


def _db(args: argparse.Namespace) -> Path:
    return args.db or default_db_path()


def _sessions(args: argparse.Namespace) -> int:
    rows = list_sessions(_db(args))
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if not rows:
        print(f"no sessions in {_db(args)}")
        return EXIT_OK
    header = (
        f"{'session':<18} {'status':<12} {'started (UTC)':<21} {'seats':>5} "
        f"{'people':>6} {'events':>7} {'vitals':>9}"
    )
    print(header)
    for r in rows:
        print(
            f"{r['id']:<18} {r['status']:<12} {r['started'] or '':<21} {r['seats']:>5} "
            f"{r['participants']:>6} {r['events']:>7} {r['vitals']:>9}"
        )
    interrupted = [r["id"] for r in rows if r["status"] == "interrupted"]
    if interrupted:
        print(
            f"\n{len(interrupted)} interrupted: resume with `groupkap demo --resume "
            f"{interrupted[0]}` or close with `groupkap close {interrupted[0]}`"
        )
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    """Exit 0 intact, 1 broken or not matching an anchored head, 2 damaged or unreadable."""
    report = verify(_db(args), args.anchor)
    if report.ok:
        print(f"event chain intact: {report.checked} events checked in {_db(args)}")
        if report.anchor:
            print(f"anchored heads: {report.anchored} match ({report.anchor})")
        else:
            print(
                "groupkap: no anchor file beside the database (a log from before anchors), "
                "so a cut-short or rewritten log would pass; give --anchor a head file kept "
                "elsewhere",
                file=sys.stderr,
            )
        for session_id, table, rows in report.unsealed:
            print(
                f"groupkap: session {session_id} has {rows} {table} rows not sealed yet "
                "(it is running, or was interrupted and not reopened since): they are "
                "sealed when the session ends or is found interrupted",
                file=sys.stderr,
            )
        return EXIT_OK
    print(
        f"event chain broken at seq {report.broken_seq}: {report.reason} "
        f"({report.checked} events checked)"
    )
    return EXIT_CHECK_FAILED


def _backup(args: argparse.Namespace) -> int:
    head, report = backup(_db(args), args.out)
    where = f"up to event {head.seq}" if head else "no events yet"
    print(f"backup written to {args.out} ({where}); its anchor: {args.out}.anchor")
    if not report.ok:
        print(f"the copy's event chain is broken at seq {report.broken_seq}: {report.reason}")
        return EXIT_CHECK_FAILED
    return EXIT_OK


def _close(args: argparse.Namespace) -> int:
    from groupkap.clock import RealClock
    from groupkap.store import Store

    store = Store.open(_db(args), RealClock(), must_exist=True)
    try:
        store.close_interrupted(args.session, actor=os.environ.get("USER", "system"))
    finally:
        store.close()
    print(f"closed interrupted session {args.session}")
    return EXIT_OK


def _esketamine_record(args: argparse.Namespace) -> int:
    """Built from the file alone; with --sign, the signature is logged first (only for a
    complete record) and the document then shows it. Nothing is written on bad input."""
    from groupkap.clock import RealClock
    from groupkap.protocol.esketamine import Clinic, monitoring_record, signature_data
    from groupkap.protocol.esketamine_html import to_html
    from groupkap.settings import load_settings
    from groupkap.store import Store
    from groupkap.store.anchor import export_line
    from groupkap.store.proof import current_head
    from groupkap.store.store import open_read_only, reading

    out = args.out.expanduser()
    if not out.parent.is_dir():
        raise BadInputError(
            f"the output folder {out.parent} does not exist; create it or choose another --out"
        )
    if out.is_dir():
        raise BadInputError(
            f"{out} is a folder; give --out a file name such as {out / 'record.html'}"
        )
    settings = load_settings(args.config)
    clinic = Clinic(
        settings.clinic_name,
        settings.clinic_address,
        settings.monitoring_provider,
        settings.provider_contact,
    )

    def build():
        conn = open_read_only(_db(args))
        try:
            with reading(_db(args)):
                return monitoring_record(
                    conn, args.session, args.participant, config=settings.protocol, clinic=clinic
                )
        finally:
            conn.close()

    record = build()
    if args.sign is not None:
        data = signature_data(record, args.sign, args.meaning)
        store = Store.open(_db(args), RealClock(), must_exist=True)
        try:
            store.record(
                args.session,
                "esketamine_record.signed",
                data,
                participant_id=record.participant_id,
                actor=data["signed_by"],
            ).result(10)
        finally:
            store.close()
        record = build()
    page = to_html(record, RealClock())
    head = current_head(_db(args))
    if head is not None:  # `groupkap verify --anchor FILE.html` checks the log against it
        page += f"<!-- {export_line(head)} -->\n"
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # an export holds health data: owner-only, even when replaced
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(page)
    except OSError as exc:
        raise BadInputError(f"cannot write {out}: {exc.strerror}; choose another --out") from exc
    print(out)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
