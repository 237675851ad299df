"""The accounts' SQL: the `users` table kept in step with the `user.*` events, its reads, the
check `verify` runs on it, and the audit trail's read of the log.

The table is a projection like `sessions` and `participants`: each `user.*` event carries the
change, committed in the event's transaction. It holds each PIN's argon2 hash; the events hold
a sha256 digest of that hash, so a hash swapped in with sqlite3 fails `groupkap verify`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass

from groupkap.store.projections import Projection

USER_KINDS = (
    "user.added",
    "user.disabled",
    "user.signed_in",
    "user.sign_in_failed",
    "user.unlocked",
    "user.pin_changed",
)
"""The events that change a `users` row (`user_projection`), and what `account_problem`
rebuilds the table from."""


@dataclass(frozen=True)
class UserRow:
    """One account as the `users` table holds it.

    Attributes: id, name, role, pin_hash (argon2), created_at, created_by, disabled_at,
    disabled_by, last_sign_in_at, failed_count (wrong PINs in a row), locked_until (UTC epoch
    seconds; None when it may try at once).
    """

    id: str
    name: str
    role: str
    pin_hash: str
    created_at: float
    created_by: str | None
    disabled_at: float | None
    disabled_by: str | None
    last_sign_in_at: float | None
    failed_count: int
    locked_until: float | None


_COLUMNS = (
    "id, name, role, pin_hash, created_at, created_by, disabled_at, disabled_by, "
    "last_sign_in_at, failed_count, locked_until"
)


def _has_users_table(conn: sqlite3.Connection) -> bool:
    sql = "select 1 from sqlite_master where type = 'table' and name = 'users'"
    return conn.execute(sql).fetchone() is not None


def pin_digest(pin_hash: str) -> str:
    """What the log keeps of a PIN's hash: enough to prove the table's hash, no more."""
    return hashlib.sha256(pin_hash.encode("utf-8")).hexdigest()


def user_by_name(conn: sqlite3.Connection, name: str) -> UserRow | None:
    """The account called `name`, whatever its case, or None."""
    row = conn.execute(f"select {_COLUMNS} from users where name = ?", (name,)).fetchone()
    return UserRow(*row) if row is not None else None


def users(conn: sqlite3.Connection) -> list[UserRow]:
    """Every account, in the order they were created (none in a log from before accounts,
    read without migrating)."""
    if not _has_users_table(conn):
        return []
    rows = conn.execute(f"select {_COLUMNS} from users order by created_at, name")
    return [UserRow(*r) for r in rows]


def has_users(conn: sqlite3.Connection) -> bool:
    return conn.execute("select exists (select 1 from users)").fetchone()[0] == 1


def enabled_admins(conn: sqlite3.Connection) -> list[str]:
    """The names of the admins who can still sign in."""
    rows = conn.execute(
        "select name from users where role = 'admin' and disabled_at is null order by name"
    )
    return [r[0] for r in rows]


def user_projection(
    kind: str, data: dict, now: float, pin_hash: str | None = None
) -> list[Projection]:
    """The change to `users` that goes with a `user.*` event (none for other kinds); `now`
    is the event's time, `pin_hash` the argon2 hash of a new account or a new PIN."""
    uid = data.get("user_id")
    if kind == "user.added":
        return [
            (
                "insert into users (id, name, role, pin_hash, created_at, created_by) "
                "values (?, ?, ?, ?, ?, ?)",
                (uid, data["name"], data["role"], pin_hash, now, data.get("by")),
            )
        ]
    if uid is None:
        return []
    if kind == "user.disabled":
        return [
            (
                "update users set disabled_at = ?, disabled_by = ? where id = ?",
                (now, data.get("by"), uid),
            )
        ]
    if kind == "user.signed_in":
        return [
            (
                "update users set last_sign_in_at = ?, failed_count = 0, locked_until = null "
                "where id = ?",
                (now, uid),
            )
        ]
    if kind == "user.sign_in_failed":
        return [
            (
                "update users set failed_count = ?, locked_until = ? where id = ?",
                (data["failures"], data.get("locked_until"), uid),
            )
        ]
    if kind == "user.unlocked":
        return [("update users set failed_count = 0, locked_until = null where id = ?", (uid,))]
    if kind == "user.pin_changed":
        # Wrong PINs counted against the old PIN say nothing about the new one.
        return [
            (
                "update users set pin_hash = ?, failed_count = 0, locked_until = null where id = ?",
                (pin_hash, uid),
            )
        ]
    return []


