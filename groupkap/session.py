"""A live session: the room, its vitals buffers, a source and the store, driven by a clock.

`LiveSession.tick()` is the heartbeat: it pumps everything the source has up to the clock's
now into each participant's buffers and the store's writer, then advances the protocol, the
directors, the music and the alarms, in that order. The window's timer calls it; a headless
recorder calls it; tests call it (or `pump()`) after advancing a simulated clock.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass

import numpy as np

from groupkap.accounts.accounts import Account, log_refusal
from groupkap.accounts.permissions import refusal
from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import LimitSet
from groupkap.alarms.model import SoundCue
from groupkap.clock import Clock
from groupkap.errors import BadInputError
from groupkap.hand_entries import HandEntry, HandEntryActs
from groupkap.params import PARAMETERS
from groupkap.protocol.group import Protocol
from groupkap.readings import Latest, Reading, WaveformBlock
from groupkap.room.buffers import SeatVitals
from groupkap.room.model import Participant, Room, Seat, room_layout
from groupkap.room.refill import refill_vitals
from groupkap.settings import Settings
from groupkap.sources.base import VitalsSource
from groupkap.sources.push import device_of, file_unseated, raise_source_alarms
from groupkap.store import Store, people_queries, queries
from groupkap.store.projections import participant_projection

log = logging.getLogger("groupkap.session")


LIMITS_CHECK_EVERY = 20  # ticks: at the window's 10 per second, the limits file every 2 s
# A simulated clock running on its own is held this far past the data a pump asked for, so
# no pump takes in more session time than this at once (a fast demo waits for the work
# rather than piling up a backlog). 300 s keeps 1,000x (`--speed`'s top) unheld with beats
# up to 300 ms apart; one such pump of 10 seats is 0.1-0.25 s of work.
PUMP_SPAN_MAX_S = 300.0


def waveform_row(session_id: str, participant_id: str, block: WaveformBlock) -> tuple:
    """A block of waveform as the store's writer takes it (`StoreWriter.submit_waveforms`):
    float32 little-endian samples, the seat's device."""
    return (
        session_id,
        participant_id,
        block.seat,
        f"seat{block.seat}",
        block.param,
        block.t_start,
        block.rate_hz,
        len(block.samples),
        np.asarray(block.samples, "<f4").tobytes(),
        block.source,
    )


@dataclass(frozen=True)
class Tick:
    """What one heartbeat leaves for its runner.

    Attributes:
        until: the session time the readings were pulled up to.
        cues: alarm sounds to play now (the facilitators' device only).
        problems: faults to show at once (a refused limits file), in words.
    """

    until: float
    cues: list[SoundCue]
    problems: list[str]


@dataclass
class PumpStats:
    """What one pump moved, for logs and tests."""

    readings: int = 0
    blocks: int = 0
    dropped: int = 0
    until: float = 0.0  # the session time the source was asked up to


