"""Waiting on another process: its output read line by line on threads, so a test waits for a
line by its words (with a deadline) and keeps every line seen for its failure message; and its
database polled until it has logged given events."""

from __future__ import annotations

import queue
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from contextlib import closing


class ProcessLines:
    """The lines `proc` writes on `streams` (stdout, and stderr too when given).

    Attributes:
        seen: every line taken so far, in order.
    """

    def __init__(
        self,
        proc: subprocess.Popen,
        streams=None,
        more: Callable[[], str] = lambda: "",
    ) -> None:
        self.proc = proc
        self.seen: list[str] = []
        self._more = more  # what else to say when a line never comes (e.g. stderr)
        self._lines: queue.Queue[str] = queue.Queue()
        for stream in streams or (proc.stdout,):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._lines.put(line.rstrip("\n"))

    def wait_for(self, words: str, timeout: float) -> str:
        """The first line holding `words`, from the start of the output."""
        for line in self.seen:
            if words in line:
                return line
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if words in line:
                return line
        raise AssertionError(f"no {words!r} in {self.seen}{self._more()}")


def wait_for_events(db, kinds: set[str], timeout_s: float = 60) -> None:
    """Poll the database (another process writes it) until every kind has been logged: a
    process that has logged `session.started` has its stop-signal handlers in place."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if db.exists():
            try:
                with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
                    seen = {k for (k,) in conn.execute("select distinct kind from events")}
                if kinds <= seen:
                    return
            except sqlite3.Error:
                pass  # the file is being created
        time.sleep(0.2)  # another process, not Qt: there is no signal to wait on
    raise AssertionError(f"{kinds} not logged within {timeout_s} s")
