"""Benchmark the sharing circle's dock: opening it, a change of speaker, closing it, in the
real room, beside the same dock change in a bare pyqtgraph window (issue 17, item 5: the soak
found these stalling the GUI thread 124-505 ms).

Run: .venv/bin/python scripts/bench/circle_dock.py [--seats 10] [--cycles 5]
     [--state late|early] [--reopen] [--profile | --room-only]

The room is the one `groupkap demo` opens (scripts/bench/room_frame.py's `Room`: the real
`MainWindow` over a `LiveSession` with the alarm engine, the protocol and the music chips,
offscreen at 1920x1080), by default in its late state (everyone dosed, trends full, three
alarms flashing), where the demo's circle opens. Each cycle opens a circle as the app does
(`ui.app.open_circle_view`, its chime on libVLC's dummy output, then
`MainWindow.circle_started`), begins its turns, moves on three speakers, and closes the dock
(`CircleDock.close_circle`). The dock is a new one each cycle, as for the one circle of a
session (`--reopen`: one dock, shown again, which Qt sizes from memory). Each step is timed
until Qt has nothing left to do for it (layout, resizes, paint: `processEvents` until no
event is delivered), with two room frames between steps.
The baseline, in the same process, each of its steps right after the room's: a bare
`QMainWindow` of the same size whose centre is a grid of as many plain pyqtgraph tiles (a
trend of three curves and a pleth, axes hidden), given a `QDockWidget` as wide as the
room's dock (open), a new line of text in it (turn), then hiding it (close): one narrowing
and widening of a grid of plots, and nothing else. Wall ms and the GUI thread's CPU ms
(`time.thread_time`) per step, with the paints and resizes the room's steps delivered, by
class (the counting filter sees the baseline's events too, so both pay for it).
`--profile`: cProfile of the room's steps alone; `--room-only`: no baseline, for py-spy:
  .venv/bin/py-spy record --native -r 500 -o /tmp/dock.svg -- .venv/bin/python \
      scripts/bench/circle_dock.py --room-only --cycles 20
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from plain_tiles import plain_tile  # noqa: E402  (beside this script)
from PySide6.QtCore import QEvent, QObject, Qt  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QApplication,
    QDockWidget,
    QGridLayout,
    QLabel,
    QMainWindow,
    QWidget,
)
from room_frame import Room  # noqa: E402  (beside this script)

from groupkap.circle.circle import Circle  # noqa: E402
from groupkap.settings import Settings  # noqa: E402
from ui.app import SCREENSHOT_SIZE, open_circle_view, qt_application  # noqa: E402
from ui.circle.circle_view import CircleView  # noqa: E402

TURNS = 3  # speakers moved on per cycle
BUDGET_MS = 100.0  # the soak's aim: no GUI-thread stall of 100 ms or more


class Events(QObject):
    """Counts the events Qt delivers (all of them, and paints and resizes by class)."""

    def __init__(self) -> None:
        super().__init__()
        self.on = False
        self.delivered = 0
        self.paints: Counter[str] = Counter()
        self.resizes: Counter[str] = Counter()
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        self.delivered += 1
        if self.on:
            kind = event.type()
            if kind == QEvent.Type.Paint:
                self.paints[type(watched).__name__] += 1
            elif kind == QEvent.Type.Resize:
                self.resizes[type(watched).__name__] += 1
        return False


def settle(events: Events) -> None:
    """Let Qt do everything a change asked for: layout, resizes, paint."""
    for _ in range(10):
        before = events.delivered
        QApplication.processEvents()
        if events.delivered == before:
            return


def timed(step, events: Events) -> tuple[float, float]:
    """(wall ms, GUI-thread CPU ms) of `step` and everything Qt does for it."""
    w0, c0 = time.perf_counter(), time.thread_time()
    step()
    settle(events)
    return (time.perf_counter() - w0) * 1000, (time.thread_time() - c0) * 1000


class BareDockWindow:
    """A bare QMainWindow of plain pyqtgraph tiles where the room's are, and a dock."""

    def __init__(self, seats: int, cols: int, dock_width: int) -> None:
        self.window = QMainWindow()
        self.window.resize(*SCREENSHOT_SIZE)
        centre = QWidget()
        grid = QGridLayout(centre)
        for i in range(seats):
            tile, _pleth = plain_tile(i)
            grid.addWidget(tile, i // cols, i % cols)
        self.window.setCentralWidget(centre)
        self.dock = QDockWidget("dock", self.window)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        self.label = QLabel("")
        self.dock.setWidget(self.label)
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.width = dock_width
        self.turns = 0
        self.window.show()

    def open(self) -> None:
        self.dock.show()
        self.window.resizeDocks([self.dock], [self.width], Qt.Orientation.Horizontal)

    def turn(self) -> None:
        self.turns += 1
        self.label.setText(f"speaker {self.turns}")

    def close(self) -> None:
        self.dock.hide()


class RoomCircle:
    """The room's circle steps: open as the demo does, begin, move on, close."""

    def __init__(self, room: Room) -> None:
        self.room = room
        self.window = room.window
        self.window._open_circle = self._view
        self.circle: Circle | None = None
        self.dock_width = 0  # the dock's width when it last closed

    @staticmethod
    def _view(circle: Circle) -> CircleView:
        """The view as the app opens it (`ui.app.open_circle_view`: its chime on libVLC's
        dummy output, as offscreen), its timer stopped: the steps here tick it."""
        view = open_circle_view(circle, None, ["--aout=dummy"])
        view.stop()
        return view

    def open(self) -> None:
        live = self.room.live
        speakers = [(p.id, p.alias, p.seat) for _, p in live.room.by_seat() if p]
        self.circle = Circle(
            live.clock, speakers, total_s=1800, record=live.record_event, actor="bench"
        )
        self.circle.start()
        live.circle = self.circle
        self.window.circle_started(self.circle)

    def begin(self) -> None:
        self.circle.begin_turns()
        self.window.circle_view.refresh()

    def turn(self) -> None:
        self.circle.next()
        self.window.circle_view.refresh()

    def close(self) -> None:
        self.dock_width = self.window.circle_dock.width()
        self.window.circle_dock.close_circle()

    def forget_dock(self) -> None:
        """Take the dock out of the window (untimed), so the next circle opens a new one,
        as the one circle of a session does (Qt sizes a dock it has shown before from
        what it remembers, a new one from scratch)."""
        dock = self.window.circle_dock
        self.window.removeDockWidget(dock)
        dock.setParent(None)
        dock.deleteLater()
        self.window.circle_dock = None


def cycle(
    room: Room,
    rc: RoomCircle,
    bare: BareDockWindow | None,
    events: Events,
    out,
    profiler: cProfile.Profile | None = None,
    reopen: bool = False,
) -> None:
    """One circle: open, begin, TURNS turns, close; each room step followed by the same bare
    step (interleaved), and two room frames between steps (`profiler` runs during the room's
    steps only). The dock is a new one each time unless `reopen`."""
    steps = [("open", rc.open, "open"), ("begin turns", rc.begin, "turn")]
    steps += [("next speaker", rc.turn, "turn")] * TURNS
    steps += [("close", rc.close, "close")]
    for name, room_step, bare_name in steps:
        for _ in range(2):
            room.frame()
        settle(events)
        events.on = True
        if profiler is not None:
            profiler.enable()
        out.setdefault(name, []).append(timed(room_step, events))
        if profiler is not None:
            profiler.disable()
        events.on = False
        if bare is not None:
            out.setdefault(f"bare {bare_name}", []).append(timed(getattr(bare, bare_name), events))
    if not reopen:
        rc.forget_dock()
        settle(events)


def row(name: str, values: list[tuple[float, float]], base: list[tuple[float, float]] | None):
    wall = np.array([v[0] for v in values])
    cpu = np.array([v[1] for v in values])
    line = f"{name:<22}{np.median(wall):>8.1f}{wall.max():>8.1f}"
    line += f"{np.median(cpu):>8.1f}{cpu.max():>8.1f}"
    over = int((wall >= BUDGET_MS).sum())
    line += f"{over:>6}"
    if base:
        b_wall = np.median([v[0] for v in base])
        b_cpu = np.median([v[1] for v in base])
        line += f"{np.median(wall) / b_wall:>8.2f}{np.median(cpu) / b_cpu:>8.2f}"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=10, help="seats in the room (3-10)")
    parser.add_argument("--cycles", type=int, default=5, help="circles opened and closed")
    parser.add_argument("--state", choices=("early", "late"), default="late")
    parser.add_argument(
        "--reopen", action="store_true", help="one dock, reopened (default: a new dock each time)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the room's steps")
    parser.add_argument(
        "--room-only", action="store_true", help="the room's steps alone, no baseline (py-spy)"
    )
    args = parser.parse_args()
    settings = Settings()
    qt_application(settings)
    events = Events()
    out: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="groupkap-bench-dock-") as tmp:
        room = Room(Path(tmp), args.seats, 1.0, settings)
        try:
            if args.state == "late":
                room.fill_to_late()
            rc = RoomCircle(room)
            warm: dict = {}
            cycle(room, rc, None, events, warm, None, args.reopen)  # warm up: fonts, caches
            bare = None
            if not (args.profile or args.room_only):
                width = rc.dock_width
                bare = BareDockWindow(args.seats, room.window.grid.cols, width)
                settle(events)
                for name in ("open", "turn", "close"):  # warm the baseline too
                    timed(getattr(bare, name), events)
            events.paints.clear()
            events.resizes.clear()
            profiler = cProfile.Profile() if args.profile else None
            for _ in range(args.cycles):
                cycle(room, rc, bare, events, out, profiler, args.reopen)
            if profiler is not None:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            if bare is not None:
                bare.window.close()
        finally:
            room.close()
    if args.profile or args.room_only:
        return
    print(
        f"{args.seats} seats, {SCREENSHOT_SIZE[0]}x{SCREENSHOT_SIZE[1]} offscreen, {args.state} "
        f"state; {args.cycles} circles (open, begin, {TURNS} turns, close), each step beside "
        "the same step in a bare pyqtgraph window"
    )
    head = f"{'step':<22}{'wall':>8}{'max':>8}{'cpu':>8}{'max':>8}{'>=100':>6}"
    print(f"{head}{'x bare':>8}{'cpu':>8}   (ms; medians, maxima; ratios of medians)")
    for name in ("open", "begin turns", "next speaker", "close"):
        base = {"open": "bare open", "close": "bare close"}.get(name, "bare turn")
        print(row(name, out[name], out[base]))
    for name in ("bare open", "bare turn", "bare close"):
        print(row(name, out[name], None))
    steps = args.cycles * (3 + TURNS)
    print(
        f"\nroom steps' events per cycle: paints {sum(events.paints.values()) / args.cycles:.0f}, "
        f"resizes {sum(events.resizes.values()) / args.cycles:.0f} (over {steps} steps)"
    )
    for kind, counter in (("paints", events.paints), ("resizes", events.resizes)):
        top = ", ".join(f"{k} {v / args.cycles:.0f}" for k, v in counter.most_common(10))
        print(f"  {kind} per cycle: {top}")


if __name__ == "__main__":
    main()
