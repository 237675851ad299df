"""The headless command line, run as a real process: exit codes, one-line refusals that
create nothing, `sessions`, `verify` and `close`. (A successful `demo` needs the UI and is
tested under tests/ui.)"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from groupkap.clock import SimulatedClock
from groupkap.store import Store

T0 = 1_700_000_000.0
SQLITE_SIDECARS = {"-wal", "-shm"}


class ChildEnv(dict):
    """A child's environment; its short repr keeps the environment out of failure logs."""

    def __repr__(self) -> str:
        return f"<child environment, GROUPKAP_DB={self.get('GROUPKAP_DB')}>"


@pytest.fixture
def env(tmp_path) -> ChildEnv:
    """A child environment that cannot touch this machine's own database or settings."""
    child = ChildEnv(
        (k, v)
        for k, v in os.environ.items()
        if k not in {"GROUPKAP_CONFIG", "DISPLAY", "WAYLAND_DISPLAY"}
    )
    home = tmp_path / "home"
    child.update(
        {
            "GROUPKAP_DB": str(home / "data" / "default.sqlite3"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return child


@pytest.fixture
def work(tmp_path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


@pytest.fixture
def groupkap(env, work):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "groupkap.cli", *map(str, args)],
            capture_output=True,
            text=True,
            env=env,
            cwd=work,
            timeout=60,
        )

    return run


def tree(root: Path) -> dict[str, str]:
    """Every file under `root` with a digest of its bytes."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def assert_refused(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("groupkap: ")
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def make_db(path: Path, sessions: int = 2) -> list[str]:
    clock = SimulatedClock(start=T0)
    store = Store.open(path, clock)
    ids = []
    try:
        for n in range(sessions):
            sid = store.start_session(seats=3 + n, source="steady", title=f"group {n}")
            store.add_vitals(
                [
                    (sid, None, 1, "seat1", "HR", clock.now() + i, 70.0 + i, "/min", "steady")
                    for i in range(5 + n)
                ]
            )
            clock.advance(60)
            store.end_session(sid)
            clock.advance(3600)
            ids.append(sid)
        store.flush()
    finally:
        store.close()
    return ids


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    return child.pid


# -- sessions and verify -----------------------------------------------------------------------
def test_sessions_json_lists_every_session_newest_first(groupkap, work):
    db = work / "clinic.sqlite3"
    first, second = make_db(db)
    result = groupkap("sessions", "--db", db, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == [second, first]
    newest = rows[0]
    assert newest["status"] == "ended"
    assert newest["seats"] == 4 and newest["title"] == "group 1"
    # started, the seal of its vital signs, ended
    assert newest["events"] == 3 and newest["vitals"] == 6 and newest["participants"] == 0
    assert newest["started"] == "2023-11-14T23:14:20Z"
    assert rows[1]["vitals"] == 5


def test_sessions_reads_groupkap_db_when_no_db_is_given(groupkap, env):
    db = Path(env["GROUPKAP_DB"])
    db.parent.mkdir(parents=True)
    (only,) = make_db(db, sessions=1)
    result = groupkap("sessions")
    assert result.returncode == 0, result.stderr
    assert only in result.stdout and "ended" in result.stdout


def test_verify_passes_an_intact_database(groupkap, work):
    db = work / "clinic.sqlite3"
    make_db(db)
    result = groupkap("verify", "--db", db)
    assert result.returncode == 0, result.stderr
    assert "intact: 6 events checked" in result.stdout  # 2 sessions: started, sealed, ended


def test_verify_fails_with_the_first_broken_seq(groupkap, work):
    db = work / "clinic.sqlite3"
    make_db(db)
    conn = sqlite3.connect(db)
    try:
        conn.execute("drop trigger events_no_update")
        conn.execute("update events set actor = 'nobody' where seq = 3")
        conn.commit()
    finally:
        conn.close()
    result = groupkap("verify", "--db", db)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "broken at seq 3" in result.stdout
    assert result.stderr == ""


# -- refusals: exit 2, one line, nothing created -------------------------------------------------
@pytest.mark.parametrize(
    "args, fragments",
    [
        (["demo", "--seats", "2"], ["3 to 10 seats, not 2"]),
        (["demo", "--seats", "11"], ["3 to 10 seats, not 11"]),
        (["demo", "--scenario", "nope"], ["unknown scenario 'nope'", "calm"]),
    ],
)
def test_bad_demo_arguments_are_refused_before_anything_is_created(
    groupkap, work, tmp_path, args, fragments
):
    db = work / "demo.sqlite3"
    before = tree(tmp_path)
    assert_refused(groupkap(*args, "--db", db), *fragments)
    assert tree(tmp_path) == before
    assert not db.exists()


def test_a_missing_database_folder_is_refused(groupkap, tmp_path):
    before = tree(tmp_path)
    assert_refused(
        groupkap("--db", "/nonexistent/dir/x.sqlite3", "sessions"), "/nonexistent/dir/x.sqlite3"
    )
    assert not Path("/nonexistent").exists()
    assert tree(tmp_path) == before


@pytest.mark.parametrize("command", ["verify", "sessions"])
def test_a_text_file_as_database_is_refused_and_unchanged(groupkap, work, tmp_path, command):
    db = work / "notes.sqlite3"
    db.write_text("not a database\n", encoding="utf-8")
    before = tree(tmp_path)
    assert_refused(groupkap(command, "--db", db), "not a SQLite database")
    assert tree(tmp_path) == before


def test_a_newer_schema_is_refused_by_verify_and_left_unchanged(groupkap, work):
    db = work / "future.sqlite3"
    make_db(db, sessions=1)
    conn = sqlite3.connect(db)
    try:
        conn.execute(
            "insert into _sqlite_migrations (migration_set, name, applied_at) "
            "values ('groupkap', 'm777_newer', '2031-01-01')"
        )
        conn.commit()
    finally:
        conn.close()
    before = tree(work)
    assert_refused(groupkap("verify", "--db", db), "newer GroupKAP", "m777_newer")
    after = tree(work)
    assert after[db.name] == before[db.name]
    # A read-only SQLite connection to a WAL file may leave its empty -wal/-shm beside it;
    # nothing else may appear.
    extra = set(after) - set(before)
    assert {name.removeprefix(db.name) for name in extra} <= SQLITE_SIDECARS


def test_a_newer_schema_is_refused_by_close_too(groupkap, work):
    db = work / "future.sqlite3"
    (sid,) = make_db(db, sessions=1)
    conn = sqlite3.connect(db)
    try:
        conn.execute(
            "insert into _sqlite_migrations (migration_set, name, applied_at) "
            "values ('groupkap', 'm777_newer', '2031-01-01')"
        )
        conn.commit()
    finally:
        conn.close()
    digest = tree(work)[db.name]
    assert_refused(groupkap("close", sid, "--db", db), "newer GroupKAP")
    assert tree(work)[db.name] == digest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--speed", "-3"), "--speed must be a number from 0.1 to 1000, not '-3'"),
        (("--speed", "nan"), "--speed must be a number from 0.1 to 1000, not 'nan'"),
        (("--speed", "1e9"), "--speed must be a number from 0.1 to 1000, not '1e9'"),
        (("--speed", "0.09"), "--speed must be a number from 0.1 to 1000, not '0.09'"),
        (("--minutes", "inf"), "--minutes must be a number from 1 to 720, not 'inf'"),
        (("--minutes", "720.5"), "--minutes must be a number from 1 to 720, not '720.5'"),
        (
            ("--seats", "9" * 5000),
            "--seats must be a whole number from 3 to 10, not '99999999999999999999…'",
        ),
    ],
)
def test_bad_usage_is_one_line_exit_2_and_writes_nothing(groupkap, work, args, message):
    db = work / "nothing.sqlite3"
    result = groupkap("demo", "--offscreen", "--db", db, *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr and not db.exists()


# -- close ---------------------------------------------------------------------------------------
def test_close_ends_an_interrupted_session(groupkap, work):
    db = work / "clinic.sqlite3"
    store = Store.open(db, SimulatedClock(start=T0))
    try:
        sid = store.start_session(seats=5, source="steady")
    finally:
        store.close()
    conn = sqlite3.connect(db)
    try:  # as if the process that ran it had been killed
        conn.execute("update sessions set pid = ? where id = ?", (dead_pid(), sid))
        conn.commit()
    finally:
        conn.close()
    Store.open(db, SimulatedClock(start=T0 + 60)).close()  # notices it was interrupted

    listing = groupkap("sessions", "--db", db)
    assert listing.returncode == 0
    assert "interrupted" in listing.stdout
    assert f"groupkap close {sid}" in listing.stdout

    closed = groupkap("close", sid, "--db", db)
    assert closed.returncode == 0, closed.stderr
    assert f"closed interrupted session {sid}" in closed.stdout

    (row,) = json.loads(groupkap("sessions", "--db", db, "--json").stdout)
    assert row["id"] == sid and row["status"] == "ended" and row["ended"]
    assert row["events"] == 3  # started, interrupted, ended
    assert groupkap("verify", "--db", db).returncode == 0

    again = groupkap("close", sid, "--db", db)
    assert_refused(again, "is ended, not interrupted")


def test_close_of_an_unknown_session_is_refused(groupkap, work):
    db = work / "clinic.sqlite3"
    make_db(db, sessions=1)
    assert_refused(
        groupkap("close", "2020-01-01-abcdef", "--db", db), "no session '2020-01-01-abcdef'"
    )


def test_close_on_a_missing_folder_creates_nothing(groupkap, tmp_path):
    missing = tmp_path / "gone"
    assert_refused(groupkap("close", "x", "--db", missing / "db.sqlite3"), str(missing))
    assert not missing.exists()


def test_the_console_script_is_the_same_program(env, work):
    beside = Path(sys.executable).parent / "groupkap"
    script = str(beside) if beside.exists() else shutil.which("groupkap")
    if script is None:
        pytest.skip("the groupkap console script is not installed")
    result = subprocess.run(
        [script, "demo", "--seats", "11"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        timeout=60,
    )
    assert_refused(result, "not 11")


def test_an_unwritable_screenshot_path_is_refused_before_the_session(groupkap, work):
    db = work / "nothing.sqlite3"
    result = groupkap(
        "demo",
        "--offscreen",
        "--minutes",
        "1",
        "--db",
        db,
        "--screenshot",
        "/proc/no-such-folder/room.png",
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--screenshot" in result.stderr
    assert not db.exists()
