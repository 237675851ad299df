"""Benchmark start-up to the first drawn frame, and the exit of a short demo, against a bare room.

Run: .venv/bin/python scripts/bench/startup.py [--runs 7] [--seats 10]

Each run is a new process, offscreen, launched from here:
  room: `groupkap demo --seats 10 --offscreen --minutes 1 --speed 60` (the program as a clinic
        lead starts it; one simulated minute lasts one second) on one database for all runs,
        as a clinic keeps one (the warm-up run creates it: a first-ever launch also creates
        the schema, about 0.15 s more; the demo's people come back for their courses), with
        GROUPKAP_MARK_FIRST_FRAME set so the room prints a marker once its first frame is
        painted (ui/first_frame.py);
  bare: this script with `--bare`: the same interpreter importing numpy, PySide6 and
        pyqtgraph, a 1920x1080 window of N tiles each with a pleth plot and a trend plot of
        three curves, holding data, shown; the same marker after its first paint, then it quits.
Launch -> first frame is the marker's time.monotonic() less the time just before the launch
(one clock for both processes). Launch -> exit is until the process has ended; for the room
it includes its second of session, its last frame, the screenshot and ending the session,
so "ending" is exit - first frame - the session's 1 s. Both keep compiled bytecode (in the
run's temporary folder, PYTHONPYCACHEPREFIX) as an installed program does. Runs alternate
room, bare, room ... (after one unmeasured warm-up of each), so load on the machine hits
both alike; the table gives medians of N and the ratios (STYLE.md: benchmarks print ratios).

Profile the room's start-up with:
  .venv/bin/python -X importtime -m groupkap.cli demo --seats 10 --offscreen --minutes 1 \
      --speed 60 --db /tmp/s.db --screenshot /tmp/s.png 2> /tmp/importtime.txt
  .venv/bin/py-spy record -r 200 -o /tmp/startup.svg -- .venv/bin/python -m groupkap.cli \
      demo --seats 10 --offscreen --minutes 1 --speed 60 --db /tmp/s.db --screenshot /tmp/s.png
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARK = "groupkap-first-frame"  # ui.first_frame.MARK (not imported: this process stays bare)
SESSION_S = 1.0  # --minutes 1 at --speed 60


def child_env(pycache: Path) -> dict[str, str]:
    """Offscreen, marked, and with compiled bytecode kept (in `pycache`, outside the
    checkout) as an installed program has it: without, every launch compiles the program."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GROUPKAP_MARK_FIRST_FRAME": "1"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def launch(command: list[str], pycache: Path) -> tuple[float, float, float]:
    """(launch -> first frame, launch -> exit, CPU seconds used by the first frame), for one
    process. The CPU time is the process's own (all its threads), less sensitive to other
    work on the machine than the wall time."""
    env = child_env(pycache)
    start = time.monotonic()
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = cpu = None
    for line in proc.stdout:
        if first is None and line.startswith(MARK):
            _, at, cpu = line.split()
            first, cpu = float(at) - start, float(cpu)
    err = proc.stderr.read()
    code = proc.wait()
    ended = time.monotonic() - start
    if first is None or code != 0:
        raise SystemExit(f"{' '.join(command)}: exit {code}, no first frame?\n{err}")
    return first, ended, cpu


def room_command(folder: Path, run: int, seats: int) -> list[str]:
    db = folder / "groupkap.sqlite3"  # one clinic database, as every day (the warm-up makes it)
    return [
        sys.executable,
        "-m",
        "groupkap.cli",
        "demo",
        "--seats",
        str(seats),
        "--offscreen",
        "--minutes",
        "1",
        "--speed",
        "60",
        "--db",
        str(db),
        "--screenshot",
        str(folder / f"room-{run}.png"),
    ]


def bare_command(seats: int) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--bare", "--seats", str(seats)]


def bare_room(seats: int) -> int:
    """The baseline process: pyqtgraph plots where the room's are, drawn once, then quit."""
    from plain_tiles import plain_tile  # beside this script: numpy, PySide6, pyqtgraph only
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

    app = QApplication(sys.argv[:1])
    window = QWidget()
    window.resize(1920, 1080)
    grid = QGridLayout(window)
    cols = (seats + 1) // 2
    last = None
    for i in range(seats):
        tile, pleth = plain_tile(i)
        grid.addWidget(tile, i // cols, i % cols)
        last = pleth
    window.show()

    class FirstPaint(QObject):  # as ui/first_frame.py marks the room's
        def eventFilter(self, watched, event) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, mark)
            return False

    def mark() -> None:
        print(f"{MARK} {time.monotonic():.6f} {time.process_time():.6f}", flush=True)
        app.quit()

    marker = FirstPaint()
    last.viewport().installEventFilter(marker)
    return app.exec()


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seats", type=int, default=10)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        return bare_room(args.seats)
    room: list[tuple[float, float, float]] = []
    bare: list[tuple[float, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="groupkap-startup-") as tmp:
        folder = Path(tmp)
        pycache = folder / "pycache"
        # warm-up: bytecode, the alarm sound files, the file cache
        launch(room_command(folder, 0, args.seats), pycache)
        launch(bare_command(args.seats), pycache)
        for run in range(1, args.runs + 1):
            room.append(launch(room_command(folder, run, args.seats), pycache))
            bare.append(launch(bare_command(args.seats), pycache))
            print(
                f"run {run}: room first frame {room[-1][0]:.2f} s, exit {room[-1][1]:.2f} s; "
                f"bare first frame {bare[-1][0]:.2f} s, exit {bare[-1][1]:.2f} s",
                file=sys.stderr,
                flush=True,
            )
    room_first, bare_first = median([r[0] for r in room]), median([b[0] for b in bare])
    ratios = [r[0] / b[0] for r, b in zip(room, bare)]
    ending = median([r[1] - r[0] - SESSION_S for r in room])
    bare_ending = median([b[1] - b[0] for b in bare])
    print(f"start-up, {args.seats} seats, medians of {args.runs} runs (room and bare alternating)")
    print(f"{'figure':<44}{'room':>9}{'bare':>9}{'ratio':>9}")
    print(
        f"{'launch -> first drawn frame (s)':<44}{room_first:>9.2f}{bare_first:>9.2f}"
        f"{room_first / bare_first:>9.2f}"
    )
    print(f"{'  median of per-pair ratios':<44}{'':>9}{'':>9}{median(ratios):>9.2f}")
    room_cpu, bare_cpu = median([r[2] for r in room]), median([b[2] for b in bare])
    print(
        f"{'CPU s used by the first frame (process)':<44}{room_cpu:>9.2f}{bare_cpu:>9.2f}"
        f"{room_cpu / bare_cpu:>9.2f}"
    )
    print(
        f"{'first frame -> exit, less 1 s session (s)':<44}{ending:>9.2f}{bare_ending:>9.2f}"
        f"{ending / bare_ending:>9.2f}"
    )
    print(f"{'launch -> exit, --minutes 1 --speed 60 (s)':<44}{median([r[1] for r in room]):>9.2f}")
    print("aim: first frame <= 1.5x bare; the exit never waits for the alarm self-test")
    return 0


if __name__ == "__main__":
    sys.exit(main())
