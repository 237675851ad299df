"""Bridges: the only doorway from core callbacks on worker threads to the GUI thread.

A core object is handed a plain callable; the bridge's callable emits a Qt signal with
plain values, and Qt queues it to the GUI thread where widgets may be touched.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class StoreBridge(QObject):
    """Carries store-writer failures (disk full, file removed) to the window.

    Signals:
        write_failed(str): writing the session log started failing; the text says why.
        write_recovered(): the session log is being written again.
    """

    write_failed = Signal(str)
    write_recovered = Signal()

    def report(self, message: str) -> None:
        """Safe to call from the writer thread: the signal is queued to the GUI thread."""
        self.write_failed.emit(message)

    def recovered(self) -> None:
        self.write_recovered.emit()


class SoundTestBridge(QObject):
    """Carries the alarm-sound self-test result from its worker thread to the window.

    Signals:
        finished(dict): {priority: heard?, "ok": bool, "problem": why not, in words}.
    """

    finished = Signal(dict)

    def report(self, result: dict) -> None:
        """Safe from the worker thread: the signal is queued to the GUI thread."""
        self.finished.emit(result)
