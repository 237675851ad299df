"""The signature rows of the discharge and note dialogs: who signs, what the signature means,
and the PIN re-entered (issue 15 item 4). The rule (who may sign, the PIN check, the waits)
is the core's (`groupkap.accounts.signatures`); these rows only show it and pass the PIN on.

Without an account (no accounts on this workstation) the dialog keeps its typed "Signed by"
as before; the demo's user signs without a PIN and the row says so.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from groupkap.accounts import Account
from groupkap.errors import GroupKapError

SIGNER_LABEL = "Signed by"
MEANING_LABEL = "Meaning"
PIN_LABEL = "Your PIN (to sign)"
MEANING_WORDS = {
    "author": "author: I wrote this",
    "review": "review: I reviewed this",
    "approval": "approval: I approve this discharge",
}


def needs_pin(account: Account | None) -> bool:
    """A signed-in account re-enters its PIN; no account or the demo's user does not."""
    return account is not None and not account.is_demo and not account.emergency


def signature_rows(account: Account, meaning: str, after: str = "") -> dict[str, QWidget]:
    """The rows under a signed dialog's own fields: the signer (the signed-in account, not
    typed), the meaning, and a PIN box (hidden characters) when a PIN is needed."""
    who = f"{account.label} — demo mode, no PIN" if account.is_demo else account.label
    rows: dict[str, QWidget] = {
        SIGNER_LABEL: _label(who),
        MEANING_LABEL: _label(MEANING_WORDS[meaning] + (f"; {after}" if after else "")),
    }
    if needs_pin(account):
        pin = QLineEdit()
        pin.setEchoMode(QLineEdit.EchoMode.Password)
        pin.setPlaceholderText(f"{account.name}'s PIN")
        rows[PIN_LABEL] = pin
    return rows


def pin_of(fields: dict[str, QWidget]) -> str | None:
    box = fields.get(PIN_LABEL)
    return box.text() if isinstance(box, QLineEdit) else None


def clearing_pin(fields: dict[str, QWidget], submit: Callable[[], None]) -> Callable[[], None]:
    """`submit`, emptying the PIN box when it is refused (a wrong PIN is typed afresh, and
    no PIN stays on screen for the next person)."""

    def run() -> None:
        try:
            submit()
        except GroupKapError:
            box = fields.get(PIN_LABEL)
            if isinstance(box, QLineEdit):
                box.clear()
                box.setFocus()
            raise

    return run


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label
