"""Adding a participant: the person they are across sessions, chosen or registered, then
seated; once seated, a known person's "last time" opens beside the room.

Every step is the core's: `People.register` (a duplicate refused with the existing person
named), then `LiveSession.add_participant(..., person_id=...)`. The seat and the permission are
checked before anyone is registered, so a refusal leaves nothing behind.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit

from groupkap.course import DuplicatePerson, People
from groupkap.errors import BadInputError
from ui import theme
from ui.course.last_time import LastTimePanel
from ui.course.person_picker import PersonPicker, known_people
from ui.dialogs import CommandDialog


def _seat_combo(seats: list[int], current: int | None) -> QComboBox:
    combo = QComboBox()
    for n in seats:
        combo.addItem(f"Seat {n}", n)
    if current is not None and current in seats:
        combo.setCurrentIndex(seats.index(current))
    return combo


def add_dialog(live, seat: int | None, parent=None) -> CommandDialog:
    """Seat someone: a known person (chosen from the alias's matches) or a new one,
    registered with alias and birth year. Once seated, a known person's "last time" opens
    beside the room: what happened then and what the team changed."""
    free = live.room.free_seats()
    people = People(live.store, live.clock)
    picker = PersonPicker(*known_people(live.store.path, live.settings))
    full_name = QLineEdit()
    full_name.setPlaceholderText("new person only, optional, never shown on the room grid")
    full_name.setToolTip("For the record only; never shown on the room grid")
    seats = _seat_combo(free or sorted(live.room.seats), seat)
    picker.choice_changed.connect(lambda: full_name.setEnabled(not picker.chosen()))

    def add() -> None:
        picker.use_existing.hide()
        dialog.seated = seat_person(live, people, picker, full_name.text(), seats.currentData())

    dialog = CommandDialog("Add participant", add, parent)
    for label, widget in picker.rows().items():
        dialog.form.addRow(label, widget)
    dialog.form.addRow("Full name", full_name)
    dialog.form.addRow("Seat", seats)
    dialog.picker, dialog.alias, dialog.birth_year = picker, picker.alias, picker.birth_year
    dialog.full_name, dialog.seats = full_name, seats
    dialog.seated, dialog.last_time = None, None
    # Wide enough for a row of the list and the refusal's button, whole.
    dialog.setStyleSheet(f"CommandDialog {{ min-width: {theme.px(620)}px; }}")
    dialog.accepted.connect(lambda: _show_last_time(live, dialog, parent))
    return dialog


def seat_person(live, people: People, picker: PersonPicker, full_name: str, seat: int):
    """Seat the person the picker chose (registering a new one first); nothing is written
    when something is refused. Returns the participant."""
    live.require("participant.manage")
    if seat not in live.room.free_seats():
        raise BadInputError(f"seat {seat} is taken; choose a free seat")
    person = picker.chosen()
    if person is None and not picker.is_new():
        if not picker.alias.text().strip():
            raise BadInputError("type the participant's alias (initials are fine)")
        raise BadInputError("choose the person from the list (check the birth year), or New person")
    if person is None:
        if not picker.birth_year.text().strip():
            raise BadInputError("type the new person's birth year, e.g. 1980")
        try:
            person = people.register(
                picker.alias.text(), picker.birth_year.text(), full_name, by=live.account
            )
        except DuplicatePerson as exc:
            picker.show_duplicate(exc.existing)
            raise
    return live.add_participant(person.alias, seat, person.full_name, person_id=person.id)


def _show_last_time(live, dialog: CommandDialog, parent) -> None:
    person = dialog.picker.chosen()  # a new person has no last time
    if person is None or dialog.seated is None:
        return
    panel = LastTimePanel.for_person(
        live.store, live.clock, person, account=live.account, settings=live.settings, parent=parent
    )
    if live.music is not None:
        # Accepted while preparing this very session: the seat's music follows it from
        # its next list on (silence, or the pieces avoided).
        pid = dialog.seated.id
        panel.plan_adjusted.connect(lambda _seq: live.music.use_plan(pid, panel.shown.plan.music))
    panel.show()
    dialog.last_time = panel
