"""Simulated bedside monitors that speak IHE PCD-01 over MLLP, for demos, tests and clinics.

Each seat is one monitor with its own connection and its own device id (an EUI-64 in OBX-18
on the MDS row, as Philips-style PCD-01 gateways send it). The physiology is the built-in
simulator's (same seed, same scenario, same session), turned into ORU^R01 messages with
IEEE 11073 MDC codes and units: HR, SpO2, pulse rate and respiration rate every second, and
the cuff's SBP / DBP / MAP at each cycle with the cuff's own measurement time in OBX-14.

`scripts/monitor_sim.py` sends them to any listener; `groupkap demo --hl7` sends them to
its own listener over loopback, so the demo exercises the real input path end to end.
"""

from __future__ import annotations

import logging
import math
import socket
import time
from collections import Counter, defaultdict
from collections.abc import Sequence

from groupkap.hl7.mllp import Framer, Message, frame
from groupkap.readings import Reading
from groupkap.sources.simulator import Simulator

log = logging.getLogger("groupkap.hl7.feed")

SENDING_APP = "GKAP_SIM"
ACK_TIMEOUT_S = 10.0
# (parameter) -> OBX-3, OBX-4 containment (MDS.VMD.channel.metric), OBX-6
MDC_OBX = {
    "HR": ("147842^MDC_ECG_HEART_RATE^MDC", "1.1.1.147842", "264864^MDC_DIM_BEAT_PER_MIN^MDC"),
    "SpO2": ("150456^MDC_PULS_OXIM_SAT_O2^MDC", "1.2.1.150456", "262688^MDC_DIM_PERCENT^MDC"),
    "PR": ("149530^MDC_PULS_OXIM_PULS_RATE^MDC", "1.2.1.149530", "264864^MDC_DIM_BEAT_PER_MIN^MDC"),
    "RR": ("151562^MDC_RESP_RATE^MDC", "1.3.1.151562", "264928^MDC_DIM_RESP_PER_MIN^MDC"),
    "SBP": ("150021^MDC_PRESS_BLD_NONINV_SYS^MDC", "1.4.1.150021", "266016^MDC_DIM_MMHG^MDC"),
    "DBP": ("150022^MDC_PRESS_BLD_NONINV_DIA^MDC", "1.4.1.150022", "266016^MDC_DIM_MMHG^MDC"),
    "MAP": ("150023^MDC_PRESS_BLD_NONINV_MEAN^MDC", "1.4.1.150023", "266016^MDC_DIM_MMHG^MDC"),
}
CUFF = ("SBP", "DBP", "MAP")


def device_id(seat: int) -> str:
    """The simulated monitor's EUI-64 (a locally administered one), as OBX-18 names it."""
    return f"02474B41FFFE{seat:04X}^EUI-64"


def hl7_time(t: float) -> str:
    """UTC time with milliseconds and its offset: 20260514093015.250+0000.

    Rounded to the nearest millisecond as a whole, so 15.9996 s is 16.000, not 15.999: a
    value a monitor measured must not move back in time by being written down."""
    whole, ms = divmod(round(t * 1000), 1000)
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(whole)) + f".{ms:03d}+0000"


def pcd01_message(seat: int, control_id: str, sent_at: float, readings: Sequence[Reading]) -> str:
    """One PCD-01 ORU^R01 from the seat's monitor holding `readings` (each with its OBX-14)."""
    stamp = hl7_time(sent_at)
    eui = device_id(seat)
    segments = [
        f"MSH|^~\\&|{SENDING_APP}^{eui}|GROUPKAP_SIM|||{stamp}||ORU^R01^ORU_R01|{control_id}|P|"
        "2.6|||AL|NE||UNICODE UTF-8|||IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO",
        f"PV1||O|KAP^ROOM^SEAT{seat}",
        f"OBR|1|{control_id}^{SENDING_APP}|{control_id}^{SENDING_APP}|"
        f"182777000^monitoring of patient^SNOMED-CT|||{stamp}",
        f"OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||{eui}",
    ]
    for r in readings:
        code, where, unit = MDC_OBX[r.param]
        extra = "||AMEAS^auto-measurement^MDC" if r.param in CUFF else ""
        segments.append(
            f"OBX|{len(segments) - 2}|NM|{code}|{where}|{r.value:g}|{unit}|||||R|||"
            f"{hl7_time(r.t)}{extra}"
        )
    return "\r".join(segments) + "\r"


