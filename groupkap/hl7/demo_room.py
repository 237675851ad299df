"""`groupkap demo --hl7`: the demo's room fed through the real input path.

The listener starts on a free loopback port; simulated PCD-01 monitors (one connection per
seat) send it what the simulator measures; the session takes the readings as it would a
clinic's. The monitors send inside the session's heartbeat, just before it takes the
readings (`MixedSource.before_generate`), rather than on a thread of their own: at 300×
speed a tenth of a second of network delay is half a minute of session time, which would
look like silent monitors and raise no-data alarms that a real room would not have.
Everything else is real: sockets, framing, parsing, ACKs, the device map, the drift checks.
"""

from __future__ import annotations

from collections.abc import Sequence

from groupkap.clock import Clock
from groupkap.hl7.config import LOOPBACK, Hl7Config
from groupkap.hl7.devices import DeviceMap
from groupkap.hl7.monitor_feed import MonitorFeed, device_id
from groupkap.sources.hl7_source import open_hl7_source
from groupkap.sources.mixed import MixedSource, split_seats
from groupkap.sources.simulator import Simulator

DEMO_ACTOR = "demo"


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
        before_generate=feed.send_until,
        on_close=[feed.close],
    )
