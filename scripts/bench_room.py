"""Benchmark the room display's frame, ingest and commit costs against same-process baselines.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/bench_room.py [--seats 10] [--repeat N]

Every figure is a median over repeats with GroupKAP and its baseline timed in turn in each repeat,
so a slow machine or a busy neighbour moves both alike and the ratios stay comparable (STYLE.md:
benchmarks print ratios, they are not timed tests).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402  (before pyqtgraph)
import pyqtgraph as pg  # noqa: E402

from groupkap.clock import SimulatedClock  # noqa: E402
from groupkap.demo_room import seat_demo_participants  # noqa: E402
from groupkap.params import PARAMETERS  # noqa: E402
from groupkap.session import LiveSession  # noqa: E402
from groupkap.settings import Settings  # noqa: E402
from groupkap.sources.simulator import Simulator  # noqa: E402
from groupkap.store import Store  # noqa: E402
from ui import theme  # noqa: E402
from ui.app import qt_application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.room.plots import TREND_PARAMS  # noqa: E402

START = 1_800_000_000.0
SEED = 7
FILL_MINUTES = 30
INGEST_SECONDS = 60
FRAMES = 15  # frames per repeat: enough to average out one slow paint


def new_session(store: Store, seats: int, settings: Settings) -> LiveSession:
    """A demo room on its own frozen clock, so every run sees the same simulated data."""
    clock = SimulatedClock(start=START, speed=0)
    source = Simulator(list(range(1, seats + 1)), START, seed=SEED, scenario="calm",
                       nibp_interval_s=settings.nibp_interval_s)
    live = LiveSession.start(seat_count=seats, clock=clock, source=source, store=store,
                             settings=settings)
    seat_demo_participants(live)
    return live


def timed(run, count: int) -> float:
    """Mean ms per call of `run` over `count` calls."""
    t0 = time.perf_counter()
    for _ in range(count):
        run()
    return (time.perf_counter() - t0) * 1000 / count


def baseline_plots(window: MainWindow, live: LiveSession, settings: Settings):
    """Bare PlotWidgets at the very places and sizes of the tiles' plots, with the same pens,
    fixed ranges and data: what drawing the curves costs with nothing of GroupKAP around it."""
    host = QWidget()
    host.resize(window.size())
    now = live.clock.now()
    updates = []  # (curve, x, y)
    for tile in window.grid.tiles.values():
        vitals = live.vitals_on_seat(tile.seat.number)
        for widget, curves in ((tile.pleth.widget, {"PLETH": None}),
                               (tile.trend.widget, dict.fromkeys(TREND_PARAMS))):
            plot = pg.PlotWidget(host, background=theme.TILE)
            plot.setGeometry(widget.mapTo(window, widget.rect().topLeft()).x(),
                             widget.mapTo(window, widget.rect().topLeft()).y(),
                             widget.width(), widget.height())
            for axis in ("left", "bottom"):
                plot.hideAxis(axis)
            plot.disableAutoRange()
            plot.setRange(xRange=widget.viewRange()[0], yRange=widget.viewRange()[1], padding=0)
            for name in curves:
                symbol = dict(symbol="o", symbolSize=4, symbolPen=None,
                              symbolBrush=theme.PARAM_COLOURS[name]) if name == "SBP" else {}
                curve = plot.plot(pen=pg.mkPen(theme.PARAM_COLOURS[name], width=1), **symbol)
                if name == "PLETH":
                    t, v = vitals.pleth(now - settings.pleth_seconds)
                    updates.append((curve, t - t[-1], v))
                else:
                    p = PARAMETERS[name]
                    t, v = vitals.trend(name, now - settings.trend_minutes * 60)
                    y = np.clip((v - p.display_min) / (p.display_max - p.display_min), 0, 1)
                    updates.append((curve, (t - now) / 60.0, y))
    host.show()
    return host, updates


def bench_frames(app: QApplication, seats: int, repeat: int, settings: Settings,
                 folder: Path) -> dict:
    """draw_frame + paint on a full room, against setData-only on bare plots."""
    store = Store.open(folder / "room.sqlite3", SimulatedClock(start=START, speed=0))
    live = new_session(store, seats, settings)
    for _ in range(FILL_MINUTES):
        live.clock.advance(60)
        live.pump()
    store.flush()
    window = MainWindow(live, settings, simulated=True, db_path=str(store.path))
    window.resize(1920, 1080)
    window.show()
    host, updates = baseline_plots(window, live, settings)

    def frame() -> None:
        window.grid.draw_frame()
        app.processEvents()

    def baseline_frame() -> None:
        for curve, x, y in updates:
            curve.setData(x, y, skipFiniteCheck=True)
        app.processEvents()

    def new_second_frame() -> float:
        """A frame that brings a new second to every tile (the pump itself is not timed)."""
        live.clock.advance(1)
        live.pump()
        t0 = time.perf_counter()
        frame()
        return (time.perf_counter() - t0) * 1000

    for _ in range(3):  # warm up: first paints build caches and fonts
        frame(), baseline_frame()
    real, base, fresh = [], [], []
    for _ in range(repeat):
        real.append(timed(frame, FRAMES))
        base.append(timed(baseline_frame, FRAMES))
        fresh.append(statistics.fmean(new_second_frame() for _ in range(FRAMES)))
    window.close(), host.close()
    store.close()
    return {"frame": statistics.median(real), "base": statistics.median(base),
            "fresh": statistics.median(fresh)}


def bench_ingest_and_commit(seats: int, repeat: int, settings: Settings, folder: Path) -> dict:
    """pump() vs generate() alone for the same span; flush() vs a bare executemany of its rows."""
    # A commit interval longer than the run: the writer commits only when flushed, so the
    # pump timing excludes commits and the flush timing holds the whole batch.
    store = Store.open(folder / "ingest.sqlite3", SimulatedClock(start=START), vitals_interval_s=3600)
    bare = sqlite3.connect(folder / "bare.sqlite3", isolation_level=None)
    bare.execute("pragma journal_mode=wal")
    bare.execute("pragma synchronous=normal")  # as the store's writer
    bare.execute("create table vitals (session_id, participant_id, seat, device, param, t, "
                 "value, unit, source)")
    bare.execute("create table waveforms (session_id, participant_id, seat, device, param, "
                 "t_start, rate_hz, n, samples, source)")
    pump_ms, gen_ms, flush_ms, bare_ms = [], [], [], []
    for _ in range(repeat):
        live = new_session(store, seats, settings)
        store.flush()  # the participant events, so the flush below commits vitals only

        def pump_all() -> None:
            for _ in range(INGEST_SECONDS):
                live.clock.advance(1)
                live.pump()

        sim = Simulator(list(range(1, seats + 1)), START, seed=SEED, scenario="calm",
                        nibp_interval_s=settings.nibp_interval_s)
        out = []

        def generate_all() -> None:
            for s in range(1, INGEST_SECONDS + 1):
                out.append(sim.generate(START + s))

        pump_ms.append(timed(pump_all, 1))
        gen_ms.append(timed(generate_all, 1))
        flush_ms.append(timed(store.flush, 1))
        # The same rows the session queued, built from the twin simulator's output.
        pid = {n: live.room.on_seat(n).id for n in range(1, seats + 1)}
        vitals = [(live.id, pid[r.seat], r.seat, f"seat{r.seat}", r.param, r.t, r.value,
                   PARAMETERS[r.param].unit, r.source) for readings, _ in out for r in readings]
        waves = [(live.id, pid[b.seat], b.seat, f"seat{b.seat}", b.param, b.t_start, b.rate_hz,
                  len(b.samples), np.asarray(b.samples, "<f4").tobytes(), b.source)
                 for _, blocks in out for b in blocks]
        assert len(vitals) == live.totals.readings - live.totals.dropped
        assert len(waves) == live.totals.blocks

        def bare_commit() -> None:
            bare.execute("begin")
            bare.executemany("insert into vitals values (?, ?, ?, ?, ?, ?, ?, ?, ?)", vitals)
            bare.executemany("insert into waveforms values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", waves)
            bare.execute("commit")

        bare_ms.append(timed(bare_commit, 1))
    store.close()
    bare.close()
    return {"pump": statistics.median(pump_ms), "gen": statistics.median(gen_ms),
            "flush": statistics.median(flush_ms), "bare": statistics.median(bare_ms),
            "rows": (len(vitals), len(waves))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=10, help="seats in the room (3-10)")
    parser.add_argument("--repeat", type=int, default=5, help="repeats; medians are printed")
    args = parser.parse_args()
    settings = Settings()
    app = qt_application()
    with tempfile.TemporaryDirectory(prefix="groupkap-bench-") as tmp:
        f = bench_frames(app, args.seats, args.repeat, settings, Path(tmp))
        i = bench_ingest_and_commit(args.seats, args.repeat, settings, Path(tmp))
    fps = settings.frame_rate_hz
    budget = 1000 / fps
    print(f"{args.seats} seats, {FILL_MINUTES} min of data, 1920x1080 offscreen, "
          f"median of {args.repeat} repeats")
    print(f"frame: {f['frame']:.1f} ms (budget {budget:.0f} ms at {fps:g} fps, "
          f"{100 * f['frame'] / budget:.0f} % used); baseline setData-only {f['base']:.1f} ms; "
          f"ratio {f['frame'] / f['base']:.2f}")
    print(f"frame with a new second on every tile: {f['fresh']:.1f} ms "
          f"({100 * f['fresh'] / budget:.0f} % of budget); ratio {f['fresh'] / f['base']:.2f}")
    print(f"ingest: pump {i['pump']:.1f} ms per {INGEST_SECONDS} s; generate alone "
          f"{i['gen']:.1f} ms; ratio {i['pump'] / i['gen']:.2f}; capacity "
          f"{INGEST_SECONDS * 1000 / i['pump']:,.0f} simulated s per real s")
    print(f"commit: flush {i['flush']:.1f} ms for {i['rows'][0]} vitals + {i['rows'][1]} pleth "
          f"rows; bare executemany {i['bare']:.1f} ms; ratio {i['flush'] / i['bare']:.2f}")
    rows = [("frame (static data)", f["frame"], "setData only", f["base"]),
            ("frame (new second)", f["fresh"], "setData only", f["base"]),
            (f"pump {INGEST_SECONDS} s", i["pump"], "generate only", i["gen"]),
            ("store.flush", i["flush"], "bare executemany", i["bare"])]
    print(f"\n{'measure':<22}{'ms':>8}  {'baseline':<18}{'ms':>8}{'ratio':>8}")
    for name, ms, base_name, base in rows:
        print(f"{name:<22}{ms:>8.1f}  {base_name:<18}{base:>8.1f}{ms / base:>8.2f}")


if __name__ == "__main__":
    main()
