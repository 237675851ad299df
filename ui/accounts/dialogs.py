"""The account forms: sign in, create the first admin, add a staff account, emergency access,
change my PIN.

Each is a `CommandDialog`: its OK runs a core call (`Accounts.sign_in`, `add`, `unlock`,
`emergency_access`, `change_own_pin`) and closes only if that succeeds; a refusal (wrong PIN,
a wait, a short PIN, an empty reason) is shown inside the dialog, which stays open. They
receive callables, never the store.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QLineEdit

from groupkap.accounts import ROLE_WORDS, ROLES, Account
from groupkap.errors import BadInputError, GroupKapError
from ui.dialogs import CommandDialog, form_dialog

PINS_DIFFER = "the two PINs differ; type the same PIN twice"


def pin_field(placeholder: str = "") -> QLineEdit:
    """A PIN box: dots on screen, kept out of input-method history."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


def sign_in_dialog(
    sign_in: Callable[[str, str], Account],
    done: Callable[[Account], object],
    parent=None,
    *,
    title: str = "Sign in",
    name: str = "",
) -> CommandDialog:
    """Name and PIN; OK calls `sign_in(name, pin)` (or `Accounts.unlock` for a switch at the
    lock) and hands the account to `done`. A refusal (`SignInRefused`: a wrong PIN, a wait)
    is the core's sentence, shown in the dialog."""
    name_field, pin = QLineEdit(name), pin_field()
    name_field.setPlaceholderText("your name as your account has it")
    dialog = form_dialog(
        title,
        lambda: done(sign_in(name_field.text().strip(), pin.text())),
        {"Name": name_field, "PIN": pin},
        parent,
    )
    dialog.name_field, dialog.pin = name_field, pin
    return dialog


def new_account_dialog(
    add: Callable[[str, str, str], Account],
    done: Callable[[Account], object],
    min_length: int,
    parent=None,
    *,
    first: bool = False,
) -> CommandDialog:
    """Name, role, the PIN twice; OK calls `add(name, role, pin)`.

    `first`: the first run of a fresh database, when the only account possible is the
    administrator (who then adds the staff from the toolbar's Accounts…).
    """
    name_field, pin, again = QLineEdit(), pin_field(), pin_field()
    pin.setPlaceholderText(f"at least {min_length} letters or digits")
    again.setPlaceholderText("the same PIN again")
    role = QComboBox()
    for key in ("admin",) if first else ROLES:
        role.addItem(ROLE_WORDS[key], key)

    def submit() -> None:
        if pin.text() != again.text():
            raise BadInputError(PINS_DIFFER)
        done(add(name_field.text().strip(), role.currentData(), pin.text()))

    title = "Create the administrator account" if first else "Add a staff account"
    dialog = form_dialog(
        title,
        submit,
        {"Name": name_field, "Role": role, "PIN": pin, "PIN again": again},
        parent,
        tips={
            "Name": "The name every record will carry (shown to colleagues, never to participants)",
            "Role": "What this person may do: only medical records doses and signs discharge",
        },
    )
    dialog.name_field, dialog.role, dialog.pin, dialog.again = name_field, role, pin, again
    return dialog


def emergency_dialog(
    open_access: Callable[[str, str], Account], done: Callable[[Account], object], parent=None
) -> CommandDialog:
    """Break-glass: why the screen must open without a PIN. The reason is required; the
    access is logged and flagged for the clinic lead."""
    reason, who = QLineEdit(), QLineEdit()
    reason.setPlaceholderText("required, e.g. participant in distress, no one can sign in")
    who.setPlaceholderText("optional: your name")
    dialog = form_dialog(
        "Emergency access",
        lambda: done(open_access(reason.text().strip(), who.text().strip())),
        {"Reason": reason, "Who you are": who},
        parent,
        tips={"Reason": "Logged with the time and flagged for the clinic lead to review"},
    )
    dialog.reason, dialog.who = reason, who
    return dialog


def change_pin_dialog(
    change: Callable[[str, str], Account],
    done: Callable[[Account], object],
    account: Account,
    min_length: int,
    parent=None,
) -> CommandDialog:
    """The signed-in person's own PIN: the PIN now, the new PIN twice; OK calls
    `change(old, new)` (`groupkap.accounts.change_own_pin`). A refusal (a wrong PIN now,
    with the sign-in waits; a new PIN too short or the same) is the core's sentence, and
    every PIN box is emptied, so no PIN stays on screen for the next person."""
    old, new, again = (
        pin_field("the PIN you sign in with"),
        pin_field(),
        pin_field("the same new PIN again"),
    )
    new.setPlaceholderText(f"at least {min_length} letters or digits")
    boxes = (old, new, again)

    def submit() -> None:
        try:
            if new.text() != again.text():
                raise BadInputError(PINS_DIFFER)
            done(change(old.text(), new.text()))
        except GroupKapError:
            for box in boxes:
                box.clear()
            old.setFocus()
            raise

    dialog = form_dialog(
        f"Change my PIN · {account.name}",
        submit,
        {"Your PIN now": old, "New PIN": new, "New PIN again": again},
        parent,
        tips={"Your PIN now": "Proves it is you; wrong PINs count towards the wait, as at sign-in"},
    )
    dialog.old, dialog.new, dialog.again = boxes
    return dialog
