"""Benchmark the heartbeat's cadence beside slow frames, and fast demos' backlog.

Run: .venv/bin/python scripts/bench/heartbeat.py [--seats 10] [--window 4] [--repeat 3]
     [--speed 60] [--slow-tile-ms 7] [--minutes 60] [--demo-repeat 2] [--part both|beats|demo]

Part 1, beats: the real room (`MainWindow` over a `LiveSession` with the alarm engine, the
protocol and its demo team, music chips), offscreen at 1920x1080, its session clock running
at `--speed`, the real event loop and timers. Each beat's lateness is its start minus its
due time on the fixed 100 ms schedule (a whole interval missed counts as a missed beat, and
the next one is due on the schedule). Four runs alternate in windows of `--window` seconds,
so load on the machine hits all alike:
  frames normal / slow (each tile's drawing made `--slow-tile-ms` longer, 10 tiles: +70 ms)
  x heartbeat before (a repeating 100 ms timer, beats only between frames: the old path)
    / after (`RoomRun`: a precise timer on the fixed schedule, and the grid runs a due
    beat between two tiles).

Part 2, demo: `groupkap demo --seats 10 --offscreen --minutes N` in a subprocess at 3,600x
and 14,400x (the command line's --speed stops at 1,000x; the child lifts that limit), before
(the clock unheld: no pacing, no end hold, as before issue 17) and after, interleaved, and a
baseline at 600x that the machine keeps. For each: the session's length against --minutes
(overshoot); wall seconds from the clock's start to the session's end, of them the ending
(the last pump, frame, screenshot, the log's close); session length / wall; the speed the
clock kept while running (`SimulatedClock.real_speed`; unheld it is the speed asked, and
the backlog is taken in after it); the child's peak RSS (`wait4`).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

START = 1_800_000_000.0
SEED = 7
INTERVAL_S = 0.1
ROOT = Path(__file__).resolve().parents[2]


# -- part 1: beats beside frames ----------------------------------------------------------
class Beats:
    """Start times of the room's regular beats, judged against the fixed schedule."""

    def __init__(self) -> None:
        self.starts: list[float] = []

    def lateness(self, anchor: float, t0: float, t1: float) -> tuple[np.ndarray, int]:
        """Lateness (ms) of each beat started in [t0, t1) on the schedule that began at
        `anchor` (when the heartbeat's timer was started), and the beats missed outright."""
        due, late, missed = anchor + INTERVAL_S, [], 0
        for s in (s for s in self.starts if anchor <= s < t1):
            if s < due - INTERVAL_S / 2:
                continue  # an extra beat (none expected)
            while s >= due + INTERVAL_S:
                due += INTERVAL_S
                missed += s >= t0
            if s >= t0:
                late.append(max(0.0, s - due) * 1000)
            due += INTERVAL_S
        return np.array(late), missed


def build_room(folder: Path, seats: int, speed: float):
    from groupkap.accounts import DEMO_ACCOUNT
    from groupkap.clock import SimulatedClock
    from groupkap.demo.plan import demo_plan
    from groupkap.demo.protocol_team import DemoProtocolDirector
    from groupkap.options import RunOptions
    from groupkap.session_start import open_live_session
    from groupkap.settings import Settings
    from groupkap.sources.simulator import Simulator
    from groupkap.store import Store
    from ui.app import SCREENSHOT_SIZE, qt_application, room_music
    from ui.main_window import MainWindow
    from ui.room_run import RoomRun

    settings = Settings()
    qt_application(settings)
    clock = SimulatedClock(start=START, speed=0)
    store = Store.open(
        folder / "beats.sqlite3",
        clock,
        vitals_interval_s=settings.vitals_commit_s,
        anchor_every_s=settings.anchor_every_s,
    )
    options = replace(
        RunOptions(seats=seats, scenario="calm", speed=speed, seed=SEED), plan=demo_plan(seats)
    )
    live = open_live_session(
        options,
        store=store,
        clock=clock,
        settings=settings,
        make_source=lambda s, start: Simulator(
            s, start, seed=SEED, scenario="calm", nibp_interval_s=settings.nibp_interval_s
        ),
        account=DEMO_ACCOUNT,
    )
    live.account = DEMO_ACCOUNT
    director = DemoProtocolDirector(live, live.protocol, live.source.dose_time)
    director.start()
    live.directors.append(director)
    live.music, _ = room_music(live, settings, speed)
    window = MainWindow(live, settings, db_path=str(store.path))
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    run = RoomRun(live, window, None, None, sound=None)
    clock.run(speed)
    run.start()
    return run, store


