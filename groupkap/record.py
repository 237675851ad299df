"""`groupkap record`: the room without a window, fed by real monitors over HL7.

The same session as the window's (`open_live_session`), the same heartbeat
(`LiveSession.tick()` every 100 ms on the real clock: alarms, protocol, the log), and the
same source (the MLLP listener); no widget, no sound and no Qt import. It prints one line
per connection, device, assignment, alarm and problem, so a clinic can check a monitor's
connection from a terminal, and it ends after `--minutes` or on SIGTERM, SIGHUP or SIGINT,
logging the session as ended ("ended by signal (SIGTERM)") and exiting 0.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import sys
import threading
from typing import TextIO

from groupkap.alarms.engine import ROOM
from groupkap.alarms.limits import HIGH
from groupkap.clock import RealClock
from groupkap.hl7.room_monitors import RoomMonitors
from groupkap.options import RunOptions
from groupkap.session import LiveSession
from groupkap.session_start import open_live_session
from groupkap.settings import Settings
from groupkap.store import Store

TICK_S = 0.1
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
LOG_NOT_WRITTEN = "LOG_NOT_WRITTEN"


def actor_name() -> str:
    """Who changes made at this terminal are attributed to."""
    return os.environ.get("USER") or "facilitator"


class _Lines(logging.Handler):
    """The listener's and the device map's log records, one plain line each."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(logging.INFO)
        self.out = out
        self.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(self.format(record), file=self.out, flush=True)
        except Exception:  # a closed terminal must not stop the recording
            self.handleError(record)


def run_record(options: RunOptions, settings: Settings, out: TextIO = sys.stdout) -> int:
    """Record until `options.minutes` pass or a stop signal comes; 0 when the session ended
    cleanly, 1 when ending it failed. Raises GroupKapError (exit 2) for what is wrong before
    anything is written: a taken port, a bad vendor codes file or device map."""
    stop = threading.Event()
    wake = threading.Event()  # a message arrived (or stop): beat now, not at the next 100 ms
    caught: list[int] = []

    def on_signal(signum, _frame) -> None:
        caught.append(signum)
        stop.set()
        wake.set()

    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)
    lines = _Lines(out)
    hl7_log = logging.getLogger("groupkap.hl7")
    hl7_log.addHandler(lines)
    hl7_log.setLevel(min(hl7_log.getEffectiveLevel(), logging.INFO))
    hl7_log.propagate = False  # printed once, here, not again by the root logger on stderr
    clock = RealClock()
    monitors = RoomMonitors(settings.hl7, options.hl7, clock, on_arrival=wake.set)
    # The store's writer reports from its own thread: a reason when the log fails, "" when
    # it is written again; the heartbeat turns them into the room's alarm.
    failures: queue.SimpleQueue[str] = queue.SimpleQueue()
    store = Store.open(
        options.db,
        clock,
        on_error=failures.put,
        on_recovered=lambda: failures.put(""),
        vitals_interval_s=settings.vitals_commit_s,
        anchor_every_s=settings.anchor_every_s,
    )
    live = None
    try:
        live = open_live_session(
            options, store=store, clock=clock, settings=settings, make_source=monitors
        )
        monitors.place(actor_name())
        print(
            f"recording session {live.id} into {store.path}: {monitors.describe()}",
            file=out,
            flush=True,
        )
        end_at = clock.now() + options.minutes * 60 if options.minutes else None
        reason = beat_until_stopped(live, stop, wake, end_at, failures, out)
        if caught:
            reason = f"ended by signal ({signal.Signals(caught[0]).name})"
        live.end(reason)
        print(f"session {live.id} {reason}", file=out, flush=True)
        return 0
    finally:
        monitors.close()
        hl7_log.removeHandler(lines)
        hl7_log.propagate = True
        store.close()


def beat_until_stopped(
    live: LiveSession,
    stop: threading.Event,
    wake: threading.Event,
    end_at: float | None,
    failures: queue.SimpleQueue[str],
    out: TextIO,
) -> str:
    """The heartbeat until `stop` is set or `end_at` passes; returns why it ended. It beats
    every TICK_S, and at once when `wake` is set (a message arrived): a monitor waits for its
    AA, which waits for the beat that stores its values (a gateway sending a ward's messages
    one by one must not wait 100 ms each). scripts/bench/hl7_ingest.py runs this same loop."""
    shown: dict[str, tuple[str, str]] = {}
    while True:
        wake.wait(TICK_S)
        wake.clear()
        if stop.is_set():
            break
        if end_at is not None and live.clock.now() >= end_at:
            return "finished"
        _log_state(live, failures, out)
        tick = live.tick()
        for problem in tick.problems:
            print(f"problem: {problem}", file=out, flush=True)
        _print_alarms(live, shown, out)
    return "ended by signal"


def _log_state(live: LiveSession, failures: queue.SimpleQueue[str], out: TextIO) -> None:
    """The log not being written is the room's high technical alarm, as in the window."""
    while not failures.empty():
        reason = failures.get()
        if live.alarms is None:
            continue
        if reason:
            print(f"problem: session log not being written: {reason}", file=out, flush=True)
            live.alarms.raise_technical(
                ROOM, LOG_NOT_WRITTEN, HIGH, f"session log not being written: {reason}"
            )
        else:
            print("session log written again", file=out, flush=True)
            live.alarms.clear_technical(ROOM, LOG_NOT_WRITTEN)


def _print_alarms(live: LiveSession, shown: dict[str, tuple[str, str]], out: TextIO) -> None:
    """One line when an alarm is raised or changes priority, one when it ends."""
    if live.alarms is None:
        return
    now = {a.id: a for a in live.alarms.active()}
    for alarm_id, alarm in now.items():
        if shown.get(alarm_id, ("",))[0] != alarm.priority:
            where = "room" if alarm.participant_id == ROOM else f"seat {alarm.seat}"
            print(f"alarm {alarm.priority} ({where}): {alarm.text}", file=out, flush=True)
            shown[alarm_id] = (alarm.priority, f"{where}: {alarm.key}")
    for alarm_id in [a for a in shown if a not in now]:
        print(f"alarm ended ({shown.pop(alarm_id)[1]})", file=out, flush=True)
