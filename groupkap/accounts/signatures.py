"""Signatures with meaning (21 CFR 11.50/11.200 as the model): a signed-in account re-enters
its PIN, and the log gets the printed name, role, time (UTC) and meaning (author, review,
approval) of the signature, with what it signed: the seq and row hash of a signed event (a
discharge, a note), or the content digest of the esketamine monitoring record.

The signature is itself an event in the hash-chained log, after the event it signs, so
editing the signed row breaks the chain from that row on, and the signature names the hash
the row had when it was signed (`signature_problem` checks that they still agree).

A wrong PIN signs nothing (`SignInRefused`, logged as `user.sign_in_failed`, with the same
waits as signing in); a role that may not sign that thing is refused (`Forbidden`, logged as
`action.refused`). The demo's built-in user signs without a PIN, and its signature says
"demo". The co-sign queue for notes (a lead reviews the notes of others) is in
`groupkap.accounts.cosign`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING

from groupkap.accounts.permissions import refusal
from groupkap.clock import utc_iso
from groupkap.errors import BadInputError
from groupkap.store import signature_queries

if TYPE_CHECKING:
    from groupkap.accounts.accounts import Account, Accounts
    from groupkap.clock import Clock
    from groupkap.session import LiveSession
    from groupkap.store import Store

MEANINGS = ("author", "review", "approval")
"""What a signature means: I wrote it; I reviewed it; I approve it (the 11.50 "meaning")."""

DISCHARGE, NOTE, RECORD = "discharge", "note", "esketamine_record"
SIGNED_EVENT = {DISCHARGE: "discharge.signed", NOTE: "note.added"}
"""The event each signed thing is, when it is an event (the record is a digest instead)."""

SIGNING: dict[tuple[str, str], str] = {
    (DISCHARGE, "approval"): "discharge.sign",
    (NOTE, "author"): "note.add",
    (NOTE, "review"): "record.review",
    (RECORD, "author"): "record.sign",
    (RECORD, "approval"): "record.sign",
    (RECORD, "review"): "record.review",
}
"""(what, meaning) -> the action (`groupkap.accounts.PERMISSIONS`) a signer's role needs.
A discharge is only ever approved; a note is authored, then reviewed (co-signed) by a lead."""

WHAT_WORDS = {DISCHARGE: "a discharge", NOTE: "a note", RECORD: "the esketamine record"}
SIGNATURE_KINDS = ("signature.applied", "esketamine_record.signed")
"""The record's own signature event (`esketamine_record.signed`) carries the same fields as
`signature.applied`, so the record's readers find it where they always have."""
PIN, DEMO = "PIN", "demo"
NEEDED = "needed"
"""A note's `cosign` field while it waits for a lead's review (`groupkap.accounts.cosign`)."""


@dataclass(frozen=True)
class Subject:
    """What is signed.

    Attributes:
        what: `DISCHARGE`, `NOTE` or `RECORD`.
        session_id: the session whose log holds it (and takes the signature).
        participant_id: whose it is.
        seq, hash: the signed event's seq and row hash (None for the record).
        digest: the record's content sha256 (None for an event).
        alias: the participant's alias, for the record's signature.
    """

    what: str
    session_id: str
    participant_id: str | None = None
    seq: int | None = None
    hash: str | None = None
    digest: str | None = None
    alias: str | None = None

    def data(self) -> dict:
        if self.what == RECORD:
            return {"kind": RECORD, "alias": self.alias, "record_sha256": self.digest}
        return {"kind": SIGNED_EVENT[self.what], "seq": self.seq, "hash": self.hash}


@dataclass(frozen=True)
class Signature:
    """One signature as logged.

    Attributes:
        seq: the signature event's own seq.
        name, role: the signer's printed name and role at signing.
        t: when (UTC epoch seconds).
        meaning: author, review or approval.
        method: `PIN` (re-entered) or `DEMO` (the demo's user, no PIN).
        subject: what was signed.
    """

    seq: int
    name: str
    role: str
    t: float
    meaning: str
    method: str
    subject: Subject

    @property
    def words(self) -> str:
        """ "Dr Okafor (medical), approval, 2025-03-01T10:12:00.000Z": as a record prints it."""
        demo = " (demo: no PIN)" if self.method == DEMO else ""
        return f"{self.name} ({self.role}), {self.meaning}, {utc_iso(self.t)}{demo}"


def signing_action(what: str, meaning: str) -> str:
    """The action a signer needs for `meaning` on `what`; BadInputError for a meaning that
    thing does not take (nothing is written)."""
    if meaning not in MEANINGS:
        raise BadInputError(f"a signature means {', '.join(MEANINGS)}, not {meaning!r}")
    action = SIGNING.get((what, meaning))
    if action is None:
        takes = [m for m in MEANINGS if (what, m) in SIGNING]
        raise BadInputError(
            f"{WHAT_WORDS[what]} is signed as {' or '.join(takes)}, not as {meaning}"
        )
    return action


def event_subject(store: Store, seq: int, what: str) -> Subject:
    """The signed event `seq` as a Subject, its hash read back from the committed row."""
    with closing(store.reader()) as conn:
        row = signature_queries.event_row(conn, seq)
    if row is None or row[2] != SIGNED_EVENT[what]:
        raise BadInputError(f"event {seq} is not {WHAT_WORDS[what]}")
    return Subject(what, row[0], row[1], seq, row[3])


def record_event(
    store: Store, session_id: str, kind: str, data: dict, pid: str | None, actor: str, at: float
) -> int:
    """Commit an event and return its seq (a signature needs the committed row)."""
    return store.record(session_id, kind, data, participant_id=pid, actor=actor, at=at).result(10)


