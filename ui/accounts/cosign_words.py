"""What the lead's co-sign queue says, without widgets: each column's text, the note read
whole, the menu entry's count, the line after a co-signature. Times are UTC, as the audit
trail and the room's clock show them.

Pure functions, so the wording is tested exactly.
"""

from __future__ import annotations

from groupkap.accounts import ROLE_WORDS
from groupkap.accounts.cosign_queue import QueuedNote
from groupkap.accounts.signatures import Signature
from groupkap.clock import utc_iso

NO_ALIAS = "—"  # a note of the whole session, about no one participant
PREVIEW_CHARS = 60
MENU_WORDS = "Co-sign notes"
NOTHING_WAITING = "No notes await a co-signature."


def session_day(item: QueuedNote) -> str:
    """The session's date, `2027-01-15` (`?` when the session row is gone)."""
    return utc_iso(item.session_started)[:10] if item.session_started is not None else "?"


def written(item: QueuedNote) -> str:
    """When the note was written, `2027-01-15 09:42 UTC`."""
    return f"{item.note.t[:16].replace('T', ' ')} UTC"


def written_time(item: QueuedNote) -> str:
    """The table's time, `09:42`, under a heading that says UTC; the date is the session's
    column (a note written past midnight says its own date: `2027-01-16 00:10`)."""
    day, time = item.note.t[:10], item.note.t[11:16]
    return time if day == session_day(item) else f"{day} {time}"


def author(item: QueuedNote) -> str:
    """`RN Kim · facilitator`: who wrote it and in what role (the role they signed in)."""
    role = ROLE_WORDS.get(item.author_role or "", item.author_role)
    return f"{item.note.author} · {role}" if role else item.note.author


def alias(item: QueuedNote) -> str:
    return item.note.alias or NO_ALIAS


def preview(text: str) -> str:
    """The note on one line, cut at `PREVIEW_CHARS` with … (the pane below shows it whole)."""
    line = " ".join(text.split())
    return line if len(line) <= PREVIEW_CHARS else line[: PREVIEW_CHARS - 1] + "…"


def heading(item: QueuedNote) -> str:
    """The reading pane's first line: whose note, by whom, when, in which session."""
    who = f"{alias(item)} · " if item.note.alias else "Whole session · "
    session = item.note.session_id
    if not session.startswith(session_day(item)):  # ids usually begin with their date
        session += f" of {session_day(item)}"
    return f"{who}written {written(item)} by {author(item)} · session {session}"


def menu_entry(waiting: int) -> str:
    """The account menu's entry, with how many notes wait: `Co-sign notes (3 waiting)…`."""
    count = "none waiting" if waiting == 0 else f"{waiting} waiting"
    return f"{MENU_WORDS} ({count})…"


def count_words(waiting: int) -> str:
    if waiting == 0:
        return NOTHING_WAITING
    noun = "note awaits" if waiting == 1 else "notes await"
    return f"{waiting} {noun} your co-signature (meaning: review, I reviewed this)."


def cosigned_words(item: QueuedNote, signature: Signature) -> str:
    """The line after a co-signature: which note, and the signature as the record prints it."""
    return f"Co-signed the note of {alias(item)} by {item.note.author}: {signature.words}."
