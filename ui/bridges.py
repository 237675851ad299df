"""Bridges: the only doorway from core callbacks on worker threads to the GUI thread.

A core object is handed a plain callable; the bridge's callable emits a Qt signal with
plain values, and Qt queues it to the GUI thread where widgets may be touched.
"""

from __future__ import annotations

import threading

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


class ArrivalBridge(QObject):
    """Wakes the window's heartbeat when a monitor's message arrives: `Hl7Source.on_arrival`
    calls `report` on the listener's thread; `arrived` reaches the GUI thread, where the
    room runs an early beat (`RoomRun.beat_soon`) so the message's AA, which waits for the
    beat that stores it, leaves in milliseconds rather than at the next 100 ms tick.

    A flood of messages queues one signal, not one per message: `report` signals only when
    the last signal has been taken up (`taken`), and that beat takes every message waiting.

    Signals:
        arrived(): a message has arrived since the last `arrived` was taken up.
    """

    arrived = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending = threading.Event()

    def report(self) -> None:
        """Safe from the listener's thread: the signal is queued to the GUI thread."""
        if not self._pending.is_set():
            self._pending.set()
            self.arrived.emit()

    def taken(self) -> None:
        """On the GUI thread, before the beat runs: the next message signals again (one
        arriving after this is either taken by that beat or wakes another)."""
        self._pending.clear()


class SoundTestBridge(QObject):
    """Carries the alarm-sound self-test result from its worker thread to the window.

    Signals:
        finished(dict): {priority: heard?, "ok": bool, "problem": why not, in words}.
    """

    finished = Signal(dict)

    def report(self, result: dict) -> None:
        """Safe from the worker thread: the signal is queued to the GUI thread."""
        self.finished.emit(result)


class AlarmOpenBridge(QObject):
    """Carries the alarm sound's player, opened on a worker thread (the bursts' synthesis and
    libVLC's start, a fifth to half a second), to the GUI thread, which alone plays it.

    Signals:
        opened(object): (files by priority, the AlarmBurstPlayer or None, why not in words).
    """

    opened = Signal(object)

    def report(self, outcome: object) -> None:
        """Safe from the worker thread: the signal is queued to the GUI thread."""
        self.opened.emit(outcome)


class ChainCheckBridge(QObject):
    """Carries the check of a session log (`groupkap.review.summary.chain_status`, seconds
    on a large file) from its worker thread to the review window or the session browser.

    Signals:
        finished(object): the ChainStatus, or the GroupKapError that stopped the check.
    """

    finished = Signal(object)

    def report(self, result: object) -> None:
        """Safe from the worker thread: the signal is queued to the GUI thread."""
        self.finished.emit(result)


class ExportBridge(QObject):
    """Carries an export's progress and outcome from its worker thread to the GUI thread.

    Signals:
        progress(float, str): fraction done and the word for what is being written.
        finished(object): the result (ExportResult / ReportResult), or the error that stopped it.
    """

    progress = Signal(float, str)
    finished = Signal(object)


class CourseReadBridge(QObject):
    """Carries a course read (`groupkap.course.history.load_course`, or the people listing
    `groupkap.course.readiness.people_overview`) from its worker thread to the course page
    or the people list.

    Signals:
        finished(object): what was read, or the GroupKapError that stopped the read.
    """

    finished = Signal(object)

    def report(self, result: object) -> None:
        """Safe from the worker thread: the signal is queued to the GUI thread."""
        self.finished.emit(result)
