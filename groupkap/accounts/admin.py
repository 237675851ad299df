"""Looking after accounts once they exist: an admin lifts a wrong-PIN wait early or sets a
new PIN for someone who forgot theirs; a person changes their own PIN.

Each is one event in the hash-chained log (`user.unlocked`, `user.pin_changed`, with who did
it and why; a new PIN only as the digest of its argon2 hash, as `user.added` keeps it), and
the `users` row changes in that event's transaction, so `verify` rebuilds it from the log.
Everything is checked before anything is written; a refusal writes only itself (a refused
role as `action.refused`, a wrong PIN as `user.sign_in_failed`).

This is the second half of `groupkap.accounts.accounts` (kept apart by size): it uses that
module's row read, log write and hasher.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from groupkap.accounts.accounts import Account, check_pin
from groupkap.errors import BadInputError
from groupkap.store import account_queries as aq

if TYPE_CHECKING:
    from groupkap.accounts.accounts import Accounts

OWN_CHANGE = "changed by its owner"
"""The reason a person's own PIN change records when they give none."""


def _known(accounts: Accounts, name: str) -> aq.UserRow:
    row = accounts._row(name)
    if row is None:
        raise BadInputError(f"there is no account called {' '.join(str(name).split())!r}")
    return row


def _reason(reason: str) -> str | None:
    return " ".join(str(reason).split()) or None


def unlock_account(accounts: Accounts, name: str, by: Account, reason: str = "") -> Account:
    """An admin lets `name` try again at once: the wrong-PIN wait ends and the count of wrong
    PINs starts again at 0 (the next wrong PIN is the first). Refused, with nothing written,
    for an account with no wrong PINs to forgive or a disabled one; a non-admin is refused
    and the refusal logged."""
    row = _known(accounts, name)
    accounts.require(by, "user.manage")
    if row.disabled_at is not None:
        raise BadInputError(f"{row.name}'s account is disabled; lifting its wait changes nothing")
    now = accounts.clock.now()
    waiting = row.locked_until if row.locked_until is not None and row.locked_until > now else None
    if row.failed_count == 0 and waiting is None:
        raise BadInputError(f"{row.name} is not waiting and has no wrong PINs: nothing to lift")
    data = {
        "user_id": row.id,
        "name": row.name,
        "by": by.name,
        "reason": _reason(reason),
        "failures": row.failed_count,
        "locked_until": waiting,
    }
    accounts._log("user.unlocked", data, by.name)
    return Account(row.id, row.name, row.role)


def set_pin(accounts: Accounts, name: str, pin: str, by: Account, reason: str = "") -> Account:
    """An admin gives `name` a new PIN (they forgot theirs, or it was seen). The wrong PINs
    counted against the old one are forgotten with it. Refused, with nothing written, for a
    PIN that is too short or a disabled account; a non-admin is refused and logged."""
    row = _known(accounts, name)
    accounts.require(by, "user.manage")
    check_pin(pin, accounts.config.pin_min_length)
    if row.disabled_at is not None:
        raise BadInputError(f"{row.name}'s account is disabled; its PIN is not changed")
    return _new_pin(accounts, row, pin, by.name, _reason(reason))


def change_own_pin(
    accounts: Accounts, account: Account, old_pin: str, new_pin: str, reason: str = ""
) -> Account:
    """`account` changes its own PIN, proving the old one first (a wrong old PIN is a wrong
    PIN: logged, counted, with the sign-in waits; a disabled account is refused there). The
    new PIN is checked before the old one is looked at, and must differ from it."""
    if account.is_demo or account.emergency:
        raise BadInputError(f"{account.name} has no PIN to change; sign in as yourself first")
    check_pin(new_pin, accounts.config.pin_min_length)
    if new_pin == old_pin:
        raise BadInputError("the new PIN is the same as the old one; choose another")
    signed = accounts.sign_in(account.name, old_pin, purpose="PIN change")
    if signed.id != account.id:  # the name now belongs to another account
        raise BadInputError(f"{account.name} is not the account signed in; sign in again")
    row = _known(accounts, signed.name)
    return _new_pin(accounts, row, new_pin, row.name, _reason(reason) or OWN_CHANGE)


def _new_pin(accounts: Accounts, row: aq.UserRow, pin: str, by: str, reason: str | None) -> Account:
    pin_hash = accounts._hasher.hash(pin)
    data = {
        "user_id": row.id,
        "name": row.name,
        "by": by,
        "reason": reason,
        "pin_digest": aq.pin_digest(pin_hash),
    }
    accounts._log("user.pin_changed", data, by, pin_hash)
    return Account(row.id, row.name, row.role)
