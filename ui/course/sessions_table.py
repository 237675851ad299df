"""The course page's sessions table: one row per session a person attended, oldest first,
every figure in the words a clinician reads (`ui.course.course_words`).

It is the review window's read-only, sortable table (`ui.tables`), over the frozen
`CourseSession` values of `groupkap.course.history`; "not recorded" is drawn dim, so a gap
stands out from a reading without colour being the only cue (the words say it).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from ui import theme
from ui.course import course_words as words
from ui.tables import Column, RowsModel, fit_columns, table_view

WIDEST = 320  # the music and adverse-event cells are cut short with … (the tooltip has all)
MUSIC_PX = 120


def _dim_when_missing(text):
    """A column colour: dim for a value never recorded, the usual text otherwise."""
    return lambda row: theme.TEXT_DIM if text(row) == words.NOT_RECORDED else None


def _column(title: str, text, sort=None, tip=None) -> Column:
    return Column(title, text, sort, _dim_when_missing(text), tip)


def session_columns(sessions: Sequence) -> list[Column]:
    """Session (number and date), dose, peak BP, lowest SpO2, alarms, MOAA/S, CADSS, adverse
    events, circle, discharge, and last the music (the widest, cut short with …). Header and
    cell read as one phrase ("Peak BP" "152/94", "Discharge at" "T0+135 min"); the headers
    take two lines, so the eleven columns fit 1366 px."""
    number = {s.session_id: n for n, s in enumerate(sessions, start=1)}

    def session(s) -> str:
        return f"{number[s.session_id]} · {words.date(s.started_at)}"

    def session_tip(s) -> str:
        return f"Session {s.session_id}, seated as {s.alias}"

    return [
        _column("Session", session, lambda s: s.started_at, session_tip),
        _column("Dose", lambda s: words.dose(s.route, s.dose_mg), lambda s: s.dose_mg),
        _column(
            "Peak\nBP",
            lambda s: words.peak_bp(s.peak_sbp, s.peak_dbp),
            lambda s: (s.peak_sbp or 0, s.peak_dbp or 0),
        ),
        _column(
            "Lowest\nSpO2", lambda s: words.lowest_spo2(s.lowest_spo2), lambda s: s.lowest_spo2
        ),
        _column(
            "Alarms",
            lambda s: words.alarms(s.alarms, s.high_alarms),
            lambda s: (s.high_alarms or 0, s.alarms or 0),
        ),
        _column("MOAA/S\nlowest", lambda s: words.score(s.lowest_moaas), lambda s: s.lowest_moaas),
        _column(
            "CADSS\nhighest", lambda s: words.score(s.highest_cadss), lambda s: s.highest_cadss
        ),
        _column(
            "Adverse\nevents",
            lambda s: words.adverse_events(s.adverse_events),
            tip=lambda s: words.adverse_events(s.adverse_events),
        ),
        _column(
            "Circle",
            lambda s: words.circle(s.circle_turns, s.circle_passes),
            lambda s: s.circle_turns,
        ),
        _column(
            "Discharge\nat",
            lambda s: words.discharge(s.discharge_minute),
            lambda s: s.discharge_minute,
        ),
        _column(
            "Music",
            lambda s: words.pieces(s.pieces),
            lambda s: len(s.pieces),
            lambda s: "\n".join(s.pieces) or "No music was recorded for them",
        ),
    ]


def fit(view: QTableView) -> None:
    """Size the columns to their text, none wider than WIDEST; the music, last, starts
    narrow and stretches into what is left, so the figures fit without scrolling."""
    fit_columns(view, widest=WIDEST)
    view.horizontalHeader().resizeSection(len(COLUMN_TITLES) - 1, theme.px(MUSIC_PX))


COLUMN_TITLES = tuple(c.title for c in session_columns(()))


def sessions_view(sessions: Sequence, parent=None) -> tuple[RowsModel, QTableView]:
    """The model and its sortable view, oldest session first; the music, last, takes the
    width left over. Call `fit` again once the view is in its place (its font is known)."""
    model = RowsModel(sessions, session_columns(sessions), parent)
    view = table_view(model, parent)
    fit(view)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    view.setToolTip("Every session of this course; hover a cell for all of it")
    return model, view
