"""A session log that cannot be written is an alarm, and ending never hangs: a full disk, a
database deleted mid-run, and the signals a service manager or a terminal sends.

Real processes and real files: the demo runs as a subprocess; the full disk is a 3 MiB tmpfs
(tests/faults/full_disk.py, which needs root: without it that one test says why and skips).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing

import pytest

from groupkap.clock import SimulatedClock
from groupkap.store import Store
from tests.faults.full_disk import run_demo_on_full_disk
from tests.integration.process_lines import wait_for_events


def _demo(db, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "groupkap.cli",
            "demo",
            "--offscreen",
            "--minutes",
            "60",
            "--speed",
            "5",
            "--db",
            str(db),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _end_reason(db) -> str:
    with closing(sqlite3.connect(db)) as conn:
        (data,) = conn.execute(
            "select data from events where kind = 'session.ended' order by seq desc limit 1"
        ).fetchone()
    return json.loads(data)["reason"]


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)]
)
def test_a_signal_ends_the_session_cleanly(tmp_path, signum, code):
    db = tmp_path / "g.sqlite3"
    proc = _demo(db, "--screenshot", str(tmp_path / "s.png"))
    try:
        wait_for_events(db, {"session.started", "music.track_started"})
        proc.send_signal(signum)
        _out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == code, err[-2000:]
    assert "Traceback" not in err
    assert _end_reason(db) == f"ended by signal ({signal.Signals(signum).name})"


def test_a_full_disk_is_said_and_the_run_ends_by_itself():
    try:
        result = run_demo_on_full_disk(timeout_s=150)
    except PermissionError as exc:
        pytest.skip(str(exc))
    assert result.returncode == 1
    assert "database or disk is full" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_deleted_mid_run_is_noticed_within_seconds(tmp_path):
    path = tmp_path / "g.sqlite3"
    failed = threading.Event()
    reasons: list[str] = []

    def on_error(reason: str) -> None:
        reasons.append(reason)
        failed.set()

    store = Store.open(path, SimulatedClock(start=1_800_000_000), on_error=on_error)
    try:
        store.start_session(seats=3, source="test")
        path.unlink()
        started = time.monotonic()
        assert failed.wait(5.0), "the writer never said the file was gone"
        assert time.monotonic() - started < 5.0
        assert reasons == [f"the database file {path} was deleted"]
    finally:
        store.close()
