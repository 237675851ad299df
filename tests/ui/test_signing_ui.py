"""The note and discharge dialogs sign as the signed-in account: its name and the meaning are
shown (not typed), the PIN goes in a hidden box; a wrong PIN is refused inside the dialog,
which stays open with the PIN box emptied, and nothing is signed. Without accounts the
typed "Signed by" stays; the demo's user signs without a PIN and the dialog says so."""

from __future__ import annotations

from contextlib import closing

import pytest
from argon2 import PasswordHasher
from PySide6.QtWidgets import QLabel, QLineEdit

from groupkap.accounts import DEMO_ACCOUNT, Accounts
from ui.protocol import dialogs
from ui.protocol.signing_fields import MEANING_LABEL, PIN_LABEL, SIGNER_LABEL

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def kim(room, store, clock):
    live, _ = room
    accounts = Accounts(store, clock, hasher=FAST, session_id=live.id)
    admin = accounts.add("Ada Admin", "admin", "adminpin")
    return accounts.add("RN Kim", "facilitator", "kimpin1", by=admin)


def kinds(store, live):
    store.flush()
    with closing(store.reader()) as conn:
        return [
            r[0] for r in conn.execute("select kind from events where session_id = ?", (live.id,))
        ]


def test_a_note_is_signed_with_the_pin_and_a_wrong_pin_signs_nothing(room, store, kim):
    live, window = room
    live.account = kim
    pid = live.room.on_seat(1).id
    note = dialogs.open_entry(live, pid, "note", None, window)
    signer, meaning, pin = (note.fields[k] for k in (SIGNER_LABEL, MEANING_LABEL, PIN_LABEL))
    assert isinstance(signer, QLabel) and signer.text() == "RN Kim (facilitator)"
    assert meaning.text() == "author: I wrote this; a clinic lead co-signs"
    assert isinstance(pin, QLineEdit) and pin.echoMode() == QLineEdit.EchoMode.Password
    note.fields["Note (care team only)"].setPlainText("asked for a blanket")
    pin.setText("wrong12")
    before = kinds(store, live)
    note.try_accept()
    assert "wrong PIN for RN Kim" in note.error.text() and note.result() == 0
    assert pin.text() == ""  # typed afresh; no PIN left on screen
    assert kinds(store, live)[len(before) :] == ["user.sign_in_failed"]
    pin.setText("kimpin1")
    note.try_accept()
    assert note.error.text() == "" and note.result() == 1
    assert kinds(store, live)[-3:] == ["user.signed_in", "note.added", "signature.applied"]


def test_the_discharge_dialog_signs_as_the_account_and_asks_its_pin(room, kim):
    live, window = room
    live.account = kim
    pid = live.room.on_seat(2).id
    sign = dialogs.open_entry(live, pid, "discharge", None, window)
    assert sign.fields[SIGNER_LABEL].text() == "RN Kim (facilitator)"  # a label: not typed
    assert sign.fields[MEANING_LABEL].text() == "approval: I approve this discharge"
    assert PIN_LABEL in sign.fields
    sign.fields[PIN_LABEL].setText("kimpin1")
    sign.try_accept()  # the role is refused before any PIN is looked at
    assert "may not sign a discharge: only medical may" in sign.error.text()


def test_without_accounts_the_signer_is_typed_and_the_demo_needs_no_pin(room):
    live, window = room
    pid = live.room.on_seat(2).id
    plain = dialogs.open_entry(live, pid, "discharge", None, window)
    assert isinstance(plain.fields["Signed by"], QLineEdit) and PIN_LABEL not in plain.fields
    live.account = DEMO_ACCOUNT
    demo = dialogs.open_entry(live, pid, "note", None, window)
    assert demo.fields[SIGNER_LABEL].text() == "Demo user (medical) — demo mode, no PIN"
    assert PIN_LABEL not in demo.fields
    demo.fields["Note (care team only)"].setPlainText("settled")
    demo.try_accept()
    assert demo.result() == 1
