"""How the course page words a person's sessions: pure functions, no Qt.

Every figure a clinician reads on the course page comes through here, so the table, the
tooltips and the tests say the same thing the same way. A value that was never recorded
says "not recorded" (CLINICAL.md), never a blank, a dash or a 0 that could pass for a reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from groupkap.course.feedback import said_phrases, score_phrases

NOT_RECORDED = "not recorded"
NOT_DOSED = "not dosed"


def date(t: float | None) -> str:
    """The local date a session is filed under: `Thu 2027-01-14`."""
    if t is None:
        return NOT_RECORDED
    return datetime.fromtimestamp(t).strftime("%a %Y-%m-%d")


def short_date(t: float) -> str:
    """`14 Jan` for a plot's axis, where the year is in the window's title line."""
    moment = datetime.fromtimestamp(t)
    return f"{moment.day} {moment.strftime('%b')}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 turn`, `3 turns`, `1 pass`, `2 passes`."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def whole(value: float) -> str:
    return f"{value:.0f}"


def dose(route: str | None, dose_mg: float | None) -> str:
    """`IM 40 mg`, `SL 200 mg`; `not dosed` when the session gave no dose."""
    if route is None and dose_mg is None:
        return NOT_DOSED
    amount = f"{dose_mg:g} mg" if dose_mg is not None else "dose not recorded"
    return " ".join(part for part in (route or "", amount) if part)


def peak_bp(sbp: float | None, dbp: float | None) -> str:
    """`152/94` (the highest systolic and the highest diastolic of the session)."""
    if sbp is None and dbp is None:
        return NOT_RECORDED
    return f"{whole(sbp) if sbp is not None else '?'}/{whole(dbp) if dbp is not None else '?'}"


def lowest_spo2(value: float | None) -> str:
    """`93 %`."""
    return NOT_RECORDED if value is None else f"{whole(value)} %"


def score(value: int | float | None) -> str:
    """A MOAA/S or CADSS figure as recorded: `3`, `21`."""
    return NOT_RECORDED if value is None else whole(value)


def alarms(count: int | None, high: int | None) -> str:
    """`4 (1 high)`, `2`, `none`."""
    if count is None:
        return NOT_RECORDED
    if count == 0:
        return "none"
    return f"{count} ({high} high)" if high else str(count)


def adverse_events(events: Sequence[str] | int | None) -> str:
    """The adverse events recorded, in their own words, or `none recorded`."""
    if events is None:
        return NOT_RECORDED
    if isinstance(events, int):
        return "none recorded" if events == 0 else plural(events, "event")
    return ", ".join(events) if events else "none recorded"


def pieces(titles: Sequence[str]) -> str:
    """`3 pieces: Tide, Dawn, …` (the tooltip lists them all)."""
    if not titles:
        return "no music recorded"
    return f"{plural(len(titles), 'piece')}: {', '.join(titles)}"


def circle(turns: int | None, passes: int | None) -> str:
    """`3 turns, 1 pass`; `not recorded` when the session held no circle for them."""
    if turns is None and passes is None:
        return NOT_RECORDED
    return f"{plural(turns or 0, 'turn')}, {plural(passes or 0, 'pass', 'passes')}"


def discharge(minute: float | None) -> str:
    """`T0+135 min`: when they were discharged, counted from their dose."""
    if minute is None:
        return NOT_RECORDED
    sign = "+" if minute >= 0 else "\u2212"
    return f"T0{sign}{abs(minute):.0f} min"


def position(sessions_done: int, sessions_planned: int | None, next_due: str | None) -> str:
    """`session 4 of 6 planned · next booster due 2027-02-01`: where the course stands."""
    if sessions_planned is None:
        done = f"session {sessions_done}" if sessions_done else "no sessions yet"
        words = f"{done} · no course planned"
    elif sessions_done == 0:
        words = f"no sessions yet · {sessions_planned} planned"
    elif sessions_done > sessions_planned:
        words = f"session {sessions_done} · {sessions_planned} were planned"
    else:
        words = f"session {sessions_done} of {sessions_planned} planned"
    if next_due:
        words += f" · next booster due {next_due}"
    return words


def feedback(fb) -> str:
    """One line of a session's feedback: `liking 2/10, resonance 4/10 · music distracting ·
    anxiety: peak · nausea · helped: breathing`; `no feedback recorded` without it.

    The free text is care-team only and never part of this line."""
    if fb is None:
        return "no feedback recorded"
    scores = ", ".join(score_phrases(fb)) or "music scores not recorded"
    return " · ".join([scores, *said_phrases(fb)])


def flag_lines(points_by_scale) -> list[str]:
    """`raised Tue 2025-03-04: PHQ-9 item 9 positive: self-harm thoughts …`: every flag an
    outcome raised over the course, oldest first, with the day it was scored (whether it is
    still open is the course's `open_flags`)."""
    lines = []
    for points in points_by_scale.values():
        for point in points:
            lines += [(point.t, f"raised {date(point.t)}: {flag}") for flag in point.flags]
    return [text for _, text in sorted(lines)]