class LiveSession(HandEntryActs):
    """One running session.

    Attributes:
        id: the session id in the store.
        room: seats and participants.
        vitals: each participant's buffers, by participant id.
        clock, source, store, settings: what it was built with.
        actor: who the changes made from this workstation are attributed to.
        account: the signed-in account the session acts as (None: no accounts, every act
            allowed and recorded as `actor`); setting it makes its name the actor.
    """

    def __init__(
        self,
        session_id: str,
        room_seats: Sequence[Seat],
        *,
        clock: Clock,
        source: VitalsSource,
        store: Store,
        settings: Settings,
        actor: str = "facilitator",
    ) -> None:
        self.id = session_id
        self.clock = clock
        self.source = source
        self.store = store
        self.settings = settings
        self.actor = actor
        self._account: Account | None = None
        self.vitals: dict[str, SeatVitals] = {}
        self.room = Room(list(room_seats), record=self._record)
        self.totals = PumpStats()
        self.alarms: AlarmEngine | None = None
        self.protocol: Protocol | None = None
        self.music = None  # a MusicDirector, when the room has music
        self.circle = None  # the sharing circle running now, if any
        self.limits_file = None  # a LimitsFile watching the clinic's limits, if there is one
        self.directors: list = []  # things that act on the clock (the demo's team), in order
        self._ticks = 0
        self.hand_entries: dict[str, HandEntry] = {}
        attach = getattr(source, "attach", None)
        if attach is not None:  # a source with events of its own (HL7: devices, clocks)
            attach(self.record_event)

    # -- construction -------------------------------------------------------------
    @classmethod
    def start(
        cls,
        *,
        seat_count: int,
        clock: Clock,
        source: VitalsSource,
        store: Store,
        settings: Settings,
        speed: float = 1.0,
        title: str = "",
        actor: str = "facilitator",
    ) -> LiveSession:
        seats = room_layout(seat_count)  # validates 3–10 before anything is written
        session_id = store.start_session(
            seats=seat_count, source=source.name, speed=speed, title=title, actor=actor
        )
        return cls(
            session_id,
            seats,
            clock=clock,
            source=source,
            store=store,
            settings=settings,
            actor=actor,
        )

    @classmethod
    def resume(
        cls,
        session_id: str,
        *,
        clock: Clock,
        source: VitalsSource,
        store: Store,
        settings: Settings,
        actor: str = "facilitator",
    ) -> LiveSession:
        """Take up an interrupted session with the participants it had, their buffers
        refilled from the store (trend, last BP and temperature, pleth) without writing."""
        row = store.resume_session(session_id, actor=actor)
        live = cls(
            session_id,
            room_layout(row["seats"]),
            clock=clock,
            source=source,
            store=store,
            settings=settings,
            actor=actor,
        )
        with closing(store.reader()) as conn:
            people = queries.participants(conn, session_id, present_only=True)
            entered = queries.events(
                conn, session_id, kinds=("observation.entered", "entry.struck")
            )
            linked = people_queries.person_links(conn, session_id)
        live._restore_hand_entries(entered)
        for p in people:
            person = Participant(
                alias=p.alias,
                seat=p.seat,
                full_name=p.full_name,
                id=p.id,
                person_id=linked.get(p.id),  # their course's plan follows them back
            )
            live.room.participants[person.id] = person
            live.vitals[person.id] = SeatVitals(person.seat)
            if person.seat not in source.seats:
                source.add_seat(person.seat)
        with closing(store.reader()) as conn:  # the tiles come back as they were
            refill_vitals(
                conn,
                session_id,
                live.vitals,
                until=clock.now(),
                trend_s=settings.trend_minutes * 60,
                pleth_s=settings.pleth_seconds,
                struck=[e for e in live.hand_entries.values() if e.struck],
            )
        return live

    # -- who acts -----------------------------------------------------------------
    @property
    def account(self) -> Account | None:
        return self._account

    @account.setter
    def account(self, account: Account | None) -> None:
        self._account = account
        if account is not None:
            self.actor = account.name

    def require(self, action: str) -> None:
        """Refuse, before anything changes, an act the signed-in account may not do: an
        `action.refused` event in this session's log, then Forbidden with its sentence."""
        if self._account is not None and refusal(self._account, action) is not None:
            raise log_refusal(self.store, self.id, self._account, action, self.clock.now())

    def set_participant_limits(self, pid: str, limits: LimitSet) -> int:
        """One participant's alarm limits, changed at the bedside (`limits.adjust`)."""
        self.require("limits.adjust")
        if pid not in self.room.participants:
            raise BadInputError("that participant is no longer in the room")
        return self.alarms.set_limits(limits, self.actor, pid)

    def watch_with(self, alarms: AlarmEngine) -> None:
        """Feed every filed reading to `alarms` from now on (its sink is `record_event`);
        everyone seated waits for their monitor's next value from now."""
        self.alarms = alarms
        for person in self.room.participants.values():
            alarms.expect_data(person.id, person.seat, self.clock.now())

    def follow_protocol(self, protocol: Protocol) -> None:
        """Feed cuff readings to `protocol` (due BP checks fill themselves from the monitor);
        its acts are checked against the signed-in account."""
        from groupkap.accounts.signatures import SessionSigning

        self.protocol = protocol
        protocol.guard = self.require
        protocol.signing = SessionSigning(self)  # with an account: signed, PIN re-entered

    def latest(self, pid: str, param: str) -> Latest | None:
        """The newest value of `param` with its time and source (monitor or who by hand):
        what a decision such as discharge may rest on, never a bare number."""
        vitals = self.vitals.get(pid)
        latest = vitals.latest(param) if vitals else None
        if latest is None:
            return None
        return Latest(latest[0], latest[1], vitals.source_of_latest(param) or "monitor")

    def latest_spo2(self, pid: str) -> Latest | None:
        return self.latest(pid, "SpO2")

    def record_event(self, kind: str, data: dict, pid: str | None, actor: str) -> None:
        """Queue an event for commit without waiting (alarm transitions, from any caller)."""
        self.store.record(self.id, kind, data, participant_id=pid, actor=actor)

    # -- participants (every change is an event) -----------------------------------
    def _record(self, kind: str, data: dict, pid: str | None) -> None:
        """Room's event sink: commit the event and its projection before state changes."""
        self.store.record(
            self.id,
            kind,
            data,
            participant_id=pid,
            actor=self.actor,
            projections=participant_projection(self.id, kind, data, pid, self.clock.now()),
        ).result(10)

    def add_participant(
        self,
        alias: str,
        seat: int,
        full_name: str | None = None,
        dose_time: float | None = None,
        person_id: str | None = None,
    ) -> Participant:
        self.require("participant.manage")
        person = self.room.add(alias, seat, full_name, person_id=person_id)
        self.vitals[person.id] = SeatVitals(seat)
        if seat not in self.source.seats:
            self.source.add_seat(seat, dose_time)
        if self.music is not None:
            self.music.add(person.id, seat)
        if self.alarms is not None:
            self.alarms.expect_data(person.id, seat, self.clock.now())
        return person

    def rename_participant(self, pid: str, alias: str, full_name: str | None = None) -> None:
        self.require("participant.manage")
        self.room.rename(pid, alias, full_name)

    def reseat_participant(self, pid: str, seat: int) -> None:
        self.require("participant.manage")
        old = self.room.participants[pid].seat if pid in self.room.participants else None
        self.room.reseat(pid, seat)
        if old is not None and old != seat:
            # The participant takes their sensors with them: what fed the old chair (a
            # monitor's device id, a simulated course) feeds the new one.
            if old in self.source.seats:
                self.source.move_seat(old, seat)
            elif seat not in self.source.seats:
                self.source.add_seat(seat)
            self.vitals[pid].seat = seat

    def remove_participant(self, pid: str, reason: str = "") -> None:
        self.require("participant.manage")
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
    def tick(self) -> Tick:
        """One heartbeat, in the one order every runner uses (the window's timer, a headless
        recorder): pull the readings, look at the limits file, advance the protocol, let the
        directors act, move the music, then the alarms. Returns what the runner must act on:
        the sounds to play and the problems to show. Never draws and never plays."""
        until = self.pump().until
        self._ticks += 1
        problems: list[str] = []
        if self.limits_file is not None and self._ticks % LIMITS_CHECK_EVERY == 0:
            if self.limits_file.check() is None and self.limits_file.problem:
                problems.append(self.limits_file.problem)
        if self.protocol is not None:
            self.protocol.tick(self.latest_spo2)
        for director in self.directors:
            director.tick()
        if self.music is not None:
            self.music.tick()
        # Silence is measured up to the data asked for, not past it (a fast clock moves on
        # while a pump runs).
        cues = self.alarms.tick(until) if self.alarms is not None else []
        return Tick(until, cues, problems)

    def pump(self) -> PumpStats:
        """Pull everything up to now from the source into buffers and the store."""
        until = self.clock.now()
        hold = getattr(self.clock, "hold_at", None)
        if hold is not None:  # a simulated clock: the next pump takes no more than the bound
            hold(until + PUMP_SPAN_MAX_S)
        readings, blocks = self.source.generate(until)
        stats = PumpStats(until=until)
        rows: list[tuple] = []
        dropped: list[Reading] = []
        for r in readings:
            stats.readings += 1
            if not self._file_reading(r, rows):
                stats.dropped += 1
                dropped.append(r)
        file_unseated(self, dropped, rows)  # a monitor on no one's seat is still recorded
        raise_source_alarms(self)
        wave_rows: list[tuple] = []
        for b in blocks:
            stats.blocks += 1
            self._file_block(b, wave_rows)
        self.store.add_vitals(rows)
        self.store.add_waveforms(wave_rows)
        # A source whose senders wait for proof of storage (HL7 ACKs) is told when these
        # rows are on disk.
        receipt = getattr(self.source, "receipt", None)
        settle = receipt() if receipt is not None else None
        if settle is not None:
            self.store.after_commit(settle)
        self.totals.readings += stats.readings
        self.totals.blocks += stats.blocks
        self.totals.dropped += stats.dropped
        return stats

    def _file_reading(self, r: Reading, rows: list[tuple]) -> bool:
        """The one path of every numeric value, from a monitor or typed in by hand."""
        person = self.room.on_seat(r.seat)
        if person is None or not self.vitals[person.id].add_reading(r):
            return False
        if self.alarms is not None:
            self.alarms.observe(person.id, r.seat, r.param, r.t, r.value, spot=r.by_hand)
        if self.protocol is not None and not r.by_hand:  # a hand BP is filed whole, above
            self.protocol.observe(person.id, r.seat, r.param, r.t, r.value)
        rows.append(
            (
                self.id,
                person.id,
                r.seat,
                device_of(r),
                r.param,
                r.t,
                r.value,
                PARAMETERS[r.param].unit,
                r.source,
            )
        )
        return True

    def _file_block(self, b: WaveformBlock, rows: list[tuple]) -> None:
        person = self.room.on_seat(b.seat)
        if person is None:
            return
        self.vitals[person.id].add_block(b)
        rows.append(waveform_row(self.id, person.id, b))

    def end(self, reason: str = "finished") -> None:
        self.pump()
        close = getattr(self.source, "close", None)
        if close is not None:  # a listener stops taking messages for an ended session
            close()
        self.store.end_session(self.id, reason, actor=self.actor)
        self.store.flush()