def sign(accounts: Accounts, name: str, pin: str, meaning: str, subject: Subject) -> Signature:
    """`name` signs `subject` (already in the log) with `meaning`, re-entering `pin`.

    Checked in this order, each refusal before anything is signed: the meaning
    (BadInputError), the PIN (`SignInRefused`, with the sign-in waits, logged), the role
    (`Forbidden`, logged as `action.refused`)."""
    return sign_then_act(accounts, name, pin, subject.what, meaning, lambda _account: subject)


def sign_then_act(
    accounts: Accounts,
    name: str,
    pin: str,
    what: str,
    meaning: str,
    act: Callable[[Account], Subject],
) -> Signature:
    """Sign an act not yet written (a discharge, a note): every check of `sign` first, then
    `act(signer)` writes it and returns its Subject, then the signature. A wrong PIN or a
    refused role writes neither."""
    action = signing_action(what, meaning)
    if not pin:
        raise BadInputError("enter your PIN to sign")
    account = accounts.check_pin(name, pin)
    accounts.require(account, action)
    return apply_signature(accounts.store, accounts.clock, account, meaning, act(account), PIN)


def sign_as_demo(
    store: Store, clock: Clock, account: Account, meaning: str, subject: Subject
) -> Signature:
    """The demo's built-in user signs without a PIN; the signature says so ("demo")."""
    if not account.is_demo:
        raise BadInputError("only the demo's user signs without a PIN")
    action = signing_action(subject.what, meaning)
    if refusal(account, action) is not None:
        raise BadInputError(refusal(account, action))
    return apply_signature(store, clock, account, meaning, subject, DEMO)


def apply_signature(
    store: Store, clock: Clock, account: Account, meaning: str, subject: Subject, method: str
) -> Signature:
    """Write the signature event (after every check): into the signed thing's session log."""
    now = clock.now()
    data = {
        "name": account.name,
        "role": account.role,
        "meaning": meaning,
        "signed_at": utc_iso(now),
        "method": method,
        "subject": subject.data(),
    }
    kind = "signature.applied"
    if subject.what == RECORD:  # the fields the record's readers know, too
        kind = "esketamine_record.signed"
        data |= {"signed_by": account.name, "alias": subject.alias}
        data["record_sha256"] = subject.digest
    seq = record_event(
        store, subject.session_id, kind, data, subject.participant_id, account.name, now
    )
    return Signature(seq, account.name, account.role, now, meaning, method, subject)


def signatures_of(conn: sqlite3.Connection, seq: int) -> list[dict]:
    """The signatures that name event `seq`, oldest first (data of each, with its seq and t)."""
    rows = signature_queries.signatures_naming(conn, seq)
    return [{"seq": s, "t": t, **json.loads(d)} for s, t, d in rows]


def signature_problem(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """Each signature against the row it names: the first (seq, why) where the signed row
    is gone, comes after its signature, or no longer has the hash it was signed with."""
    rows = signature_queries.signatures_with_their_rows(conn)
    for seq, signed_seq, signed_hash, row_hash in rows:
        if row_hash is None or signed_seq >= seq:
            return seq, f"its signature names event {signed_seq}, which is not before it"
        if row_hash != signed_hash:
            return signed_seq, f"it was changed after signature {seq} signed it"
    return None


class SessionSigning:
    """Signs a live session's discharges and notes as `live.account` (the core's rule, so
    no window can skip the PIN). Without an account (`active` False) the protocol records
    as before accounts; the demo's user signs without a PIN; emergency access cannot sign.

    Attributes:
        live: the session.
    """

    def __init__(self, live: LiveSession) -> None:
        self.live = live
        self._accounts: Accounts | None = None

    @property
    def active(self) -> bool:
        return self.live.account is not None

    @property
    def accounts(self) -> Accounts:
        """The workstation's accounts, logging PIN checks in this session's log."""
        if self._accounts is None:
            from groupkap.accounts.accounts import Accounts

            live = self.live
            self._accounts = Accounts(
                live.store, live.clock, live.settings.security, session_id=live.id
            )
        return self._accounts

    def record_signed(
        self, what: str, meaning: str, pin: str | None, data: dict, pid: str | None
    ) -> tuple[dict, Signature]:
        """Write `data` as `what`'s event signed by the signed-in account, after its PIN;
        returns the data as written (a discharge's `signed_by` is the signer; a note of
        someone not a lead waits for a lead's co-signature) and the signature."""
        account, live = self.live.account, self.live
        written: list[dict] = []

        def act(signer: Account) -> Subject:
            stamped = dict(data)
            if what == DISCHARGE:
                stamped["signed_by"] = signer.name
            elif what == NOTE and signer.role != "lead" and not signer.is_demo:
                stamped["cosign"] = NEEDED
            seq = record_event(
                live.store, live.id, SIGNED_EVENT[what], stamped, pid, signer.name, live.clock.now()
            )
            written.append(stamped)
            return event_subject(live.store, seq, what)

        if account.emergency:
            raise BadInputError(
                f"emergency access cannot sign {WHAT_WORDS[what]}: a signature needs a PIN; "
                "sign in (Switch user…) to sign"
            )
        if account.is_demo:
            signing_action(what, meaning)
            signature = sign_as_demo(live.store, live.clock, account, meaning, act(account))
        else:
            signature = sign_then_act(self.accounts, account.name, pin or "", what, meaning, act)
        return written[0], signature
