"""The review window's tables: every alarm with its response time, the protocol's requirements
per participant, and the sharing circle's fairness.

Each is a read-only Qt model over the frozen values of `groupkap.review.model`; the words come
from `ui.review.pdf_text`, so the window and the PDF report say the same thing the same way.
The tables themselves (a column's words, sort value, colour; the sortable view) are the
shared `ui.tables`, imported here under their old names.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableView, QTabWidget, QVBoxLayout, QWidget

from groupkap.review.model import (
    AlarmEpisode,
    CircleStats,
    ParticipantSummary,
    SessionSummary,
)
from ui import theme
from ui.review.pdf_text import NOT_APPLICABLE, clock, duration, flag
from ui.tables import (  # noqa: F401 (SORT_ROLE, fit_columns: imported from here too)
    SORT_ROLE,
    Column,
    RowsModel,
    fit_columns,
    source_row,
    table_view,
)

PRIORITY_RANK = {"high": 3, "medium": 2, "low": 1}
MET_COLOURS = {True: theme.CHECK_FILL, False: theme.WARNING_TEXT, None: theme.TEXT_DIM}
MET_WORDS = {True: "met", False: "not met", None: "n/a"}
NOT_ACKNOWLEDGED = "not acknowledged"
STILL_ACTIVE = "still active at the end"


def who(summary: SessionSummary, participant_id: str | None, seat: int | None = None) -> str:
    """`3 · M.K.` for a participant, `room` for a room alarm: seat and alias, never a name."""
    if participant_id is None:
        return "room" if seat is None else f"{seat} · room"
    try:
        p = summary.participant(participant_id)
    except KeyError:
        return f"{seat or '?'} · ?"
    return f"{p.seat} · {p.alias}"


def alarm_columns(summary: SessionSummary) -> list[Column]:
    """Raised, seat and alias, what, priority, response (raised → acknowledged), by whom,
    how long it lasted."""
    return [
        Column("Raised", lambda e: clock(e.raised_at, seconds=True), lambda e: e.raised_at),
        Column(
            "Seat · participant",
            lambda e: who(summary, e.participant_id, e.seat),
            lambda e: (e.seat or 0, who(summary, e.participant_id, e.seat)),
        ),
        Column(
            "What",
            lambda e: e.text + (" (technical)" if e.technical else ""),
            tip=lambda e: _alarm_tip(e),
        ),
        Column(
            "Priority",
            lambda e: e.priority + (f" (rose {e.escalations}×)" if e.escalations else ""),
            lambda e: PRIORITY_RANK.get(e.priority, 0),
            lambda e: theme.ALARM_COLOURS.get(e.priority),
        ),
        Column(
            "Response",
            lambda e: duration(e.response_s, none=NOT_ACKNOWLEDGED),
            lambda e: e.response_s,
            lambda e: theme.WARNING_TEXT if e.response_s is None else None,
        ),
        Column("Acknowledged by", lambda e: e.acknowledged_by or NOT_APPLICABLE),
        Column(
            "Duration",
            lambda e: duration(e.duration_s, none=STILL_ACTIVE),
            lambda e: e.duration_s,
        ),
    ]


def _alarm_tip(e: AlarmEpisode) -> str:
    lines = [f"{e.priority} alarm {e.key}: {e.text}", f"raised {clock(e.raised_at, True)}"]
    if e.acknowledged_at is not None:
        lines.append(f"acknowledged {clock(e.acknowledged_at, True)} by {e.acknowledged_by}")
    if e.cleared_at is not None:
        lines.append(f"cleared {clock(e.cleared_at, True)}")
    if e.reminders:
        lines.append(f"{e.reminders} reminders sounded")
    return "\n".join(lines)


def requirement_names(participants: Sequence[ParticipantSummary]) -> list[str]:
    """Every requirement any participant has, in the protocol's order (first seen first)."""
    names: list[str] = []
    for p in participants:
        for item in p.compliance:
            if item.name not in names:
                names.append(item.name)
    return names


def _requirement(p: ParticipantSummary, name: str):
    return next((c for c in p.compliance if c.name == name), None)


def compliance_columns(participants: Sequence[ParticipantSummary]) -> list[Column]:
    """Seat and alias, then ✓ / ✗ / — per requirement with its evidence as the tooltip,
    then the participant's alarms by priority."""

    def cell(name: str) -> Column:
        def met(p):
            item = _requirement(p, name)
            return None if item is None else item.met

        return Column(
            name,
            lambda p: f"{flag(met(p))} {MET_WORDS[met(p)]}",
            lambda p: {True: 2, None: 1, False: 0}[met(p)],
            lambda p: MET_COLOURS[met(p)],
            lambda p: item.detail if (item := _requirement(p, name)) else "does not apply",
        )

    def alarms(p: ParticipantSummary) -> str:
        counts = [f"{p.alarm_counts[k]} {k}" for k in PRIORITY_RANK if p.alarm_counts.get(k)]
        return ", ".join(counts) or "none"

    return [
        Column("Seat · participant", lambda p: f"{p.seat} · {p.alias}", lambda p: p.seat),
        *(cell(name) for name in requirement_names(participants)),
        Column(
            "Alarms",
            alarms,
            lambda p: tuple(p.alarm_counts.get(k, 0) for k in PRIORITY_RANK),
        ),
    ]


