"""Staff accounts on a clinic workstation: who they are, their PINs (argon2 hashes only), signing
in with growing waits after wrong PINs, and every change or refusal as an event in the log.

The accounts live in the session database (`users`, kept in step with the `user.*` events by
`groupkap/store/account_queries.py`), so a backup or `verify` covers them with the sessions.
"""

from __future__ import annotations

import math
import uuid
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from groupkap.accounts.config import SecurityConfig
from groupkap.accounts.permissions import ROLE_WORDS, ROLES, Forbidden, refusal
from groupkap.errors import BadInputError
from groupkap.store import account_queries as aq

if TYPE_CHECKING:
    from groupkap.clock import Clock
    from groupkap.store import Store

ACCOUNTS_LOG = "accounts"
"""The log (session id) of account events that happen outside a running session: creating,
disabling, signing in at the command line. Inside a session they go to that session's log."""

NAME_MAX = 60
LONGEST_WAIT_S = 24 * 3600
"""The doubling waits stop growing at a day: an admin can make a new account sooner."""


@dataclass(frozen=True)
class Account:
    """Someone who acts at the workstation.

    Attributes:
        id: the account's id in `users` ("demo", "emergency" for the built-in ones).
        name: the name shown and recorded as the actor of every act ("RN Kim").
        role: one of `ROLES`.
        disabled: a disabled account can neither sign in nor act.
        is_demo: the demo's built-in user (the demo says so).
        emergency: break-glass access without a PIN (every act is flagged for the lead).
    """

    id: str
    name: str
    role: str
    disabled: bool = False
    is_demo: bool = False
    emergency: bool = False

    @property
    def role_word(self) -> str:
        return ROLE_WORDS[self.role]

    @property
    def label(self) -> str:
        """ "RN Kim (facilitator)": who and in what role, as refusals and the toolbar say."""
        return f"{self.name} ({self.role_word})"


DEMO_ACCOUNT = Account(id="demo", name="Demo user", role="medical", is_demo=True)
EMERGENCY_NAME = "Emergency access"
RESERVED_NAMES = {DEMO_ACCOUNT.name.casefold(), EMERGENCY_NAME.casefold(), "system"}


def emergency_account(claimed_by: str = "") -> Account:
    """Who acts after break-glass access: medical powers, and a name that says how they got
    them (with the name the person gave, when they gave one)."""
    claimed = " ".join(claimed_by.split())[:NAME_MAX]
    name = f"{EMERGENCY_NAME}: {claimed}" if claimed else EMERGENCY_NAME
    return Account(id="emergency", name=name, role="medical", emergency=True)


@dataclass(frozen=True)
class AccountRow:
    """One account as `groupkap user list` shows it (never its PIN hash).

    Attributes: name, role, disabled, created_at, created_by, last_sign_in_at, locked_until
    (times as UTC epoch seconds, None when not yet / not now).
    """

    name: str
    role: str
    disabled: bool
    created_at: float
    created_by: str | None
    last_sign_in_at: float | None
    locked_until: float | None


class SignInRefused(BadInputError):
    """A sign-in did not succeed; the message says why and what to do.

    Attributes:
        wait_s: how long this account must wait before its next try (0.0: try again now).
    """

    def __init__(self, message: str, wait_s: float = 0.0) -> None:
        super().__init__(message)
        self.wait_s = wait_s


def check_name(name: str) -> str:
    """A person's name as it will be shown and recorded: one line, 1–60 characters."""
    clean = " ".join(str(name).split())
    if not clean:
        raise BadInputError("an account needs a name, as colleagues know the person")
    if len(clean) > NAME_MAX or not clean.isprintable():
        raise BadInputError(f"an account name is at most {NAME_MAX} printable characters")
    if clean.casefold() in RESERVED_NAMES:
        raise BadInputError(f"{clean!r} is a name GroupKAP keeps for itself; choose another")
    return clean


def check_pin(pin: str, min_length: int) -> str:
    """A PIN: at least `min_length` letters or digits (nothing else, so it types anywhere)."""
    if len(pin) < min_length or not (pin.isascii() and pin.isalnum()):
        raise BadInputError(f"a PIN needs at least {min_length} characters, letters or digits only")
    return pin


def check_role(role: str) -> str:
    if role not in ROLES:
        raise BadInputError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    return role


def log_refusal(
    store: Store, session_id: str, account: Account, action: str, at: float
) -> Forbidden:
    """Write `action.refused` for `account` trying `action`, and return the Forbidden to
    raise (the caller raises it, so nothing else changes)."""
    reason = refusal(account, action) or f"{account.label} may not do that"
    store.record(
        session_id,
        "action.refused",
        {"action": action, "role": account.role, "reason": reason},
        actor=account.name,
        at=at,
    ).result(10)
    return Forbidden(reason, account, action)


