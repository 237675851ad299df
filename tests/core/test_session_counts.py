"""`session_counts`: each session's participants, events and vitals, kept as the rows are
written so `groupkap sessions` never counts millions of rows. The counts must equal a real
count after a recorded session, after a kill and a resume, and after an old file is migrated;
a count changed by hand fails `verify`."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing

from groupkap.cli import main
from groupkap.clock import SimulatedClock
from groupkap.session import LiveSession
from groupkap.store import Store
from groupkap.store.projections import RECOUNTED
from groupkap.store.proof import verify
from groupkap.store.store import list_sessions

KILLED = """
import os, sys
import numpy as np
from groupkap.clock import SimulatedClock
from groupkap.store import Store
from groupkap.store.projections import participant_projection
t0 = float(sys.argv[2])
store = Store.open(sys.argv[1], SimulatedClock(start=t0, speed=0))
sid = store.start_session(seats=4, source="steady")
for pid, seat in (("p1", 1), ("p2", 2)):
    data = {"alias": pid.upper(), "seat": seat}
    store.record(sid, "participant.added", data, participant_id=pid,
                 projections=participant_projection(sid, "participant.added", data, pid, t0))
store.add_vitals([(sid, "p1", 1, "seat1", "HR", t0 + i, 60.0, "/min", "sim") for i in range(30)])
wave = np.zeros(125, "<f4").tobytes()
store.add_waveforms([(sid, "p2", 2, "seat2", "PLETH", t0 + i, 125.0, 125, wave, "sim")
                     for i in range(5)])
store.flush()
print(sid, flush=True)
os._exit(0)  # killed: no seal, no end, no anchor at close
"""


def kept(path) -> dict[str, tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return {
            r[0]: tuple(r[1:])
            for r in conn.execute(
                "select session_id, participants, events, vitals from session_counts"
            )
        }


def recounted(path) -> dict[str, tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return {r[0]: tuple(r[1:]) for r in conn.execute(RECOUNTED)}


def listed(path) -> dict[str, tuple]:
    return {r["id"]: (r["participants"], r["events"], r["vitals"]) for r in list_sessions(path)}


def test_a_recorded_sessions_counts_equal_its_rows(store, clock, source, settings, db_path):
    live = LiveSession.start(
        seat_count=5, clock=clock, source=source, store=store, settings=settings
    )
    kim = live.add_participant("K.M.", 1)
    live.add_participant("A.R.", 3)
    live.add_participant("J.S.", 4)
    for _ in range(4):
        clock.advance(2)
        live.pump()
    live.remove_participant(kim.id, "went home")
    clock.advance(2)
    live.pump()
    live.end()
    store.close()
    counts = kept(db_path)
    assert counts == recounted(db_path)
    participants, events, vitals = counts[live.id]
    assert participants == 2 and events > 6 and vitals > 20  # the session really wrote rows
    assert listed(db_path)[live.id] == counts[live.id]
    assert verify(db_path).ok


def test_counts_hold_after_a_kill_and_a_resume(tmp_path, source, settings, t0):
    path = tmp_path / "killed.sqlite3"
    out = subprocess.run(
        [sys.executable, "-c", KILLED, str(path), str(t0)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    sid = out.stdout.split()[0]
    assert kept(path)[sid] == (2, 3, 30)  # started + two added; committed rows counted
    clock = SimulatedClock(start=t0 + 60, speed=0)
    with Store.open(path, clock) as store:  # finds it interrupted, seals the tail
        live = LiveSession.resume(sid, clock=clock, source=source, store=store, settings=settings)
        live.add_participant("N.E.", 3)
        clock.advance(3)
        live.pump()
        live.remove_participant("p1")
        live.end()
    counts = kept(path)
    assert counts == recounted(path)
    assert counts[sid][0] == 2 and counts[sid][2] > 30
    assert verify(path).ok


def test_an_old_file_is_counted_once_when_migrated(store, clock, source, settings, db_path):
    live = LiveSession.start(
        seat_count=4, clock=clock, source=source, store=store, settings=settings
    )
    live.add_participant("K.M.", 1)
    clock.advance(3)
    live.pump()
    live.end()
    store.close()
    want = recounted(db_path)
    with closing(sqlite3.connect(db_path)) as conn, conn:  # as GroupKAP with m006 left it
        conn.execute("drop table session_counts")
        conn.execute("drop index idx_participants_session")
        conn.execute("delete from _sqlite_migrations where name = 'm007_session_counts'")
    assert listed(db_path)[live.id] == want[live.id]  # read-only: counted on the call
    Store.open(db_path, SimulatedClock(start=clock.now() + 60)).close()
    assert kept(db_path) == want
    assert listed(db_path)[live.id] == want[live.id]
    assert verify(db_path).ok


def test_a_count_changed_by_hand_fails_verify(store, clock, source, settings, db_path, tmp_path):
    live = LiveSession.start(
        seat_count=4, clock=clock, source=source, store=store, settings=settings
    )
    live.add_participant("K.M.", 1)
    clock.advance(3)
    live.pump()
    live.end()
    store.close()
    for column in ("participants", "events", "vitals"):
        copy = tmp_path / f"{column}.sqlite3"
        shutil.copy(db_path, copy)
        shutil.copy(f"{db_path}.anchor", f"{copy}.anchor")
        with closing(sqlite3.connect(copy)) as conn, conn:
            conn.execute(
                f"update session_counts set {column} = {column} + 1 where session_id = ?",
                (live.id,),
            )
        report = verify(copy)
        assert not report.ok
        assert f"session {live.id} has" in report.reason and column in report.reason
        assert main(["verify", "--db", str(copy)]) == 1
