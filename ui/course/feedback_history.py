"""The course page's "Feedback and plan" tab: what the person said after each session, and
what the team carries into the next one.

The feedback table has a row per session (a session without feedback says so). The free text
is the care team's only (facilitator, medical, lead): for anyone else its column is left out,
not blanked. Under it, the plan carried forward: the team's adjustments after the last session
and the proposals from the last feedback the team has not decided on yet; a dose note is for
the prescriber and never changes a dose.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from groupkap.accounts import Account
from groupkap.accounts.permissions import CLINICAL
from groupkap.course.feedback import said_phrases
from groupkap.course.plan import PLAN_KINDS
from ui import theme
from ui.course import course_words as words
from ui.tables import Column, RowsModel, fit_columns, table_view

NOT_SAID = "nothing said"
SAID = 2  # "They said" takes the width left over (cut short with …, its tooltip has all)
WIDEST = 240
DOSE_NOTE = "dose_note"


def sees_free_text(account: Account | None) -> bool:
    """The free text is care-team only: facilitator, medical, lead (anyone without accounts)."""
    return account is None or (account.role in CLINICAL and not account.disabled)


def scores(fb) -> str:
    """`2, 4, 6 of 10` (liking, resonance, openness); a score not given says so."""
    if fb is None:
        return "no feedback recorded"
    values = (fb.liking, fb.resonance, fb.openness)
    if all(v is None for v in values):
        return words.NOT_RECORDED
    return ", ".join("not recorded" if v is None else str(v) for v in values) + " of 10"


def said(fb) -> str:
    """What they said of the session besides the scores, in one line: `music distracting ·
    avoid Tide · anxiety: peak · nausea`; `nothing said`."""
    return " · ".join(said_phrases(fb, helped=False)) or NOT_SAID


def feedback_columns(sessions: Sequence, free_text: bool) -> list[Column]:
    """Session, the three music scores, what they said (music, anxiety, physical effects),
    what helped, who filled the form in (and the free text, for the care team)."""
    number = {s.session_id: n for n, s in enumerate(sessions, start=1)}

    def of(text):
        return lambda s: "" if s.feedback is None else text(s.feedback)

    columns = [
        Column(
            "Session",
            lambda s: f"{number[s.session_id]} · {words.date(s.started_at)}",
            lambda s: s.started_at,
        ),
        Column(
            "Liking, resonance,\nopenness",
            lambda s: scores(s.feedback),
            colour=lambda s: theme.TEXT_DIM if s.feedback is None else None,
        ),
        Column("They said", of(said), tip=of(said)),
        Column("What helped", of(lambda fb: fb.helped or NOT_SAID), tip=of(lambda fb: fb.helped)),
        Column("Filled in", of(lambda fb: fb.filled_by)),
    ]
    if free_text:
        columns.append(
            Column(
                "Free text\n(care team)",
                of(lambda fb: fb.free_text or NOT_SAID),
                tip=of(lambda fb: fb.free_text),
            )
        )
    return columns


def adjustment_words(adjustment) -> str:
    """`silence next time: the music was distracting`, `leave out: Tide, Dawn`: one
    adjustment in the team's own words (the kind's meaning when they wrote none). A dose note
    always says it is for the prescriber and changes no dose."""
    text = adjustment.text or PLAN_KINDS.get(adjustment.kind, adjustment.kind)
    if adjustment.pieces and not all(p in text for p in adjustment.pieces):
        text += ": " + ", ".join(adjustment.pieces)
    if adjustment.kind == DOSE_NOTE and "prescriber" not in text:
        text = f"dose note for the prescriber (never applied to a dose): {text}"
    return text


def plan_words(course) -> str:
    """The plan carried into the next session, in lines."""
    plan = course.plan
    if plan is None:
        return "Nothing is carried into the next session yet."
    lines = []
    after = next((s for s in course.sessions if s.session_id == plan.last_session_id), None)
    since = f" after session {course.sessions.index(after) + 1}" if after else ""
    if plan.adjustments:
        lines.append(f"The team decided{since}:")
        lines += [f"  • {adjustment_words(a)}" for a in plan.adjustments]
    else:
        lines.append(f"The team has not adjusted the plan{since}.")
    if plan.proposals:
        lines.append("Proposed from the last feedback, not decided yet:")
        lines += [f"  • {adjustment_words(a)}" for a in plan.proposals]
    music = plan.music
    if music is not None and (music.silence or music.avoid):
        said = ["silence instead of music"] if music.silence else []
        if music.avoid:
            said.append("leave out " + ", ".join(sorted(music.avoid)))
        lines.append("Their music next time: " + "; ".join(said) + ".")
    return "\n".join(lines)


class FeedbackHistory(QWidget):
    """Feedback after each session, and the plan carried forward.

    Attributes:
        model, view: the feedback table (a row per session).
        plan_label: the carried plan in words.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model = RowsModel((), feedback_columns((), free_text=False))
        self.view: QTableView = table_view(self.model)
        self.plan_label = QLabel("")
        self.plan_label.setWordWrap(True)
        self.plan_label.setStyleSheet(f"font-size: {theme.px(16)}px;")
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.addWidget(self.view, 1)
        self._box.addWidget(self.plan_label)

    def show_course(self, course, account: Account | None) -> None:
        """A row per session of `course`, and its carried plan."""
        sessions = list(course.sessions)
        self.model = RowsModel(sessions, feedback_columns(sessions, sees_free_text(account)))
        view = table_view(self.model, stretch=SAID)
        self._box.replaceWidget(self.view, view)
        self.view.deleteLater()
        self.view = view
        view.ensurePolished()
        fit_columns(view, widest=WIDEST)
        view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.plan_label.setText(plan_words(course))
