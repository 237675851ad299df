"""The command line: the headless contract QA and clinic leads rely on (DESIGN.md).

Exit codes: 0 ok, 1 the check failed, 2 bad usage or bad input (one line on stderr).
This module is also the composition root for headless commands; GUI commands import `ui`
lazily, so `groupkap verify` works on a machine without Qt.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path

from groupkap import ADJUNCT_NOTICE, __version__
from groupkap.errors import BadInputError, GroupKapError
from groupkap.options import RunOptions
from groupkap.protocol.esketamine import SIGN_MEANINGS
from groupkap.room.model import MAX_SEATS, MIN_SEATS, check_seat_count
from groupkap.store.store import default_db_path, list_sessions, verify

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _positive(kind: type, what: str):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number, not {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{what} must be more than 0, not {text}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help="open a simulated session in the room grid")
    demo.add_argument("--seats", type=int, default=6, help=f"participants, {MIN_SEATS}–{MAX_SEATS}")
    demo.add_argument(
        "--scenario",
        default="demo",
        help="calm, ketamine-bp-rise, desaturation, tachycardia, sensor-off or demo (a mixed room)",
    )
    demo.add_argument(
        "--speed",
        type=_positive(float, "--speed"),
        default=1.0,
        help="simulated seconds per real second",
    )
    demo.add_argument(
        "--minutes",
        type=_positive(float, "--minutes"),
        help="end by itself after this many simulated minutes",
    )
    demo.add_argument("--seed", type=int, default=1, help="simulator seed (same seed, same room)")
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

    check = sub.add_parser("verify", help="check the event log's hash chain")
    check.add_argument("--db", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)

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
    if args.command == "close":
        return _close(args)
    if args.command == "esketamine-record":
        return _esketamine_record(args)
    from groupkap.settings import load_settings

    settings = load_settings(args.config)
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
        screenshot = (options.db or default_db_path()).parent / "screenshots" / "room.png"
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
    report = verify(_db(args))
    if report.ok:
        print(f"event chain intact: {report.checked} events checked in {_db(args)}")
        return EXIT_OK
    print(
        f"event chain broken at seq {report.broken_seq}: {report.reason} "
        f"({report.checked} events before it are intact)"
    )
    return EXIT_CHECK_FAILED


def _close(args: argparse.Namespace) -> int:
    from groupkap.clock import RealClock
    from groupkap.store import Store

    store = Store.open(_db(args), RealClock())
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
    from groupkap.store.store import open_read_only

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
            return monitoring_record(
                conn, args.session, args.participant, config=settings.protocol, clinic=clinic
            )
        finally:
            conn.close()

    record = build()
    if args.sign is not None:
        data = signature_data(record, args.sign, args.meaning)
        store = Store.open(_db(args), RealClock())
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
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"cannot write {out}: {exc.strerror}; choose another --out") from exc
    print(out)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
