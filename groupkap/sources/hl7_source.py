"""Real monitors as a vitals source: what the MLLP listener receives, as `Reading`s per seat.

The listener's thread hands each message over (`receive`, a thread-safe queue and nothing
else); the session's heartbeat takes them (`generate`) and everything after happens on the
session's thread: the device → seat map, clock checks, duplicates, the tray. Readings of a
device on a seat go the simulator's way (buffers, alarms, protocol, store, source
`hl7:<device>`); readings of a device on no seat carry seat `UNSEATED` and are recorded
under their device id only, never shown on a tile or judged by anyone's alarms.

Times. A value keeps the time the monitor measured it (OBX-14, else OBR-7, else MSH-7), so
a cuff pressure keeps its own time however late it is sent; no value is dated after it was
received (a monitor clock a little ahead must not put readings in the session's future,
where a silent monitor would look alive). A monitor whose clock is more than
`DRIFT_S` away from the session's (message time against receive time) starts a drift
episode: one `device.clock_drift` event and one warning, and while it lasts its times are
moved by the offset measured at its start, so its readings line up with the session's
events and alarms; the event holds the offset, so the monitor's own times can be worked
back. A gateway replaying a queue after an outage looks the same as a slow clock.

Duplicates. Monitors repeat the last cuff reading in every message with its measurement
time, and a sender resends a message whose ACK it missed: a value of a device, parameter
and code (OBX-3) not newer than the last one taken (within `REPEAT_WINDOW_S`) is not taken
again. A much older time is a monitor clock set back, and is taken.

Acknowledgements. `receive` returns a Future for each message; it resolves once the
message's readings have been handed to the store and committed (`receipt`, which the
session calls after each pump), so the listener answers AA only for what is on disk. A
value not taken (a repeat) needs no storing; a message whose values are measured after the
heartbeat's `until` is settled with the beat that takes them.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from groupkap.clock import Clock
from groupkap.errors import SourceError
from groupkap.hl7.codes import STANDARD_CODES
from groupkap.hl7.config import Hl7Config
from groupkap.hl7.devices import DeviceMap, EventSink, check_seat
from groupkap.hl7.listener import MllpListener
from groupkap.hl7.results import SKIP_CODE, OruMessage
from groupkap.hl7.vendor_codes import load_vendor_codes
from groupkap.readings import Reading, WaveformBlock

log = logging.getLogger("groupkap.hl7")

HL7 = "hl7"
UNSEATED = 0  # Reading.seat of a device on no seat: recorded, never filed to anyone
DRIFT_S = 60.0  # a device clock this far from ours starts a drift episode
DRIFT_ENDS_S = 30.0  # ... which ends when it is back within this
REPEAT_WINDOW_S = 900.0  # an older time than the last, by less than this, is a repeat
MAX_QUEUED = 50_000  # messages waiting for the heartbeat; past this the sender gets AE
LISTENER_DOWN = "HL7_LISTENER_DOWN"  # the room's technical alarm


def source_of(device: str) -> str:
    """`Reading.source` of a device's values: `hl7:<device>`."""
    return f"{HL7}:{device}"


@dataclass(frozen=True)
class DeviceSeen:
    """A device as the tray shows it.

    Attributes:
        device: its id (OBX-18, else the bed PV1-3, else the sending application MSH-3).
        last_seen: session time its last message was received.
        values: its newest value of each parameter, in canonical units.
        seat: the seat it is assigned to, or None.
        bed: the bed its messages name (PV1-3), to tell monitors apart.
        peer: the address it sends from.
        unknown_codes: codes it sends that no table maps (`code^text^system`): add them to
            the vendor codes file to record them.
    """

    device: str
    last_seen: float
    values: Mapping[str, float]
    seat: int | None = None
    bed: str | None = None
    peer: str = ""
    unknown_codes: tuple[str, ...] = ()


@dataclass
class _Device:
    """What the source remembers of one device during the session."""

    last_seen: float
    peer: str
    bed: str | None = None
    values: dict[str, float] = field(default_factory=dict)
    taken: dict[tuple[str, str], float] = field(default_factory=dict)  # newest device time
    unknown: dict[str, None] = field(default_factory=dict)
    offset: float | None = None  # during a drift episode: added to its times


