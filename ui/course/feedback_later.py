"""Feedback after the day: the course page's door to the post-session form for a session
whose room window is long gone (feedback is often taken days later, on the phone or at the
next visit).

The page offers it for the session row picked in its tables: "Record feedback…", or
"Correct feedback…" once some is recorded (the form then starts from the feedback that counts
and records a correction of it). It is offered only where writing is possible and allowed:
the page was opened from a running room, whose own `Store` it writes through (one writer per
file keeps the hash chain single), and the account may `feedback.record`. A review-only page,
or a role without that permission (QA), shows no door at all.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from groupkap.accounts import Account
from groupkap.accounts.permissions import refusal
from ui import theme
from ui.course import course_words as words

RECORD = "Record feedback…"
CORRECT = "Correct feedback…"
PICK = "Pick a session row to record what they said after it."


def may_record(store: object, account: Account | None) -> bool:
    """Whether the page offers the door: a room's store to write through, and an account that
    may record feedback (anyone when no one is signed in: the demo, a clinic without
    accounts)."""
    if store is None:
        return False
    return account is None or refusal(account, "feedback.record") is None


def door_words(session) -> str:
    """`Record feedback…`, or `Correct feedback…` when some is recorded for `session`."""
    return RECORD if session.feedback is None else CORRECT


def closed_because(session) -> str | None:
    """Why no feedback is asked for `session`, or None: feedback is about a session they had,
    so a session they were not dosed in has none (as on the room's tile)."""
    if session.dosed:
        return None
    return f"{session.alias} was not dosed in this session: there is no feedback to ask"


def session_words(number: int, session) -> str:
    """`Session 2 · Tue 2025-03-11: feedback recorded`: the row the door acts on."""
    said = "no feedback recorded yet" if session.feedback is None else "feedback recorded"
    why_not = closed_because(session)
    return f"Session {number} · {words.date(session.started_at)}: {why_not or said}"


class FeedbackDoor(QWidget):
    """The row under the page's tables: which session is picked, and the button.

    Attributes:
        label: the session picked, in words (or how to pick one).
        button: Record feedback… / Correct feedback… (off for a session without a dose).
        session: the session picked (a `CourseSession`), or None.
    Signals:
        requested(object): the button was pressed for `session`.
    """

    requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = None
        self.label = QLabel(PICK)
        self.label.setStyleSheet(f"color: {theme.TEXT}; font-size: {theme.px(16)}px;")
        self.button = QPushButton(RECORD)
        self.button.setStyleSheet(f"font-size: {theme.px(16)}px;")
        self.button.setEnabled(False)
        self.button.clicked.connect(lambda: self.requested.emit(self.session))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, theme.px(4), 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)

    def point_at(self, number: int, session) -> None:
        """Act on `session` (the `number`th of the course), or on nothing when None."""
        self.session = session
        if session is None:
            self.label.setText(PICK)
            self.button.setText(RECORD)
            self.button.setEnabled(False)
            self.button.setToolTip("")
            return
        self.label.setText(session_words(number, session))
        self.button.setText(door_words(session))
        why_not = closed_because(session)
        self.button.setEnabled(why_not is None)
        self.button.setToolTip(
            why_not
            or f"What {session.alias} said after session {number}: the form with the pieces "
            "their seat heard"
        )
