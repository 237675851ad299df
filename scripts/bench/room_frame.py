"""Benchmark the real room's frame, early and late in a session, against a bare pyqtgraph loop.

Run: .venv/bin/python scripts/bench/room_frame.py [--seats 10] [--frames 250] [--repeat 3]
     [--speed 1] [--state both|early|late] [--profile | --room-only]

The room is the one `groupkap demo` opens: `MainWindow` over a `LiveSession` with the alarm
engine, the protocol (the demo team walking it) and the music chips (silent players),
offscreen at 1920x1080. Its running timers (the heartbeat every 100 ms, the grid's frame, the
clock line) are fired frame by frame on a virtual clock at the frame rate, and the session
clock moves with it at `--speed`, so every run does the same work whatever the machine's load.
  early: 20 s after the start, nobody dosed yet (the trends nearly empty);
  late:  everyone dosed (the last one 60 min ago), trends full, three alarms raised by
         participant limits and left unacknowledged, so they flash (a high and two medium),
         beside the MOAA/S alarms the demo team has acknowledged.
A frame is what the window does per frame: the heartbeat's tick when it is due, the grid's
draw (tiles, alarm bar, due strip), the clock line when due, and the paint (processEvents).

The baselines (`bare_room.py`, beside this script) are bare pyqtgraph loops in the same
process drawing the same curves in each frame (every pleth; each tile's three trend curves
on the frames the room redraws them) at the same sizes, ranges and pens, and nothing else:
`bare` as pyqtgraph's examples draw live data (`plot()` items, `setData(...,
skipFiniteCheck=True)`), `tuned` with bare `PlotCurveItem`s whose bounds are given. Frames
alternate, room, bare, tuned, so load on the machine hits all alike (STYLE.md: benchmarks
print ratios). Times are the GUI thread's CPU time (`time.thread_time`); the store's writer
thread is not in them. `--profile` runs the room's frames alone under cProfile;
`--room-only` runs them alone for py-spy.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from bare_room import Bare  # noqa: E402  (beside this script)
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from groupkap.accounts import DEMO_ACCOUNT  # noqa: E402
from groupkap.alarms.limits import Bound  # noqa: E402
from groupkap.clock import SimulatedClock  # noqa: E402
from groupkap.demo.plan import demo_plan  # noqa: E402
from groupkap.demo.protocol_team import DemoProtocolDirector  # noqa: E402
from groupkap.options import RunOptions  # noqa: E402
from groupkap.session_start import open_live_session  # noqa: E402
from groupkap.settings import Settings  # noqa: E402
from groupkap.sources.simulator import Simulator  # noqa: E402
from groupkap.store import Store  # noqa: E402
from ui.app import SCREENSHOT_SIZE, qt_application, room_music  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.room_run import RoomRun  # noqa: E402

START = 1_800_000_000.0
SEED = 7
EARLY_S = 20.0  # the early state: this long after the start (the first dose is at 120 s)
LATE_AFTER_LAST_DOSE_S = 3600.0
FILL_STEP_S = 5.0  # heartbeats while filling to the late state (no frames drawn)
BUDGET_MS = 40.0
# The three alarms of the late state: seat, parameter, priority, the bound that every value
# of a calm room crosses (so they stay active and, unacknowledged, flash).
LATE_ALARMS = ((2, "HR", "high", Bound(">", 40.0)), (5, "RR", "medium", Bound(">", 4.0)))
LATE_ALARMS += ((8, "SpO2", "medium", Bound("<", 100.5)),)


class VirtualTime:
    """Real time as the room's timers and flashing see it: one frame period per frame."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


