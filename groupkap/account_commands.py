"""The account commands: `groupkap user add|list|disable|unlock|pin` and `groupkap audit`
(DESIGN.md).

A PIN is read from standard input when it is not a terminal (one line each: the admin's own
PIN first when `--by` is given, then the new PIN twice), else asked for with getpass; it is
never an argument, so it stays out of the shell's history and the process list.
Exit codes: 0 ok, 2 bad usage or bad input (one line on stderr, from `cli.main`).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from contextlib import closing

from groupkap.accounts.accounts import Accounts, check_name, check_pin, check_role
from groupkap.accounts.admin import set_pin, unlock_account
from groupkap.accounts.audit import audit_lines, format_line
from groupkap.accounts.permissions import ROLE_WORDS, ROLES
from groupkap.clock import RealClock, utc_iso
from groupkap.errors import BadInputError, no_session
from groupkap.global_options import add_global_options
from groupkap.log_commands import EXIT_OK, db_path
from groupkap.store import Store
from groupkap.store import account_queries as aq
from groupkap.store.store import open_read_only, reading


def add_parsers(sub) -> None:
    """`user add|list|disable|unlock|pin` and `audit`, with `--db` accepted after the command
    too."""
    user = sub.add_parser(
        "user", help="staff accounts: add, list, disable, lift a wrong-PIN wait, set a new PIN"
    )
    acts = user.add_subparsers(
        dest="user_command", required=True, metavar="add|list|disable|unlock|pin"
    )
    add = acts.add_parser("add", help="add an account (the first one must be an admin)")
    add.add_argument("name", help='the name colleagues know, e.g. "RN Kim"')
    add.add_argument("--role", required=True, help=f"one of {', '.join(ROLES)}")
    add.add_argument("--by", metavar="ADMIN", help="the admin adding it (their PIN is read first)")
    listing = acts.add_parser("list", help="list the accounts (never a PIN or its hash)")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    off = acts.add_parser("disable", help="stop an account from signing in or acting")
    off.add_argument("name")
    off.add_argument("--by", metavar="ADMIN", required=True, help="the admin (PIN read first)")
    off.add_argument("--reason", default="", help="why, for the record")
    lift = acts.add_parser("unlock", help="let an account waiting after wrong PINs try again now")
    lift.add_argument("name")
    lift.add_argument("--by", metavar="ADMIN", required=True, help="the admin (PIN read first)")
    lift.add_argument("--reason", default="", help="why, for the record")
    pin = acts.add_parser("pin", help="set a new PIN for an account (it forgot its PIN)")
    pin.add_argument("name")
    pin.add_argument(
        "--by",
        metavar="ADMIN",
        required=True,
        help="the admin (PIN read first, then the new PIN twice)",
    )
    pin.add_argument("--reason", default="", help="why, for the record")
    audit = sub.add_parser("audit", help="who did what, when, old → new, why (from the log)")
    audit.add_argument("session", nargs="?", help="only this session (default: every log)")
    audit.add_argument("--json", action="store_true", help="print JSON for scripts")
    audit.add_argument("--who", metavar="NAME", help="only what this person did")
    audit.add_argument("--kind", help="only this kind of event, or its noun (dose, user …)")
    audit.add_argument(
        "--all", action="store_true", help="the program's own events too (alarms, music …)"
    )
    for parser in (add, listing, off, lift, pin, audit):
        add_global_options(parser, ("db",))


def read_pin(prompt: str) -> str:
    """One PIN: a line of standard input when it is not a terminal, else asked for unseen."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline()
    if not line:
        raise BadInputError(
            f"{prompt.rstrip(': ')}: expected on standard input, one line each "
            "(the admin's PIN first with --by, then the new PIN twice)"
        )
    return line.rstrip("\r\n")


def _new_pin(name: str, settings) -> str:
    """The new PIN, read twice (after the admin's own PIN), checked before anything is written."""
    pin = check_pin(read_pin(f"new PIN for {name}: "), settings.security.pin_min_length)
    if read_pin(f"the same PIN again for {name}: ") != pin:
        raise BadInputError("the two PINs differ; nothing was written")
    return pin


def _as_admin(args: argparse.Namespace, settings, act, *, pin_for: str | None = None):
    """`act(accounts, admin[, new_pin])` with the admin `--by` signed in by their PIN (read
    first), on an existing database; with `pin_for`, a new PIN for that account is read
    twice before the database is opened."""
    admin_pin = read_pin(f"PIN of {args.by}: ")
    extra = (_new_pin(pin_for, settings),) if pin_for is not None else ()
    with Store.open(db_path(args), RealClock(), must_exist=True) as store:
        accounts = Accounts(store, store.clock, settings.security)
        by = accounts.sign_in(args.by, admin_pin, purpose="admin")
        return act(accounts, by, *extra)


