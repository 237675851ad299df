"""The people list ("Participants…"): everyone known across sessions, where each one's course
stands, their last session and any open flag, opening a person's course page.

Only a role with `course.read` opens it (facilitator, medical, lead, QA); the gate is the
room window's (`WindowAccess.may`: refuses, says why, logs `action.refused`). The list is read
on a worker thread like the course page; a full name shows only for a role that sees them.

"Plan a group…" opens the group planning with the people selected already chosen. Opened
from a running room, the list hands the room's store and clock to the course pages, which
record feedback after the day through them. The list is parented to the room window, and the
pages and the planning to the list, so a lock closes them all (`ui.accounts.lockdown`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from groupkap.accounts import Account
from groupkap.privacy import sees_full_names
from ui import theme
from ui.course import course_words as words
from ui.course.background import read_in_background
from ui.course.course_window import CourseWindow
from ui.course.group_planning import GroupPlanning
from ui.course.outcome_plot import FLAG_MARK
from ui.tables import Column, RowsModel, fit_columns, source_row, table_view

READING = "Reading the people…"
NOBODY = (
    "Nobody is registered yet.\nA person is registered when they are first seated "
    "(Add participant → a new person, with their alias and birth year)."
)


def people_columns(full_names: bool) -> list[Column]:
    """Alias (and the full name for a role that sees them), birth year, course position,
    last session, open flags (said in words, in the alarm colour)."""
    columns = [Column("Alias", lambda r: r.person.alias, lambda r: r.person.alias.casefold())]
    if full_names:
        columns.append(Column("Full name", lambda r: r.person.full_name or words.NOT_RECORDED))
    flag_colour = theme.ALARM_COLOURS["high"]
    return [
        *columns,
        Column("Born", lambda r: str(r.person.birth_year), lambda r: r.person.birth_year),
        Column(
            "Course",
            lambda r: words.position(r.sessions_done, r.sessions_planned, None),
            lambda r: (r.sessions_done, r.sessions_planned),
        ),
        Column("Last session", lambda r: r.last_session or "none yet", lambda r: r.last_session),
        Column(
            "Open flags",
            lambda r: f"{FLAG_MARK} " + "; ".join(r.flags) if r.flags else "none",
            lambda r: len(r.flags),
            lambda r: flag_colour if r.flags else theme.TEXT_DIM,
            lambda r: "\n".join(r.flags),
        ),
    ]


def load(db_path: Path, settings: object = None) -> list:
    """Every person with their course position (`groupkap.course.readiness.people_overview`;
    any thread: its own connection)."""
    from groupkap.course.readiness import people_overview

    return people_overview(db_path, settings=settings)


class PeopleWindow(QMainWindow):
    """Everyone known across sessions; Enter, a double-click or "Open course" opens the page.

    Attributes:
        db_path: the database read (read-only).
        account: who is looking (full names).
        settings: the clinic's Settings (a course's plan when none was written), or None.
        may: the gate for `course.read` (the room window's `WindowAccess.may`).
        lines: the people as read (`groupkap.course.readiness.PersonLine`s).
        model, view: the list (several people may be selected, for a group); message: says
            it is reading, nobody is registered, or a problem.
        store, clock: the running room's, handed to the course pages to record feedback
            through (None: the pages are read-only).
        courses: the course pages it opened and that are still open.
        plan_button: "Plan a group…"; plannings: the group plannings opened, still open.
    Signals:
        loaded(object): the list was read and drawn (or the error that stopped it).
    """

    loaded = Signal(object)

    def __init__(
        self,
        db_path: Path,
        parent: QWidget | None = None,
        *,
        account: Account | None = None,
        may: Callable[[str], bool] | None = None,
        settings: object = None,
        read: Callable[[Path, object], Sequence] = load,
        read_course: Callable | None = None,
        store: object = None,
        clock: object = None,
        acting: Callable[[], Account | None] | None = None,
    ) -> None:
        """`store`, `clock`, `acting`: the running room's store and clock and who acts in
        it now, for the course pages to record feedback (see `CourseWindow`)."""
        super().__init__(parent)
        self.db_path, self.account, self.settings = Path(db_path), account, settings
        self.may: Callable[[str], bool] = may or (lambda _action: True)
        self._read_course = read_course
        self.store, self.clock = store, clock
        self._acting = acting or (lambda: self.account)
        self.lines: list = []
        self.courses: list[CourseWindow] = []
        self.plannings: list[GroupPlanning] = []
        self.setWindowTitle("Participants · their courses (read-only)")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._build()
        self.resize(theme.px(1100), theme.px(640))
        self._bridge = read_in_background(
            lambda: read(self.db_path, settings), self._on_read_finished, self, "people"
        )

    def _build(self) -> None:
        self.model = RowsModel((), people_columns(sees_full_names(self.account)))
        self.view = table_view(self.model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.activated.connect(lambda index: self.open_course(index.row()))
        self.view.doubleClicked.connect(lambda index: self.open_course(index.row()))
        self.message = QLabel(READING)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.TEXT_DIM}; font-size: {theme.px(18)}px;")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)
        self.pages.addWidget(self.view)
        self.open_button = QPushButton("Open course")
        self.open_button.setToolTip("Open the selected person's course (Enter, or double-click)")
        self.open_button.clicked.connect(lambda: self.open_course())
        self.open_button.setEnabled(False)
        self.plan_button = QPushButton("Plan a group…")
        self.plan_button.setToolTip(
            "Choose the people for a group session and see each one's readiness; the people "
            "selected here (Ctrl+click for more) start chosen"
        )
        self.plan_button.clicked.connect(lambda: self.plan_group())
        hint = QLabel("Pick a person to see their sessions, outcomes, feedback and plan.")
        hint.setStyleSheet(f"color: {theme.TEXT_DIM};")
        buttons = QHBoxLayout()
        buttons.addWidget(hint, 1)
        buttons.addWidget(self.plan_button)
        buttons.addWidget(self.open_button)
        central = QWidget()
        column = QVBoxLayout(central)
        margin = theme.px(10)
        column.setContentsMargins(margin, margin, margin, margin)
        column.addWidget(self.pages, 1)
        column.addLayout(buttons)
        self.setCentralWidget(central)
        self.setStyleSheet(f"font-size: {theme.px(16)}px;")

    def show_lines(self, lines: Sequence) -> None:
        """Draw the people `lines` (sorted by alias, then birth year)."""
        self.lines = list(lines)
        self.model = RowsModel(self.lines, people_columns(sees_full_names(self.account)))
        self.view.model().setSourceModel(self.model)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        fit_columns(self.view, widest=400)
        self.open_button.setEnabled(bool(self.lines))
        if not self.lines:
            self.message.setText(NOBODY)
            self.pages.setCurrentWidget(self.message)
            return
        self.pages.setCurrentWidget(self.view)
        self.view.selectRow(0)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_course(self, proxy_row: int | None = None) -> CourseWindow | None:
        """The course page of the person at `proxy_row` of the list (the selected one when
        None), for a role with `course.read`; None when refused or nobody is selected."""
        if proxy_row is None:
            current = self.view.currentIndex()
            proxy_row = current.row() if current.isValid() else -1
        if not 0 <= proxy_row < len(self.lines) or not self.may("course.read"):
            return None
        line = self.lines[source_row(self.view, proxy_row)]
        extra = {} if self._read_course is None else {"read": self._read_course}
        # Parented to this list (a window of its own all the same), so a lock closes it with
        # the list: a course page is patient data.
        page = CourseWindow(
            self.db_path,
            line.person.id,
            self,
            account=self.account,
            settings=self.settings,
            store=self.store,
            clock=self.clock,
            acting=self._acting,
            **extra,
        )
        page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.courses.append(page)
        page.destroyed.connect(
            lambda *_: self.courses.remove(page) if page in self.courses else None
        )
        page.show()
        return page

    def selected_ids(self) -> list[str]:
        """The person ids of the rows selected, in the list's order as shown."""
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.lines[source_row(self.view, row)].person.id for row in rows]

    def plan_group(self, person_ids: Sequence[str] | None = None) -> GroupPlanning | None:
        """The group planning, `person_ids` (the people selected when None) chosen already,
        for a role with `course.read`; None when refused."""
        if not self.may("course.read"):
            return None
        chosen = self.selected_ids() if person_ids is None else list(person_ids)
        # Parented to this list, so a lock closes it with the list.
        planning = GroupPlanning(self.db_path, self.settings, self, chosen=chosen)
        planning.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.plannings.append(planning)
        planning.destroyed.connect(
            lambda *_: self.plannings.remove(planning) if planning in self.plannings else None
        )
        planning.show()
        return planning

    def _on_read_finished(self, result: object) -> None:
        if isinstance(result, Exception):
            self.message.setText(f"The people could not be read:\n{result}")
            self.message.setStyleSheet(f"color: {theme.WARNING_TEXT}; font-size: {theme.px(18)}px;")
        else:
            self.show_lines(result)
        self.loaded.emit(result)


def open_people(
    db_path: Path,
    may: Callable[[str], bool],
    account: Account | None,
    settings: object = None,
    parent: QWidget | None = None,
    *,
    store: object = None,
    clock: object = None,
    acting: Callable[[], Account | None] | None = None,
) -> PeopleWindow | None:
    """The people list for a role with `course.read`; None when the gate refuses (it has
    said why, and the refusal is logged). `store`, `clock`, `acting`: the running room's,
    so its course pages record feedback after the day (a review-only list passes none)."""
    if not may("course.read"):
        return None
    window = PeopleWindow(
        db_path,
        parent,
        account=account,
        may=may,
        settings=settings,
        store=store,
        clock=clock,
        acting=acting,
    )
    window.show()
    return window