class Room:
    """The demo room, its window, and its timers driven one frame at a time."""

    def __init__(self, folder: Path, seats: int, speed: float, settings: Settings) -> None:
        self.settings, self.speed = settings, speed
        self.period_s = max(33, int(1000 / settings.frame_rate_hz)) / 1000
        self.clock = SimulatedClock(start=START, speed=0)
        self.store = Store.open(
            folder / "room.sqlite3",
            self.clock,
            vitals_interval_s=settings.vitals_commit_s,
            anchor_every_s=settings.anchor_every_s,
        )
        options = RunOptions(seats=seats, scenario="calm", speed=speed, seed=SEED)
        options = replace(options, plan=demo_plan(seats))

        def simulator(seat_numbers: list[int], start: float) -> Simulator:
            return Simulator(
                seat_numbers,
                start,
                seed=SEED,
                scenario="calm",
                nibp_interval_s=settings.nibp_interval_s,
            )

        live = open_live_session(
            options,
            store=self.store,
            clock=self.clock,
            settings=settings,
            make_source=simulator,
            account=DEMO_ACCOUNT,
        )
        live.account = DEMO_ACCOUNT
        director = DemoProtocolDirector(live, live.protocol, live.source.dose_time)
        director.start()
        live.directors.append(director)
        live.music, problem = room_music(live, settings, speed)
        if live.music is None:
            print(f"note: {problem}")
        self.live = live
        self.vt = VirtualTime()
        self.window = MainWindow(live, settings, db_path=str(self.store.path), flash_clock=self.vt)
        self.window.resize(*SCREENSHOT_SIZE)
        self.window.show()
        self.run = RoomRun(live, self.window, None, None, sound=None, real_clock=self.vt)
        self.clock.advance(EARLY_S)
        self.run.start()  # a first beat and frame, then the heartbeat and frame timers
        QApplication.processEvents()
        # Every running timer of the window is stopped and fired here when due instead.
        self.timers = []
        for timer in self.window.findChildren(QTimer):
            if timer.isActive():
                timer.stop()
                self.timers.append([timer, timer.interval() / 1000, timer.interval() / 1000])

    def frame(self) -> None:
        """One frame: the session clock moves on, every timer due fires, then the paint.
        `beat` says whether the heartbeat was among them."""
        self.vt.t += self.period_s
        self.clock.advance(self.speed * self.period_s)
        self.beat = False
        for entry in sorted(self.timers, key=lambda e: e[2]):
            timer, interval, due = entry
            if due <= self.vt.t + 1e-9:
                self.beat = self.beat or timer is self.run.pump_timer
                timer.timeout.emit()
                while entry[2] <= self.vt.t + 1e-9:
                    entry[2] += interval
        QApplication.processEvents()

    def fill_to_late(self) -> None:
        """Everyone dosed and the last one 60 min ago, then three alarms raised and left."""
        live = self.live
        last_dose = max(live.source.dose_time(seat.number) for seat, _ in live.room.by_seat())
        while self.clock.now() < last_dose + LATE_AFTER_LAST_DOSE_S:
            self.clock.advance(FILL_STEP_S)
            live.tick()
        engine = live.alarms
        for seat, param, priority, bound in LATE_ALARMS:
            pid = live.room.on_seat(seat).id
            limits = engine.limits_for(pid)
            changed = replace(limits.get(param), **{priority: (bound,)}, delay_s=0.0)
            engine.set_limits(
                replace(limits, params={**limits.params, param: changed}), "bench", pid
            )
        for _ in range(15):
            self.clock.advance(1.0)
            live.tick()
        self.window.grid.draw_frame(all_plots=True)
        QApplication.processEvents()

    def dosed(self) -> int:
        return sum(
            1 for p in self.live.room.participants.values() if self.live.protocol.of(p.id).t0
        )

    def close(self) -> None:
        self.window.grid.stop()
        self.window.close()
        self.store.close()


class Restyles:
    """Counts setStyleSheet calls made from Python while counting is on."""

    def __init__(self) -> None:
        self.on, self.count = False, 0
        original = QWidget.setStyleSheet

        def counted(widget, sheet):
            if self.on:
                self.count += 1
            return original(widget, sheet)

        QWidget.setStyleSheet = counted


def cpu_ms(run) -> float:
    t0 = time.thread_time()
    run()
    return (time.thread_time() - t0) * 1000


def measure(room: Room, frames: int, repeat: int, restyles: Restyles) -> dict:
    bare, tuned = Bare(room, tuned=False), Bare(room, tuned=True)
    for _ in range(12):  # warm up: fonts, paths, caches
        room.frame()
        bare.frame()
        tuned.frame()
    ms: dict[str, list[float]] = {"room": [], "bare": [], "tuned": [], "beat": []}
    restyles.count = 0
    for _ in range(repeat):
        for _ in range(frames):
            restyles.on = True
            ms["room"].append(cpu_ms(room.frame))
            ms["beat"].append(room.beat)
            restyles.on = False
            ms["bare"].append(cpu_ms(bare.frame))
            ms["tuned"].append(cpu_ms(tuned.frame))
    bare.close()
    tuned.close()
    seconds = repeat * frames * room.period_s
    return {**{k: np.array(v) for k, v in ms.items()}, "restyles_per_s": restyles.count / seconds}


