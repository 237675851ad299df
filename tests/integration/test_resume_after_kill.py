"""A demo killed with SIGKILL mid-session is shown as interrupted and resumes cleanly:
no committed event lost, the chain intact, every T0 kept, nobody dosed twice."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from groupkap.store.proof import verify


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}


def _doses(db) -> list[tuple[str, float]]:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        rows = conn.execute(
            "select participant_id, data from events where kind = 'dose.given'"
        ).fetchall()
        conn.close()
    except sqlite3.Error:
        return []
    return [(pid, json.loads(data)["t0"]) for pid, data in rows]


@pytest.mark.slow
def test_a_killed_demo_resumes_with_its_protocol(tmp_path):
    db = tmp_path / "resume.sqlite3"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "groupkap.cli",
            "demo",
            "--seats",
            "4",
            "--offscreen",
            "--minutes",
            "120",
            "--speed",
            "120",
            "--db",
            str(db),
            "--screenshot",
            str(tmp_path / "a.png"),
        ],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while len(_doses(db)) < 2:  # no event to wait on across processes: poll the file
            assert child.poll() is None, "the demo ended before it was killed"
            assert time.monotonic() < deadline, "no doses were logged in time"
            time.sleep(0.2)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    before = _doses(db)

    listed = subprocess.run(
        [sys.executable, "-m", "groupkap.cli", "sessions", "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    [session] = json.loads(listed.stdout)
    assert session["status"] == "interrupted"

    resumed = subprocess.run(
        [
            sys.executable,
            "-m",
            "groupkap.cli",
            "demo",
            "--resume",
            session["id"],
            "--offscreen",
            "--minutes",
            "10",
            "--speed",
            "120",
            "--db",
            str(db),
            "--screenshot",
            str(tmp_path / "b.png"),
        ],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=180,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert verify(db).ok
    after = _doses(db)
    assert after[: len(before)] == before  # nothing committed was lost
    assert len({pid for pid, _ in after}) == len(after)  # nobody was dosed twice
    conn = sqlite3.connect(db)
    kinds = [k for (k,) in conn.execute("select kind from events order by seq")]
    assert "session.interrupted" in kinds and "session.resumed" in kinds
    assert kinds[-1] == "session.ended"
    times = [t for (t,) in conn.execute("select t from events order by seq")]
    assert times == sorted(times)  # resuming never sends the log's clock backwards
    # ... in any table: each participant's vitals and waveforms, in the order written
    for table, t in (("vitals", "t"), ("waveforms", "t_start")):
        series: dict[tuple, list[float]] = {}
        for pid, param, value in conn.execute(
            f"select participant_id, param, {t} from {table} order by rowid"
        ):
            series.setdefault((pid, param), []).append(value)
        backwards = {k: v for k, v in series.items() if v != sorted(v)}
        assert not backwards, f"{table} ran back in time for {list(backwards)[:3]}"
