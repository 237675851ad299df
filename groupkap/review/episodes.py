"""Alarm episodes rebuilt from the log: one per alarm from raised to cleared, with its answer.

The engine logs transitions (`alarm.raised`, `.escalated`, `.acknowledged`, `.reminded`,
`.cleared`, `.reset`); a lead asks about episodes: what sounded, how high it went, who
answered and how fast. An episode starts at an `alarm.raised` for an alarm id that has no
open episode. A later `alarm.raised` of the same id is that episode rising (`from_priority`)
or its condition coming back while a high alarm was still latched (`returned`).

`cleared_at` is when the condition ended: the `alarm.cleared` event. A high physiological
alarm stays latched on the tile after that until a person resets it (`alarm.reset`); its
episode ends at the reset, but its condition had cleared earlier, and that earlier time is
the one a lead reads as the alarm's duration. A latched alarm whose condition came back
has not cleared; one reset without a logged clear cleared at the reset.
"""

from __future__ import annotations

from collections.abc import Iterable

from groupkap.alarms.model import ALARM_KINDS, rank
from groupkap.alarms.pauses import ROOM
from groupkap.review.model import AlarmEpisode
from groupkap.store.queries import LoggedEvent


def _higher(a: str, b: str | None) -> str:
    return b if b is not None and rank(b) > rank(a) else a


def alarm_episodes(events: Iterable[LoggedEvent]) -> tuple[AlarmEpisode, ...]:
    """Every alarm episode in the events (log order), in the order raised."""
    episodes: list[dict] = []
    open_: dict[str, dict] = {}
    for e in events:
        if e.kind not in ALARM_KINDS:
            continue
        d, alarm_id = e.data, e.data.get("alarm_id")
        ep = open_.get(alarm_id)
        if e.kind == "alarm.raised" and ep is None:
            pid = e.participant_id if e.participant_id not in (None, ROOM) else None
            ep = open_[alarm_id] = {
                "alarm_id": alarm_id,
                "participant_id": pid,
                "seat": (d.get("seat") or None) if pid is not None else None,
                "key": str(d.get("key", "")),
                "priority": str(d.get("priority", "")),
                "technical": bool(d.get("technical")),
                "text": str(d.get("text", "")),
                "raised_at": e.t,
            }
            episodes.append(ep)
        elif ep is None:
            continue  # a transition of an alarm raised before the log's start
        elif e.kind in ("alarm.raised", "alarm.escalated"):
            ep["priority"] = _higher(ep["priority"], d.get("priority"))
            if e.kind == "alarm.escalated" or d.get("from_priority") is not None:
                ep["escalations"] = ep.get("escalations", 0) + 1
            if d.get("returned"):
                ep["cleared_at"] = None  # the latched alarm's condition is back
        elif e.kind == "alarm.acknowledged":
            if ep.get("acknowledged_at") is None:
                ep["acknowledged_at"], ep["acknowledged_by"] = e.t, e.actor
        elif e.kind == "alarm.reminded":
            ep["reminders"] = ep.get("reminders", 0) + 1
        elif e.kind == "alarm.cleared":
            ep["cleared_at"] = e.t
            if not d.get("latched"):
                del open_[alarm_id]
        elif e.kind == "alarm.reset":
            if ep.get("cleared_at") is None:
                ep["cleared_at"] = e.t
            del open_[alarm_id]
    return tuple(AlarmEpisode(**ep) for ep in episodes)


def counts_by_priority(episodes: Iterable[AlarmEpisode]) -> dict[str, int]:
    """priority -> how many episodes reached it as their highest, high first."""
    counts = {"high": 0, "medium": 0, "low": 0}
    for ep in episodes:
        counts[ep.priority] = counts.get(ep.priority, 0) + 1
    return counts


def unanswered(ep: AlarmEpisode) -> bool:
    """Nobody acknowledged it while it was raised."""
    return ep.acknowledged_at is None
