"""Audio pauses: the room's, or one participant's, for a limited time (IEC 60601-1-8 "audio
paused"), broken through by any alarm raised later or raised higher than it was when paused.

The engine owns when a pause starts and what it records; this holds the pauses and answers
whether one silences an alarm now.
"""

from __future__ import annotations

from dataclasses import dataclass

from groupkap.alarms.model import Alarm, rank

ROOM = "room"  # the scope of a pause (and of technical alarms) that covers everyone


@dataclass
class Pause:
    until: float
    alarm_ranks: dict[str, int]  # the alarms it silences, at the priority they had


class AudioPauses:
    """Attributes: by_scope: ROOM or a participant id -> its pause."""

    def __init__(self) -> None:
        self.by_scope: dict[str, Pause] = {}

    def start(self, scope: str, until: float, alarms: list[Alarm]) -> list[str]:
        """Pause `scope` until `until`, silencing `alarms` at their priority; their ids."""
        self.by_scope[scope] = Pause(until, {a.id: rank(a.priority) for a in alarms})
        return sorted(a.id for a in alarms)

    def new_episode(self, alarm_id: str) -> None:
        """A new episode is new to every pause, even under an id a pause already holds."""
        for pause in self.by_scope.values():
            pause.alarm_ranks.pop(alarm_id, None)

    def break_through(self, alarm: Alarm) -> list[str]:
        """End the pauses `alarm` is louder than; which ended (`room`, `participant`)."""
        ended = []
        for scope in (ROOM, alarm.participant_id):
            pause = self.by_scope.get(scope)
            if pause and pause.alarm_ranks.get(alarm.id, 0) < rank(alarm.priority):
                del self.by_scope[scope]
                ended.append("room" if scope == ROOM else "participant")
        return ended

    def remaining(self, pid: str | None, now: float) -> float | None:
        """Seconds left of the pause covering `pid` (or the room-wide one), else None."""
        left = [
            p.until - now
            for s, p in self.by_scope.items()
            if (s == ROOM or s == pid) and p.until > now
        ]
        return max(left) if left else None

    def silences(self, alarm: Alarm, now: float) -> bool:
        for scope in (ROOM, alarm.participant_id):
            pause = self.by_scope.get(scope)
            if (
                pause
                and pause.until > now
                and pause.alarm_ranks.get(alarm.id, 0) >= rank(alarm.priority)
            ):
                return True
        return False

    def expire(self, now: float) -> None:
        for scope in [s for s, p in self.by_scope.items() if p.until <= now]:
            del self.by_scope[scope]

    def forget(self, pid: str) -> None:
        self.by_scope.pop(pid, None)
