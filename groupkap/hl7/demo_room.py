"""`groupkap demo --hl7`: the demo's room fed through the real input path.

The listener starts on a free loopback port; simulated PCD-01 monitors (one connection per
seat) send it what the simulator measures; the session takes the readings as it would a
clinic's. The monitors send inside the session's heartbeat, just before it takes the
readings (`MixedSource.before_generate`), and read the ACKs at the next beat (a message is
acknowledged once stored, which that beat does), rather than on a thread of their own: at 300×
speed a tenth of a second of network delay is half a minute of session time, which would
look like silent monitors and raise no-data alarms that a real room would not have.
Everything else is real: sockets, framing, parsing, ACKs, the device map, the drift checks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from groupkap.clock import Clock
from groupkap.hl7.config import LOOPBACK, Hl7Config
from groupkap.hl7.devices import DeviceMap
from groupkap.hl7.monitor_feed import ACK_TIMEOUT_S, MonitorFeed, device_id
from groupkap.sources.hl7_source import Hl7Source, open_hl7_source
from groupkap.sources.mixed import MixedSource, split_seats
from groupkap.sources.simulator import Simulator

DEMO_ACTOR = "demo"
log = logging.getLogger("groupkap.hl7")


def demo_hl7_source(
    seats: Sequence[int],
    start: float,
    clock: Clock,
    *,
    real_seats: Sequence[int] = (),
    seed: int = 1,
    scenario: str = "demo",
    nibp_interval_s: float = 300.0,
) -> MixedSource:
    """The demo room's source: `real_seats` (default: all) through the listener, the rest
    simulated. Its device map lives for this run only: the demo never changes the room's."""
    simulated, real = split_seats(seats, real_seats or seats)
    config = Hl7Config(port=0, bind="127.0.0.1", allow=LOOPBACK)
    devices = DeviceMap()
    for seat in real:
        devices.assign(device_id(seat), seat, DEMO_ACTOR)
    hl7 = open_hl7_source(config, clock, seats, devices)
    for seat in simulated:
        hl7.remove_seat(seat)
    feed = MonitorFeed(
        "127.0.0.1",
        hl7.listener.port,
        real,
        start,
        room_seats=seats,
        seed=seed,
        scenario=scenario,
        nibp_interval_s=nibp_interval_s,
        batch_s=3600,  # whatever one beat holds, in one message per monitor
        wait_for_acks=False,  # each beat's ACKs come once that beat has stored it
    )
    sim = None
    if simulated:
        sim = Simulator(seats, start, seed=seed, scenario=scenario, nibp_interval_s=nibp_interval_s)
        for seat in real:
            sim.remove_seat(seat)
    return MixedSource(
        hl7,
        sim,
        dose_times=feed.dose_time,
        before_generate=SendAndWait(feed, hl7),
        on_close=[feed.close],
    )


class SendAndWait:
    """Before each beat: the monitors send what they measured, and the beat goes on once
    the listener has read it all (as a monitor's second would be there by the next beat).

    Attributes: feed (the monitors), hl7 (the source they send to), sent (messages so far).
    """

    def __init__(self, feed: MonitorFeed, hl7: Hl7Source) -> None:
        self.feed, self.hl7 = feed, hl7
        self.sent = 0

    def __call__(self, until: float) -> None:
        self.sent += self.feed.send_until(until)
        if not self.hl7.wait_received(self.sent, ACK_TIMEOUT_S):
            log.warning(
                "the demo's monitors sent %d messages; the listener has read %d",
                self.sent,
                self.hl7.received,
            )
            self.sent = self.hl7.received
