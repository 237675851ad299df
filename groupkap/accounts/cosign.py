"""The lead's co-sign queue for notes: a note written by someone who is not a clinic lead
waits for a lead's review signature (meaning "review"); this lists what waits and signs it.

A note waits when its `note.added` data says `cosign: "needed"` (set when a non-lead signed
it as author) and no `signature.applied` of meaning review names its seq. Everything is read
from the log, so the queue survives a restart and needs no table of its own.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING

from groupkap.accounts.signatures import NEEDED, NOTE, Signature, event_subject, sign
from groupkap.errors import BadInputError
from groupkap.store import signature_queries

if TYPE_CHECKING:
    from groupkap.accounts.accounts import Accounts


@dataclass(frozen=True)
class PendingNote:
    """A note awaiting a lead's co-signature.

    Attributes:
        seq: the note's event seq (what `cosign` takes).
        session_id, participant_id, alias: where and whose.
        author: who wrote and signed it.
        t: when it was written (ISO UTC, as logged).
        text: the note.
    """

    seq: int
    session_id: str
    participant_id: str | None
    alias: str | None
    author: str
    t: str
    text: str


def pending_notes(conn: sqlite3.Connection, session_id: str | None = None) -> list[PendingNote]:
    """The notes awaiting a lead's co-signature, oldest first (of one session, or all)."""
    rows = signature_queries.notes_awaiting_cosign(conn, session_id)
    return [
        PendingNote(seq, sid, pid, alias, actor, t, json.loads(data).get("text", ""))
        for seq, sid, pid, alias, actor, t, data in rows
    ]


def cosign(accounts: Accounts, note_seq: int, name: str, pin: str) -> Signature:
    """A lead co-signs the note `note_seq` (meaning review), re-entering the PIN. Refused,
    with nothing written, for a seq that is not a note awaiting co-signature."""
    with closing(accounts.store.reader()) as conn:
        event = signature_queries.event_row(conn, note_seq)
        row = (event[2], event[4]) if event is not None else None
        waiting = row is not None and any(p.seq == note_seq for p in pending_notes(conn))
    if row is None or row[0] != "note.added":
        raise BadInputError(f"event {note_seq} is not a note; `groupkap cosign` lists the notes")
    if not waiting:
        cosign_field = json.loads(row[1]).get("cosign")
        why = "is already co-signed" if cosign_field == NEEDED else "needs no co-signature"
        raise BadInputError(f"note {note_seq} {why}")
    return sign(accounts, name, pin, "review", event_subject(accounts.store, note_seq, NOTE))