def _user_add(args: argparse.Namespace, settings) -> int:
    name = check_name(args.name)
    role = check_role(args.role)
    if not db_path(args).exists() and (role != "admin" or args.by):
        raise BadInputError(  # said before a new database is made
            f"there are no accounts in {db_path(args)} yet; the first one must be an admin, "
            "added without --by: groupkap user add NAME --role admin"
        )
    admin_pin = read_pin(f"PIN of {args.by}: ") if args.by else None
    pin = _new_pin(name, settings)
    with Store.open(db_path(args), RealClock()) as store:
        accounts = Accounts(store, store.clock, settings.security)
        by = accounts.sign_in(args.by, admin_pin, purpose="admin") if args.by else None
        account = accounts.add(name, role, pin, by=by)
    print(f"added {account.label}")
    return EXIT_OK


def _user_disable(args: argparse.Namespace, settings) -> int:
    account = _as_admin(args, settings, lambda a, by: a.disable(args.name, by, args.reason))
    print(f"disabled {account.label}")
    return EXIT_OK


def _user_unlock(args: argparse.Namespace, settings) -> int:
    account = _as_admin(args, settings, lambda a, by: unlock_account(a, args.name, by, args.reason))
    print(f"{account.label} may try a PIN again now")
    return EXIT_OK


def _user_pin(args: argparse.Namespace, settings) -> int:
    account = _as_admin(
        args,
        settings,
        lambda a, by, pin: set_pin(a, args.name, pin, by, args.reason),
        pin_for=args.name,
    )
    print(f"new PIN set for {account.label}")
    return EXIT_OK


def _time(t: float | None) -> str | None:
    return utc_iso(t) if t is not None else None


def _user_list(args: argparse.Namespace, settings) -> int:
    path = db_path(args)
    with closing(open_read_only(path)) as conn, reading(path):
        rows = aq.users(conn)
    now = RealClock().now()
    out = [
        {
            "name": r.name,
            "role": r.role,
            "disabled": r.disabled_at is not None,
            "created_utc": _time(r.created_at),
            "created_by": r.created_by,
            "last_sign_in_utc": _time(r.last_sign_in_at),
            "waiting_until_utc": _time(r.locked_until)
            if r.locked_until is not None and r.locked_until > now
            else None,
        }
        for r in rows
    ]
    if args.json:
        print(json.dumps(out, indent=2))
        return EXIT_OK
    if not out:
        print(f"no accounts in {path}; the first is an admin: groupkap user add NAME --role admin")
        return EXIT_OK
    print(f"{'name':<24} {'role':<12} {'state':<9} {'created (UTC)':<17} {'last sign-in (UTC)'}")
    for r in out:
        state = "disabled" if r["disabled"] else "waiting" if r["waiting_until_utc"] else "active"
        created = r["created_utc"][:16].replace("T", " ")
        last = (r["last_sign_in_utc"] or "never")[:16].replace("T", " ")
        print(f"{r['name']:<24} {ROLE_WORDS[r['role']]:<12} {state:<9} {created:<17} {last}")
    return EXIT_OK


def _audit(args: argparse.Namespace, settings) -> int:
    path = db_path(args)
    with closing(open_read_only(path)) as conn, reading(path):
        if args.session is not None and not aq.session_known(conn, args.session):
            raise no_session(args.session, path)
        rows = aq.audit_rows(conn, args.session, everything=args.all)
    lines = audit_lines(rows, who=args.who, kind=args.kind)
    if args.json:
        print(json.dumps([line.to_json() for line in lines], indent=2, ensure_ascii=False))
        return EXIT_OK
    for line in lines:
        print(format_line(line))
    flagged = sum(line.flagged for line in lines)
    print(f"{len(lines)} recorded acts; {flagged} flagged (!) for the lead")
    return EXIT_OK


def _user(args: argparse.Namespace, settings) -> int:
    commands = {
        "add": _user_add,
        "list": _user_list,
        "disable": _user_disable,
        "unlock": _user_unlock,
        "pin": _user_pin,
    }
    return commands[args.user_command](args, settings)


COMMANDS = {"user": _user, "audit": _audit}