class Hl7Source:
    """The readings of real monitors, for the seats their devices are assigned to.

    Attributes:
        name: `hl7`.
        devices: the room's device → seat map.
        listener: the MLLP listener feeding it (None until `listen`).
        drift_s: the clock difference that starts a drift episode.
    """

    name = HL7
    simulated_seats: tuple[int, ...] = ()

    def __init__(
        self,
        seats: Sequence[int],
        clock: Clock,
        devices: DeviceMap | None = None,
        *,
        drift_s: float = DRIFT_S,
    ) -> None:
        self.clock = clock
        self.devices = devices if devices is not None else DeviceMap()
        self.listener: MllpListener | None = None
        self.drift_s = drift_s
        self._seats: dict[int, None] = dict.fromkeys(check_seat(s) for s in seats)
        self._seat_count = max(self._seats, default=0)
        self._inbox: queue.Queue[tuple[OruMessage, float, str, Future]] = queue.Queue(MAX_QUEUED)
        # Taken, but measured after the last `until`: with the Future of the message whose
        # last value it is, settled when it is handed out.
        self._held: deque[tuple[Reading, Future | None]] = deque()
        self._handed: list[Future] = []  # messages handed out, waiting for the store
        self.on_arrival: Callable[[], None] | None = None  # wakes the heartbeat early
        self.received = 0  # messages handed over since the start
        self._arrived = threading.Condition()
        self._seen: dict[str, _Device] = {}
        self._record: EventSink | None = None

    # -- the listener's side (its own thread) ---------------------------------------
    def receive(self, message: OruMessage, peer: str) -> Future:
        """Hand a message over (the listener's handler); the Future resolves once its
        readings are stored (None) or could not be (the problem). Raises when the heartbeat
        has not taken messages for so long that the queue is full: the sender is answered AE
        and sends again."""
        stored: Future = Future()
        try:
            self._inbox.put_nowait((message, self.clock.now(), peer, stored))
        except queue.Full:
            raise SourceError(
                "GroupKAP is not taking readings in (queue full); send again"
            ) from None
        with self._arrived:
            self.received += 1
            self._arrived.notify_all()
        if self.on_arrival is not None:
            self.on_arrival()
        return stored

    def wait_received(self, count: int, timeout: float) -> bool:
        """Wait until `count` messages have been handed over since the start (the demo's
        monitors, which send inside the heartbeat, wait for the listener to have read what
        they sent before the beat takes it); False if they have not within `timeout`."""
        with self._arrived:
            return self._arrived.wait_for(lambda: self.received >= count, timeout)

    def listen(self, listener: MllpListener) -> None:
        """The listener feeding this source: its health is the source's, and `close` stops it."""
        self.listener = listener

    # -- the session's side ----------------------------------------------------------
    @property
    def seats(self) -> tuple[int, ...]:
        return tuple(self._seats)

    def add_seat(self, seat: int, dose_time: float | None = None) -> None:
        self._seats[check_seat(seat)] = None
        self._seat_count = max(self._seat_count, seat)

    def remove_seat(self, seat: int) -> None:
        self._seats.pop(seat, None)

    def move_seat(self, old: int, new: int) -> None:
        """The participant on `old` moved to `new` with their monitor on: its devices are
        assigned to `new` (logged `device.assigned` with the reason, and remembered), so no
        reading of theirs lands on the chair they left, or on whoever sits there next."""
        self._seats.pop(old, None)
        self.add_seat(new)
        for device in self.devices.devices_on(old):
            self.devices.assign(
                device, new, "system", max(self._seat_count, 1), reason="moved with participant"
            )

    def attach(self, record: EventSink) -> None:
        """Log this source's events (devices assigned, seen, clocks) through `record`."""
        self._record = record
        self.devices.attach(record)

    def generate(self, until: float) -> tuple[list[Reading], list[WaveformBlock]]:
        """Everything received so far, measured up to `until`; later values wait."""
        readings: list[Reading] = []
        while self._held and self._held[0][0].t <= until:
            r, stored = self._held.popleft()
            readings.append(r)
            if stored is not None:
                self._handed.append(stored)
        later: list[tuple[Reading, Future | None]] = []
        while True:
            try:
                message, received, peer, stored = self._inbox.get_nowait()
            except queue.Empty:
                break
            taken = self._take(message, received, peer)
            readings += [r for r in taken if r.t <= until]
            waiting = [r for r in taken if r.t > until]
            if waiting:  # settled with its last value, when that is handed out
                waiting.sort(key=lambda r: r.t)
                later += [(r, None) for r in waiting[:-1]] + [(waiting[-1], stored)]
            else:
                self._handed.append(stored)
        if later:
            self._held = deque(sorted([*self._held, *later], key=lambda h: h[0].t))
        return readings, []

    def receipt(self) -> Callable[[str | None], None] | None:
        """What the store calls once the readings handed out so far are committed: it
        settles those messages (AA, or AE with the store's problem). None when no message
        waits."""
        if not self._handed:
            return None
        handed, self._handed = self._handed, []

        def settle(problem: str | None) -> None:
            result = f"not stored: {problem}" if problem else None
            for stored in handed:
                if not stored.done():
                    stored.set_result(result)

        return settle

    def _take(self, message: OruMessage, received: float, peer: str) -> list[Reading]:
        device_now = message.message_time
        if device_now is None and message.observations:
            device_now = max(o.t for o in message.observations)
        for device in message.devices:
            seen = self._seen_device(device, received, peer)
            if device_now is not None:
                self._check_clock(device, seen, received - device_now)
        for s in message.skipped:
            if s.kind == SKIP_CODE:
                code = "^".join((s.code, s.text, s.system)).rstrip("^")
                self._seen[s.device].unknown[code] = None
        out: list[Reading] = []
        for o in message.observations:
            seen = self._seen[o.device]
            if o.bed:
                seen.bed = o.bed
            key = (o.param, o.code)  # two sensors of one quantity are two series
            last = seen.taken.get(key)
            if last is not None and last - REPEAT_WINDOW_S < o.t <= last:
                continue  # a repeated cuff value, or a message sent again
            seen.taken[key] = o.t
            seen.values[o.param] = o.value
            t = min(o.t + (seen.offset or 0.0), received)
            seat = self.devices.seat_of(o.device) or UNSEATED
            out.append(Reading(seat, o.param, t, o.value, source_of(o.device)))
        return out

    def _seen_device(self, device: str, received: float, peer: str) -> _Device:
        seen = self._seen.get(device)
        if seen is None:
            seen = self._seen[device] = _Device(received, peer)
            seat = self.devices.seat_of(device)
            log.info(
                "device %s seen (from %s)%s",
                device,
                peer,
                f", assigned to seat {seat}" if seat else ", not assigned to a seat",
            )
            self._log("device.seen", {"device": device, "peer": peer, "seat": seat})
        seen.last_seen, seen.peer = received, peer
        return seen

    def _check_clock(self, device: str, seen: _Device, offset: float) -> None:
        # The limits are real seconds: on a clock running N times faster (a fast demo), a
        # delay of the network or of this computer is N times longer in session time.
        scale = max(1.0, getattr(self.clock, "speed", 1.0))
        if seen.offset is None:
            if abs(offset) > self.drift_s * scale:
                self._drift(device, seen, offset)
        elif abs(offset) <= DRIFT_ENDS_S * scale:
            log.info("device %s: its clock agrees with ours again", device)
            self._log("device.clock_drift_ended", {"device": device, "offset_s": round(offset, 1)})
            seen.offset = None
        elif abs(offset - seen.offset) > self.drift_s * scale:
            self._drift(device, seen, offset)  # it drifted again: a new offset

    def _drift(self, device: str, seen: _Device, offset: float) -> None:
        seen.offset = offset
        way = "behind" if offset > 0 else "ahead of"
        log.warning(
            "device %s: its clock is %s %s this computer's; its times are moved to ours "
            "until it agrees (set the monitor's clock)",
            device,
            _duration(abs(offset)),
            way,
        )
        self._log(
            "device.clock_drift",
            {"device": device, "offset_s": round(offset, 3), "limit_s": self.drift_s},
        )

    def _log(self, kind: str, data: dict) -> None:
        if self._record is not None:
            self._record(kind, data, None, "system")

    # -- the facilitator's side --------------------------------------------------------
    def assign(self, device: str, seat: int, actor: str) -> bool:
        """Put a device on a seat of this room (logged, remembered for the room)."""
        return self.devices.assign(device, seat, actor, max(self._seat_count, 1))

    def unassign(self, device: str, actor: str) -> bool:
        return self.devices.unassign(device, actor)

    def seen(self) -> list[DeviceSeen]:
        """Every device heard from in this session, the most recently heard first."""
        out = [
            DeviceSeen(
                device,
                d.last_seen,
                dict(d.values),
                self.devices.seat_of(device),
                d.bed,
                d.peer,
                tuple(d.unknown),
            )
            for device, d in self._seen.items()
        ]
        return sorted(out, key=lambda d: -d.last_seen)

    def unassigned(self) -> list[DeviceSeen]:
        """The tray: devices heard from that are on no seat, with their live values."""
        return [d for d in self.seen() if d.seat is None]

    def health(self) -> dict[str, str | None]:
        """The room's technical conditions: key -> what is wrong, or None when it is not."""
        down = None
        if self.listener is not None and not self.listener.alive:
            why = self.listener.failure or "it is not running"
            down = f"HL7 listener stopped ({why}): no monitor readings arrive"
        return {LISTENER_DOWN: down}

    def close(self) -> None:
        if self.listener is not None:
            self.listener.stop()


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def open_hl7_source(
    config: Hl7Config,
    clock: Clock,
    seats: Sequence[int],
    devices: DeviceMap | None = None,
) -> Hl7Source:
    """An `Hl7Source` with its listener started on `config`'s address and port. Raises
    ConfigError for a bad vendor codes file and SourceError when the port is taken, before
    anything is written."""
    codes = load_vendor_codes(Path(config.vendor_codes)) if config.vendor_codes else STANDARD_CODES
    source = Hl7Source(seats, clock, devices)
    listener = MllpListener(source.receive, config, codes=codes)
    listener.start()
    source.listen(listener)
    return source
