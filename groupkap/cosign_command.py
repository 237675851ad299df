"""`groupkap cosign`: the lead's co-sign queue for notes, at the command line.

`groupkap cosign [--session S] [--json]` lists the notes awaiting a lead's co-signature;
`groupkap cosign NOTE_SEQ --by LEAD` co-signs one (meaning review), the lead's PIN read from
standard input (one line) or asked for unseen on a terminal. A wrong PIN, a role other than
clinic lead, or a seq that is not a waiting note: exit 2 with one line, nothing signed.
"""

from __future__ import annotations

import argparse
import json
from contextlib import closing

from groupkap.accounts import Accounts
from groupkap.accounts.cosign import cosign, pending_notes
from groupkap.clock import RealClock
from groupkap.errors import BadInputError
from groupkap.global_options import add_global_options
from groupkap.log_commands import EXIT_OK, db_path
from groupkap.store import Store, signature_queries
from groupkap.store.store import open_read_only, reading


def add_parser(sub) -> None:
    cmd = sub.add_parser(
        "cosign",
        help="the notes awaiting a clinic lead's co-signature; co-sign one with --by LEAD",
    )
    cmd.add_argument("note", nargs="?", type=int, metavar="NOTE_SEQ", help="the note to co-sign")
    cmd.add_argument("--session", help="only this session's notes")
    cmd.add_argument("--by", metavar="LEAD", help="the clinic lead co-signing (PIN read first)")
    cmd.add_argument("--json", action="store_true", help="print JSON for scripts")
    add_global_options(cmd, ("db",))


def run(args: argparse.Namespace, settings) -> int:
    if args.note is None:
        if args.by:
            raise BadInputError("give the note to co-sign: groupkap cosign NOTE_SEQ --by LEAD")
        return _list(args)
    if not args.by:
        raise BadInputError("say who co-signs: groupkap cosign NOTE_SEQ --by LEAD")
    from groupkap.account_commands import read_pin

    path = db_path(args)
    if not path.exists():
        raise BadInputError(f"no database at {path}")
    with closing(open_read_only(path)) as conn, reading(path):
        row = signature_queries.event_row(conn, args.note)
    if row is None:
        raise BadInputError(f"there is no event {args.note}; `groupkap cosign` lists the notes")
    pin = read_pin(f"PIN of {args.by}: ")
    with Store.open(path, RealClock(), must_exist=True) as store:
        accounts = Accounts(store, store.clock, settings.security, session_id=row[0])
        signature = cosign(accounts, args.note, args.by, pin)
    print(f"note {args.note} co-signed: {signature.words}")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    path = db_path(args)
    if not path.exists():
        raise BadInputError(f"no database at {path}")
    with closing(open_read_only(path)) as conn, reading(path):
        notes = pending_notes(conn, args.session)
    if args.json:
        print(json.dumps([n.__dict__ for n in notes], indent=2, ensure_ascii=False))
        return EXIT_OK
    for n in notes:
        print(f"{n.seq:>7}  {n.t[:16].replace('T', ' ')}  {n.alias or '-':<8} {n.author}: {n.text}")
    print(f"{len(notes)} notes await a clinic lead's co-signature")
    return EXIT_OK