def beats_part(args) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    with tempfile.TemporaryDirectory(prefix="groupkap-bench-beat-") as tmp:
        run, store = build_room(Path(tmp), args.seats, args.speed)
        grid = run.window.grid
        beats = Beats()
        original_beat = run._beat

        def timed_beat(in_frame: bool = False) -> None:
            beats.starts.append(time.monotonic())
            original_beat(in_frame)

        run._beat = timed_beat
        old_timer = QTimer(run.window)  # the old path: a repeating 100 ms timer
        old_timer.setInterval(round(INTERVAL_S * 1000))
        old_timer.timeout.connect(lambda: run._beat())
        slow = {"on": False}
        for tile in grid.tiles.values():
            refresh = tile.refresh

            def slowed(*a, _refresh=refresh, **k):
                if slow["on"]:
                    end = time.perf_counter() + args.slow_tile_ms / 1000
                    while time.perf_counter() < end:
                        pass
                return _refresh(*a, **k)

            tile.refresh = slowed

        def use(path: str) -> float:
            """Switch the heartbeat to `path`; returns when its schedule began."""
            old_timer.stop()
            run.pump_timer.stop()
            grid.between_tiles = None
            anchor = time.monotonic()
            if path == "before":
                old_timer.start()
            else:
                run._due = run._real_clock() + INTERVAL_S
                run.pump_timer.start()
                grid.between_tiles = run.beat_if_due
            return anchor

        def spin(seconds: float) -> None:
            loop = QEventLoop()
            QTimer.singleShot(round(seconds * 1000), loop.quit)
            loop.exec()

        kinds = [(f, p) for f in ("normal", "slow") for p in ("before", "after")]
        pooled = {k: ([], 0, 0.0, 0) for k in kinds}
        use("after")
        spin(1.0)  # warm up
        for _ in range(args.repeat):
            for frames, path in kinds:
                slow["on"] = frames == "slow"
                anchor = use(path)
                spin(0.3)  # settle into the path
                f0, t0 = grid.frames, time.monotonic()
                spin(args.window)
                t1 = time.monotonic()
                late, missed = beats.lateness(anchor, t0, t1)
                lates, miss, secs, nframes = pooled[(frames, path)]
                pooled[(frames, path)] = (
                    lates + list(late),
                    miss + missed,
                    secs + t1 - t0,
                    nframes + grid.frames - f0,
                )
        old_timer.stop()
        run.finish("bench over")
        store.close()
    print(
        f"{args.seats} seats, offscreen 1920x1080, session clock at {args.speed:g}x; "
        f"{args.repeat} x {args.window:g} s of each kind, alternating; slow frames: "
        f"+{args.slow_tile_ms:g} ms per tile"
    )
    head = f"{'frames':<8}{'heartbeat':<9}{'median':>8}{'p95':>8}{'max':>8}"
    print(f"\nbeat lateness, ms (due -> start)\n{head}{'beats/s':>9}{'missed':>8}{'fps':>7}")
    for (frames, path), (lates, missed, secs, nframes) in pooled.items():
        late = np.array(lates)
        print(
            f"{frames:<8}{path:<9}{np.median(late):>8.1f}{np.percentile(late, 95):>8.1f}"
            f"{late.max():>8.1f}{len(late) / secs:>9.2f}{missed:>8}{nframes / secs:>7.1f}"
        )


# -- part 2: fast demos --------------------------------------------------------------------
CHILD = r"""
import math, sys, time
import groupkap.cli as cli
import groupkap.session as session
from groupkap.clock import SimulatedClock
from ui.room_run import RoomRun

cli.SPEED_RANGE = (0.1, 1e6)
if sys.argv[1] == "before":  # the clock unheld, as before issue 17
    session.PUMP_SPAN_MAX_S = math.inf
    SimulatedClock.end_at = lambda self, t: None
marks = {}
run_clock = SimulatedClock.run
def timed_run(self, speed):
    marks.setdefault("start", time.monotonic())
    run_clock(self, speed)
SimulatedClock.run = timed_run
finish = RoomRun.finish
def timed_finish(self, reason):
    done = self.finished
    if not done:
        marks["finish"] = time.monotonic()
    finish(self, reason)
    if not done:
        end = time.monotonic()
        print(
            f"BENCH wall={end - marks['start']:.3f} clock={self.real_speed:.1f}"
            f" finish={end - marks['finish']:.3f}",
            flush=True,
        )
RoomRun.finish = timed_finish
sys.exit(cli.main(sys.argv[2:]))
"""


