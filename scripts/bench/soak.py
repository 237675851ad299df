"""Soak: a long session of the demo room with every feature on, then nothing lost, nothing grown.

Run: .venv/bin/python scripts/bench/soak.py [--hours 4] [--speed 60] [--seats 10]
     [--warmup-min 60] [--baseline-s 60] [--db PATH]
     diagnostics: [--no-pulse] (seats silent) [--trim] (malloc_trim before each RSS sample)
     [--trace] (tracemalloc: what grew after warm-up) [--events] (each Qt event delivery)
Its music baseline, bare libVLC on the same sinks: scripts/bench/soak_music.py.

The room is `groupkap demo --offscreen` itself (`ui.app.run_demo`, the real window at
1920x1080): the `demo` scenario (a BP rise, a desaturation, a tachycardia, a sensor off),
the demo team walking the protocol (doses, checks, MOAA/S and CADSS scores, discharges),
the alarm engine with its sounds through libVLC (dummy output, as offscreen), the music with
a real libVLC player per seat on a PulseAudio null sink of its own (a private server this
script starts; the core plays real audio only at 1x, so the soak asks for the 1x players
while the session clock runs at `--speed`), and the sharing circle that closes the demo.
A facilitator acknowledges every alarm 30 s (session time) after it is raised.

The soak only watches, through four hooks: the demo's simulator counts what it generates,
the store counts what it is handed, `RoomRun` starts the probe (soak_watch.py) and each
heartbeat and frame is timed, and the room's end runs the baselines before the loop quits:
- RSS every `--sample-min` of session time; growth counted from `--warmup-min` (by then
  everyone is dosed, the 30-minute trends are full and the ring buffers at capacity);
- GUI-thread stalls: a 10 ms precise QTimer on the GUI thread records how late each firing
  is (the gap since the last one, less 10 ms): max, p99 and count over 100 ms; a watchdog
  thread samples the GUI thread's stack during each stall, to name the file:line;
- baselines in the same process, interleaved, after the room has ended: the probe with the
  event loop idle (what the machine's load alone does to a 10 ms timer), and with the bare
  pyqtgraph room of bare_room.py drawing the room's curves at its frame rate;
- afterwards, the store against the counts: every reading, second, waveform sample and
  event. Differences must be 0; expected ones are named (artefacts the room drops, a
  seat whose sensor is off).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import sys
import tempfile
import threading
import time
import tracemalloc
from array import array
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import soak_count  # noqa: E402  (beside this script)
import soak_report  # noqa: E402
from bare_room import Bare  # noqa: E402
from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from soak_pulse import PrivatePulse, PulseError  # noqa: E402
from soak_watch import Collections, Probe, TimedApplication, Watchdog  # noqa: E402

import ui.app as app_module  # noqa: E402
from groupkap.demo.plan import demo_plan  # noqa: E402
from groupkap.options import RunOptions  # noqa: E402
from groupkap.settings import Settings  # noqa: E402
from ui.room_run import RoomRun  # noqa: E402

ACK_AFTER_S = 30.0
FACILITATOR = "RN Soak"


def malloc_trim() -> bool:
    """glibc's malloc_trim(0): hand freed heap back to the system (False: not glibc)."""
    try:
        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Acknowledger:
    """A facilitator at the alarm bar: every alarm acknowledged ACK_AFTER_S after it is raised."""

    def __init__(self, live) -> None:
        self.live = live
        self.acknowledged = 0

    def tick(self) -> None:
        engine, now = self.live.alarms, self.live.clock.now()
        for alarm in engine.active() if engine is not None else ():
            if not alarm.acknowledged and now - alarm.raised_at >= ACK_AFTER_S:
                engine.acknowledge(alarm.id, FACILITATOR)
                self.acknowledged += 1