def circle_columns() -> list[Column]:
    """Speaker, time spoken, share of all spoken time, turns, passes, time over the fair share."""
    return [
        Column("Speaker", lambda s: s.alias),
        Column("Spoke", lambda s: duration(s.spoken_s), lambda s: s.spoken_s),
        Column("Share", lambda s: f"{s.share * 100:.0f} %", lambda s: s.share),
        Column("Turns", lambda s: str(s.turns), lambda s: s.turns),
        Column("Passes", lambda s: str(s.passes), lambda s: s.passes),
        Column(
            "Over fair share",
            lambda s: duration(s.overtime_s) if s.overtime_s > 0 else NOT_APPLICABLE,
            lambda s: s.overtime_s,
        ),
    ]


def circle_words(circle: CircleStats | None) -> str:
    """The circle in one line: when, each speaker's fair share, and the Gini figure explained."""
    if circle is None:
        return "No sharing circle was held in this session."
    end = clock(circle.ended_at) if circle.ended_at is not None else "cut short"
    gini = (
        f"Gini {circle.gini:.2f} (0 = everyone spoke equally, 1 = one person spoke)"
        if circle.gini is not None
        else "Gini: not enough speaking time to tell"
    )
    return (
        f"Circle {clock(circle.started_at)}–{end} · fair share "
        f"{duration(circle.fair_share_s)} each · {gini}"
    )


class SessionTables(QTabWidget):
    """The tabs under the plots: every alarm, the compliance summary, the circle.

    The models and the tabs' titles are made at once; the compliance and circle tables are
    laid out the first time their tab is shown (or asked for): a window opens sooner
    without sizing tables nobody has looked at yet, and what they show is the same.

    Attributes:
        alarm_model, alarm_view: every alarm episode (sorted by when raised).
        compliance_model, compliance_view: ✓ / ✗ / — per participant and requirement.
        circle_model, circle_view: each speaker's share of the circle.
    """

    def __init__(self, summary: SessionSummary, parent=None) -> None:
        super().__init__(parent)
        self.setStyleSheet(f"font-size: {theme.px(15)}px;")
        self.alarm_model = RowsModel(summary.alarms, alarm_columns(summary))
        self.alarm_view = table_view(self.alarm_model)
        self.alarm_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        unanswered = sum(1 for e in summary.alarms if e.response_s is None)
        self.addTab(self.alarm_view, f"Alarms ({len(summary.alarms)}, {unanswered} unanswered)")
        people = summary.participants
        self.compliance_model = RowsModel(people, compliance_columns(people))
        self._circle = summary.circle
        self.circle_model = RowsModel(
            summary.circle.speakers if summary.circle else (), circle_columns()
        )
        self._compliance_page, self._circle_page = QWidget(), QWidget()
        QVBoxLayout(self._compliance_page).setContentsMargins(0, 0, 0, 0)  # the table alone
        QVBoxLayout(self._circle_page)  # the words over the table
        self._compliance_view: QTableView | None = None
        self._circle_view: QTableView | None = None
        self.addTab(self._compliance_page, f"Compliance ({compliance_tab_words(people)})")
        self.addTab(self._circle_page, "Circle")
        self.currentChanged.connect(self._on_current_changed)

    @property
    def compliance_view(self) -> QTableView:
        if self._compliance_view is None:
            view = self._compliance_view = table_view(self.compliance_model)
            view.setToolTip("Hover a ✓ or ✗ for the evidence or the gap")
            self._compliance_page.layout().addWidget(view)
            view.show()  # at once, not on the next turn of the event loop (a page shown)
        return self._compliance_view

    @property
    def circle_view(self) -> QTableView:
        if self._circle_view is None:
            box = self._circle_page.layout()
            words = QLabel(circle_words(self._circle))
            words.setWordWrap(True)
            box.addWidget(words)
            words.show()
            view = self._circle_view = table_view(self.circle_model)
            box.addWidget(view, 1)  # in its page before it is shown: never a window of its own
            view.setVisible(self.circle_model.rowCount() > 0)
        return self._circle_view

    def _on_current_changed(self, index: int) -> None:
        page = self.widget(index)
        if page is self._compliance_page:
            self.compliance_view  # noqa: B018 (laid out on first show)
        elif page is self._circle_page:
            self.circle_view  # noqa: B018 (laid out on first show)


def compliance_tab_words(people: Sequence[ParticipantSummary]) -> str:
    """`✗ 2 with a gap`, `✓ all met`, or `— nothing applies` (nobody was dosed)."""
    unmet = sum(1 for p in people if p.compliant is False)
    if unmet:
        return f"{flag(False)} {unmet} with a gap"
    if any(p.compliant is not None for p in people):
        return f"{flag(True)} all met"
    return f"{flag(None)} nothing applies"
