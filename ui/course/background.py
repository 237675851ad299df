"""Reading a course off the GUI thread: a person's page reads every session they attended,
which can take longer than a frame, so the window opens at once, says it is reading, and
fills in when the worker hands the values over through `ui.bridges.CourseReadBridge`."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject
from shiboken6 import isValid

from groupkap.errors import GroupKapError
from ui.bridges import CourseReadBridge


def read_in_background(
    read: Callable[[], object], done: Callable[[object], None], owner: QObject, name: str
) -> CourseReadBridge:
    """Run `read` on a worker thread; `done` gets its value on the GUI thread (or the
    GroupKapError that stopped it; any other fault is turned into one, so it reaches the
    reader instead of vanishing with the thread), unless `owner` was closed and deleted
    meanwhile. Keep the returned bridge: it carries the result over."""
    bridge = CourseReadBridge()  # no parent: it outlives a window closed mid-read

    def deliver(result: object) -> None:
        if isValid(owner):
            done(result)

    bridge.finished.connect(deliver)

    def work() -> None:
        try:
            result = read()
        except GroupKapError as exc:
            result = exc
        except Exception as exc:  # a fault must reach the reader, never vanish with the thread
            result = GroupKapError(f"the course could not be read: {type(exc).__name__}: {exc}")
        bridge.report(result)

    threading.Thread(target=work, name=f"groupkap-{name}", daemon=True).start()
    return bridge