class Soak:
    """What the soak watches while `run_demo` runs the room."""

    def __init__(self, args, settings: Settings, pulse: PrivatePulse | None) -> None:
        self.args, self.settings, self.pulse = args, settings, pulse
        self.probe = Probe()
        self.rss: list[tuple[float, float, float]] = []  # (session min, real s, MB)
        self.beat_ms = array("d")
        self.frame_ms = array("d")
        self.finish_ms = float("nan")  # RoomRun.finish: the session's end, in one slot
        self.slow: list[tuple[float, str, float]] = []  # (ms, what, session minute) over 50 ms
        self.baseline_rss: dict[str, list[float]] = {}
        self.sinks: dict[str, int] | None = None
        self.event_slow = TimedApplication.slow  # --events
        self.traced: list[float] = []  # Python's traced MB at each sample (--trace)
        self.snapshot = None  # tracemalloc at the end of warm-up (--trace)
        self.grew: list[str] = []  # the lines whose traced memory grew most after warm-up
        self.trimmed = (float("nan"), False, float("nan"))  # RSS before, trimmed, after
        self.run = None

    def attach(self, run: RoomRun) -> None:
        self.run = run
        live = run.live
        live.directors.append(Acknowledger(live))
        tick = live.tick

        def timed_tick():
            t0 = time.perf_counter()
            try:
                return tick()
            finally:
                ms = (time.perf_counter() - t0) * 1000
                self.beat_ms.append(ms)
                if ms > 50:
                    self.slow.append((ms, "heartbeat", self.probe.where()))

        live.tick = timed_tick  # RoomRun calls self.live.tick()
        grid = run.window.grid
        try:
            grid.timer.timeout.disconnect(grid.draw_frame)
        except (RuntimeError, TypeError):
            print("note: the grid's frames are not timed (its timer calls something else)")
            return
        draw = grid.draw_frame

        def timed_frame() -> None:
            t0 = time.perf_counter()
            draw()
            ms = (time.perf_counter() - t0) * 1000
            self.frame_ms.append(ms)
            if ms > 50:
                self.slow.append((ms, "frame", self.probe.where()))

        grid.timer.timeout.connect(timed_frame)

    def started(self) -> None:
        clock = self.run.live.clock
        self.t0, self.real0 = clock.now(), time.perf_counter()
        self.next_sample = self.t0
        self.warm_at = self.t0 + self.args.warmup_min * 60
        self.mid = self.t0 + self.args.hours * 1800
        self.probe.where = lambda: (clock.now() - self.t0) / 60
        TimedApplication.where = staticmethod(self.probe.where)
        self.probe.hooks.append(self._sample)
        self.collections = Collections(self.probe.where)
        self.probe.start("warm-up")
        self.watchdog = Watchdog(lambda: self.probe._last)
        self.watchdog.start()

    def _sample(self) -> None:
        now = self.run.live.clock.now()
        if self.probe.phase == "warm-up" and now >= self.warm_at:
            self.probe.phase = "after warm-up"
        if now >= self.next_sample:
            if self.args.trim:
                malloc_trim()
            self.rss.append(((now - self.t0) / 60, time.perf_counter() - self.real0, rss_mb()))
            if tracemalloc.is_tracing():
                self.traced.append(tracemalloc.get_traced_memory()[0] / 2**20)
                if self.snapshot is None and now >= self.warm_at:
                    self.snapshot = tracemalloc.take_snapshot()
            self.next_sample += self.args.sample_min * 60
        if self.sinks is None and now >= self.mid and self.pulse is not None:
            self.sinks = {}  # once, off the GUI thread: which sinks have a stream now
            threading.Thread(target=lambda: self.sinks.update(self.pulse.sink_inputs())).start()

    def ended(self) -> None:
        """The room has ended: the last sample, then the baselines, interleaved."""
        live = self.run.live
        self.end_t = live.clock.now()
        self.real_s = time.perf_counter() - self.real0
        self.rss.append(((self.end_t - self.t0) / 60, self.real_s, rss_mb()))
        self.probe.hooks.clear()
        gc.callbacks.remove(self.collections._callback)
        if tracemalloc.is_tracing():
            self.traced.append(tracemalloc.get_traced_memory()[0] / 2**20)
            if self.snapshot is not None:
                top = tracemalloc.take_snapshot().compare_to(self.snapshot, "lineno")
                self.grew = [str(stat) for stat in top[:15]]
            tracemalloc.stop()
        self.trimmed = (rss_mb(), malloc_trim(), rss_mb())
        window = self.run.window
        for timer in window.findChildren(QTimer):  # the window still ticks: quiet it
            timer.stop()
        period_s = max(33, int(1000 / self.settings.frame_rate_hz)) / 1000
        room = SimpleNamespace(
            window=window, live=BareFeed(live), speed=1.0, period_s=period_s, settings=self.settings
        )
        bare = Bare(room, tuned=False)
        frames = QTimer()
        frames.setTimerType(Qt.TimerType.PreciseTimer)
        frames.setInterval(int(period_s * 1000))
        frames.timeout.connect(bare.frame)
        block_ms = int(self.args.baseline_s * 1000 / 6)
        loop = QEventLoop()
        self.probe.phase = "baseline warm-up"  # the bare room's first paints; not reported
        frames.start()
        QTimer.singleShot(2000, loop.quit)
        loop.exec()
        frames.stop()
        for _ in range(3):
            for phase in ("idle", "bare room"):
                self.probe.phase = phase
                rss = self.baseline_rss.setdefault(phase, [])
                rss.append(rss_mb())
                if phase == "bare room":
                    frames.start()
                QTimer.singleShot(block_ms, loop.quit)
                loop.exec()
                frames.stop()
                rss.append(rss_mb())
        self.probe.timer.stop()
        self.watchdog.stop()
        bare.close()


