"""`groupkap export SESSION --format pdf|csv|json --out PATH [--replace] [--deidentify]`: a
past session as a file a lead can keep, send or load elsewhere, made headless.

Every file is marked CONFIDENTIAL; `--deidentify` makes the copy for research and QA instead,
marked DE-IDENTIFIED: aliases only, every date shifted by one random number of days (written
nowhere), a fresh session id, staff named by role, free text withheld
(`groupkap.review.deidentify`); it carries no chain head.

CSV and JSON are written by the core (`groupkap.review.export_data`); the PDF is drawn with
Qt's own PDF writer (`ui.review.pdf_report`), imported only for that format, offscreen. All
three read the log read-only, write whole or not at all, print a progress line on stderr and,
at the end, the file and the chain head it was made from (check it later with `groupkap
verify`). Exit 0 written, 2 bad input (an unknown session, a path that cannot be written,
an existing --out without --replace, a suffix that says another format): one line on stderr,
found before the first progress line (`groupkap.review.export_target`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from groupkap.global_options import add_global_options
from groupkap.review.progress import ProgressLine

FORMATS = ("pdf", "csv", "json")
EXIT_OK = 0


def add_parser(sub) -> None:
    """The `export` subcommand."""
    cmd = sub.add_parser(
        "export",
        help="write a past session as a PDF report, CSV tables or a JSON summary",
        description="PDF: the session summary, a page per participant (plots, compliance, "
        "alarms) and the alarm and circle tables. CSV: a folder with vitals, events, alarms "
        "and participants tables. JSON: the summary with its figures. Read-only; nothing "
        "partial is left on failure.",
    )
    cmd.add_argument("session", help="the session id (`groupkap sessions` lists them)")
    cmd.add_argument("--format", required=True, choices=FORMATS, help="what to write")
    cmd.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="PATH",
        help="the file (.pdf, .json) or folder (csv) to write; an existing one is refused "
        "unless --replace is given",
    )
    cmd.add_argument(
        "--replace",
        action="store_true",
        help="overwrite an existing --out (written to a temporary name, then renamed)",
    )
    cmd.add_argument(
        "--deidentify",
        action="store_true",
        help="for research and QA: aliases only, dates shifted by a random number of days, "
        "a new session id, staff by role, free text removed",
    )
    add_global_options(cmd)


def run_export(args: argparse.Namespace, db: Path) -> int:
    from groupkap.review.export_target import check_session, check_target

    check_session(db, args.session)  # every refusal is one line, before any progress line
    out = check_target(args.format, args.out, replace=args.replace)
    progress = ProgressLine(sys.stderr)
    if args.format == "pdf":
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # headless: no display needed
        from ui.review.pdf_report import write_report  # Qt only for the PDF

        result = write_report(db, args.session, out, progress, deidentify=args.deidentify)
        what = f"{result.pages} pages"
    else:
        from groupkap.review.export_data import export_csv, export_json

        write = export_csv if args.format == "csv" else export_json
        result = write(db, args.session, out, progress, deidentify=args.deidentify)
        what = ", ".join(f"{n} {table}" for table, n in result.rows.items())
    progress.done()
    head = (
        f"; chain head {result.head_seq} {result.head_hash[:16]}"
        if result.head_seq is not None and result.head_hash
        else ""
    )
    marking = "; de-identified" if args.deidentify else ""
    print(f"{result.out} ({what}{head}{marking})")
    return EXIT_OK
