"""What scripts/bench/soak.py watches on the GUI thread: the 10 ms probe, the watchdog that
says where the thread is when it stalls, garbage collections, and (--events) each event
Qt delivers.

A thread looks every 20 ms at when the probe last fired; once the GUI thread has been away
longer than `after_ms`, it samples the GUI thread's Python stack (`sys._current_frames`)
until the probe fires again. Each stall keeps its samples' project frames (this checkout's
files, innermost last), so the report can name the file:line that held the thread.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from array import array
from collections import Counter
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

PROBE_MS = 10

ROOT = str(Path(__file__).resolve().parents[2])


def project_frames(frame, depth: int = 4) -> str:
    """The innermost `depth` frames in this checkout (not .venv), outermost first."""
    out = []
    while frame is not None and len(out) < depth:
        path = frame.f_code.co_filename
        if path.startswith(ROOT) and "/.venv/" not in path and "scripts/bench/soak" not in path:
            out.append(f"{path[len(ROOT) + 1 :]}:{frame.f_lineno} {frame.f_code.co_name}")
        frame = frame.f_back
    return " < ".join(out) or "(no project frame: Qt or a library)"


class Watchdog:
    """Samples the GUI thread's stack during stalls of the probe (`last_fire()` in
    perf_counter seconds). `stalls`: [(start, Counter of stacks)], one per stall."""

    def __init__(self, last_fire, after_ms: float = 80.0, every_s: float = 0.02) -> None:
        self.last_fire, self.after_s, self.every_s = last_fire, after_ms / 1000, every_s
        self.main = threading.main_thread().ident
        self.stalls: list[tuple[float, Counter]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-watchdog", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        current: tuple[float, Counter] | None = None
        while not self._stop.wait(self.every_s):
            last = self.last_fire()
            if time.perf_counter() - last < self.after_s:
                current = None
                continue
            if current is None or current[0] != last:
                current = (last, Counter())
                self.stalls.append(current)
            frame = sys._current_frames().get(self.main)
            current[1][project_frames(frame)] += 1

    def at(self, start: float, end: float) -> str:
        """The stack seen most during the stall that began at `start` (probe time) and
        ended at `end`, with its share of the samples."""
        for begun, stacks in self.stalls:
            if start - 1e-6 <= begun <= end and stacks:
                stack, n = stacks.most_common(1)[0]
                return f"{stack} ({n}/{sum(stacks.values())} samples)"
        return "(not sampled)"


class Probe:
    """A 10 ms precise timer on the GUI thread; each firing's lateness (ms) by phase."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._fire)
        self.late: dict[str, array] = {}
        # (ms, phase, session minute, perf_counter at its start and end) of stalls over 50 ms
        self.worst: list[tuple[float, str, float, float, float]] = []
        self.phase = ""
        self.hooks: list = []
        self.where = lambda: float("nan")  # the session minute, for the worst stalls
        self._last = 0.0

    def start(self, phase: str) -> None:
        self.phase = phase
        self._last = time.perf_counter()
        self.timer.start()

    def _fire(self) -> None:
        now = time.perf_counter()
        late = max(0.0, (now - self._last) * 1000 - PROBE_MS)
        begun, self._last = self._last, now
        self.late.setdefault(self.phase, array("d")).append(late)
        if late > 50:
            self.worst.append((late, self.phase, self.where(), begun, now))
        for hook in self.hooks:
            hook()


class Collections:
    """Python's garbage collections on the GUI thread (gc.callbacks): (ms, generation,
    session minute) of each one over 10 ms, and how many of each generation ran."""

    def __init__(self, where) -> None:
        self.where, self.slow, self.count = where, [], [0, 0, 0]
        self._t0 = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        if phase == "start":
            self._t0 = time.perf_counter()
            return
        self.count[info["generation"]] += 1
        ms = (time.perf_counter() - self._t0) * 1000
        if ms > 10:
            self.slow.append((ms, info["generation"], self.where()))


class TimedApplication(QApplication):
    """--events: the application timing every event it delivers; (ms, receiver's class,
    event type, session minute) of each over 15 ms, nested deliveries included."""

    slow: list[tuple[float, str, str, float]] = []
    where = staticmethod(lambda: float("nan"))

    def notify(self, receiver, event) -> bool:  # noqa: D102
        t0 = time.perf_counter()
        try:
            return super().notify(receiver, event)
        finally:
            ms = (time.perf_counter() - t0) * 1000
            if ms > 15:
                what = f"{type(receiver).__name__} {receiver.objectName()}".strip()
                self.slow.append((ms, what, event.type().name, self.where()))