def demo_once(path: str, speed: float, minutes: float, folder: Path, n: int) -> dict:
    db = folder / f"demo-{path}-{speed:g}-{n}.sqlite3"
    argv = ["demo", "--seats", "10", "--offscreen", "--minutes", f"{minutes:g}"]
    argv += ["--speed", f"{speed:g}", "--db", str(db), "--screenshot", str(db) + ".png"]
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, path, *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=open(folder / f"demo-{path}-{speed:g}-{n}.err", "w"),  # noqa: SIM115
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    line = next((x for x in out.splitlines() if x.startswith("BENCH ")), "BENCH")
    marks = dict(kv.split("=") for kv in line.split()[1:])
    wall, clock = float(marks.get("wall", "nan")), float(marks.get("clock", "nan"))
    with closing(sqlite3.connect(db)) as conn:
        started, ended = conn.execute("select started_at, ended_at from sessions").fetchone()
        if ended is None:  # ending failed: the session reached as far as its last vitals
            ended = conn.execute("select max(t) from vitals").fetchone()[0] or float("nan")
    if proc.returncode != 0:
        err = (folder / f"demo-{path}-{speed:g}-{n}.err").read_text().strip().splitlines()
        print(f"note: {path} at {speed:g}x exit {proc.returncode}: {err[-1] if err else ''}")
    length = ended - started
    return {
        "exit": proc.returncode,
        "overshoot": length / (minutes * 60) - 1,
        "wall": wall,
        "speed": length / wall,
        "clock": clock,
        "finish": float(marks.get("finish", "nan")),
        "rss_mb": usage.ru_maxrss / 1024,
    }


def demo_part(args) -> None:
    runs = [("baseline", 600.0)] + [(p, s) for s in (3600.0, 14400.0) for p in ("before", "after")]
    results: dict[tuple[str, float], list[dict]] = {r: [] for r in runs}
    with tempfile.TemporaryDirectory(prefix="groupkap-bench-demo-") as tmp:
        for n in range(args.demo_repeat):
            for path, speed in runs:
                child_path = "after" if path == "baseline" else path
                results[(path, speed)].append(
                    demo_once(child_path, speed, args.minutes, Path(tmp), n)
                )
    print(
        f"\ngroupkap demo --seats 10 --offscreen --minutes {args.minutes:g}: "
        f"{args.demo_repeat} runs each, interleaved (ranges are min-max)"
    )
    head = f"{'run':<10}{'speed':>8}{'overshoot %':>13}{'wall s':>12}{'end s':>11}"
    print(f"{head}{'length/wall':>13}{'clock kept':>13}{'peak RSS MB':>13}{'x baseline':>11}")
    base_rss = np.median([r["rss_mb"] for r in results[runs[0]]])

    def span(values, fmt):
        lo, hi = min(values), max(values)
        return f"{lo:{fmt}}" if f"{lo:{fmt}}" == f"{hi:{fmt}}" else f"{lo:{fmt}}-{hi:{fmt}}"

    for (path, speed), rs in results.items():

        def col(key: str, scale: float = 1.0, rs=rs) -> list[float]:
            return [scale * r[key] for r in rs]

        bad = [r["exit"] for r in rs if r["exit"] != 0]
        rss = [r["rss_mb"] for r in rs]
        print(
            f"{path:<10}{speed:>8,.0f}{span(col('overshoot', 100), '.1f'):>13}"
            f"{span(col('wall'), '.1f'):>12}{span(col('finish'), '.1f'):>11}"
            f"{span(col('speed'), ',.0f'):>13}{span(col('clock'), ',.0f'):>13}"
            f"{span(rss, '.0f'):>13}{np.median(rss) / base_rss:>11.2f}"
            + (f"  exit {bad}" if bad else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=10, help="seats in the room (3-10)")
    parser.add_argument("--window", type=float, default=4.0, help="seconds per window")
    parser.add_argument("--repeat", type=int, default=3, help="windows of each kind")
    parser.add_argument("--speed", type=float, default=60.0, help="session clock, part 1")
    parser.add_argument("--slow-tile-ms", type=float, default=7.0, help="slow frames, per tile")
    parser.add_argument("--minutes", type=float, default=60.0, help="demo length, part 2")
    parser.add_argument("--demo-repeat", type=int, default=2, help="demo runs of each kind")
    parser.add_argument("--part", choices=("both", "beats", "demo"), default="both")
    args = parser.parse_args()
    if args.part in ("both", "beats"):
        beats_part(args)
    if args.part in ("both", "demo"):
        demo_part(args)


if __name__ == "__main__":
    main()
