"""The lead's co-sign queue as a window lists it: each waiting note with the date of its
session and the role its author signed in (`groupkap.accounts.cosign` finds the notes and
co-signs them; this only adds what a lead needs to judge a note without opening the session).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from groupkap.accounts.cosign import PendingNote, pending_notes
from groupkap.accounts.signatures import signatures_of
from groupkap.store import queries, signature_queries


@dataclass(frozen=True)
class QueuedNote:
    """A note waiting for a lead's co-signature, with its context.

    Attributes:
        note: the note (seq, session, alias, author, time, text).
        session_started: when its session began (UTC epoch seconds; None if unknown).
        author_role: the role its author signed it in (from the author's signature; the
            account's role now when the note carries none; None if neither is known).
    """

    note: PendingNote
    session_started: float | None
    author_role: str | None


def cosign_queue(conn: sqlite3.Connection) -> list[QueuedNote]:
    """Every note awaiting a lead's co-signature, of every session, oldest first."""
    roles_now: dict[str, str] | None = None
    started: dict[str, float | None] = {}
    out = []
    for note in pending_notes(conn):
        if note.session_id not in started:
            row = queries.session_row(conn, note.session_id)
            started[note.session_id] = row["started_at"] if row is not None else None
        role = next(
            (s.get("role") for s in signatures_of(conn, note.seq) if s.get("meaning") == "author"),
            None,
        )
        if role is None:
            if roles_now is None:
                roles_now = signature_queries.staff_roles(conn)
            role = roles_now.get(note.author)
        out.append(QueuedNote(note, started[note.session_id], role))
    return out


def waiting_count(conn: sqlite3.Connection) -> int:
    """How many notes wait for a lead's co-signature (the account menu's count)."""
    return len(signature_queries.notes_awaiting_cosign(conn))
