"""The proof has no gaps: a log that seals but lost its anchor file is refused until a person
re-anchors it on purpose, and the minute of vital signs a killed process never sealed is sealed
when its session is found interrupted, so rows added to an ended session later fail `verify`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest

from groupkap.cli import main
from groupkap.clock import SimulatedClock
from groupkap.errors import StorageError
from groupkap.store import Store
from groupkap.store.anchor import anchor_path, read_heads
from groupkap.store.proof import reanchor, verify

T0 = 1_780_000_000.0

CRASH = """
import os, sys
from groupkap.clock import SimulatedClock
from groupkap.store import Store
store = Store.open(sys.argv[1], SimulatedClock(start={t0}, speed=0))
sid = store.start_session(seats=3, source="test")
store.add_vitals([(sid, "p1", 1, "seat1", "HR", {t0} + i, 60.0 + i, "/min", "sim")
                  for i in range(int(sys.argv[2]))])
store.flush()
print(sid, flush=True)
os._exit(0)  # killed: the writer never seals these rows
"""


def crashed_session(path, rows: int = 40) -> str:
    """A session whose process died after committing `rows` vital signs and sealing none."""
    out = subprocess.run(
        [sys.executable, "-c", CRASH.format(t0=T0), str(path), str(rows)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return out.stdout.split()[0]


def seal_rows(path, sid) -> list[int]:
    with closing(sqlite3.connect(path)) as conn:
        return [
            r
            for (r,) in conn.execute(
                "select json_extract(data, '$.rows') from events "
                "where kind = 'vitals.sealed' and session_id = ? order by seq",
                (sid,),
            )
        ]


def test_a_crashed_sessions_unsealed_tail_shows_in_verify_then_is_sealed_when_found(tmp_path):
    path = tmp_path / "g.sqlite3"
    sid = crashed_session(path, rows=40)
    report = verify(path)
    assert report.ok and report.unsealed == ((sid, "vitals", 40),)  # said, not hidden
    assert seal_rows(path, sid) == []

    with Store.open(path, SimulatedClock(start=T0 + 100, speed=0)) as store:
        assert store.session(sid)["status"] == "interrupted"
    assert seal_rows(path, sid) == [40]  # the tail, sealed when the session was found
    report = verify(path)
    assert report.ok and report.unsealed == ()


def test_a_row_added_to_an_ended_session_fails_verify(tmp_path):
    path = tmp_path / "g.sqlite3"
    sid = crashed_session(path, rows=5)
    with Store.open(path, SimulatedClock(start=T0 + 100, speed=0)) as store:
        store.close_interrupted(sid, actor="lead")
    assert verify(path).ok
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "insert into vitals (session_id, participant_id, seat, device, param, t, value, "
            "unit, source) values (?, 'p1', 1, 'seat1', 'HR', ?, 61, '/min', 'sim')",
            (sid, T0 + 2),
        )
    report = verify(path)
    assert not report.ok
    assert "1 vitals rows of the ended session" in report.reason


def test_a_running_sessions_rows_before_their_first_seal_pass_with_a_note(tmp_path, capsys):
    path = tmp_path / "g.sqlite3"
    sid = crashed_session(path, rows=3)
    assert main(["verify", "--db", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"session {sid} has 3 vitals rows not sealed yet" in err


@pytest.fixture
def sealed_log(tmp_path):
    """A log with a sealed, ended session and its anchor file."""
    path = tmp_path / "g.sqlite3"
    sid = crashed_session(path, rows=5)
    with Store.open(path, SimulatedClock(start=T0 + 100, speed=0)) as store:
        store.close_interrupted(sid)
    assert anchor_path(path).exists() and verify(path).ok
    return path


def test_a_sealing_log_without_its_anchor_file_fails_verify_and_is_refused(sealed_log, capsys):
    anchor_path(sealed_log).unlink()
    report = verify(sealed_log)
    assert not report.ok and "anchor file g.sqlite3.anchor is missing" in report.reason
    assert main(["verify", "--db", str(sealed_log)]) == 1
    with pytest.raises(StorageError, match="anchor file .* is missing"):
        Store.open(sealed_log, SimulatedClock(start=T0 + 200, speed=0))
    assert not anchor_path(sealed_log).exists()  # refused without writing one


def test_reanchor_starts_a_new_anchor_file_only_on_purpose(sealed_log, capsys):
    anchor_path(sealed_log).unlink()
    assert main(["reanchor", "--db", str(sealed_log), "--reason", "  "]) == 2
    assert "give --reason" in capsys.readouterr().err
    assert main(["reanchor", "--db", str(sealed_log), "--reason", "disk replaced"]) == 0
    heads = read_heads(anchor_path(sealed_log))
    assert [h.reason for h in heads] == ["re-anchored: disk replaced"]
    assert oct(os.stat(anchor_path(sealed_log)).st_mode & 0o777) == "0o600"
    assert verify(sealed_log).ok
    Store.open(sealed_log, SimulatedClock(start=T0 + 200, speed=0)).close()
    with pytest.raises(StorageError, match="exists"):  # never over a standing anchor
        reanchor(sealed_log, "again")


def test_reanchor_refuses_a_broken_chain(sealed_log):
    anchor_path(sealed_log).unlink()
    with closing(sqlite3.connect(sealed_log)) as conn, conn:
        conn.execute("drop trigger events_no_update")  # what a forger would do first
        conn.execute("update events set actor = 'someone else' where seq = 2")
    with pytest.raises(StorageError, match="broken at seq 2"):
        reanchor(sealed_log, "lost")
    assert not anchor_path(sealed_log).exists()
