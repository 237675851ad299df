"""Group planning: choose the people for a group session and see, for each, their readiness
(course position, what they said last time, the team's plan, open flags).

The readings are the core's (`groupkap.course.readiness`): the people listing, then each chosen
person's readiness, both read on a worker thread (a course can take longer than a frame). An
open flag such as PHQ-9 item 9 is drawn in the alarm colour *and* said in words with a ⚑, and a
person who needs review says so: colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from groupkap.course.readiness import PersonLine, Readiness, group_readiness, people_overview
from groupkap.errors import GroupKapError
from ui import theme
from ui.course.background import read_in_background
from ui.course.person_picker import alias_key

READING = "Reading…"
NOBODY = "Choose the people for this session: each one's readiness shows here."
NO_PEOPLE = "No one is registered yet: people are registered when they are first seated."
FLAG_MARK = "⚑"
REVIEW_WORDS = "Needs review before this session"
PROPOSED = "proposed: "  # how `Readiness.adjustments` marks a proposal still waiting


def person_choice_line(line: PersonLine) -> str:
    """A row of the people list, on two lines: `M.K. · born 1980 · ⚑ 1 open flag` then
    `2 of 6 sessions done · last session 2027-01-15`."""
    who = f"{line.person.alias} · born {line.person.birth_year}"
    if line.flags:
        count = len(line.flags)
        who += f" · {FLAG_MARK} {count} open flag{'s' if count > 1 else ''}"
    last = f"last session {line.last_session}" if line.last_session else "no session yet"
    return f"{who}\n{line.position} · {last}"


def plan_words(line: str) -> str:
    """A readiness plan line as the card says it: the team's `Plan: …`, a proposal still
    waiting `Proposed, not decided yet: …`."""
    waiting = line.removeprefix(PROPOSED)
    return f"Proposed, not decided yet: {waiting}" if waiting != line else f"Plan: {line}"


def review_words(r: Readiness) -> str | None:
    """Why someone needs review before the session, or None: an open flag, or proposals from
    their feedback still waiting for the team."""
    if not r.needs_review:
        return None
    why = []
    if r.flags:
        why.append("an open flag")
    if any(line.startswith(PROPOSED) for line in r.adjustments):
        why.append("proposals waiting for the team")
    return f"{REVIEW_WORDS}: {' and '.join(why)}" if why else REVIEW_WORDS


def _label(text: str, size: int, *, colour: str = theme.TEXT, bold: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(
        f"color: {colour}; font-size: {theme.px(size)}px;" + (" font-weight: bold;" if bold else "")
    )
    return label


class ReadinessCard(QFrame):
    """One chosen person's readiness.

    Attributes:
        readiness: what it shows.
        heading: alias, birth year and course position.
        last_feedback: what they said last time, one line.
        plan: the team's changes and the proposals waiting (labels).
        flags: the open flags (labels in the alarm colour, each with ⚑ and words).
        review: why they need review (None when they do not).
    """

    def __init__(self, r: Readiness) -> None:
        super().__init__()
        self.readiness = r
        self.setObjectName("ReadinessCard")
        self.setStyleSheet(
            f"QFrame#ReadinessCard {{ background: {theme.TILE}; "
            f"border: 1px solid {theme.TILE_BORDER}; border-radius: 6px; }}"
        )
        column = QVBoxLayout(self)
        pad = theme.px(8)
        column.setContentsMargins(pad, pad, pad, pad)
        column.setSpacing(theme.px(3))
        self.heading = _label(
            f"{r.person.alias} · born {r.person.birth_year} — {r.position}",
            theme.MIN_READABLE_PX,
            bold=True,
        )
        column.addWidget(self.heading)
        self.flags = [
            _label(
                f"{FLAG_MARK} {flag}",
                theme.MIN_READABLE_PX,
                colour=theme.ALARM_COLOURS["high"],
                bold=True,
            )
            for flag in r.flags
        ]
        for label in self.flags:
            column.addWidget(label)
        self.last_feedback = _label(f"Last time: {r.last_feedback}", theme.BASE_PX)
        column.addWidget(self.last_feedback)
        self.plan = [_label(plan_words(line), theme.BASE_PX) for line in r.adjustments]
        for label in self.plan:
            column.addWidget(label)
        words = review_words(r)
        self.review = None
        if words is not None:
            self.review = _label(
                words, theme.BASE_PX, colour=theme.ALARM_COLOURS["medium"], bold=True
            )
            column.addWidget(self.review)


class GroupPlanning(QDialog):
    """Choose the people for a group session and see each one's readiness. Not modal; it
    records nothing. Whoever opens it checks `course.read` first (as the people window is).

    Attributes:
        db_path, settings: where and how the courses are read.
        lines: the people listing (`PersonLine`s), once read.
        find: narrows the list to the aliases typed.
        boxes: person id → the tick that chooses them.
        cards: person id → their readiness card, for the people chosen.
        message: what the readiness area says while reading, with nobody chosen, or a fault.

    Signals:
        readiness_shown(list): the chosen people's readiness is on screen (`Readiness`es).
    """

    readiness_shown = Signal(list)

    def __init__(
        self,
        db_path: Path | str,
        settings=None,
        parent: QWidget | None = None,
        *,
        read_people: Callable[[], list[PersonLine]] | None = None,
        read_readiness: Callable[[list[str]], list[Readiness]] | None = None,
        chosen: Sequence[str] = (),
    ) -> None:
        """`chosen`: the person ids chosen as soon as the people are read (those picked in
        the people list); an id not in the listing is left out."""
        super().__init__(parent)
        self._chosen_first = list(chosen)
        self.db_path, self.settings = Path(db_path), settings
        self._read_people = read_people or (
            lambda: people_overview(self.db_path, settings=self.settings)
        )
        self._read_readiness = read_readiness or (
            lambda ids: group_readiness(self.db_path, ids, settings=self.settings)
        )
        self.lines: list[PersonLine] = []
        self.boxes: dict[str, QCheckBox] = {}
        self.cards: dict[str, ReadinessCard] = {}
        self._asked = 0  # the latest readiness read; an older one arriving late is dropped
        self._bridges: list = []
        self.setWindowTitle("Plan a group session")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self._build()
        self.resize(theme.px(1100), theme.px(760))
        self._bridges.append(
            read_in_background(self._read_people, self._on_people_read, self, "people-read")
        )

    # -- building -----------------------------------------------------------------------
    def _build(self) -> None:
        self.find = QLineEdit()
        self.find.setPlaceholderText("find by alias, e.g. M.K.")
        self.find.setToolTip("Narrow the list to the people whose alias holds what you type")
        self.find.textChanged.connect(self._on_find_changed)
        self.people_note = _label(READING, theme.BASE_PX, colour=theme.TEXT_DIM)
        self._people = QWidget()
        self._people_column = QVBoxLayout(self._people)
        self._people_column.setContentsMargins(0, 0, 0, 0)
        self._people_column.addWidget(self.people_note)
        self._people_column.addStretch(1)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(_label("People", theme.MIN_READABLE_PX, bold=True))
        left_column.addWidget(self.find)
        left_column.addWidget(_scrolling(self._people), 1)

        self.message = _label(NOBODY, theme.MIN_READABLE_PX, colour=theme.TEXT_DIM)
        self._cards = QWidget()
        self._cards_column = QVBoxLayout(self._cards)
        self._cards_column.setContentsMargins(0, 0, 0, 0)
        self._cards_column.setSpacing(theme.px(8))
        self._cards_column.addWidget(self.message)
        self._cards_column.addStretch(1)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(
            _label("Readiness for this session", theme.MIN_READABLE_PX, bold=True)
        )
        right_column.addWidget(_scrolling(self._cards), 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setChildrenCollapsible(False)
        split.setSizes([theme.px(460), theme.px(620)])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip(
            "Close the planning; nothing is recorded"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)

    # -- the people ---------------------------------------------------------------------
    def _on_people_read(self, result: object) -> None:
        if isinstance(result, GroupKapError):
            self.people_note.setText(str(result))
            self.people_note.setStyleSheet(f"color: {theme.WARNING_TEXT};")
            return
        self.lines = list(result)
        self.people_note.setVisible(not self.lines)
        self.people_note.setText(NO_PEOPLE)
        for i, line in enumerate(self.lines):
            box = QCheckBox(person_choice_line(line))
            box.setToolTip("Choose them for this session: their readiness shows on the right")
            box.toggled.connect(self._on_choice_toggled)
            self.boxes[line.person.id] = box
            self._people_column.insertWidget(i + 1, box)
        self._on_find_changed(self.find.text())
        if self._chosen_first:
            self.choose(self._chosen_first)

    def _on_find_changed(self, typed: str) -> None:
        key = alias_key(typed)
        for line in self.lines:
            self.boxes[line.person.id].setVisible(key in alias_key(line.person.alias))

    def chosen_ids(self) -> list[str]:
        """The people chosen, in the list's order."""
        return [line.person.id for line in self.lines if self.boxes[line.person.id].isChecked()]

    def choose(self, person_ids: Sequence[str]) -> None:
        """Tick exactly `person_ids` (the others untouched are unticked)."""
        for pid, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(pid in person_ids)
            box.blockSignals(False)
        self._on_choice_toggled()

    # -- readiness ----------------------------------------------------------------------
    def _on_choice_toggled(self, *_checked) -> None:
        ids = self.chosen_ids()
        self._asked += 1
        asked = self._asked
        if not ids:
            self._show_cards([])
            return
        self.message.setText(READING)
        self.message.show()
        self._bridges += [
            read_in_background(
                lambda: self._read_readiness(ids),
                lambda result: self._on_readiness_read(asked, result),
                self,
                "readiness-read",
            )
        ]

    def _on_readiness_read(self, asked: int, result: object) -> None:
        if asked != self._asked:
            return  # the choice changed meanwhile; a newer read is on its way
        if isinstance(result, GroupKapError):
            self.message.setText(str(result))
            self.message.setStyleSheet(f"color: {theme.WARNING_TEXT}; font-size: {theme.px(18)}px;")
            return
        self._show_cards(list(result))

    def _show_cards(self, readiness: list[Readiness]) -> None:
        for card in self.cards.values():
            card.hide()
            card.deleteLater()
        self.cards = {}
        for i, r in enumerate(readiness):
            card = ReadinessCard(r)
            self.cards[r.person.id] = card
            self._cards_column.insertWidget(i + 1, card)
        self.message.setText(NOBODY)
        self.message.setVisible(not readiness)
        self.readiness_shown.emit(readiness)


def _scrolling(inside: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(inside)
    return area
