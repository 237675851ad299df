"""Kill -9 a recording process: no committed event is lost, the chain still verifies, the
session reopens as interrupted, and at most the last second of vitals is gone (DESIGN.md)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
from contextlib import closing

import pytest

from groupkap.clock import RealClock
from groupkap.store import Store
from groupkap.store.proof import verify

CHILD = textwrap.dedent("""
    import sys, threading, time
    from groupkap.clock import RealClock
    from groupkap.store import Store

    store = Store.open(sys.argv[1], RealClock())
    sid = store.start_session(seats=4, source="crash-test")
    print("SESSION", sid, flush=True)
    pace = threading.Event()  # never set: wait() only paces the loop
    last_vitals = 0.0
    i = 0
    while True:
        i += 1
        kind = "source.lost" if i % 2 else "source.restored"
        seq = store.record(sid, kind, {"seat": 1 + i % 4, "i": i}).result(10)
        print("EVENT", seq, flush=True)
        if time.monotonic() - last_vitals >= 0.05:
            last_vitals = time.monotonic()
            t = time.time()
            store.add_vitals([(sid, None, s, f"seat{s}", "HR", t, 60.0 + s, "/min", "sim")
                              for s in range(1, 5)])
            print("VITALS", repr(t), flush=True)  # submitted, not yet committed
        pace.wait(0.01)
""")

MIN_EVENTS = 30
MIN_VITALS_SPAN_S = 1.5  # long enough that several vitals batches were committed
DEADLINE_S = 60


def read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@pytest.mark.slow
def test_kill_9_loses_no_event_and_at_most_a_second_of_vitals(tmp_path):
    db = tmp_path / "crash.sqlite3"
    script = tmp_path / "record_until_killed.py"
    script.write_text(CHILD, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=read_lines, args=(child.stdout, lines), daemon=True)
    reader.start()

    session_id, events, vitals = None, [], []
    deadline = time.monotonic() + DEADLINE_S

    def take(line: str) -> None:
        nonlocal session_id
        word, _, value = line.strip().partition(" ")
        if word == "SESSION":
            session_id = value
        elif word == "EVENT":
            events.append(int(value))
        elif word == "VITALS":
            vitals.append(float(value))

    try:
        while not (
            len(events) >= MIN_EVENTS and vitals and vitals[-1] - vitals[0] >= MIN_VITALS_SPAN_S
        ):
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"child too slow: {len(events)} events, {len(vitals)} vitals"
            line = lines.get(timeout=remaining)
            if line is None:
                pytest.fail(f"child exited early ({child.wait(5)}): {child.stderr.read()}")
            take(line)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
    reader.join(timeout=30)
    assert not reader.is_alive()
    while (line := lines.get_nowait()) is not None:  # what it printed before it died
        if line.endswith("\n"):
            take(line)
    child.stderr.close()

    assert session_id and len(events) >= MIN_EVENTS

    store = Store.open(db, RealClock())
    try:
        store.flush()
        with closing(store.reader()) as conn:
            stored = {
                r[0]
                for r in conn.execute("select seq from events where session_id = ?", (session_id,))
            }
            newest_vitals = conn.execute(
                "select max(t) from vitals where session_id = ?", (session_id,)
            ).fetchone()[0]
            kinds = [
                r[0]
                for r in conn.execute(
                    "select kind from events where session_id = ? order by seq", (session_id,)
                )
            ]
        assert set(events) <= stored, sorted(set(events) - stored)
        assert store.session(session_id)["status"] == "interrupted"
        assert kinds[0] == "session.started" and kinds[-1] == "session.interrupted"
    finally:
        store.close()

    report = verify(db)
    assert report.ok, report
    assert newest_vitals is not None
    assert newest_vitals >= vitals[-1] - 1.0, (
        f"lost {vitals[-1] - newest_vitals:.2f} s of vitals (at most 1 s allowed)"
    )
