"""The review window: one past session, read-only, for a clinic lead at a desk.

It reads the log through `groupkap.review` only (`load_summary` once, `load_series` for the
visible stretch, the newest values at the cursor) over one read-only connection: nothing here
can write, so a session still live in its own window can be reviewed beside it.

Layout, for a laptop at 1366×768 as well as 1920×1080: the banner; one participant at a time
(the list on the left picks who), their marks and four vital lanes on one time axis with the
cursor's readout under them; below, in tabs, the alarm table, the compliance summary and the
circle. A lead compares participants by switching with the list; the zoom and cursor stay.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from groupkap.review.model import ChainStatus, ParticipantSummary
from groupkap.review.series import has_series, load_series, session_struck_values
from groupkap.review.summary import load_summary
from groupkap.store.store import open_read_only
from ui import theme
from ui.review.banner import ReviewBanner
from ui.review.chain_check import check_in_background
from ui.review.legend import legend_html
from ui.review.people import participant_list
from ui.review.plots import PLOTTED, ReviewPlots
from ui.review.readout import CursorReadout, values_at
from ui.review.tables import SessionTables, source_row

log = logging.getLogger("groupkap.review")

EXPORT_FORMATS = (("pdf", "PDF report…"), ("csv", "CSV files…"), ("json", "JSON summary…"))
UNCHECKED = ChainStatus(True, "not checked yet")  # until the worker's verdict replaces it
CHECK_AFTER_SHOWN_MS = 1000  # the log's check starts by then even if the plots were not drawn


class ReviewWindow(QMainWindow):
    """A past session for a clinic lead: plots, cursor, alarms, compliance, circle.

    Attributes:
        db_path, session_id: what is shown.
        summary: the session as `load_summary(..., extremes=False)` read it (SessionSummary:
            no peaks or row counts, which the window does not show).
        participant: who the plots show now (ParticipantSummary), None for a session without
            participants.
        banner, plots, readout, people (the participants list), alarm_view, compliance_view,
        circle_view, tabs: its parts (tests read them).
    Signals:
        replay_requested(str): "Replay in room…" for this session id.
        export_requested(str, str): "Export…": the format (`pdf`, `csv`, `json`), the session id.
    """

    replay_requested = Signal(str)
    export_requested = Signal(str, str)

    def __init__(
        self, db_path: Path, session_id: str, parent=None, *, chain: ChainStatus | None = None
    ) -> None:
        super().__init__(parent)
        self.db_path, self.session_id = Path(db_path), session_id
        # Checking the whole log takes seconds on a big file: the window opens at once with
        # the banner saying so, and the check runs on a worker (unless `chain` is known).
        self.chain_checked = chain is not None
        # Without the peaks and row counts (the reports' figures, not shown here): finding
        # them reads every stored value, a third of a second for a long session.
        self.summary = load_summary(
            self.db_path, session_id, chain=chain or UNCHECKED, extremes=False
        )
        self._conn = open_read_only(self.db_path)
        self._struck = session_struck_values(self._conn, session_id)  # typos taken back
        self._loaded: tuple | None = None  # what the curves hold now: (pid, start, end, points)
        self._heart: dict[str, str] = {}  # participant -> "HR", or "PR" when there is no HR
        self.participant: ParticipantSummary | None = None
        self._sized = False
        self.setWindowTitle(f"Review · {self.summary.title} · {session_id} (read-only)")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._build()
        self.plots.set_span(self.summary.started_at, self.summary.ended_at)
        first = self.summary.participants[0] if self.summary.participants else None
        if first is not None:
            self.people.setCurrentRow(0)  # draws the first participant
        self.plots.set_cursor(first.t0 if first and first.t0 else self.summary.started_at)
        self._show_readout(self.plots.cursor_t)
        self._chain_bridge = None
        if not self.chain_checked:
            # Started once the plots are first drawn (or a second after showing, whichever
            # comes first): the check holds the interpreter for seconds, and the lead should
            # see the session first. The banner says the log is being checked meanwhile.
            self.plots.first_painted.connect(self._check_chain, Qt.ConnectionType.QueuedConnection)

    # -- building -----------------------------------------------------------------------
    def _build(self) -> None:
        self._build_toolbar()
        self.banner = ReviewBanner()
        self.banner.show_summary(self.summary, checking=not self.chain_checked)
        self.people = participant_list(self.summary.participants)
        self.people.currentRowChanged.connect(self._on_people_row_changed)
        self.plots = ReviewPlots()
        self.plots.cursor_moved.connect(self._show_readout)
        self.plots.range_settled.connect(self._on_plots_range_settled)
        self.readout = CursorReadout()
        self.tabs = SessionTables(self.summary)
        self.alarm_model, self.alarm_view = self.tabs.alarm_model, self.tabs.alarm_view
        self.compliance_model = self.tabs.compliance_model
        self.circle_model = self.tabs.circle_model
        self.alarm_view.selectionModel().currentRowChanged.connect(self._on_alarm_row_changed)
        self._legend_in_toolbar()
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(theme.px(2))
        column.addWidget(self.plots, 1)
        column.addWidget(self.readout)
        top = QWidget()
        row = QHBoxLayout(top)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.people)
        row.addWidget(right, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(theme.px(6), theme.px(4), theme.px(6), theme.px(6))
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._bind_keys()

    def _build_toolbar(self) -> None:
        bar = self.toolbar = QToolBar("Review")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.replay_action = QAction("Replay in room…", self)
        self.replay_action.triggered.connect(lambda: self.replay_requested.emit(self.session_id))
        bar.addAction(self.replay_action)
        menu = QMenu(self)
        self.export_actions = {}
        for fmt, words in EXPORT_FORMATS:
            action = menu.addAction(words)
            action.triggered.connect(
                lambda _=False, f=fmt: self.export_requested.emit(f, self.session_id)
            )
            self.export_actions[fmt] = action
        menu.addSeparator()
        # For research and QA: aliases only, dates shifted, staff by role (the exports say so).
        self.deidentify_action = menu.addAction("De-identified copy (aliases, dates shifted)")
        self.deidentify_action.setCheckable(True)
        export = QToolButton()
        export.setText("Export…")
        export.setMenu(menu)
        export.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        bar.addWidget(export)
        self.whole_action = QAction("Whole session", self)
        self.whole_action.setShortcut(QKeySequence("Ctrl+0"))
        self.whole_action.setToolTip("Zoom out to the whole session (Ctrl+0)")
        self.whole_action.triggered.connect(self.plots_whole)
        bar.addAction(self.whole_action)

    def _legend_in_toolbar(self) -> None:
        """The key to the plots' colours, at the toolbar's empty right end: no line of its own
        on a laptop screen."""
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        legend = QLabel(legend_html())
        legend.setStyleSheet(f"font-size: {theme.px(14)}px;")
        legend.setToolTip(
            "Bands: alarms, shaded deeper in the plot of their own parameter. Dashed lines: "
            "doses, checks, scales, adverse events and notes. Hover a mark for its words. "
            "Wheel or drag to zoom and pan; click to place the cursor; ← → move it."
        )
        self.toolbar.addWidget(legend)

    def deidentified(self) -> bool:
        """Whether Export… writes a de-identified copy (the menu's check box)."""
        return self.deidentify_action.isChecked()

    def plots_whole(self) -> None:
        self.plots.show_whole()

    def _bind_keys(self) -> None:
        # Window-wide, so the cursor moves whichever part has focus; ↑ ↓ stay with the lists.
        steps = {"Left": -1, "Right": 1, "Shift+Left": -10, "Shift+Right": 10}
        for key, step in steps.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda s=step: self.plots.step_cursor(s))
        for key, edge in (("Home", 0), ("End", 1)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda e=edge: self.plots.set_cursor(self.plots.span[e]))

    def _check_chain(self) -> None:
        """Verify the log on a worker thread (once); the banner shows the verdict when it
        comes."""
        if self.chain_checked or self._chain_bridge is not None:
            return
        self._chain_bridge = check_in_background(self.db_path, self._on_chain_checked, self)

    def _on_chain_checked(self, chain: ChainStatus) -> None:
        if not chain.intact:
            log.warning("%s: the log fails its check: %s", self.db_path, chain.detail)
        self.summary = replace(self.summary, chain=chain)
        self.chain_checked = True
        self.banner.show_summary(self.summary)

    # -- what is shown ------------------------------------------------------------------
    def show_participant(self, participant_id: str) -> None:
        """Draw `participant_id`'s alarms, marks and curves (zoom and cursor stay)."""
        p = self.summary.participant(participant_id)
        self.participant = p
        heart = self._heart_param(p.id)
        alarms = [e for e in self.summary.alarms if e.participant_id == p.id]
        marks = [m for m in self.summary.markers if m.participant_id in (p.id, None)]
        self.plots.show_participant(p.t0, alarms, marks, heart=heart)
        self._loaded = None
        self._load_visible()
        self._show_readout(self.plots.cursor_t)
        row = [i for i, q in enumerate(self.summary.participants) if q.id == p.id][0]
        if self.people.currentRow() != row:
            self.people.setCurrentRow(row)

    def _heart_param(self, pid: str) -> str:
        """HR, or PR when the participant has no ECG heart rate (as their tile showed)."""
        if pid not in self._heart:
            hr = has_series(self._conn, self.session_id, pid, "HR", struck=self._struck)
            self._heart[pid] = "HR" if hr else "PR"
        return self._heart[pid]

    def _load_visible(self) -> None:
        """Load the visible stretch, and half of it again either side so a pan starts full:
        bucketed to about one minimum and one maximum per pixel, every row when zoomed in."""
        if self.participant is None or self._conn is None:
            return
        start, end = self.plots.visible()
        margin = (end - start) / 2
        points = max(2000, 4 * self.plots.plot_width())
        key = (self.participant.id, start, end, points)
        if key == self._loaded:
            return
        self._loaded = key
        pid = self.participant.id
        heart = self._heart_param(pid)
        for param in PLOTTED:
            name = heart if param == "HR" else param
            series = load_series(
                self._conn,
                self.session_id,
                pid,
                name,
                start=start - margin,
                end=end + margin,
                max_points=points,
                struck=self._struck,
            )
            self.plots.set_series(name, series.t, series.value)

    def _show_readout(self, t: float) -> None:
        p = self.participant
        if p is None or self._conn is None:
            return
        values = values_at(self._conn, self.session_id, p.id, t, self._struck)
        self.readout.show_values(t, p.t0, values, who=f"{p.seat} · {p.alias}")

    # -- slots --------------------------------------------------------------------------
    def _on_people_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.summary.participants):
            pid = self.summary.participants[row].id
            if self.participant is None or self.participant.id != pid:
                self.show_participant(pid)

    def _on_plots_range_settled(self, start: float, end: float) -> None:
        self._load_visible()

    def _on_alarm_row_changed(self, current, _previous) -> None:
        if not current.isValid():
            return
        episode = self.alarm_model.rows[source_row(self.alarm_view, current.row())]
        if episode.participant_id is not None:
            self.show_participant(episode.participant_id)
        self.plots.set_cursor(episode.raised_at)

    def select_alarm(self, row: int) -> None:
        """Select the alarm table's (sorted) row `row`, as a click would."""
        index = self.alarm_view.model().index(row, 0)
        self.alarm_view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self._sized:  # the plots take two thirds, the tables the rest, at any height
            self._sized = True
            height = self.splitter.height()
            self.splitter.setSizes([round(height * 0.7), round(height * 0.3)])
            if not self.chain_checked:  # in case the plots are not drawn soon (minimised)
                QTimer.singleShot(CHECK_AFTER_SHOWN_MS, self, self._check_chain)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.plots.stop()
        if self._conn is not None:
            self._conn.close()
            self._conn = None  # a late signal finds nothing to read rather than a closed file
        super().closeEvent(event)


def open_review(db_path: Path, session_id: str | None, parent=None) -> QWidget:
    """The review window of `session_id`, or the session browser when None (a session it
    opens gets its own review window). Shown by the caller."""
    if session_id is not None:
        return ReviewWindow(db_path, session_id, parent)
    from ui.review.browser import SessionBrowser

    browser = SessionBrowser(db_path, parent)
    browser.windows = []

    def open_one(sid: str) -> None:
        window = ReviewWindow(db_path, sid, chain=browser.chain)  # checked once, if done
        browser.windows.append(window)
        window.destroyed.connect(lambda *_: browser.windows.remove(window))
        window.show()

    browser.opened.connect(open_one)
    return browser
