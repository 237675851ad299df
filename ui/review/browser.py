"""The session browser: every past session in the database, filtered by date and participant.

The list and its filter come from `groupkap.review.browse.list_for_review` (read-only; the
rule of what matches lives there); this dialog only shows the rows and says which one to
open. Enter, a double-click or "Open" emits `opened(session_id)`; the caller opens the
review window, so the same dialog serves `groupkap review` and the app's "Open session…".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QVBoxLayout,
)

from groupkap.errors import GroupKapError
from groupkap.review.browse import SessionListing, list_for_review
from groupkap.review.model import ChainStatus
from ui import theme
from ui.review.chain_check import CHECKING, check_in_background
from ui.review.pdf_text import clock, day, flag
from ui.review.tables import (
    PRIORITY_RANK,
    Column,
    RowsModel,
    fit_columns,
    source_row,
    table_view,
)

MAX_COLUMN_PX = 220  # a long list of names is cut short (…), its tooltip says it all
FILTER_SETTLE_MS = 250  # typing an alias re-reads the file once the typing pauses
PENDING = ChainStatus(True, CHECKING)  # stands in for the verdict while the check runs
STATUS_WORDS = {"running": "live in another window", "interrupted": "interrupted"}


def day_bounds(first: date, last: date) -> tuple[float, float]:
    """UTC epoch seconds from the start of local day `first` to the end of local day `last`:
    what a lead means by "from the 3rd to the 5th"."""
    start = datetime.combine(first, time.min).astimezone().timestamp()
    end = datetime.combine(last + timedelta(days=1), time.min).astimezone().timestamp()
    return start, end


def alarm_words(s: SessionListing) -> str:
    """`1 unanswered · 2 high, 3 medium`, or `none`: the unanswered first, so a narrow
    column cuts the counts rather than them."""
    counts = [f"{s.alarm_counts[k]} {k}" for k in PRIORITY_RANK if s.alarm_counts.get(k)]
    words = ", ".join(counts) or "none"
    return (f"{s.unanswered_alarms} unanswered · " if s.unanswered_alarms else "") + words


def compliance_words(s: SessionListing) -> str:
    """`✓ all met`, or `✗ 2 with a gap`."""
    if not s.compliance_flags:
        return f"{flag(True)} all met"
    return f"{flag(False)} {s.compliance_flags} with a gap"


def session_words(s: SessionListing) -> str:
    """`Tuesday group · room-2`, with `(interrupted)` or `(live in another window)`."""
    words = " · ".join(x for x in (s.title or "untitled", s.host) if x)
    return words + (f" ({STATUS_WORDS[s.status]})" if s.status in STATUS_WORDS else "")


def log_words(s: SessionListing, checked: bool) -> str:
    """`✓ intact`, `✗ fails check`, or `checking the log…` until the check is done."""
    if not checked:
        return CHECKING
    return f"{flag(True)} intact" if s.chain_intact else f"{flag(False)} fails check"


def listing_columns(checked: Callable[[], bool] = lambda: True) -> list[Column]:
    """The browser's columns; `checked` says whether the file's log check has finished."""
    return [
        Column("Date", lambda s: day(s.started_at), lambda s: s.started_at),
        Column(
            "Time",
            lambda s: f"{clock(s.started_at)}–{clock(s.ended_at)}",
            lambda s: s.started_at,
        ),
        Column(
            "Session · room",
            session_words,
            colour=lambda s: theme.WARNING_TEXT if s.status in STATUS_WORDS else None,
            tip=lambda s: f"{s.id} · {s.seats} seats · {s.status} · recorded on {s.host or '?'}",
        ),
        Column(
            "Facilitators",
            lambda s: ", ".join(s.facilitators) or "—",
            tip=lambda s: "\n".join(s.facilitators),
        ),
        Column(
            "Participants",
            lambda s: ", ".join(s.participants) or "—",
            lambda s: len(s.participants),
        ),
        Column(
            "Alarms",
            alarm_words,
            tip=alarm_words,
            sort=lambda s: (
                s.unanswered_alarms,
                *(s.alarm_counts.get(k, 0) for k in PRIORITY_RANK),
            ),
            colour=lambda s: theme.WARNING_TEXT if s.unanswered_alarms else None,
        ),
        Column(
            "Compliance",
            compliance_words,
            lambda s: s.compliance_flags,
            lambda s: theme.WARNING_TEXT if s.compliance_flags else theme.CHECK_FILL,
        ),
        Column(
            "Log",
            lambda s: log_words(s, checked()),
            lambda s: s.chain_intact,
            lambda s: None if s.chain_intact or not checked() else theme.ALARM_COLOURS["high"],
        ),
    ]


class SessionBrowser(QDialog):
    """Pick a past session to review.

    Attributes:
        db_path: the database listed.
        listings: the sessions now shown (SessionListing), newest first.
        since_edit, until_edit: the date filter (local days, inclusive).
        alias_edit: the participant filter (part of an alias, any case).
        view: the table; message: what the dialog says above it (a count, or a problem).
    Signals:
        opened(str): the session id a lead chose to open.
        audit_requested(object): the audit trail of the selected session (its id), or of
            every log (None), from the "Audit trail…" button's menu.
    """

    opened = Signal(str)
    audit_requested = Signal(object)

    def __init__(self, db_path: Path, parent=None) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.listings: list[SessionListing] = []
        # The file's log is checked once, on a worker (seconds on a big file); until then the
        # Log column says so, and the filters list the sessions without waiting for it.
        self.chain: ChainStatus | None = None
        self.setWindowTitle(f"Open a past session · {self.db_path.name} (read-only)")
        self._settle = QTimer(self, singleShot=True, interval=FILTER_SETTLE_MS)
        self._settle.timeout.connect(self.refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(self._filters())
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.model = RowsModel([], listing_columns(lambda: self.chain is not None), self)
        self.view = table_view(self.model, self, widest=MAX_COLUMN_PX)
        self.view.doubleClicked.connect(lambda index: self._open_row(index.row()))
        # Enter reaches the dialog's default button ("Open"): the view itself ignores it.
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton("Open", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setDefault(True)
        buttons.accepted.connect(self.open_selected)
        self.audit_button = buttons.addButton(
            "Audit trail…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.audit_button.setToolTip("Who did what, when and why: this session, or everything")
        menu = QMenu(self.audit_button)
        self.audit_session_action = menu.addAction(
            "Of the selected session", lambda: self.audit_requested.emit(self.selected_id())
        )
        menu.addAction("Of every session and sign-in", lambda: self.audit_requested.emit(None))
        self.audit_button.setMenu(menu)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(theme.px(1340), theme.px(620))
        self._set_dates_to_all()
        self.refresh()
        self.view.setFocus()  # Enter opens the newest session at once
        self._chain_bridge = check_in_background(self.db_path, self._on_chain_checked, self)

    def _on_chain_checked(self, chain: ChainStatus) -> None:
        self.chain = chain
        self.refresh()

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.since_edit = QDateEdit(calendarPopup=True)
        self.until_edit = QDateEdit(calendarPopup=True)
        self.alias_edit = QLineEdit()
        self.alias_edit.setPlaceholderText("alias, e.g. M.K.")
        self.alias_edit.setClearButtonEnabled(True)
        for edit in (self.since_edit, self.until_edit):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(lambda *_: self._settle.start())
        self.alias_edit.textChanged.connect(lambda *_: self._settle.start())
        for words, widget in (
            ("From", self.since_edit),
            ("to", self.until_edit),
            ("Participant", self.alias_edit),
        ):
            label = QLabel(words)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
        row.addStretch(1)
        return row

    def _set_dates_to_all(self) -> None:
        """Open on every session in the file: from the oldest's day to today."""
        try:
            everything = list_for_review(self.db_path, chain=PENDING)
        except GroupKapError:
            everything = []  # refresh() says what is wrong
        today = date.today()
        days = [datetime.fromtimestamp(s.started_at).date() for s in everything] or [today]
        for edit, value in ((self.since_edit, min(days)), (self.until_edit, max(*days, today))):
            edit.blockSignals(True)
            edit.setDate(QDate(value.year, value.month, value.day))
            edit.blockSignals(False)

    def filter_range(self) -> tuple[float, float]:
        """The date filter as UTC epoch seconds (start of the first day, end of the last)."""
        first = self.since_edit.date().toPython()
        last = self.until_edit.date().toPython()
        return day_bounds(min(first, last), max(first, last))

    def refresh(self) -> None:
        """List the sessions the filter lets through (newest first)."""
        since, until = self.filter_range()
        alias = self.alias_edit.text().strip() or None
        try:
            rows = list_for_review(
                self.db_path,
                since=since,
                until=until,
                participant=alias,
                chain=self.chain or PENDING,
            )
        except GroupKapError as exc:
            rows = []
            self.message.setText(str(exc))
            self.message.setStyleSheet(f"color: {theme.WARNING_TEXT};")
        else:
            self.message.setStyleSheet("")
            self.message.setText(self._count_words(len(rows), alias))
        self.listings = rows
        self.model.beginResetModel()
        self.model.rows = list(rows)
        self.model.endResetModel()
        fit_columns(self.view, MAX_COLUMN_PX)
        self.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        if rows:
            self.view.selectRow(0)
        self.open_button.setEnabled(bool(rows))
        self.audit_session_action.setEnabled(bool(rows))

    def _count_words(self, count: int, alias: str | None) -> str:
        who = f" with a participant like “{alias}”" if alias else ""
        if count == 0:
            return f"No sessions{who} in these dates. Widen the dates or clear the participant."
        noun = "session" if count == 1 else "sessions"
        return f"{count} {noun}{who}. Enter or double-click opens one, read-only."

    def selected_id(self) -> str | None:
        """The selected session's id, or None when none is."""
        index = self.view.currentIndex()
        return self.listings[source_row(self.view, index.row())].id if index.isValid() else None

    def open_selected(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self._open_row(index.row())

    def _open_row(self, proxy_row: int) -> None:
        self.opened.emit(self.listings[source_row(self.view, proxy_row)].id)