def room_only(room: Room, frames: int, with_cprofile: bool) -> None:
    """The room's frames alone (for py-spy), or under cProfile (its top 25 printed)."""
    profiler = cProfile.Profile() if with_cprofile else None
    if profiler is not None:
        profiler.enable()
    for _ in range(frames):
        room.frame()
    if profiler is not None:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def row(state: str, name: str, ms: np.ndarray, *bases: np.ndarray) -> str:
    med, p95, top = np.median(ms), np.percentile(ms, 95), ms.max()
    over = int((ms > BUDGET_MS).sum())
    ratios = ""
    for base in bases:
        ratios += f"{med / np.median(base):>8.2f}{p95 / np.percentile(base, 95):>7.2f}"
    return f"{state:<6}{name:<26}{med:>8.2f}{p95:>8.2f}{top:>8.2f}{over:>7}{ratios}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=10, help="seats in the room (3-10)")
    parser.add_argument("--frames", type=int, default=250, help="frames per repeat and kind")
    parser.add_argument("--repeat", type=int, default=3, help="repeats (frames are pooled)")
    parser.add_argument("--speed", type=float, default=1.0, help="session seconds per second")
    parser.add_argument("--state", choices=("both", "early", "late"), default="both")
    parser.add_argument("--profile", action="store_true", help="cProfile the room's frames")
    parser.add_argument(
        "--room-only", action="store_true", help="the room's frames alone, no baseline (py-spy)"
    )
    args = parser.parse_args()
    settings = Settings()
    qt_application(settings)
    restyles = Restyles()
    results = {}
    with tempfile.TemporaryDirectory(prefix="groupkap-bench-frame-") as tmp:
        room = Room(Path(tmp), args.seats, args.speed, settings)
        try:
            for state in ("early", "late"):
                if args.state not in ("both", state):
                    continue
                if state == "late":
                    room.fill_to_late()
                if args.profile or args.room_only:
                    room_only(room, args.frames * args.repeat, args.profile)
                    continue
                results[state] = measure(room, args.frames, args.repeat, restyles)
                results[state]["dosed"] = room.dosed()
                results[state]["alarms"] = room.live.alarms.active()
                results[state]["trend_tiles"] = max(len(s) for s in Bare.schedule_of(room))
        finally:
            room.close()
    if args.profile or args.room_only:
        return
    print(
        f"{args.seats} seats, {SCREENSHOT_SIZE[0]}x{SCREENSHOT_SIZE[1]} offscreen, "
        f"{settings.frame_rate_hz:g} fps, session clock at {args.speed:g}x; "
        f"{args.repeat} x {args.frames} frames of each kind, alternating"
    )
    print(
        f"curves: every pleth each frame, each tile's 3 trend curves twice a second "
        f"({results[next(iter(results))]['trend_tiles']} tiles' at most in one frame); "
        f"CPU ms of the GUI thread per frame; budget {BUDGET_MS:.0f} ms"
    )
    for state, r in results.items():
        flashing = [a for a in r["alarms"] if not a.acknowledged]
        print(
            f"{state}: {r['dosed']} of {args.seats} dosed; {len(r['alarms'])} alarms active, "
            f"{len(flashing)} unacknowledged (flashing)"
            + (f": {'; '.join(f'{a.seat} {a.label}' for a in flashing)}" if flashing else "")
            + f"; {r['restyles_per_s']:.1f} style-sheet calls/s"
        )
    head = f"{'state':<6}{'frame':<26}{'median':>8}{'p95':>8}{'max':>8}{'>40ms':>7}"
    print(f"\n{head}{'x bare':>8}{'p95':>7}{'x tuned':>8}{'p95':>7}")
    for state, r in results.items():
        print(row(state, "bare pyqtgraph", r["bare"]))
        print(row(state, "bare pyqtgraph, tuned", r["tuned"]))
        print(row(state, "GroupKAP room", r["room"], r["bare"], r["tuned"]))
        beat = r["beat"].astype(bool)
        print(row(state, "  frames with a heartbeat", r["room"][beat]))
        print(row(state, "  frames without", r["room"][~beat]))


if __name__ == "__main__":
    main()
