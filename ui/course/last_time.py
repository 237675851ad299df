"""The preparation's "last time" for one person: their last session's date and feedback, the
team's changes for this session, and what the feedback proposes, each with Accept.

Accepting records `plan.adjusted` (source "proposal") through the core
(`groupkap.course.adjust_plan`); a refusal (a role that may not adjust the plan) is shown in
the panel and nothing is written. A dose note is only ever a note for the prescriber: it is
labelled "for the prescriber — not applied", and accepting it changes no dose.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from groupkap.course import Adjustment, CarriedPlan, Person, adjust_plan, carried_plan
from groupkap.course.plan import PLAN_KINDS
from groupkap.errors import GroupKapError
from groupkap.store import people_queries as pq
from ui import theme
from ui.course.course_words import date
from ui.course.plan_words import adjustment_line, feedback_lines

FIRST_SESSION = "No earlier session: this is their first, so there is nothing from last time."
NO_FEEDBACK = "No feedback was recorded after that session."
NO_CHANGES = "None yet."
NO_PROPOSALS = "Nothing left to propose."
TEAM_KINDS = {
    "comfort": "Comfort",
    "trusted_contact": "Trusted person",
    "grounding": "More grounding",
    "premedicate": "Pre-medicate",
    "dose_note": "dose note for the prescriber",
    "silence": "Silence next time",
    "other": "",
}
"""What the team may add by itself, with the words its line starts with (pieces to avoid
come from the feedback form's list)."""


@dataclass(frozen=True)
class LastTime:
    """What the panel shows for one person.

    Attributes:
        person: who.
        plan: the plan carried to their next session (`groupkap.course.carried_plan`).
        last_date: their last session's date in words, None before their first.
    """

    person: Person
    plan: CarriedPlan
    last_date: str | None


def read_last_time(store, person: Person, settings=None) -> LastTime:
    """The person's last time, read now (a few small queries: quick enough for the GUI
    thread)."""
    with closing(store.reader()) as conn:
        plan = carried_plan(conn, person.id, settings=settings)
        started = {
            a.session_id: a.started_at
            for a in pq.attended(conn, pq.person_ids(conn, plan.person_id))
        }
    last = started.get(plan.last_session_id) if plan.last_session_id else None
    return LastTime(person, plan, date(last) if last is not None else None)


def _label(text: str, size: int = theme.BASE_PX, *, bold: bool = False, colour: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    style = f"font-size: {theme.px(size)}px;" + (" font-weight: bold;" if bold else "")
    label.setStyleSheet(style + (f" color: {colour};" if colour else ""))
    return label


class LastTimePanel(QDialog):
    """One person's "last time", beside the room while their session is prepared.

    Not modal: the alarm bar and the tiles stay usable while it is open.

    Attributes:
        store, clock, account, settings: what it reads and records with.
        shown: what is shown now (a `LastTime`).
        heading, last_session: the person and their last session's date.
        feedback: the last feedback's lines (labels).
        changes: the team's changes (labels).
        proposals: kind → (the proposal's label, its Accept button).
        error: a refusal, in the core's words.

    Signals:
        plan_adjusted(int): a proposal was accepted (the `plan.adjusted` seq).
    """

    plan_adjusted = Signal(int)

    def __init__(
        self, store, clock, shown: LastTime, *, account=None, settings=None, parent=None
    ) -> None:
        super().__init__(parent)
        self.store, self.clock, self.account, self.settings = store, clock, account, settings
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.resize(theme.px(680), theme.px(740))
        self.error = _label("")
        self.error.setObjectName("refusal")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip(
            "Close this panel; the plan is kept"
        )
        # The lines wrap; a scroll area gives them the height their width needs.
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.show_last_time(shown)

    @classmethod
    def for_person(
        cls, store, clock, person: Person, *, account=None, settings=None, parent=None
    ) -> LastTimePanel:
        return cls(
            store,
            clock,
            read_last_time(store, person, settings),
            account=account,
            settings=settings,
            parent=parent,
        )

    # -- showing --------------------------------------------------------------------
    def show_last_time(self, shown: LastTime) -> None:
        self.shown = shown
        person, plan = shown.person, shown.plan
        self.setWindowTitle(f"Last time · {person.alias}")
        self._body = QWidget()
        column = QVBoxLayout(self._body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(theme.px(6))
        self.heading = _label(
            f"{person.alias} · born {person.birth_year} — last time", 20, bold=True
        )
        column.addWidget(self.heading)
        self.feedback: list[QLabel] = []
        self.changes: list[QLabel] = []
        self.proposals: dict[str, tuple[QLabel, QPushButton]] = {}
        if plan.last_session_id is None:
            self.last_session = _label(FIRST_SESSION, theme.MIN_READABLE_PX)
            column.addWidget(self.last_session)
            column.addWidget(self._section("The team's changes for this session"))
            self._show_changes(column, plan)
        else:
            self.last_session = _label(f"Last session: {shown.last_date}", theme.MIN_READABLE_PX)
            column.addWidget(self.last_session)
            column.addWidget(self._section("What they said"))
            lines = feedback_lines(plan.last_feedback) if plan.last_feedback else [NO_FEEDBACK]
            for line in lines:
                self.feedback.append(_label(line))
                column.addWidget(self.feedback[-1])
            column.addWidget(self._section("The team's changes for this session"))
            self._show_changes(column, plan)
            column.addWidget(self._section("Proposed from their feedback"))
            column.addWidget(self._proposal_grid(plan.proposals))
        column.addWidget(self._section("Add to the plan"))
        column.addWidget(self._team_row())
        column.addStretch(1)
        self.scroll.setWidget(self._body)  # the scroll area deletes the old body

    def _show_changes(self, column: QVBoxLayout, plan: CarriedPlan) -> None:
        for adj in plan.adjustments or ():
            self.changes.append(_label("✓ " + adjustment_line(adj)))
            column.addWidget(self.changes[-1])
        if not plan.adjustments:
            column.addWidget(_label(NO_CHANGES, colour=theme.TEXT_DIM))

    def _team_row(self) -> QWidget:
        """A change the team decides itself (a comfort item, a trusted person's contact,
        more grounding …): a kind, its words, and Add."""
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        self.team_kind = QComboBox()
        for kind, words in TEAM_KINDS.items():
            self.team_kind.addItem((words or "Other")[:1].upper() + (words or "Other")[1:], kind)
            self.team_kind.setItemData(
                self.team_kind.count() - 1, PLAN_KINDS[kind], Qt.ItemDataRole.ToolTipRole
            )
        self.team_text = QLineEdit()
        self.team_text.setPlaceholderText("e.g. a weighted blanket; her sister Ana, 0161 000 0000")
        self.team_add = QPushButton("Add")
        self.team_add.setToolTip("Record this as the team's plan for this session")
        self.team_add.clicked.connect(self.add_team_change)
        self.team_text.returnPressed.connect(self.add_team_change)
        line.addWidget(self.team_kind)
        line.addWidget(self.team_text, 1)
        line.addWidget(self.team_add)
        return row

    def add_team_change(self) -> int | None:
        """Record the team's own change (source "team"); a refusal (an empty text, a role
        that may not adjust the plan) is shown here and nothing is written."""
        text = self.team_text.text().strip()
        if not text:
            self.error.setText("say what the change is, in a few words")
            return None
        kind = self.team_kind.currentData()
        said = f"{TEAM_KINDS[kind]}: {text}" if TEAM_KINDS[kind] else text
        return self._adjust(Adjustment(kind, said), "team")

    def _section(self, title: str) -> QLabel:
        label = _label(title, theme.MIN_READABLE_PX, bold=True)
        label.setContentsMargins(0, theme.px(8), 0, 0)
        return label

    def _proposal_grid(self, proposals: tuple[Adjustment, ...]) -> QWidget:
        grid_widget = QWidget()
        grid = QGridLayout(grid_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(0, 1)
        if not proposals:
            grid.addWidget(_label(NO_PROPOSALS, colour=theme.TEXT_DIM), 0, 0)
        for row, adj in enumerate(proposals):
            text = _label(adjustment_line(adj))
            accept = QPushButton("Accept")
            accept.setToolTip(
                "Record this as the team's plan for this session"
                + (
                    " (a note for the prescriber; no dose is changed)"
                    if adj.kind == "dose_note"
                    else ""
                )
            )
            accept.clicked.connect(lambda _=False, a=adj: self.accept_proposal(a))
            grid.addWidget(text, row, 0)
            grid.addWidget(accept, row, 1, Qt.AlignmentFlag.AlignTop)
            self.proposals[adj.kind] = (text, accept)
        return grid_widget

    # -- accepting ------------------------------------------------------------------
    def accept_proposal(self, adj: Adjustment) -> int | None:
        """Record `adj` as the team's (source "proposal"); the panel then shows it among the
        changes. A refusal is shown here and nothing is written."""
        return self._adjust(adj, "proposal")

    def _adjust(self, adj: Adjustment, source: str) -> int | None:
        self.error.setText("")
        plan = self.shown.plan
        try:
            seq = adjust_plan(
                self.store,
                plan.person_id,
                [adj],
                after_session=plan.last_session_id,
                source=source,
                by=self.account,
                clock=self.clock,
            )
        except GroupKapError as exc:
            self.error.setText(str(exc))
            return None
        self.show_last_time(read_last_time(self.store, self.shown.person, self.settings))
        self.plan_adjusted.emit(seq)
        return seq
