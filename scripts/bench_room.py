"""Benchmark the room display's frame, ingest and commit costs against same-process baselines.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/bench_room.py [--seats 10] [--repeat N]
Medians over repeats, each repeat timing GroupKAP and its baseline in turn, so a busy machine
slows both alike and the ratios stay comparable (STYLE.md: benchmarks print ratios).
"""

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QPoint, QRect  # noqa: E402  (PySide6 before pyqtgraph)
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from groupkap.clock import SimulatedClock  # noqa: E402
from groupkap.demo.plan import seat_demo_participants  # noqa: E402
from groupkap.params import PARAMETERS  # noqa: E402
from groupkap.session import LiveSession, waveform_row  # noqa: E402
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
FRAMES = 15  # frames per repeat, so one slow paint does not decide a repeat


def simulator(seats: int, settings: Settings) -> Simulator:
    """Fixed seed and scenario: a session and its baseline twin generate identical data."""
    return Simulator(
        list(range(1, seats + 1)),
        START,
        seed=SEED,
        scenario="calm",
        nibp_interval_s=settings.nibp_interval_s,
    )


def new_session(store: Store, seats: int, settings: Settings) -> LiveSession:
    """A demo room on its own frozen clock, so every repeat sees the same simulated data."""
    live = LiveSession.start(
        seat_count=seats,
        clock=SimulatedClock(start=START, speed=0),
        source=simulator(seats, settings),
        store=store,
        settings=settings,
    )
    seat_demo_participants(live)
    return live


def timed(run, count: int = 1) -> float:
    """Mean ms per call of `run` over `count` calls."""
    t0 = time.perf_counter()
    for _ in range(count):
        run()
    return (time.perf_counter() - t0) * 1000 / count


def baseline_plots(window: MainWindow, live: LiveSession, settings: Settings):
    """Bare PlotWidgets where the tiles' plots are, with their sizes, ranges, curves and points
    as plain lines: what drawing the data costs with nothing of GroupKAP around it."""
    host = QWidget()
    host.resize(window.size())
    now, updates = live.clock.now(), []  # (curve, x, y)
    for tile in window.grid.tiles.values():
        vitals = live.vitals_on_seat(tile.seat.number)
        for widget, names in ((tile.pleth.widget, ("PLETH",)), (tile.trend.widget, TREND_PARAMS)):
            plot = pg.PlotWidget(host, background=theme.TILE)
            plot.setGeometry(QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()))
            for axis in ("left", "bottom"):
                plot.hideAxis(axis)
            plot.disableAutoRange()
            plot.setRange(xRange=widget.viewRange()[0], yRange=widget.viewRange()[1], padding=0)
            for name in names:
                curve = plot.plot(pen=pg.mkPen(theme.PARAM_COLOURS[name], width=1))
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


def bench_frames(
    app: QApplication, seats: int, repeat: int, settings: Settings, folder: Path
) -> dict:
    """draw_frame + paint of a full room, against setData + paint of bare plots."""
    store = Store.open(folder / "room.sqlite3", SimulatedClock(start=START))
    live = new_session(store, seats, settings)
    for _ in range(FILL_MINUTES):
        live.clock.advance(60)
        live.pump()
    store.flush()
    window = MainWindow(live, settings, db_path=str(store.path))
    window.resize(1920, 1080)
    window.show()
    host, updates = baseline_plots(window, live, settings)

    def frame() -> None:
        window.grid.draw_frame()
        app.processEvents()  # the paint, which setData only schedules

    def baseline_frame() -> None:
        for curve, x, y in updates:
            curve.setData(x, y, skipFiniteCheck=True)
        app.processEvents()

    def new_second_frame() -> float:
        """A frame after a new second reached every tile, as at demo speed (pump not timed)."""
        live.clock.advance(1)
        live.pump()
        return timed(frame)

    for _ in range(3):  # warm up: the first paints build font and path caches
        frame()
        baseline_frame()
    ms: dict[str, list[float]] = {"frame": [], "base": [], "fresh": []}
    for _ in range(repeat):
        # Frame by frame in turn, so a burst of load on the machine hits each kind alike.
        runs = [(timed(frame), timed(baseline_frame), new_second_frame()) for _ in range(FRAMES)]
        for key, column in zip(ms, zip(*runs)):
            ms[key].append(statistics.fmean(column))
    window.close()
    host.close()
    store.close()
    return {k: statistics.median(v) for k, v in ms.items()}