def account_problem(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """Rebuild every account from the log and compare it with the `users` table: the first
    difference as (seq of the last event behind that account, what differs), or None. A role
    raised, an account re-enabled or a PIN hash swapped by hand fails `groupkap verify`."""
    want: dict[str, dict] = {}
    marks = ",".join("?" * len(USER_KINDS))
    rows = conn.execute(
        f"select seq, kind, data from events where kind in ({marks}) order by seq", USER_KINDS
    )
    for seq, kind, text in rows:
        data = json.loads(text)
        uid = data.get("user_id")
        if kind == "user.added":
            want[uid] = {
                "seq": seq,
                "name": data["name"],
                "role": data["role"],
                "pin": data["pin_digest"],
                "disabled": False,
                "failures": 0,
                "locked_until": None,
            }
            continue
        account = want.get(uid)
        if account is None:
            continue
        account["seq"] = seq
        if kind == "user.disabled":
            account["disabled"] = True
        elif kind in ("user.signed_in", "user.unlocked"):
            account.update(failures=0, locked_until=None)
        elif kind == "user.pin_changed":
            account.update(pin=data["pin_digest"], failures=0, locked_until=None)
        else:
            account.update(failures=data["failures"], locked_until=data.get("locked_until"))
    if not _has_users_table(conn):  # a log from before accounts, read as it is
        if want:
            account = next(iter(want.values()))
            return account["seq"], f"account {account['name']!r} is in the log but not in users"
        return None
    have = {r.id: r for r in users(conn)}
    for uid, account in want.items():
        row = have.pop(uid, None)
        if row is None:
            return account["seq"], f"account {account['name']!r} is in the log but not in users"
        found = {
            "name": row.name,
            "role": row.role,
            "pin": pin_digest(row.pin_hash),
            "disabled": row.disabled_at is not None,
            "failures": row.failed_count,
            "locked_until": row.locked_until,
        }
        for key, value in found.items():
            if value != account[key]:
                shown = "its PIN hash" if key == "pin" else f"{key} {value!r}"
                return account["seq"], (
                    f"account {account['name']!r} has {shown} in the users table, which the "
                    "log does not say"
                )
    if have:
        row = next(iter(have.values()))
        return 0, f"account {row.name!r} is in the users table but not in the log"
    return None


def audit_rows(
    conn: sqlite3.Connection, session_id: str | None = None, *, everything: bool = False
) -> list[dict]:
    """The log as the audit trail reads it, in order: seq, session_id, t (ISO UTC), kind,
    actor, participant (alias or None), data. Without `everything`, only what people did
    (acts of `system` are left out, but refusals, sign-ins and locks are kept)."""
    where, params = [], []
    if session_id is not None:
        where.append("e.session_id = ?")
        params.append(session_id)
    if not everything:
        where.append(
            "(e.actor != 'system' or e.kind like 'user.%' or e.kind like 'access.%' "
            "or e.kind = 'action.refused')"
        )
    sql = (
        "select e.seq, e.session_id, e.t, e.kind, e.actor, p.alias, e.data from events e "
        "left join participants p on p.id = e.participant_id"
        + (" where " + " and ".join(where) if where else "")
        + " order by e.seq"
    )
    keys = ("seq", "session_id", "t", "kind", "actor", "participant", "data")
    out = []
    for row in conn.execute(sql, params):
        item = dict(zip(keys, row))
        item["data"] = json.loads(item["data"])
        out.append(item)
    return out


def session_known(conn: sqlite3.Connection, session_id: str) -> bool:
    """Whether the log holds any event of `session_id` (a session, or the accounts' log)."""
    row = conn.execute("select 1 from events where session_id = ? limit 1", (session_id,))
    return row.fetchone() is not None
