"""Plan a person's course from their page: how many medicine sessions, when a booster is
due, a note (`course.planned` through `People.plan_course`; the latest plan counts).

Until a plan is recorded the page counts against the clinic's `[course] sessions_planned`.
Writes go through the running room's own store only, like the page's feedback door; a role
without `person.manage` gets no button, and a refusal (a count outside 1–20, a date that is
not YYYY-MM-DD) is shown in the dialog with nothing written.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QSpinBox

from groupkap.accounts import Account
from groupkap.accounts.permissions import refusal
from groupkap.course import People
from ui.dialogs import CommandDialog

TITLE = "Plan the course"
BUTTON = "Plan the course…"


def may_plan(store: object, account: Account | None) -> bool:
    """A room's store to write through, and an account that may manage people (anyone when
    no one is signed in: the demo, a clinic without accounts)."""
    if store is None:
        return False
    return account is None or refusal(account, "person.manage") is None


def plan_dialog(
    store, clock, person_id: str, account: Account | None, planned: int, parent=None
) -> CommandDialog:
    """The dialog, its count starting at `planned` (the course's count now). Accepted, it has
    recorded the plan; `dialog.seq` is the event's seq."""

    def submit() -> None:
        dialog.seq = People(store, clock).plan_course(
            person_id,
            sessions.value(),
            booster.text().strip() or None,
            note.text(),
            by=account,
        )

    dialog = CommandDialog(TITLE, submit, parent)
    sessions = QSpinBox()
    sessions.setRange(1, 20)
    sessions.setValue(max(1, min(20, planned)))
    sessions.setSuffix(" medicine sessions")
    booster = QLineEdit()
    booster.setPlaceholderText("YYYY-MM-DD, or empty")
    note = QLineEdit()
    note.setPlaceholderText("e.g. booster if PHQ-9 rises again")
    dialog.form.addRow("Planned", sessions)
    dialog.form.addRow("Booster due", booster)
    dialog.form.addRow("Note", note)
    dialog.sessions, dialog.booster, dialog.note, dialog.seq = sessions, booster, note, None
    return dialog