class BareFeed:
    """The session as the bare room reads it: a seat with no waveform left (its sensor off)
    is drawn with another seat's curves, so the baseline draws as many curves as tiles."""

    def __init__(self, live) -> None:
        self.clock, self._live = live.clock, live

    def vitals_on_seat(self, seat: int):
        vitals = self._live.vitals_on_seat(seat)
        if vitals is not None and len(vitals.pleth(self.clock.now() - 15)[0]):
            return vitals
        return next(
            v
            for _, v in sorted(self._live.vitals.items())
            if len(v.pleth(self.clock.now() - 15)[0])
        )


class SoakRun(RoomRun):
    """The demo's RoomRun, watched: the probe starts with the room, each heartbeat
    (`live.tick`) and frame is timed, and the end runs the baselines before the loop quits."""

    soak: Soak

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.soak.attach(self)

    def start(self) -> None:
        super().start()
        self.soak.started()

    def end(self, reason: str) -> None:
        try:
            t0 = time.perf_counter()
            self.finish(reason)
            self.soak.finish_ms = (time.perf_counter() - t0) * 1000
            self.soak.ended()
        finally:
            QApplication.instance().quit()


def real_music(room_music):
    """`ui.app.room_music`, asking for the real (1x) seat players whatever the clock's speed."""

    def music(live, settings, speed):
        return room_music(live, settings, 1.0)

    return music


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=4.0, help="session hours")
    parser.add_argument("--speed", type=float, default=60.0, help="session seconds per second")
    parser.add_argument("--seats", type=int, default=10)
    parser.add_argument("--warmup-min", type=float, default=60.0, help="growth counted from")
    parser.add_argument("--sample-min", type=float, default=10.0, help="RSS every (session)")
    parser.add_argument("--baseline-s", type=float, default=60.0, help="idle + bare, real s")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="keep the database here (default: temporary)")
    parser.add_argument(
        "--trace", action="store_true", help="tracemalloc: what grew after warm-up (slower)"
    )
    parser.add_argument(
        "--trim", action="store_true", help="malloc_trim(0) before each RSS sample: live heap"
    )
    parser.add_argument(
        "--events", action="store_true", help="time each event Qt delivers (slower)"
    )
    parser.add_argument("--no-pulse", action="store_true", help="seats play silently")
    args = parser.parse_args()
    args.warmup_min = min(args.warmup_min, args.hours * 30)  # a short soak: half of it
    pulse = None
    if not args.no_pulse:
        try:
            pulse = PrivatePulse(["facilitator", "room"] + [f"seat{n}" for n in range(1, 11)])
        except PulseError as exc:
            print(f"note: {exc}; the seats play silently")
    settings = Settings()
    if pulse is not None:
        devices = {n: f"seat{n}" for n in range(1, args.seats + 1)}
        settings = replace(settings, seat_devices=devices, room_device="room")
    if args.trace:
        tracemalloc.start(4)
    if args.events:  # before run_demo makes the application: it takes this one
        TimedApplication([sys.argv[0]])
    soak = Soak(args, settings, pulse)
    SoakRun.soak = soak
    app_module.RoomRun = SoakRun
    app_module.Simulator = soak_count.CountingSimulator
    app_module.room_music = real_music(app_module.room_music)
    soak_count.SUBMITTED.install()
    with tempfile.TemporaryDirectory(prefix="groupkap-soak-") as tmp:
        db = args.db or Path(tmp) / "soak.sqlite3"
        options = RunOptions(
            seats=args.seats,
            scenario="demo",
            speed=args.speed,
            minutes=args.hours * 60,
            seed=args.seed,
            plan=demo_plan(args.seats),
            db=db,
            offscreen=True,
            title="soak",
        )
        try:
            code = app_module.run_demo(options, settings)
        finally:
            if pulse is not None:
                pulse.stop()
        print(f"\nrun_demo exit code {code}\n")
        soak_report.report(soak, db, np)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
