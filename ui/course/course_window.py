"""One person's course page: where the course stands, the outcome trend, every session they
attended and what they said afterwards, read-only, for the care team at a desk.

It reads `groupkap.course.history.load_course` on a worker thread (every session of the course
is read, more than a frame's time), so the window opens at once saying it is reading. The
page only draws the `Course` it is handed: the figures are the core's, the words
`ui.course.course_words`. A full name shows only for a role that sees them
(`groupkap.privacy.sees_full_names`); the alias and birth year otherwise.

Layout, for 1366×768 as well as 1920×1080: who and where the course stands on top, open
flags under it in words; the outcome lanes; below, in tabs, the sessions table and the
feedback with the plan carried forward, and under them, on a page opened from a running room,
the door to the feedback form for the session row picked (`ui.course.feedback_later`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from groupkap.accounts import Account
from groupkap.privacy import sees_full_names
from ui import theme
from ui.course import course_plan
from ui.course import course_words as words
from ui.course.background import read_in_background
from ui.course.course_plan import may_plan
from ui.course.feedback_history import FeedbackHistory
from ui.course.feedback_later import FeedbackDoor, door_words, may_record
from ui.course.outcome_plot import FLAG_MARK, OutcomePlot
from ui.course.sessions_table import fit, sessions_view
from ui.tables import source_row

READING = "Reading the course…"
NO_OPEN_FLAGS = "No open flags"


def person_words(person, account: Account | None) -> str:
    """`M.K. · born 1980`, with the full name first for a role that sees full names."""
    words_ = f"{person.alias} · born {person.birth_year}"
    if person.full_name and sees_full_names(account):
        return f"{person.full_name} · {words_}"
    return words_


def empty_words(person) -> str:
    """What the page says for a person who has attended no session yet."""
    return (
        f"No sessions yet for {person.alias}.\nTheir course starts when they are seated in a "
        "session (Add participant → pick them as a known person)."
    )


def load(db_path: Path, person_id: str, settings: object = None):
    """The course as `groupkap.course.history` reads it (any thread: its own connection)."""
    from groupkap.course.history import load_course

    return load_course(db_path, person_id, settings=settings)


class CourseWindow(QMainWindow):
    """One person's course: position, outcome trend, sessions, feedback and plan.

    Attributes:
        db_path, person_id: whose course, from which database (read-only).
        account: who is looking (full names, the care team's free text).
        settings: the clinic's Settings (its [course] plan and booster interval), or None.
        course: the Course shown, None until it is read.
        problem: why the course could not be read, or None.
        who, position, flags: the header's labels; plot: the OutcomePlot;
        sessions_model, sessions_view: the sessions table; history: the FeedbackHistory;
        tabs: the sessions and the feedback; pages: the body, or a message (reading, no
        sessions yet, a problem) in `message`.
        store, clock: the running room's, to record feedback through (None: read-only).
        door: the feedback door under the tables (`FeedbackDoor`), or None where no feedback
            can be recorded (no room's store, or a role without `feedback.record`).
        feedback_form: the feedback form opened last from this page, or None.
    Signals:
        loaded(object): the Course was read and drawn (or the error that stopped it).
    """

    loaded = Signal(object)

    def __init__(
        self,
        db_path: Path,
        person_id: str,
        parent: QWidget | None = None,
        *,
        account: Account | None = None,
        settings: object = None,
        read: Callable[[Path, str, object], object] = load,
        store: object = None,
        clock: object = None,
        acting: Callable[[], Account | None] | None = None,
    ) -> None:
        """`store`, `clock`: the running room's, when the page may record feedback (its
        writes go through that store only); `acting`: who records it, asked at each form
        (the room's signed-in account; `account` when not given)."""
        super().__init__(parent)
        self.db_path, self.person_id, self.account = Path(db_path), person_id, account
        self.store, self.clock = store, clock
        self._acting = acting or (lambda: self.account)
        self._read, self._settings = read, settings
        self.course = None
        self.problem: str | None = None
        self.feedback_form = None
        self._picked: str | None = None  # the session id the door acts on, kept over a reload
        self._drawing = False
        self._build()
        self.resize(theme.px(1280), theme.px(860))
        self.reload()

    def reload(self) -> None:
        """Read the course again (on a worker thread) and draw it: after feedback is saved."""
        self._bridge = read_in_background(
            lambda: self._read(self.db_path, self.person_id, self._settings),
            self._on_read_finished,
            self,
            "course",
        )

    # -- building -----------------------------------------------------------------------
    def _build(self) -> None:
        self.who = QLabel("")
        self.who.setStyleSheet(f"font-size: {theme.px(22)}px; font-weight: bold;")
        self.who.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.position = QLabel("")
        self.position.setStyleSheet(f"font-size: {theme.px(18)}px;")
        self.flags = QLabel("")
        self.flags.setWordWrap(True)
        self.flags.setStyleSheet(
            f"color: {theme.ALARM_COLOURS['high']}; font-size: {theme.px(18)}px;"
        )
        self.flags.hide()
        self.plot = OutcomePlot()
        self.sessions_model, self.sessions_view = sessions_view(())
        self.history = FeedbackHistory()
        self.tabs = QTabWidget()
        self.tabs.setStyleSheet(f"font-size: {theme.px(15)}px;")
        self.tabs.addTab(self.sessions_view, "Sessions")
        self.tabs.addTab(self.history, "Feedback and plan")
        self.tabs.currentChanged.connect(lambda _i: self._follow(self._current_view()))
        self.door = None
        lower = QWidget()
        below = QVBoxLayout(lower)
        below.setContentsMargins(0, 0, 0, 0)
        below.addWidget(self.tabs, 1)
        if self.store is not None and self.clock is not None:
            if may_record(self.store, self._acting()):
                self.door = FeedbackDoor()
                self.door.requested.connect(self.open_feedback)
                below.addWidget(self.door)
        self.setWindowTitle(f"Course · {self.person_id}" + ("" if self.door else " (read-only)"))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.plot)
        split.addWidget(lower)
        split.setChildrenCollapsible(False)
        split.setSizes([theme.px(420), theme.px(340)])
        self.message = QLabel(READING)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.TEXT_DIM}; font-size: {theme.px(18)}px;")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)
        self.pages.addWidget(split)
        self._body = split
        central = QWidget()
        column = QVBoxLayout(central)
        margin = theme.px(10)
        column.setContentsMargins(margin, margin, margin, margin)
        column.setSpacing(theme.px(4))
        self.plan_button = None
        if self.store is not None and self.clock is not None:
            if may_plan(self.store, self._acting()):
                self.plan_button = QPushButton(course_plan.BUTTON)
                self.plan_button.setToolTip("How many medicine sessions, when a booster is due")
                self.plan_button.clicked.connect(self.open_plan)
        top = QHBoxLayout()
        top.addWidget(self.who, 1)
        if self.plan_button is not None:
            top.addWidget(self.plan_button)
        column.addLayout(top)
        for label in (self.position, self.flags):
            column.addWidget(label)
        column.addWidget(self.pages, 1)
        self.setCentralWidget(central)

    # -- what is shown ------------------------------------------------------------------
    def show_course(self, course) -> None:
        """Draw `course` (a `groupkap.course.history.Course`)."""
        self.course, self.problem = course, None
        tab = max(self.tabs.currentIndex(), 0)  # read again after feedback: the same tab
        self._drawing = True  # the tables are being replaced: the door waits for them
        person = course.person
        read_only = "" if self.door else " (read-only)"
        self.setWindowTitle(f"Course · {person.alias} · born {person.birth_year}{read_only}")
        self.who.setText(person_words(person, self.account))
        self.position.setText(
            words.position(course.sessions_done, course.sessions_planned, course.next_due)
        )
        flags = list(course.open_flags)
        self.flags.setText("\n".join(f"{FLAG_MARK} Open flag: {flag}" for flag in flags))
        colour = theme.ALARM_COLOURS["high"] if flags else theme.TEXT_DIM
        self.flags.setStyleSheet(f"color: {colour}; font-size: {theme.px(18)}px;")
        if not flags:
            self.flags.setText(NO_OPEN_FLAGS)
        self.flags.show()
        if not course.sessions:
            self._drawing = False
            self._say(empty_words(person))
            return
        self.plot.show_outcomes(course.outcomes)
        self.sessions_model, view = sessions_view(course.sessions)
        self.tabs.removeTab(0)
        self.sessions_view.deleteLater()
        self.sessions_view = view
        self.tabs.insertTab(0, view, f"Sessions ({len(course.sessions)})")
        view.ensurePolished()
        fit(view)
        self.history.show_course(course, self.account)
        self.tabs.setCurrentIndex(tab)
        self.pages.setCurrentWidget(self._body)
        self._drawing = False
        self._offer_feedback()

    # -- feedback after the day ---------------------------------------------------------
    def _offer_feedback(self) -> None:
        """Each session row offers the feedback form (the door under the tables, and a
        right-click on the row); the session picked before a reload stays picked, else the
        latest, the one feedback is most often about."""
        if self.door is None:
            return
        views = (self.sessions_view, self.history.view)
        for view in views:
            view.selectionModel().currentRowChanged.connect(
                lambda _now, _before, view=view: self._follow(view)
            )
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(
                lambda at, view=view: self.row_menu(view, at).popup(view.viewport().mapToGlobal(at))
            )
        ids = [s.session_id for s in self.course.sessions]
        self._pick(self._picked if self._picked in ids else ids[-1])

    def _pick(self, session_id: str) -> None:
        """Select `session_id`'s row in both tables, and point the door at it."""
        for view in (self.sessions_view, self.history.view):
            for row in range(view.model().rowCount()):
                if self.course.sessions[source_row(view, row)].session_id == session_id:
                    view.selectRow(row)
        self._follow(self._current_view())

    def _current_view(self) -> QTableView:
        return self.history.view if self.tabs.currentIndex() == 1 else self.sessions_view

    def session_at(self, view: QTableView, proxy_row: int):
        """The `CourseSession` at `proxy_row` of `view` (either table), or None."""
        if self.course is None or not 0 <= proxy_row < view.model().rowCount():
            return None
        return self.course.sessions[source_row(view, proxy_row)]

    def selected_session(self):
        """The session the door acts on (the row picked in the tab shown), or None."""
        current = self._current_view().currentIndex()
        return self.session_at(self._current_view(), current.row() if current.isValid() else -1)

    def _follow(self, view: QTableView) -> None:
        if self.door is None or self._drawing or view is not self._current_view():
            return
        session = self.selected_session()
        self._picked = None if session is None else session.session_id
        number = 0 if session is None else self.course.sessions.index(session) + 1
        self.door.point_at(number, session)

    def row_menu(self, view: QTableView, at: QPoint) -> QMenu:
        """The right-click menu of the session row at `at` in `view`: its feedback form
        (empty where this page records no feedback)."""
        menu = QMenu(self)
        session = self.session_at(view, view.indexAt(at).row())
        if session is not None and self.door is not None:
            action = menu.addAction(door_words(session))
            action.setEnabled(session.dosed)
            action.triggered.connect(lambda: self.open_feedback(session))
        return menu

    def open_feedback(self, session=None):
        """The feedback form for `session` (the one picked when None), for that session's
        participant, with the pieces that seat heard; recorded through the room's store as
        the account acting now. Saved, the page reads the course again and shows it. None
        where this page records no feedback, or no session is picked."""
        from ui.course.feedback_form import feedback_dialog

        session = session or self.selected_session()
        if self.door is None or session is None:
            return None
        self._picked = session.session_id
        dialog = feedback_dialog(
            self.store,
            self.clock,
            session.session_id,
            session.participant_id,
            session.alias,
            account=self._acting(),
            parent=self,
        )
        dialog.accepted.connect(self.reload)
        self.feedback_form = dialog
        dialog.open()
        return dialog

    def open_plan(self):
        """The course plan dialog (sessions planned, booster due); saved, the page reloads."""
        if self.plan_button is None:
            return None
        planned = self.course.sessions_planned if self.course is not None else 1
        dialog = course_plan.plan_dialog(
            self.store, self.clock, self.person_id, self._acting(), planned, self
        )
        dialog.accepted.connect(self.reload)
        dialog.open()
        self.plan_dialog = dialog
        return dialog

    def show_problem(self, message: str) -> None:
        """The course could not be read: say why, in place of the page."""
        self.problem = message
        self._say(f"The course could not be read:\n{message}")
        self.message.setStyleSheet(f"color: {theme.WARNING_TEXT}; font-size: {theme.px(18)}px;")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.pages.setCurrentWidget(self.message)

    def _on_read_finished(self, result: object) -> None:
        if isinstance(result, Exception):
            self.show_problem(str(result))
        else:
            self.show_course(result)
        self.loaded.emit(result)
