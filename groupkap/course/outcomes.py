"""The outcome trend over a course, and the flags the team must see before the next session.

Outcome scales (PHQ-9, GAD-7, PCL-5) are scored between sessions and logged as `scale.scored`
in the session they were taken in, against that session's participant. Across a person's
sessions they make one series per scale, oldest first: the course view draws them over the
scale's severity bands (`groupkap.protocol.scales`).

A flag is open while the latest scoring of its scale still raises it (a later PHQ-9 without
item 9 closes the item-9 flag of an earlier one), and while an adverse event was never
resolved. Flags name the date they were raised on, never what anyone typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from groupkap.review.times import local_date
from groupkap.store.queries import LoggedEvent

OUTCOME_KINDS = ("scale.scored",)
FLAG_KINDS = ("scale.scored", "adverse_event.recorded", "adverse_event.resolved")
"""The event kinds the outcome series and the open flags are read from."""


@dataclass(frozen=True)
class OutcomePoint:
    """One scoring of an outcome scale in a person's course.

    Attributes:
        t: when it was scored (UTC epoch seconds).
        session_id: the session it was logged in.
        scale: the scale's name (`PHQ-9`).
        total: the total score.
        band: the severity band the total fell in when scored (`moderate`).
        flags: what the scoring raised for staff (`PHQ-9 item 9 positive: …`).
    """

    t: float
    session_id: str
    scale: str
    total: int
    band: str
    flags: tuple[str, ...] = ()


def outcome_series(events: Iterable[tuple[str, LoggedEvent]]) -> dict[str, list[OutcomePoint]]:
    """scale name -> its points in time order, from (session id, event) pairs (other kinds
    are passed over); scales in the order first scored."""
    points = sorted(
        (
            OutcomePoint(
                t=e.t,
                session_id=sid,
                scale=str(e.data.get("scale")),
                total=int(e.data.get("total", 0)),
                band=str(e.data.get("band") or ""),
                flags=tuple(e.data.get("flags") or ()),
            )
            for sid, e in events
            if e.kind == "scale.scored" and e.data.get("scale")
        ),
        key=lambda p: p.t,
    )
    series: dict[str, list[OutcomePoint]] = {}
    for p in points:
        series.setdefault(p.scale, []).append(p)
    return series


def flag_words(message: str, t: float) -> str:
    """`PHQ-9 item 9 positive on 2026-11-02`: a scale's flag as a short line with its date
    (the words before the flag's explanation)."""
    return f"{message.split(':', 1)[0].strip()} on {local_date(t)}"


def open_flags(
    series: dict[str, list[OutcomePoint]], events: Iterable[tuple[str, LoggedEvent]]
) -> tuple[str, ...]:
    """The flags still open: those of each scale's latest scoring, then every adverse event
    never resolved (`events`: (session id, event) pairs, log order)."""
    flags = [flag_words(f, points[-1].t) for points in series.values() for f in points[-1].flags]
    recorded: dict[tuple[str, str], LoggedEvent] = {}
    for sid, e in events:
        key = (sid, str(e.data.get("event_id")))
        if e.kind == "adverse_event.recorded":
            recorded[key] = e
        elif e.kind == "adverse_event.resolved":
            recorded.pop(key, None)
    for e in recorded.values():
        severity = e.data.get("severity")
        what = f"{severity} adverse event" if severity else "adverse event"
        occurred = e.data.get("t_occurred")
        numeric = isinstance(occurred, (int, float)) and not isinstance(occurred, bool)
        when = float(occurred) if numeric else e.t
        flags.append(f"{what} not resolved, from {local_date(when)}")
    return tuple(flags)
