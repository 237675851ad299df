"""A live session: the room, its vitals buffers, a source and the store, driven by a clock.

`LiveSession.pump()` is the heartbeat: it pulls everything the source has up to the clock's
now, files it into each participant's buffers and hands it to the store's writer. The UI calls
it from a timer; tests call it after advancing a simulated clock.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass

import numpy as np

from groupkap.alarms.engine import AlarmEngine
from groupkap.clock import Clock
from groupkap.params import PARAMETERS
from groupkap.protocol.room import Protocol
from groupkap.readings import Reading, WaveformBlock
from groupkap.room.buffers import SeatVitals
from groupkap.room.model import Participant, Room, Seat, room_layout
from groupkap.settings import Settings
from groupkap.sources.base import VitalsSource
from groupkap.store import Store

log = logging.getLogger("groupkap.session")


def _projection(session_id: str, kind: str, data: dict, pid: str | None,
                now: float) -> list[tuple[str, tuple]]:
    """Keep the readable `participants` table in step with each participant event."""
    if kind == "participant.added":
        return [("insert into participants (id, session_id, alias, full_name, seat, added_at) "
                 "values (?, ?, ?, ?, ?, ?)",
                 (pid, session_id, data["alias"], data.get("full_name"), data["seat"], now))]
    if kind == "participant.renamed":
        return [("update participants set alias = ?, full_name = ? where id = ?",
                 (data["alias"], data.get("full_name"), pid))]
    if kind == "participant.seated":
        return [("update participants set seat = ? where id = ?", (data["seat"], pid))]
    if kind == "participant.removed":
        return [("update participants set removed_at = ? where id = ?", (now, pid))]
    return []


@dataclass
class PumpStats:
    """What one pump moved, for logs and tests."""

    readings: int = 0
    blocks: int = 0
    dropped: int = 0
    until: float = 0.0  # the session time the source was asked up to


class LiveSession:
    """One running session.

    Attributes:
        id: the session id in the store.
        room: seats and participants.
        vitals: each participant's buffers, by participant id.
        clock, source, store, settings: what it was built with.
        actor: who the changes made from this workstation are attributed to.
    """

    def __init__(self, session_id: str, room_seats: Sequence[Seat], *, clock: Clock,
                 source: VitalsSource, store: Store, settings: Settings,
                 actor: str = "facilitator") -> None:
        self.id = session_id
        self.clock = clock
        self.source = source
        self.store = store
        self.settings = settings
        self.actor = actor
        self.vitals: dict[str, SeatVitals] = {}
        self.room = Room(list(room_seats), record=self._record)
        self.totals = PumpStats()
        self.alarms: AlarmEngine | None = None
        self.protocol: Protocol | None = None
        self.music = None  # a MusicDirector, when the room has music

    # -- construction -------------------------------------------------------------
    @classmethod
    def start(cls, *, seat_count: int, clock: Clock, source: VitalsSource, store: Store,
              settings: Settings, speed: float = 1.0, title: str = "",
              actor: str = "facilitator") -> LiveSession:
        seats = room_layout(seat_count)  # validates 3–10 before anything is written
        session_id = store.start_session(seats=seat_count, source=source.name, speed=speed,
                                         title=title, actor=actor)
        return cls(session_id, seats, clock=clock, source=source, store=store,
                   settings=settings, actor=actor)

    @classmethod
    def resume(cls, session_id: str, *, clock: Clock, source: VitalsSource, store: Store,
               settings: Settings, actor: str = "facilitator") -> LiveSession:
        """Take up an interrupted session with the participants it had."""
        row = store.resume_session(session_id, actor=actor)
        live = cls(session_id, room_layout(row["seats"]), clock=clock, source=source,
                   store=store, settings=settings, actor=actor)
        with closing(store.reader()) as conn:
            people = conn.execute(
                "select id, alias, full_name, seat from participants "
                "where session_id = ? and removed_at is null order by seat", (session_id,),
            ).fetchall()
        for p in people:
            person = Participant(alias=p["alias"], seat=p["seat"], full_name=p["full_name"],
                                 id=p["id"])
            live.room.participants[person.id] = person
            live.vitals[person.id] = SeatVitals(person.seat)
            if person.seat not in source.seats:
                source.add_seat(person.seat)
        return live

    def watch_with(self, alarms: AlarmEngine) -> None:
        """Feed every filed reading to `alarms` from now on (its sink is `record_event`)."""
        self.alarms = alarms

    def follow_protocol(self, protocol: Protocol) -> None:
        """Feed cuff readings to `protocol` (due BP checks fill themselves from the monitor)."""
        self.protocol = protocol

    def latest_spo2(self, pid: str) -> float | None:
        vitals = self.vitals.get(pid)
        latest = vitals.latest("SpO2") if vitals else None
        return latest[1] if latest else None

    def record_event(self, kind: str, data: dict, pid: str | None, actor: str) -> None:
        """Queue an event for commit without waiting (alarm transitions, from any caller)."""
        self.store.record(self.id, kind, data, participant_id=pid, actor=actor)

    # -- participants (every change is an event) -----------------------------------
    def _record(self, kind: str, data: dict, pid: str | None) -> None:
        """Room's event sink: commit the event and its projection before state changes."""
        self.store.record(
            self.id, kind, data, participant_id=pid, actor=self.actor,
            projections=_projection(self.id, kind, data, pid, self.clock.now()),
        ).result(10)

    def add_participant(self, alias: str, seat: int, full_name: str | None = None,
                        dose_time: float | None = None) -> Participant:
        person = self.room.add(alias, seat, full_name)
        self.vitals[person.id] = SeatVitals(seat)
        if seat not in self.source.seats:
            self.source.add_seat(seat, dose_time)
        if self.music is not None:
            self.music.add(person.id, seat)
        return person

    def rename_participant(self, pid: str, alias: str, full_name: str | None = None) -> None:
        self.room.rename(pid, alias, full_name)

    def reseat_participant(self, pid: str, seat: int) -> None:
        old = self.room.participants[pid].seat if pid in self.room.participants else None
        self.room.reseat(pid, seat)
        if old is not None and old != seat:
            # The participant takes their sensors with them.
            if old in self.source.seats:
                self.source.remove_seat(old)
            if seat not in self.source.seats:
                self.source.add_seat(seat)
            self.vitals[pid].seat = seat

    def remove_participant(self, pid: str, reason: str = "") -> None:
        seat = self.room.participants[pid].seat if pid in self.room.participants else None
        self.room.remove(pid, reason)
        if self.alarms is not None:
            self.alarms.forget(pid)
        if self.protocol is not None:
            self.protocol.forget(pid)
        if self.music is not None:
            self.music.remove(pid)
        if seat is not None and seat in self.source.seats:
            self.source.remove_seat(seat)
        self.vitals.pop(pid, None)

    def vitals_on_seat(self, seat: int) -> SeatVitals | None:
        person = self.room.on_seat(seat)
        return self.vitals.get(person.id) if person else None

    # -- the heartbeat ------------------------------------------------------------
    def pump(self) -> PumpStats:
        """Pull everything up to now from the source into buffers and the store."""
        until = self.clock.now()
        readings, blocks = self.source.generate(until)
        stats = PumpStats(until=until)
        rows: list[tuple] = []
        for r in readings:
            stats.readings += 1
            if not self._file_reading(r, rows):
                stats.dropped += 1
        wave_rows: list[tuple] = []
        for b in blocks:
            stats.blocks += 1
            self._file_block(b, wave_rows)
        self.store.add_vitals(rows)
        self.store.add_waveforms(wave_rows)
        self.totals.readings += stats.readings
        self.totals.blocks += stats.blocks
        self.totals.dropped += stats.dropped
        return stats

    def _file_reading(self, r: Reading, rows: list[tuple]) -> bool:
        person = self.room.on_seat(r.seat)
        if person is None or not self.vitals[person.id].add_reading(r):
            return False
        if self.alarms is not None:
            self.alarms.observe(person.id, r.seat, r.param, r.t, r.value)
        if self.protocol is not None:
            self.protocol.observe(person.id, r.seat, r.param, r.t, r.value)
        rows.append((self.id, person.id, r.seat, f"seat{r.seat}", r.param, r.t, r.value,
                     PARAMETERS[r.param].unit, r.source))
        return True

    def _file_block(self, b: WaveformBlock, rows: list[tuple]) -> None:
        person = self.room.on_seat(b.seat)
        if person is None:
            return
        self.vitals[person.id].add_block(b)
        rows.append((self.id, person.id, b.seat, f"seat{b.seat}", b.param, b.t_start,
                     b.rate_hz, len(b.samples), np.asarray(b.samples, "<f4").tobytes(),
                     b.source))

    def end(self, reason: str = "finished") -> None:
        self.pump()
        self.store.end_session(self.id, reason, actor=self.actor)
        self.store.flush()