class Accounts:
    """The workstation's accounts, over the open session database.

    Attributes:
        store, clock, config: what it was built with (`config` is `settings.security`).
        session_id: the running session whose log takes account events (sign-ins, locks,
            refusals); None: the workstation's own log, `ACCOUNTS_LOG`.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        config: SecurityConfig | None = None,
        *,
        session_id: str | None = None,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config or SecurityConfig()
        self.session_id = session_id
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None

    # -- reading ------------------------------------------------------------------
    def _row(self, name: str) -> aq.UserRow | None:
        with closing(self.store.reader()) as conn:
            return aq.user_by_name(conn, " ".join(str(name).split()))

    def has_users(self) -> bool:
        with closing(self.store.reader()) as conn:
            return aq.has_users(conn)

    def get(self, name: str) -> Account | None:
        row = self._row(name)
        return _account(row) if row is not None else None

    def list(self) -> list[AccountRow]:
        with closing(self.store.reader()) as conn:
            rows = aq.users(conn)
        now = self.clock.now()
        return [
            AccountRow(
                r.name,
                r.role,
                r.disabled_at is not None,
                r.created_at,
                r.created_by,
                r.last_sign_in_at,
                r.locked_until if r.locked_until is not None and r.locked_until > now else None,
            )
            for r in rows
        ]

    def wait_s(self, name: str) -> float:
        """Seconds `name` must still wait before the next try (0.0: may try now)."""
        row = self._row(name)
        if row is None or row.locked_until is None:
            return 0.0
        return max(0.0, row.locked_until - self.clock.now())

    # -- the log ------------------------------------------------------------------
    def _log(self, kind: str, data: dict, actor: str, pin_hash: str | None = None) -> None:
        now = self.clock.now()
        self.store.record(
            self.session_id or ACCOUNTS_LOG,
            kind,
            data,
            actor=actor,
            at=now,
            projections=aq.user_projection(kind, data, now, pin_hash),
        ).result(10)

    def require(self, account: Account, action: str) -> None:
        """Raise Forbidden (logged as `action.refused`) unless `account` may do `action`.
        An account from the database is read again: one disabled since it signed in is
        refused."""
        if not (account.is_demo or account.emergency):
            row = self._row(account.name)
            if row is None or row.id != account.id:
                raise self.refused(account, action)
            account = _account(row)
        if refusal(account, action) is not None:
            raise self.refused(account, action)

    def refused(self, account: Account, action: str) -> Forbidden:
        """Log `action.refused` and return the Forbidden to raise."""
        return log_refusal(
            self.store, self.session_id or ACCOUNTS_LOG, account, action, self.clock.now()
        )

    # -- changing accounts --------------------------------------------------------------
    def add(self, name: str, role: str, pin: str, by: Account | None = None) -> Account:
        """Create an account. The first one must be an admin and needs no `by` (it is how a
        clinic starts); every later one needs an admin `by`. Everything is checked before
        anything is written."""
        name = check_name(name)
        check_role(role)
        check_pin(pin, self.config.pin_min_length)
        if not self.has_users():
            if role != "admin":
                raise BadInputError(
                    "the first account must be an admin (--role admin): it adds everyone else"
                )
        elif by is None:
            raise BadInputError(
                "only an admin may add an account: give --by ADMIN and that admin's PIN"
            )
        else:
            self.require(by, "user.manage")
        if (taken := self._row(name)) is not None:
            raise BadInputError(f"there is already an account called {taken.name}")
        pin_hash = self._hasher.hash(pin)
        account = Account(id=uuid.uuid4().hex[:12], name=name, role=role)
        data = {
            "user_id": account.id,
            "name": name,
            "role": role,
            "by": by.name if by is not None else None,
            "pin_digest": aq.pin_digest(pin_hash),
        }
        self._log("user.added", data, by.name if by is not None else name, pin_hash)
        return account

    def disable(self, name: str, by: Account, reason: str = "") -> Account:
        """Stop an account from signing in or acting (admin only). The last admin who can
        still sign in is never disabled: nobody could add accounts again."""
        row = self._row(name)
        if row is None:
            raise BadInputError(f"there is no account called {' '.join(name.split())!r}")
        self.require(by, "user.manage")
        if row.disabled_at is not None:
            raise BadInputError(f"{row.name}'s account is already disabled")
        if row.role == "admin":
            with closing(self.store.reader()) as conn:
                admins = aq.enabled_admins(conn)
            if admins == [row.name]:
                raise BadInputError(
                    f"{row.name} is the last admin who can sign in; add another admin first"
                )
        data = {"user_id": row.id, "name": row.name, "by": by.name, "reason": reason.strip()}
        self._log("user.disabled", data, by.name)
        return Account(row.id, row.name, row.role, disabled=True)

    # -- signing in -----------------------------------------------------------------
    def sign_in(self, name: str, pin: str, *, purpose: str = "sign-in") -> Account:
        """The account, when `pin` is its PIN and it may try now; else SignInRefused, logged.

        The `lockout_after`-th wrong PIN in a row makes the account wait `lockout_first_s`;
        each further wrong PIN doubles the wait. A try during the wait is refused without
        looking at the PIN. The right PIN after the wait signs in and resets the count."""
        now = self.clock.now()
        row = self._row(name)
        if row is None:
            shown = " ".join(str(name).split())[:NAME_MAX]
            self._spend_hash_time(pin)  # an unknown name answers as slowly as a known one
            self._failed(None, shown, "unknown name", 0, None)
            raise SignInRefused(f"no account called {shown!r}; an admin can add one")
        if row.disabled_at is not None:
            self._failed(row.id, row.name, "disabled", row.failed_count, row.locked_until)
            raise SignInRefused(f"{row.name}'s account is disabled; an admin can say why")
        if row.locked_until is not None and now < row.locked_until:
            wait = row.locked_until - now
            self._failed(row.id, row.name, "waiting", row.failed_count, row.locked_until)
            raise SignInRefused(
                f"too many wrong PINs for {row.name}: try again in {_seconds(wait)}", wait
            )
        if self._pin_matches(row.pin_hash, pin):
            data = {"user_id": row.id, "name": row.name, "role": row.role, "purpose": purpose}
            self._log("user.signed_in", data, row.name)
            return _account(row)
        failures = row.failed_count + 1
        over = failures - self.config.lockout_after
        if over < 0:
            self._failed(row.id, row.name, "wrong PIN", failures, None)
            left = -over
            raise SignInRefused(
                f"wrong PIN for {row.name} ({left} more wrong and the account must wait)"
            )
        wait = min(self.config.lockout_first_s * 2.0**over, LONGEST_WAIT_S)
        until = now + wait
        self._failed(row.id, row.name, "wrong PIN", failures, until)
        self._log(
            "user.locked_out",
            {
                "user_id": row.id,
                "name": row.name,
                "failures": failures,
                "wait_s": wait,
                "locked_until": until,
            },
            row.name,
        )
        raise SignInRefused(
            f"wrong PIN for {row.name}, {failures} in a row: wait {_seconds(wait)} before "
            "the next try",
            wait,
        )

    def check_pin(self, name: str, pin: str) -> Account:
        """Re-enter a PIN to sign something: the same checks and waits as signing in."""
        return self.sign_in(name, pin, purpose="signature")

    def _failed(
        self, uid: str | None, name: str, why: str, failures: int, until: float | None
    ) -> None:
        data = {
            "user_id": uid,
            "name": name,
            "why": why,
            "failures": failures,
            "locked_until": until,
        }
        self._log("user.sign_in_failed", data, name or "unknown")

    def _pin_matches(self, pin_hash: str, pin: str) -> bool:
        try:
            return self._hasher.verify(pin_hash, pin)
        except (VerificationError, InvalidHashError):
            return False

    def _spend_hash_time(self, pin: str) -> None:
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash("not-a-pin-of-anyone")
        self._pin_matches(self._dummy_hash, pin)

    # -- the lock -------------------------------------------------------------------
    def lock(self, account: Account | None, reason: str = "idle") -> None:
        """The window locked (alarms stay visible and can be acknowledged)."""
        who = account.name if account is not None else None
        self._log("session.locked", {"reason": reason, "signed_in": who}, who or "system")

    def unlock(self, name: str, pin: str, current: Account | None = None) -> Account:
        """Unlock with a PIN: the same person, or another (a quick user switch)."""
        account = self.sign_in(name, pin, purpose="unlock")
        switched = current.name if current is not None and current.id != account.id else None
        data = {"name": account.name, "role": account.role, "switched_from": switched}
        self._log("session.unlocked", data, account.name)
        return account

    def emergency_access(self, reason: str, claimed_by: str = "") -> Account:
        """Break-glass access without a PIN, for a stated reason; logged and flagged for the
        lead. Returns who acts from now on (`emergency_account`)."""
        why = " ".join(str(reason).split())
        if not why:
            raise BadInputError("emergency access needs a reason, for the record")
        account = emergency_account(claimed_by)
        data = {
            "reason": why,
            "claimed_by": " ".join(claimed_by.split()) or None,
            "flag": "for the lead",
        }
        self._log("access.emergency", data, account.name)
        return account


def _account(row: aq.UserRow) -> Account:
    return Account(row.id, row.name, row.role, disabled=row.disabled_at is not None)


def _seconds(wait: float) -> str:
    whole = math.ceil(wait)
    if whole < 120:
        return f"{whole} s"
    return f"{math.ceil(whole / 60)} min"
