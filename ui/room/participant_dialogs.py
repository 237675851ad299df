"""Dialogs to rename, move and remove participants during a session.

Adding someone picks the person they are across sessions, so it is the course's dialog
(`ui.course.seat_person.add_dialog`), opened by the window: the room's package does not
reach into the course's.

Each dialog hands its values to a core command; a refusal (seat taken, empty alias) is shown
inside the dialog, which stays open, and nothing changes. A stored full name is shown only to
the roles that need it (`groupkap.privacy.sees_full_names`: medical and clinic lead); anyone
else renames the alias alone and the full name is kept as it was.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit

from groupkap.privacy import sees_full_names
from ui.dialogs import CommandDialog


def _seat_combo(seats: list[int], current: int | None = None) -> QComboBox:
    combo = QComboBox()
    for n in seats:
        combo.addItem(f"Seat {n}", n)
    if current is not None and current in seats:
        combo.setCurrentIndex(seats.index(current))
    return combo


def _tips(alias: QLineEdit, full_name: QLineEdit) -> None:
    alias.setToolTip("What the room grid shows: initials or a chosen name, never the full name")
    full_name.setToolTip("For the record only; never shown on the room grid")


def rename_dialog(live, pid: str, parent=None) -> CommandDialog:
    person = live.room.participants[pid]
    alias = QLineEdit(person.alias)
    if not sees_full_names(getattr(live, "account", None)):
        alias.setToolTip("What the room grid shows; the full name stays as recorded")
        dialog = CommandDialog(
            f"Rename {person.alias}",
            # The full name this role may not see is kept as it is, never blanked.
            lambda: live.rename_participant(pid, alias.text(), person.full_name),
            parent,
        )
        dialog.form.addRow("Alias", alias)
        dialog.alias, dialog.full_name = alias, None
        return dialog
    full_name = QLineEdit(person.full_name or "")
    _tips(alias, full_name)
    dialog = CommandDialog(
        f"Rename {person.alias}",
        lambda: live.rename_participant(pid, alias.text(), full_name.text()),
        parent,
    )
    dialog.form.addRow("Alias", alias)
    dialog.form.addRow("Full name", full_name)
    dialog.alias, dialog.full_name = alias, full_name
    return dialog


def reseat_dialog(live, pid: str, parent=None) -> CommandDialog:
    person = live.room.participants[pid]
    seats = _seat_combo(live.room.free_seats())
    dialog = CommandDialog(
        f"Move {person.alias} from seat {person.seat}",
        lambda: live.reseat_participant(pid, seats.currentData()),
        parent,
    )
    if seats.count() == 0:
        dialog.error.setText("Every seat is taken; free a seat first.")
    dialog.form.addRow("New seat", seats)
    dialog.seats = seats
    return dialog


def remove_dialog(live, pid: str, parent=None) -> CommandDialog:
    person = live.room.participants[pid]
    reason = QLineEdit()
    reason.setPlaceholderText("optional, e.g. left early with escort")
    reason.setToolTip("Why they leave the room; kept in the session record")
    dialog = CommandDialog(
        f"Remove {person.alias} from seat {person.seat}",
        lambda: live.remove_participant(pid, reason.text()),
        parent,
    )
    dialog.form.addRow("Reason", reason)
    dialog.reason = reason
    return dialog