def bench_ingest_and_commit(seats: int, repeat: int, settings: Settings, folder: Path) -> dict:
    """pump() against generate() alone; flush() against a bare executemany of the same rows."""
    # A commit interval longer than the run: the writer commits only when flushed, so the pump
    # timing holds no commit and the flush timing holds the whole batch.
    store = Store.open(
        folder / "ingest.sqlite3", SimulatedClock(start=START), vitals_interval_s=3600
    )
    bare = sqlite3.connect(folder / "bare.sqlite3", isolation_level=None)
    bare.executescript(  # WAL and synchronous=normal as the store's writer; no indexes
        "pragma journal_mode=wal; pragma synchronous=normal; create table vitals (sid, pid, "
        "seat, dev, param, t, value, unit, src); create table waves (sid, pid, seat, dev, "
        "param, t, hz, n, samples, src);"
    )
    ms: dict[str, list[float]] = {"pump": [], "gen": [], "flush": [], "bare": []}
    for _ in range(repeat):
        live = new_session(store, seats, settings)
        store.flush()  # commit the session's events now, so the timed flush holds vitals only
        sim, out = simulator(seats, settings), []

        def pump_all() -> None:
            for _ in range(INGEST_SECONDS):
                live.clock.advance(1)
                live.pump()

        def generate_all() -> None:
            for s in range(1, INGEST_SECONDS + 1):
                out.append(sim.generate(START + s))

        ms["pump"].append(timed(pump_all))
        ms["gen"].append(timed(generate_all))
        ms["flush"].append(timed(store.flush))
        # The rows the session queued, rebuilt from the twin simulator's identical output.
        pid = {n: live.room.on_seat(n).id for n in range(1, seats + 1)}
        vitals = [
            (
                live.id,
                pid[r.seat],
                r.seat,
                f"seat{r.seat}",
                r.param,
                r.t,
                r.value,
                PARAMETERS[r.param].unit,
                r.source,
            )
            for readings, _ in out
            for r in readings
        ]
        waves = [waveform_row(live.id, pid[b.seat], b) for _, blocks in out for b in blocks]
        assert len(vitals) == live.totals.readings - live.totals.dropped
        assert len(waves) == live.totals.blocks

        def bare_commit() -> None:
            bare.execute("begin")
            bare.executemany("insert into vitals values (?, ?, ?, ?, ?, ?, ?, ?, ?)", vitals)
            bare.executemany("insert into waves values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", waves)
            bare.execute("commit")

        ms["bare"].append(timed(bare_commit))
    store.close()
    bare.close()
    return {k: statistics.median(v) for k, v in ms.items()} | {"rows": (len(vitals), len(waves))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=10, help="seats in the room (3-10)")
    parser.add_argument("--repeat", type=int, default=7, help="repeats; medians are printed")
    args = parser.parse_args()
    settings = Settings()
    app = qt_application()
    with tempfile.TemporaryDirectory(prefix="groupkap-bench-") as tmp:
        f = bench_frames(app, args.seats, args.repeat, settings, Path(tmp))
        i = bench_ingest_and_commit(args.seats, args.repeat, settings, Path(tmp))
    fps, budget = settings.frame_rate_hz, 1000 / settings.frame_rate_hz
    print(
        f"{args.seats} seats, {FILL_MINUTES} min of data, 1920x1080 offscreen, "
        f"median of {args.repeat} repeats"
    )
    print(
        f"frame: {f['frame']:.1f} ms (budget {budget:.0f} ms at {fps:g} fps, "
        f"{100 * f['frame'] / budget:.0f} % used); baseline setData-only {f['base']:.1f} ms; "
        f"ratio {f['frame'] / f['base']:.2f}"
    )
    print(
        f"frame after a new second on every tile: {f['fresh']:.1f} ms "
        f"({100 * f['fresh'] / budget:.0f} % used); ratio {f['fresh'] / f['base']:.2f}"
    )
    print(
        f"ingest: pump {i['pump']:.1f} ms per {INGEST_SECONDS} s; generate alone "
        f"{i['gen']:.1f} ms; ratio {i['pump'] / i['gen']:.2f}; capacity "
        f"{INGEST_SECONDS * 1000 / i['pump']:,.0f} simulated s per real s"
    )
    print(
        f"commit: flush {i['flush']:.1f} ms for {i['rows'][0]} vitals + {i['rows'][1]} pleth "
        f"rows; bare executemany {i['bare']:.1f} ms; ratio {i['flush'] / i['bare']:.2f}"
    )
    print(f"\n{'measure':<20}{'ms':>8}  {'baseline':<18}{'ms':>8}{'ratio':>8}")
    for name, ms, base_name, base in (
        ("frame", f["frame"], "setData only", f["base"]),
        ("frame, new second", f["fresh"], "setData only", f["base"]),
        (f"pump {INGEST_SECONDS} s", i["pump"], "generate only", i["gen"]),
        ("store.flush", i["flush"], "bare executemany", i["bare"]),
    ):
        print(f"{name:<20}{ms:>8.1f}  {base_name:<18}{base:>8.1f}{ms / base:>8.2f}")


if __name__ == "__main__":
    main()
