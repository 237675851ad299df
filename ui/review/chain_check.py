"""Checking a session log in the background: `groupkap verify` walks every row of the file,
seconds on a large one, so the review window and the session browser open at once, say the
log is being checked, and show the verdict when the worker thread hands it over."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from shiboken6 import isValid

from groupkap.errors import GroupKapError
from groupkap.review.model import ChainStatus
from groupkap.review.summary import chain_status
from ui.bridges import ChainCheckBridge

CHECKING = "checking the log…"


def check_in_background(
    path: Path, done: Callable[[ChainStatus], None], owner: QObject
) -> ChainCheckBridge:
    """Verify the log at `path` on a worker thread; `done` gets the ChainStatus on the GUI
    thread (a check that could not run is a log that does not check out, with the reason),
    unless `owner` (the window asking) was closed and deleted meanwhile. Keep the returned
    bridge: it carries the result over."""
    bridge = ChainCheckBridge()  # no parent: it outlives a window closed mid-check

    def deliver(result: object) -> None:
        if not isValid(owner):
            return  # the window was closed before the check ended: nobody to tell
        if isinstance(result, ChainStatus):
            done(result)
        else:
            done(ChainStatus(False, f"the log could not be checked: {result}"))

    bridge.finished.connect(deliver)

    def work() -> None:
        try:
            bridge.report(chain_status(path))
        except GroupKapError as exc:
            bridge.report(exc)

    threading.Thread(target=work, name="groupkap-review-verify", daemon=True).start()
    return bridge