class MonitorFeed:
    """One simulated monitor per seat, each on its own MLLP connection.

    `send_until(t)` sends everything measured before `t`: each monitor's whole seconds in
    messages of at most `batch_s` seconds (1: one message per second, as a monitor sends),
    to every monitor before any ACK is awaited (the listener serves them side by side), then
    reads every ACK.

    `room_seats` are all the seats of the room when the feed sends only some of them.
    `wait_for_acks=False` reads the ACKs of one call at the next instead (non-blocking): the
    demo sends inside the session's heartbeat, and a message is acknowledged only once that
    heartbeat has stored it, so waiting there would wait for itself.

    Attributes:
        simulator: the physiology (its `dose_time(seat)` is each participant's T0).
        acks: how many AA, AE, AR (and `lost`: no answer) came back.
        sent: messages sent.
    """

    def __init__(
        self,
        host: str,
        port: int,
        seats: Sequence[int],
        start: float,
        *,
        room_seats: Sequence[int] = (),
        seed: int = 1,
        scenario: str = "demo",
        nibp_interval_s: float = 300.0,
        batch_s: float = 1.0,
        wait_for_acks: bool = True,
    ) -> None:
        self.host, self.port = host, port
        self.seats = list(seats)
        # The whole room is simulated, then the seats of other sources dropped: each seat's
        # physiology (its T0, its cuff cycle, its part in the scenario) is then the same as
        # in a simulated demo of the room.
        room = list(room_seats) or self.seats
        self.simulator = Simulator(
            room, start, seed=seed, scenario=scenario, nibp_interval_s=nibp_interval_s
        )
        for seat in room:
            if seat not in self.seats:
                self.simulator.remove_seat(seat)
        self.batch_s = max(1.0, batch_s)
        self.acks: Counter[str] = Counter()
        self.sent = 0
        self._sockets: dict[int, socket.socket] = {}
        self._framers: dict[int, Framer] = {}
        self._next_id = 0
        self.wait_for_acks = wait_for_acks
        self._due: Counter[int] = Counter()  # seat -> ACKs not read yet

    def dose_time(self, seat: int) -> float:
        return self.simulator.dose_time(seat)

    def send_until(self, t: float) -> int:
        """Send what the monitors measured before `t`; returns the messages sent."""
        if not self.wait_for_acks:
            for seat in [s for s, n in self._due.items() if n]:
                self._read_acks(seat, block=False)
        readings, _pleth = self.simulator.generate(t)
        if not readings:
            return 0
        by_seat: dict[int, list[Reading]] = defaultdict(list)
        for r in readings:
            by_seat[r.seat].append(r)
            if r.param == "HR":  # the oximeter's pulse rate follows the heart
                by_seat[r.seat].append(Reading(r.seat, "PR", r.t, r.value, r.source))
        waiting: list[tuple[int, int]] = []  # (seat, ACKs due)
        for seat, values in by_seat.items():
            messages = [self._message(seat, t, part) for part in self._batches(values)]
            if self._send(seat, b"".join(frame(m.encode()) for m in messages)):
                waiting.append((seat, len(messages)))
            self.sent += len(messages)
        for seat, count in waiting:
            self._due[seat] += count
            if self.wait_for_acks:
                self._read_acks(seat)
        return sum(n for _, n in waiting)

    def _batches(self, values: list[Reading]) -> list[list[Reading]]:
        out: list[list[Reading]] = []
        first = None
        for r in values:
            second = math.floor(r.t)
            if first is None or second - first >= self.batch_s:
                out.append([])
                first = second
            out[-1].append(r)
        return out

    def _message(self, seat: int, t: float, values: list[Reading]) -> str:
        self._next_id += 1
        return pcd01_message(seat, f"GK{seat:02d}{self._next_id:08d}", t, values)

    def _send(self, seat: int, data: bytes) -> bool:
        for attempt in (1, 2):  # a dropped connection is opened again once
            try:
                sock = self._connect(seat)
                sock.sendall(data)
                return True
            except OSError as exc:
                self._hang_up(seat)
                if attempt == 2:
                    log.warning("monitor at seat %d could not send: %s", seat, exc)
        return False

    def _connect(self, seat: int) -> socket.socket:
        sock = self._sockets.get(seat)
        if sock is None:
            sock = socket.create_connection((self.host, self.port), timeout=ACK_TIMEOUT_S)
            self._sockets[seat] = sock
            self._framers[seat] = Framer(1 << 20)
        return sock

    def _read_acks(self, seat: int, block: bool = True) -> None:
        """Read the seat's ACKs due: all of them (waiting up to ACK_TIMEOUT_S), or without
        blocking only those already here."""
        sock, framer = self._sockets.get(seat), self._framers.get(seat)
        try:
            if sock is not None and not block:
                sock.setblocking(False)
            while sock is not None and self._due[seat] > 0:
                try:
                    data = sock.recv(65536)
                except BlockingIOError:
                    break  # the rest come later
                if not data:
                    raise ConnectionError("the listener closed the connection")
                for item in framer.feed(data):
                    if isinstance(item, Message):
                        self._due[seat] -= 1
                        self.acks[_ack_code(item.payload)] += 1
            if sock is not None and not block:
                sock.settimeout(ACK_TIMEOUT_S)
        except OSError as exc:
            log.warning("monitor at seat %d: no ACK (%s)", seat, exc)
            self._hang_up(seat)
        if block or seat not in self._sockets:
            self.acks["lost"] += self._due.pop(seat, 0)

    def _hang_up(self, seat: int) -> None:
        sock = self._sockets.pop(seat, None)
        self._framers.pop(seat, None)
        if sock is not None:
            sock.close()

    def close(self) -> None:
        """Hang up, after reading the ACKs still due (the last beat's, when they come a beat
        later)."""
        for seat in list(self._sockets):
            if self._due[seat]:
                self._read_acks(seat)
            self._hang_up(seat)


def _ack_code(payload: bytes) -> str:
    for segment in payload.split(b"\r"):
        if segment.startswith(b"MSA"):
            fields = segment.split(segment[3:4] or b"|")
            return fields[1].decode("ascii", "replace") if len(fields) > 1 else "?"
    return "?"
