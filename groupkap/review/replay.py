"""What the room showed at any moment of a stored session, rebuilt from its log alone.

Replay (training, incident review) puts a past session back on the live room's tiles. The
tiles ask what they ask of a live room: who sits where, each one's protocol (T0, checks done,
discharge), the alarms shown and whether they were acknowledged, the music playing. Here
each answer is rebuilt from the log up to the moment `t`, never judged again from the
stored vitals: a replay shows what the room showed, including an alarm nobody answered.

Playing forward applies the events as the moment passes them; a seek back starts again from
the first event. The vitals themselves come from `groupkap.sources.replay.ReplaySource` and,
after a seek, from `refill_tiles` (the refill a resumed session uses).
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from groupkap.errors import BadInputError, GroupKapError, no_session
from groupkap.hand_entries import HandEntry
from groupkap.protocol.config import ProtocolConfig
from groupkap.protocol.group import Protocol
from groupkap.protocol.replay import restore_protocol
from groupkap.review.replay_shown import ReplayAlarms, ReplayMusic
from groupkap.room.buffers import SeatVitals
from groupkap.room.model import Participant, Room, room_layout
from groupkap.room.refill import refill_vitals
from groupkap.store import queries

# The events that change a participant's protocol (restore_protocol reads them).
PROTOCOL_KINDS = frozenset(
    {
        "screening.completed",
        "readiness.confirmed",
        "dose.given",
        "check.recorded",
        "observation.entered",
        "entry.struck",
        "dissociation.attested",
        "adverse_event.recorded",
        "adverse_event.resolved",
        "scale.scored",
        "discharge.ready",
        "discharge.ready_withdrawn",
        "discharge.signed",
        "participant.removed",
    }
)


class ReplayWritesNothing(GroupKapError):
    """Something tried to record an event while replaying: a replay never writes."""


def _refuse(kind: str, *_args) -> None:
    raise ReplayWritesNothing(f"a replay records nothing (tried to log {kind})")


@dataclass
class Passed:
    """What changed on the way to a later moment.

    Attributes:
        seating: someone joined, moved, was renamed or left (tiles re-bind).
        struck: (participant id, param, t, value) of hand values struck or corrected: they
            leave the tile as they did on the day.
        events: how many events were passed.
    """

    seating: bool = False
    struck: list[tuple[str, str, float, float]] = field(default_factory=list)
    events: int = 0


class _Moment:
    """The replay's moment as a Clock, for the protocol's time-dependent answers."""

    def __init__(self, replay: RoomReplay) -> None:
        self._replay = replay

    def now(self) -> float:
        return self._replay.t


class RoomReplay:
    """A stored session's room at one moment `t`, moved by `advance` and `seek`.

    Attributes:
        session_id, title: the session.
        started_at, ended_at: its span (ended_at: its end, or the last thing it recorded).
        t: the moment shown.
        room: seats and who sat on them at `t` (aliases only: a replay never shows a name);
            the same object throughout, so a grid built on it follows.
        alarms: the alarms shown at `t` (ReplayAlarms).
        protocol: each participant's protocol as it stood at `t`.
        music: the music chips at `t` (ReplayMusic).
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        session_id: str,
        *,
        config: ProtocolConfig | None = None,
        start: float | None = None,
    ) -> None:
        row = queries.session_row(conn, session_id)
        if row is None:
            raise no_session(session_id)
        self._conn = conn
        self.session_id = session_id
        self.title = row["title"] or ""
        self.started_at = float(row["started_at"])
        ended = row["ended_at"]
        if ended is None:  # interrupted, or running in another window: up to its last row
            ended = queries.last_recorded_time(conn, session_id) or self.started_at
        self.ended_at = float(ended)
        self._events = queries.events(conn, session_id)
        self._times = [e.t for e in self._events]
        self._config = config or ProtocolConfig()
        self.room = Room(room_layout(row["seats"]))
        self.t = self.started_at
        self._next = 0  # index of the first event not yet applied
        self.seek(self.started_at if start is None else start)

    # -- moving -------------------------------------------------------------------------
    def seek(self, t: float) -> Passed:
        """Show the room at `t`, forwards or back: everything is rebuilt from the first
        event (a few thousand events: milliseconds)."""
        self.t = self._clamp(t)
        self.room.participants.clear()
        self.alarms = ReplayAlarms(lambda: self.t)
        self.music = ReplayMusic()
        self._hand: dict[str, HandEntry] = {}
        self._next = 0
        passed = self._apply_until(self.t)
        passed.seating = True
        self._rebuild_protocol()
        return passed

    def advance(self, until: float, *, cuff_measured: bool = False) -> Passed:
        """Move forward to `until`, applying the events passed on the way. `cuff_measured`:
        a monitor BP arrived on the way (the protocol's discharge rule reads the newest)."""
        until = self._clamp(until)
        if until < self.t:
            raise BadInputError("a replay advances forwards; seek to go back")
        self.t = until
        before = self._next
        passed = self._apply_until(until)
        if cuff_measured or any(
            self._events[i].kind in PROTOCOL_KINDS for i in range(before, self._next)
        ):
            self._rebuild_protocol()
        return passed

    def _clamp(self, t: float) -> float:
        return min(max(float(t), self.started_at), self.ended_at)

    def _apply_until(self, t: float) -> Passed:
        passed = Passed()
        # In log order: an event logged a moment "earlier" than the one before it (threads
        # stamping their own times) waits its turn rather than jumping the queue.
        while self._next < len(self._times) and self._times[self._next] <= t:
            self._apply(self._events[self._next], passed)
            self._next += 1
            passed.events += 1
        return passed

    def _apply(self, e: queries.LoggedEvent, passed: Passed) -> None:
        kind, pid, data = e.kind, e.participant_id, e.data
        if kind.startswith("participant.") and pid is not None:
            self._seat(kind, pid, data)
            passed.seating = True
        elif kind == "observation.entered":
            self._hand[data["entry_id"]] = HandEntry(
                pid, data["values"], data["t_measured"], data["taken_by"]
            )
            passed.struck += self._strike(data.get("corrects"))
        elif kind == "entry.struck":
            passed.struck += self._strike(data.get("entry_id"))
        self.alarms.apply(e)
        self.music.apply(e)

    def _seat(self, kind: str, pid: str, data: dict) -> None:
        people = self.room.participants
        if kind == "participant.added":
            # The alias only: a replay is shown to trainees and never draws a name.
            people[pid] = Participant(alias=data["alias"], seat=data["seat"], id=pid)
        elif pid not in people:
            return
        elif kind == "participant.renamed":
            people[pid].alias = data["alias"]
        elif kind == "participant.seated":
            people[pid].seat = data["seat"]
        elif kind == "participant.removed":
            del people[pid]
            self.alarms.forget(pid)
            self.music.forget(pid)

    def _strike(self, entry_id: str | None) -> list[tuple[str, str, float, float]]:
        entry = self._hand.get(entry_id) if entry_id else None
        if entry is None or entry.struck:
            return []
        entry.struck = True
        return [(entry.pid, param, entry.t, value) for param, value in entry.values.items()]

    def _rebuild_protocol(self) -> None:
        self.protocol = Protocol(_Moment(self), _refuse, self._config)
        restore_protocol(self.protocol, self._conn, self.session_id, until=self.t)

    # -- what the tiles need besides the log --------------------------------------------
    def fresh_vitals(self, *, trend_s: float, pleth_s: float) -> dict[str, SeatVitals]:
        """New buffers for everyone seated at `t`, filled from the store with what their
        tile showed then: the trend span, the last BP and temperature, the last pleth (the
        refill of a resumed session; struck hand values stay out)."""
        vitals = {pid: SeatVitals(p.seat) for pid, p in self.room.participants.items()}
        struck = [e for e in self._hand.values() if e.struck]
        refill_vitals(
            self._conn,
            self.session_id,
            vitals,
            until=self.t,
            trend_s=trend_s,
            pleth_s=pleth_s,
            struck=struck,
        )
        return vitals

    def t0_of(self, pid: str) -> float | None:
        p = self.protocol.participants.get(pid)
        return None if p is None else p.t0

    @property
    def events_passed(self) -> int:
        return self._next


def clock_time(t: float, *, seconds: bool = True) -> str:
    """Local clock time, as the room's wall clock read then: `11:42:10` (or `11:42`)."""
    return datetime.fromtimestamp(t).strftime("%H:%M:%S" if seconds else "%H:%M")


def since_t0(t: float, t0: float | None) -> str:
    """`T0 +45 min` (whole minutes since the dose, as the tile counts them), `T0 −3 min`
    before it, empty when not dosed."""
    if t0 is None:
        return ""
    if t < t0:
        return f"T0 −{math.ceil((t0 - t) / 60)} min"
    return f"T0 +{int((t - t0) // 60)} min"


def moment_label(t: float, t0: float | None = None, seat: int | None = None) -> str:
    """The replay's moment for the transport bar: `T = 11:42:10 (T0 +45 min for seat 3)`."""
    label = f"T = {clock_time(t)}"
    relative = since_t0(t, t0)
    if relative and seat is not None:
        label += f" ({relative} for seat {seat})"
    return label


def session_date(t: float) -> str:
    """The session's day as a lead names it: `Mon 30 Nov 2026`."""
    return datetime.fromtimestamp(t).strftime("%a %d %b %Y")
