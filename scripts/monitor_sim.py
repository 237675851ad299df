#!/usr/bin/env python3
"""Simulated bedside monitors: IHE PCD-01 ORU^R01 messages over MLLP, one connection per seat.

    python scripts/monitor_sim.py --port 2575 --seats 6 --seconds 600
    python scripts/monitor_sim.py --port 2575 --seats 10 --seconds 3600 --speed 60 --batch 10

Each seat's monitor sends HR, SpO2, pulse rate and respiration rate once a simulated second
and the cuff's SBP / DBP / MAP at every cycle with its own measurement time, as
Philips-style MDC messages (device id in OBX-18), from GroupKAP's simulator (same seed, same
room as `groupkap demo`). It reads every ACK and prints how many were AA, AE and AR.

`--speed X` runs the monitors' clocks X times faster than real time, starting now: the
messages then carry times ahead of the receiving computer's, which a recorder reports as
clock drift (useful to see that warning; for a clean recording keep --speed 1). `--batch S`
puts up to S seconds of values in one message, for high speeds.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from groupkap.clock import SimulatedClock  # noqa: E402
from groupkap.hl7.monitor_feed import MonitorFeed, device_id  # noqa: E402
from groupkap.sources.simulator import SCENARIOS  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="the listener's address")
    parser.add_argument("--port", type=int, default=2575, help="the listener's MLLP port")
    parser.add_argument("--seats", type=int, default=6, help="monitors, one per seat (1-10)")
    parser.add_argument("--seconds", type=float, default=60.0, help="simulated seconds to send")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second")
    parser.add_argument("--batch", type=float, default=1.0, help="seconds of values per message")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", default="demo", choices=list(SCENARIOS))
    parser.add_argument("--nibp-interval", type=float, default=300.0, help="cuff cycle, s")
    args = parser.parse_args(argv)
    if not 1 <= args.seats <= 10 or args.speed <= 0 or args.seconds <= 0:
        parser.error("--seats 1-10, --speed and --seconds above 0")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    start = float(int(time.time()))
    clock = SimulatedClock(start=start, speed=args.speed)
    seats = list(range(1, args.seats + 1))
    feed = MonitorFeed(
        args.host,
        args.port,
        seats,
        start,
        seed=args.seed,
        scenario=args.scenario,
        nibp_interval_s=args.nibp_interval,
        batch_s=args.batch,
    )
    print(f"{args.seats} monitors to {args.host}:{args.port}: " + ", ".join(map(device_id, seats)))
    end = start + args.seconds
    try:
        while True:
            now = min(clock.now(), end)
            feed.send_until(now)
            if now >= end:
                break
            time.sleep(min(1.0, max(0.02, 1.0 / args.speed)))
    except KeyboardInterrupt:
        pass
    finally:
        feed.close()
    acks = dict(feed.acks)
    print(
        f"sent {feed.sent} messages: AA {acks.get('AA', 0)}, AE {acks.get('AE', 0)}, "
        f"AR {acks.get('AR', 0)}, no answer {acks.get('lost', 0)}"
    )
    return 0 if feed.sent and acks.get("AA", 0) == feed.sent else 1


if __name__ == "__main__":
    sys.exit(main())
