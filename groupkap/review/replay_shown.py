"""The alarms and the music a replayed room showed, rebuilt event by event from the log.

A replay shows what the room showed, never what today's rules would make of the stored
values: an alarm is on a tile from its `alarm.raised` to its `alarm.cleared` (or `reset`),
acknowledged from its `alarm.acknowledged`, at the priority the log gives it; nothing is
judged again. Both classes answer the same questions as the live objects the room grid asks
(`AlarmEngine`, `MusicDirector`), so the grid draws a replay with the tiles of a live room.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from groupkap.alarms.limits import LimitSet, limits_from_description
from groupkap.alarms.model import Alarm
from groupkap.alarms.pauses import ROOM
from groupkap.store.queries import LoggedEvent


class ReplayAlarms:
    """The alarms shown at the replayed moment, the audio pauses and the limits in force.

    Read-only: it has no acknowledge, pause or reset; the grid only reads it.

    Attributes:
        alarms: the alarms shown, by alarm id (what `AlarmEngine.alarms` held then).
        limits: the clinic's limits in force (from `limits.applied` and clinic-wide
            `limits.changed`); participant_limits: each participant's own.
    """

    KINDS = ("alarm.", "limits.")

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.alarms: dict[str, Alarm] = {}
        self.limits = LimitSet({}, "the session log")
        self.participant_limits: dict[str, LimitSet] = {}
        self._pauses: dict[str, float] = {}  # scope (ROOM or a participant id) -> until

    def apply(self, e: LoggedEvent) -> None:
        """Take one logged event (any kind; those not about alarms or limits are ignored)."""
        data = e.data
        if e.kind == "limits.applied":
            self.limits = LimitSet(
                {p: limits_from_description(p, d) for p, d in data["limits"].items()},
                data.get("source", "the session log"),
            )
        elif e.kind == "limits.changed":
            self._limits_changed(e)
        elif e.kind == "alarm.audio_paused":
            scope = e.participant_id if data.get("scope") == "participant" else ROOM
            self._pauses[scope] = float(data.get("until_t", e.t + data.get("duration_s", 0)))
        elif e.kind in ("alarm.raised", "alarm.escalated"):
            self._raised(e)
        elif e.kind == "alarm.acknowledged":
            alarm = self.alarms.get(data.get("alarm_id"))
            if alarm is not None:
                alarm.acknowledged_at = e.t
        elif e.kind == "alarm.cleared" and data.get("latched"):
            alarm = self.alarms.get(data.get("alarm_id"))
            if alarm is not None:  # a high alarm stays shown until a person resets it
                alarm.condition_active = False
        elif e.kind in ("alarm.cleared", "alarm.reset"):
            self.alarms.pop(data.get("alarm_id"), None)

    def _raised(self, e: LoggedEvent) -> None:
        data = e.data
        alarm = self.alarms.get(data["alarm_id"])
        if alarm is None:
            alarm = Alarm(
                data["alarm_id"],
                e.participant_id,
                data.get("seat"),
                data["key"],
                data.get("technical", False),
                data["priority"],
                data["text"],
                data.get("value"),
                data.get("limit"),
                raised_at=e.t,
                unacknowledged_since=e.t,
            )
            self.alarms[alarm.id] = alarm
        alarm.priority, alarm.text = data["priority"], data["text"]
        alarm.value, alarm.limit = data.get("value"), data.get("limit")
        alarm.seat = data.get("seat", alarm.seat)
        if e.kind == "alarm.escalated":
            alarm.escalated = True
        else:  # raised, raised higher or back while latched: unacknowledged from now
            alarm.condition_active, alarm.acknowledged_at = True, None
            alarm.unacknowledged_since = e.t
        for scope in data.get("broke_through_pause", ()):  # it sounded through a pause
            self._pauses.pop(ROOM if scope == "room" else e.participant_id, None)

    def _limits_changed(self, e: LoggedEvent) -> None:
        data, pid = e.data, e.participant_id
        participant = data.get("scope") == "participant" and pid is not None
        current = self.limits_for(pid) if participant else self.limits
        params = dict(current.params)
        if data.get("new") is None:
            params.pop(data["param"], None)
        else:
            params[data["param"]] = limits_from_description(data["param"], data["new"])
        changed = replace(current, params=params, source=data.get("source", current.source))
        if participant:
            self.participant_limits[pid] = changed
        else:
            self.limits = changed

    def forget(self, pid: str) -> None:
        """A participant left the room: their alarms left the tiles with them."""
        for alarm_id in [a.id for a in self.alarms.values() if a.participant_id == pid]:
            del self.alarms[alarm_id]
        self._pauses.pop(pid, None)

    # -- what the room grid asks (the live AlarmEngine's questions) -----------------------
    def limits_for(self, pid: str) -> LimitSet:
        return self.participant_limits.get(pid, self.limits)

    def off_params(self, pid: str | None = None) -> dict[str, str]:
        return (self.limits_for(pid) if pid else self.limits).off()

    def pause_remaining(self, pid: str | None = None) -> float | None:
        """Seconds left then of the audio pause covering `pid` (or the room), else None."""
        now = self._now()
        left = [u - now for s, u in self._pauses.items() if s in (ROOM, pid) and u > now]
        return max(left) if left else None

    def active(self) -> list[Alarm]:
        return list(self.alarms.values())

    def room_alarms(self) -> list[Alarm]:
        """The alarms of the whole room (the listener down, the log not written): no tile
        shows them, so the replay window says them in words."""
        return [a for a in self.alarms.values() if a.participant_id in (None, ROOM)]


@dataclass
class SeatTune:
    """One participant's music as the log tells it.

    Attributes: piece (playing, or None), phase (the arc section), ducked, silenced,
    discharged (silenced at discharge), note (a problem the chip keeps saying)."""

    piece: str | None = None
    phase: str | None = None
    ducked: bool = False
    silenced: bool = False
    discharged: bool = False
    note: str = ""

    @property
    def state(self) -> str:
        if self.note.startswith("no output"):
            return "no output"
        if self.silenced:
            return "silenced"
        if self.piece is None:
            return "stopped"
        return "ducked" if self.ducked else "playing"


class ReplayMusic:
    """The music chip of every participant at the replayed moment (`MusicDirector.chip`).

    Attributes:
        seats: each participant's SeatTune, by participant id (only those who had music).
    """

    def __init__(self) -> None:
        self.seats: dict[str, SeatTune] = {}

    def apply(self, e: LoggedEvent) -> None:
        """Take one logged event (music events and the discharge; the rest is ignored)."""
        pid, data = e.participant_id, e.data
        if pid is None or not e.kind.startswith("music."):
            return
        tune = self.seats.setdefault(pid, SeatTune())
        tune.phase = data.get("phase", tune.phase)
        if e.kind == "music.track_started":
            tune.piece, tune.silenced = data.get("piece"), False
        elif e.kind == "music.track_ended":
            tune.piece = None
        elif e.kind == "music.ducked":
            tune.ducked = bool(data.get("on"))
        elif e.kind == "music.silenced":
            tune.silenced = True
            tune.discharged = tune.discharged or data.get("reason") == "discharged"
        elif e.kind == "music.skipped" and str(data.get("reason", "")).startswith("cannot play"):
            tune.note = f"skipped {data.get('piece') or 'a piece'}: cannot play it"
        elif e.kind == "music.device_lost":
            tune.note = "no output: check this seat's headphones"

    def forget(self, pid: str) -> None:
        self.seats.pop(pid, None)

    def chip(self, pid: str) -> str:
        """The tile's music chip, worded as the live director words it."""
        tune = self.seats.get(pid)
        if tune is None:
            return ""
        state = tune.state
        if tune.discharged and state in ("silenced", "stopped"):
            return "♪ ended at discharge"
        parts = [f"♪ {tune.piece}" if tune.piece and state != "silenced" else "♪ silence"]
        if tune.phase:
            parts.append(tune.phase)
        if state != "playing":
            parts.append(state)
        if tune.note:
            parts.append(f"⚠ {tune.note}")
        return " · ".join(parts)
