"""Who opens the room: the first run creates the administrator, every later start asks for
a name and PIN."""

from __future__ import annotations

from collections.abc import Callable

from groupkap.accounts import Account, Accounts
from ui.accounts.dialogs import new_account_dialog, sign_in_dialog
from ui.dialogs import CommandDialog


def start_dialog(
    accounts: Accounts, done: Callable[[Account], object], parent=None
) -> CommandDialog:
    """On a database without accounts, the dialog that creates the administrator (who is
    then signed in: they have just typed their PIN twice); otherwise the sign-in."""
    if accounts.has_users():
        return sign_in_dialog(accounts.sign_in, done, parent, title="Sign in to GroupKAP")

    def add_admin(name: str, role: str, pin: str) -> Account:
        accounts.add(name, role, pin)
        return accounts.sign_in(name, pin)

    return new_account_dialog(add_admin, done, accounts.config.pin_min_length, parent, first=True)


def sign_in_at_start(accounts: Accounts) -> Account | None:
    """Ask until someone signs in (or creates the administrator); None when the dialog is
    closed without it."""
    signed: list[Account] = []
    start_dialog(accounts, signed.append).exec()
    return signed[0] if signed else None
