"""Picking who sits down: a known person (typed alias, matched with birth year and last
session) or a new one registered with alias and birth year.

Two people may share initials, so a typed alias never picks anyone by itself: the facilitator
chooses a row (the birth year and the last session tell them apart), or "New person", which
needs a birth year. A duplicate registration is the core's refusal
(`groupkap.course.DuplicatePerson`); "Use the existing person" then chooses that person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QPushButton, QWidget

from groupkap.course import Person
from groupkap.course.people import alias_key
from groupkap.course.readiness import people_overview
from ui import theme

NEW_PERSON = "new"  # the data of the "New person" row
FIRST_TIME = "no session yet"


def matching(people: Iterable[Person], typed: str) -> list[Person]:
    """The people whose alias holds what was typed (ignoring case, dots and spaces), those
    it begins with first; everyone when nothing is typed."""
    key = alias_key(typed)
    found = [p for p in people if key in alias_key(p.alias)]
    return sorted(found, key=lambda p: (not alias_key(p.alias).startswith(key),))


def person_line(person: Person, last_session: str | None) -> str:
    """One row of the list: `M.K. · born 1980 · last session Thu 2027-01-14`."""
    last = f"last session {last_session}" if last_session else FIRST_TIME
    return f"{person.alias} · born {person.birth_year} · {last}"


def new_person_line(typed: str) -> str:
    alias = " ".join(typed.split())
    return f"New person: {alias} (register with a birth year)" if alias else "New person"


def known_people(db_path, settings=None) -> tuple[list[Person], dict[str, str]]:
    """Everyone registered (merged duplicates left out) and each one's last session date,
    for those who have sat in one (`groupkap.course.readiness.people_overview`)."""
    lines = people_overview(db_path, settings=settings)
    last = {line.person.id: line.last_session for line in lines if line.last_session}
    return [line.person for line in lines], last


class PersonPicker(QObject):
    """The fields that choose a person, for a form to lay out (`rows()`).

    Attributes:
        people: everyone who may be chosen (merged duplicates left out).
        last: each person's last session in words, by id.
        alias: where the alias is typed.
        matches: the known people matching it, and "New person" once something is typed.
        birth_year: a new person's birth year (not used for a known person).
        use_existing: shown after a duplicate was refused; chooses the existing person.

    Signals:
        choice_changed(): a row was chosen or the typed alias changed.
    """

    choice_changed = Signal()

    def __init__(
        self, people: list[Person], last: Mapping[str, str], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.people, self.last = list(people), dict(last)
        self.alias = QLineEdit()
        self.alias.setPlaceholderText("type initials, e.g. M.K.")
        self.alias.setToolTip(
            "Type the alias: people seen before are listed with their birth year and last "
            "session; the room grid shows only the alias"
        )
        self.matches = QListWidget()
        self.matches.setToolTip(
            "Choose the person (two people may share initials: check the birth year), "
            "or New person to register someone not seen before"
        )
        self.matches.setMinimumHeight(theme.px(120))
        self.matches.setWordWrap(True)  # a long row wraps rather than scroll sideways
        self.matches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.birth_year = QLineEdit()
        self.birth_year.setPlaceholderText("new person only, e.g. 1980")
        self.birth_year.setToolTip(
            "With the alias, tells two people of the same initials apart in later sessions"
        )
        self.use_existing = QPushButton("Use the existing person")
        self.use_existing.setToolTip(
            "Choose the person already registered with this alias and year"
        )
        self.use_existing.hide()
        self._existing: Person | None = None
        self.alias.textChanged.connect(self._on_alias_changed)
        self.matches.currentItemChanged.connect(self._on_matches_changed)
        self.use_existing.clicked.connect(self._on_use_existing_clicked)
        self._fill()

    def rows(self) -> dict[str, QWidget]:
        """Label → field, in the order a form shows them."""
        return {
            "Alias": self.alias,
            "Known people": self.matches,
            "Birth year": self.birth_year,
            "": self.use_existing,
        }

    # -- what is chosen -------------------------------------------------------------
    def chosen(self) -> Person | None:
        """The known person chosen, or None (nobody yet, or New person)."""
        item = self.matches.currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return data if isinstance(data, Person) else None

    def is_new(self) -> bool:
        item = self.matches.currentItem()
        return item is not None and item.data(Qt.ItemDataRole.UserRole) == NEW_PERSON

    def choose(self, person: Person) -> None:
        """Choose `person` (added to the list if a refusal named someone not listed)."""
        if all(p.id != person.id for p in self.people):
            self.people.append(person)
        self.alias.setText(person.alias)  # refills the list with them in it
        for row in range(self.matches.count()):
            if self._person_at(row) == person:
                self.matches.setCurrentRow(row)
                return

    def show_duplicate(self, existing: Person) -> None:
        """After the core refused a duplicate: offer to use the existing person."""
        self._existing = existing
        self.use_existing.setText(
            f"Use the existing person ({existing.alias}, born {existing.birth_year})"
        )
        self.use_existing.show()

    # -- the list -------------------------------------------------------------------
    def _person_at(self, row: int) -> Person | None:
        data = self.matches.item(row).data(Qt.ItemDataRole.UserRole)
        return data if isinstance(data, Person) else None

    def _fill(self) -> None:
        typed = self.alias.text()
        was = self.chosen()
        self.matches.blockSignals(True)
        self.matches.clear()
        found = matching(self.people, typed)
        for person in found:
            item = QListWidgetItem(person_line(person, self.last.get(person.id)))
            item.setData(Qt.ItemDataRole.UserRole, person)
            self.matches.addItem(item)
        if typed.strip():
            item = QListWidgetItem(new_person_line(typed))
            item.setData(Qt.ItemDataRole.UserRole, NEW_PERSON)
            self.matches.addItem(item)
        self.matches.blockSignals(False)
        if was is not None and was in found:
            self.matches.setCurrentRow(found.index(was))
        elif typed.strip() and not found:
            # Nobody matches: registering is the only choice, so it is chosen. With a match,
            # nothing is chosen for the facilitator: the wrong M.K. must not be one Enter away.
            self.matches.setCurrentRow(self.matches.count() - 1)
        self._update_fields()

    def _update_fields(self) -> None:
        self.birth_year.setEnabled(self.is_new())

    def _on_alias_changed(self, _text: str) -> None:
        self._fill()
        self.choice_changed.emit()

    def _on_matches_changed(self, *_items) -> None:
        self._update_fields()
        self.choice_changed.emit()

    def _on_use_existing_clicked(self) -> None:
        if self._existing is not None:
            self.choose(self._existing)
            self.use_existing.hide()
