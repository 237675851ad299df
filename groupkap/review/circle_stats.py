"""The sharing circle's fairness, read back from the log (timing only, never what was said).

A circle that ended carries its own figures in `circle.ended` (the circle computed them as
it closed). A circle cut short (the session ended or the process died first) has none, so
they are worked out from its `circle.turn_ended` and `circle.passed` events with the same
`groupkap.circle.stats.fairness` the circle uses. When a session held more than one circle,
the last one is read: the closing circle is the one a lead reviews.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from groupkap.circle.stats import Turn, fairness
from groupkap.review.model import CircleStats, SpeakerStats
from groupkap.store.queries import LoggedEvent


def circle_stats(
    events: Iterable[LoggedEvent], aliases: Mapping[str, str], seats: Mapping[str, int]
) -> CircleStats | None:
    """The last circle of the events (one session's, log order), None without a circle.
    `aliases` and `seats` name each participant id; speakers come in seat order."""
    start: LoggedEvent | None = None
    turns: list[LoggedEvent] = []
    reached: dict[str, None] = {}  # everyone the talking piece reached, in order
    ended: LoggedEvent | None = None
    for e in events:
        if e.kind == "circle.started":
            start, turns, reached, ended = e, [], {}, None
        elif start is not None and e.kind == "circle.turn_started" and e.participant_id:
            reached[e.participant_id] = None
        elif start is not None and e.kind in ("circle.turn_ended", "circle.passed"):
            turns.append(e)
        elif start is not None and e.kind == "circle.ended":
            ended = e
    if start is None:
        return None
    people = ended.data.get("fairness", {}).get("people") if ended is not None else None
    if people:
        gini = ended.data["fairness"].get("gini")
    else:
        figures = fairness(
            (
                Turn(
                    e.participant_id,
                    int(e.data.get("round", 1)),
                    float(e.data.get("duration_s", 0.0)),
                    float(e.data.get("overtime_s", 0.0)),
                    passed=e.kind == "circle.passed",
                )
                for e in turns
                if e.participant_id is not None
            ),
            reached,
        )
        people = figures.as_dict()["people"]
        gini = figures.as_dict()["gini"]
    speakers = tuple(
        SpeakerStats(
            participant_id=pid,
            alias=aliases.get(pid, pid),
            spoken_s=float(p.get("spoken_s", 0.0)),
            share=float(p.get("share", 0.0)),
            turns=int(p.get("turns", 0)),
            passes=int(p.get("passes", 0)),
            overtime_s=float(p.get("overtime_s", 0.0)),
        )
        for pid, p in sorted(people.items(), key=lambda item: (seats.get(item[0], 99), item[0]))
    )
    return CircleStats(
        started_at=start.t,
        ended_at=ended.t if ended is not None else None,
        fair_share_s=float(start.data.get("fair_share_s", 0.0)),
        gini=None if gini is None else float(gini),
        speakers=speakers,
    )
