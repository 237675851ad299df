"""The commands that read or keep the session log: sessions, verify, reanchor, backup, close and
the esketamine record. None of them needs Qt or the settings of a room.

Exit codes: 0 ok, 1 the check failed, 2 bad usage or bad input (one line on stderr, from
`cli.main`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from groupkap.errors import BadInputError
from groupkap.store.anchor import anchor_path
from groupkap.store.proof import backup, reanchor, verify
from groupkap.store.store import default_db_path, list_sessions

EXIT_OK, EXIT_CHECK_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def db_path(args: argparse.Namespace) -> Path:
    return args.db or default_db_path()


def _sessions(args: argparse.Namespace) -> int:
    rows = list_sessions(db_path(args))
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    if not rows:
        print(f"no sessions in {db_path(args)}")
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
    report = verify(db_path(args), args.anchor)
    if report.ok:
        print(f"event chain intact: {report.checked} events checked in {db_path(args)}")
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
    head, report = backup(db_path(args), args.out)
    where = f"up to event {head.seq}" if head else "no events yet"
    print(f"backup written to {args.out} ({where}); its anchor: {args.out}.anchor")
    if not report.ok:
        print(f"the copy's event chain is broken at seq {report.broken_seq}: {report.reason}")
        return EXIT_CHECK_FAILED
    return EXIT_OK


def _close(args: argparse.Namespace) -> int:
    from groupkap.clock import RealClock
    from groupkap.store import Store

    store = Store.open(db_path(args), RealClock(), must_exist=True)
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
        conn = open_read_only(db_path(args))
        try:
            with reading(db_path(args)):
                return monitoring_record(
                    conn, args.session, args.participant, config=settings.protocol, clinic=clinic
                )
        finally:
            conn.close()

    record = build()
    if args.sign is not None:
        data = signature_data(record, args.sign, args.meaning)
        store = Store.open(db_path(args), RealClock(), must_exist=True)
        try:
            _sign_record(store, settings, args, record, data)
        finally:
            store.close()
        record = build()
    page = to_html(record, RealClock())
    if out.suffix.lower() == ".pdf":
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # headless: no display needed
        from ui.review.esketamine_pdf import write_esketamine_pdf  # Qt only for a PDF

        pages = write_esketamine_pdf(page, out)
        print(f"{out} ({pages} pages)")
        return EXIT_OK
    head = current_head(db_path(args))
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


def _sign_record(store, settings, args: argparse.Namespace, record, data: dict) -> None:
    """With accounts, NAME signs with its PIN (standard input, or asked unseen on a
    terminal): a wrong PIN signs nothing (exit 2). A log without accounts keeps the
    typed name, as before accounts."""
    from groupkap.account_commands import read_pin
    from groupkap.accounts import Accounts
    from groupkap.accounts.signatures import RECORD, Subject, sign

    accounts = Accounts(store, store.clock, settings.security, session_id=args.session)
    if not accounts.has_users():
        store.record(
            args.session,
            "esketamine_record.signed",
            data,
            participant_id=record.participant_id,
            actor=data["signed_by"],
        ).result(10)
        return
    pin = read_pin(f"PIN of {args.sign}: ")
    subject = Subject(
        RECORD,
        args.session,
        record.participant_id,
        digest=data["record_sha256"],
        alias=record.alias,
    )
    sign(accounts, args.sign, pin, args.meaning, subject)


def _reanchor(args: argparse.Namespace) -> int:
    head = reanchor(db_path(args), args.reason)
    print(
        f"new anchor file {anchor_path(db_path(args))} starts at event {head.seq}; a copy of "
        "the old anchor file, if one turns up, still checks the events before it"
    )
    return EXIT_OK


COMMANDS = {
    "sessions": _sessions,
    "verify": _verify,
    "backup": _backup,
    "reanchor": _reanchor,
    "close": _close,
    "esketamine-record": _esketamine_record,
}
