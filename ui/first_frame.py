"""The room's first drawn frame: work that waits for it, and a marker for the start-up benchmark.

`after_first_frame` runs the start-up work the first frame does not need (the alarm sound's
libVLC player and self-test) once the room is painted, so the facilitators see it sooner.

`mark_first_frame` only acts when GROUPKAP_MARK_FIRST_FRAME is set in the environment:
scripts/bench/startup.py launches the program and needs to know when the first frame is on
the screen, which no log line says. It prints one stdout line, `MARK <time.monotonic()>
<time.process_time()>` (when, and the CPU time the process had used by then), once the
first paint of the watched widget (the room grid, whose tiles are painted in the same pass)
has finished, so the frame counted is the one a facilitator would see.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

ENV = "GROUPKAP_MARK_FIRST_FRAME"
MARK = "groupkap-first-frame"


FALLBACK_MS = 1000  # a window that is never painted (hidden) still gets its deferred work


class _FirstPaint(QObject):
    """Calls `then` once, just after the watched widget's first paint event is handled (or
    after `fallback_ms`, if given, when no paint has come by then)."""

    def __init__(
        self, watched: QWidget, then: Callable[[], None], fallback_ms: int | None = None
    ) -> None:
        super().__init__(watched)
        self._then = then
        self._done = False
        watched.installEventFilter(self)
        if fallback_ms is not None:
            QTimer.singleShot(fallback_ms, self, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            # The filter runs before the paint: the queued call runs once it (and the rest
            # of the window's pass) is done.
            QTimer.singleShot(0, self, self._run)
        return False

    def _run(self) -> None:
        if not self._done:
            self._done = True
            self._then()


def after_first_frame(
    widget: QWidget, then: Callable[[], None], fallback_ms: int = FALLBACK_MS
) -> None:
    """Run `then` once `widget` has first been painted: start-up work the first frame does
    not need waits for it (at most `fallback_ms`), so the room is on the screen sooner."""
    _FirstPaint(widget, then, fallback_ms)


def wanted() -> bool:
    return bool(os.environ.get(ENV))


def mark_first_frame(widget: QWidget) -> None:
    """When the marker is wanted, print it after `widget`'s next paint."""
    if wanted():
        _FirstPaint(widget, _print_mark)


def _print_mark() -> None:
    print(f"{MARK} {time.monotonic():.6f} {time.process_time():.6f}", file=sys.stdout, flush=True)
