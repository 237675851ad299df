"""The session database: migrations, the hash chain, refusals that write nothing, the views,
packed waveforms, and sessions left open by a process that died."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from groupkap.clock import SimulatedClock
from groupkap.errors import SchemaTooNewError, StorageError
from groupkap.params import PLETH_RATE_HZ
from groupkap.session import LiveSession
from groupkap.store import Store
from groupkap.store.chain import row_hash
from groupkap.store.proof import verify

T0 = 1_700_000_000.0  # the same start as the `t0` fixture in conftest.py


# -- helpers -------------------------------------------------------------------------------
def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def schema_snapshot(path: Path) -> tuple[list[tuple], list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        master = conn.execute(
            "select type, name, tbl_name, sql from sqlite_master order by type, name"
        ).fetchall()
        applied = conn.execute(
            "select id, migration_set, name, applied_at from _sqlite_migrations order by id"
        ).fetchall()
    finally:
        conn.close()
    return master, applied


def build_db(path: Path, sessions: int = 3, events_each: int = 4) -> list[str]:
    """A closed database holding `sessions` finished sessions; returns their ids."""
    clock = SimulatedClock(start=T0, speed=0)
    store = Store.open(path, clock)
    ids = []
    try:
        for n in range(sessions):
            sid = store.start_session(seats=4 + n, source="steady", title=f"group {n}")
            for i in range(events_each):
                clock.advance(30)
                kind = "source.lost" if i % 2 == 0 else "source.restored"
                store.record(sid, kind, {"seat": 1 + i % 3, "i": i}).result(10)
            clock.advance(60)
            store.end_session(sid)
            ids.append(sid)
    finally:
        store.close()
    return ids


def event_count(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("select count(*) from events").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def built_db(tmp_path) -> Path:
    path = tmp_path / "clinic.sqlite3"
    build_db(path)
    return path


def tampered_copy(src: Path, dest: Path, *statements: str, params: tuple = ()) -> Path:
    shutil.copy(src, dest)
    conn = sqlite3.connect(dest)
    try:
        for sql in statements[:-1]:
            conn.execute(sql)
        conn.execute(statements[-1], params)
        conn.commit()
    finally:
        conn.close()
    return dest


# -- migrations ----------------------------------------------------------------------------
def test_applying_migrations_again_changes_nothing(tmp_path):
    path = tmp_path / "m.sqlite3"
    clock = SimulatedClock(start=T0)
    Store.open(path, clock).close()
    before = schema_snapshot(path)
    names = [row[2] for row in before[1]]
    assert names == [
        "m001_core_tables",
        "m002_readable_views",
        "m003_struck_hand_values",
        "m004_vitals_by_participant",
        "m005_accounts",
        "m006_courses",
        "m007_session_counts",
    ]
    assert {row[1] for row in before[1]} == {"groupkap"}

    for _ in range(2):
        Store.open(path, clock).close()

    assert schema_snapshot(path) == before


def test_a_new_database_is_in_wal_mode(tmp_path):
    path = tmp_path / "wal.sqlite3"
    Store.open(path, SimulatedClock(start=T0)).close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


# -- the hash chain ------------------------------------------------------------------------
def test_chain_verifies_after_several_sessions(built_db):
    report = verify(built_db)
    assert report.ok, report.reason
    # 3 sessions × (started + 4 events + ended)
    assert report.checked == event_count(built_db) == 18
    conn = sqlite3.connect(built_db)
    try:
        seqs = [r[0] for r in conn.execute("select seq from events order by seq")]
        statuses = {r[0] for r in conn.execute("select status from sessions")}
    finally:
        conn.close()
    assert seqs == list(range(1, 19))
    assert statuses == {"ended"}


def test_changed_event_data_is_reported_at_its_seq(built_db, tmp_path):
    copy = tampered_copy(
        built_db,
        tmp_path / "changed.sqlite3",
        "drop trigger events_no_update",
        "update events set data = ? where seq = ?",
        params=('{"i":0,"seat":9}', 7),
    )
    report = verify(copy)
    assert not report.ok
    assert report.broken_seq == 7
    assert "hash" in report.reason
    assert report.checked == 6
    assert verify(built_db).ok  # the original is untouched


def test_rehashing_a_changed_row_still_breaks_the_next_link(built_db, tmp_path):
    conn = sqlite3.connect(built_db)
    try:
        seq, sid, pid, t, kind, actor, prev = conn.execute(
            "select seq, session_id, participant_id, t, kind, actor, prev_hash "
            "from events where seq = 5"
        ).fetchone()
    finally:
        conn.close()
    forged_data = '{"i":3,"seat":1,"forged":true}'
    forged = row_hash(prev, seq, sid, pid, t, kind, actor, forged_data)
    copy = tampered_copy(
        built_db,
        tmp_path / "forged.sqlite3",
        "drop trigger events_no_update",
        "update events set data = ?, hash = ? where seq = 5",
        params=(forged_data, forged),
    )
    report = verify(copy)
    assert report.broken_seq == 6
    assert "prev_hash" in report.reason


def test_a_deleted_event_is_reported_missing(built_db, tmp_path):
    copy = tampered_copy(
        built_db,
        tmp_path / "deleted.sqlite3",
        "drop trigger events_no_delete",
        "delete from events where seq = ?",
        params=(11,),
    )
    report = verify(copy)
    assert report.broken_seq == 11
    assert "missing" in report.reason


def test_events_are_append_only_while_the_triggers_stand(built_db):
    before = file_digest(built_db)
    conn = sqlite3.connect(built_db)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("update events set actor = 'someone else' where seq = 3")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("delete from events where seq = 3")
        conn.rollback()
    finally:
        conn.close()
    assert verify(built_db).ok
    assert file_digest(built_db) == before


# -- refusals that write nothing -------------------------------------------------------------
def test_a_newer_schema_is_refused_and_left_byte_for_byte(built_db):
    conn = sqlite3.connect(built_db)
    try:
        conn.execute(
            "insert into _sqlite_migrations (migration_set, name, applied_at) "
            "values ('groupkap', 'm900_from_a_newer_groupkap', '2030-01-01 00:00:00+00:00')"
        )
        conn.commit()
    finally:
        conn.close()
    digest = file_digest(built_db)
    listing = sorted(os.listdir(built_db.parent))

    with pytest.raises(SchemaTooNewError, match="m900_from_a_newer_groupkap"):
        Store.open(built_db, SimulatedClock(start=T0))

    assert file_digest(built_db) == digest
    assert sorted(os.listdir(built_db.parent)) == listing


def test_another_apps_migrations_in_the_same_file_are_not_newer(built_db):
    conn = sqlite3.connect(built_db)
    try:
        conn.execute(
            "insert into _sqlite_migrations (migration_set, name, applied_at) "
            "values ('someone-else', 'x001_their_table', '2030-01-01 00:00:00+00:00')"
        )
        conn.commit()
    finally:
        conn.close()
    Store.open(built_db, SimulatedClock(start=T0)).close()
    assert verify(built_db).ok


def test_a_file_that_is_not_sqlite_is_refused_and_unchanged(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_text("Group on Tuesday: bring blankets.\n" * 20, encoding="utf-8")
    digest = file_digest(path)
    with pytest.raises(StorageError, match="not a SQLite database"):
        Store.open(path, SimulatedClock(start=T0))
    assert file_digest(path) == digest
    assert os.listdir(tmp_path) == ["notes.sqlite3"]


def test_a_missing_folder_is_refused_and_not_created(tmp_path):
    folder = tmp_path / "no" / "such"
    with pytest.raises(StorageError) as info:
        Store.open(folder / "groupkap.sqlite3", SimulatedClock(start=T0))
    assert str(folder) in str(info.value)
    assert "does not exist" in str(info.value)
    assert not (tmp_path / "no").exists()


def test_a_folder_path_as_db_is_refused(tmp_path):
    with pytest.raises(StorageError, match="is a folder"):
        Store.open(tmp_path, SimulatedClock(start=T0))
    assert os.listdir(tmp_path) == []


_OPEN_AS_CHILD = textwrap.dedent("""
    import sys
    from groupkap.clock import SimulatedClock
    from groupkap.errors import StorageError
    from groupkap.store import Store
    try:
        Store.open(sys.argv[1], SimulatedClock(start=0)).close()
    except StorageError as exc:
        print(f"StorageError: {exc}")
        sys.exit(3)
    print("opened")
""")


def open_in_unprivileged_child(db: Path) -> subprocess.CompletedProcess:
    """Open `db` in a child process that file permissions apply to.

    Permissions do not stop root (CAP_DAC_OVERRIDE), so as root the child runs under
    `setpriv` with that capability dropped: the check under test (os.access before anything
    is written) then meets a real refusal from the kernel.
    """
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be made to bind")
        prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]
    result = subprocess.run(
        [*prefix, sys.executable, "-c", _OPEN_AS_CHILD, str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    if prefix and result.stderr.startswith("setpriv:"):
        pytest.skip(f"cannot drop capabilities here: {result.stderr.strip()}")
    return result


def test_an_unwritable_folder_is_refused_and_nothing_is_written(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    result = open_in_unprivileged_child(locked / "groupkap.sqlite3")
    assert result.returncode == 3, result.stdout + result.stderr
    assert f"cannot write in {locked}" in result.stdout
    assert os.listdir(locked) == []


def test_a_read_only_database_file_is_refused_and_unchanged(tmp_path):
    folder = tmp_path / "open"
    folder.mkdir()
    db = folder / "groupkap.sqlite3"
    build_db(db, sessions=1)
    db.chmod(0o444)
    digest = file_digest(db)
    result = open_in_unprivileged_child(db)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "read-only" in result.stdout
    assert file_digest(db) == digest
    assert sorted(os.listdir(folder)) == ["groupkap.sqlite3", "groupkap.sqlite3.anchor"]


# -- the readable views and packed waveforms -------------------------------------------------
@pytest.fixture
def live(store, clock, source, settings):
    session = LiveSession.start(
        seat_count=5,
        clock=clock,
        source=source,
        store=store,
        settings=settings,
        title="Tuesday group",
    )
    session.add_participant("M.K.", 3, full_name="Mary Kay")
    session.add_participant("A.R.", 1)
    return session


def test_a_database_from_before_the_struck_column_gets_it_on_open(tmp_path):
    """A file written by the previous release (m001, m002) is brought up to date, its rows
    untouched, and v_vitals gains `struck`."""
    path = tmp_path / "old.sqlite3"
    build_db(path, sessions=1)
    with closing(sqlite3.connect(path)) as conn, conn:  # as the previous release left it
        conn.execute("drop view v_vitals")
        conn.execute(
            "create view v_vitals as select v.session_id, v.param, v.value, v.source from vitals v"
        )
        conn.execute("delete from _sqlite_migrations where name = 'm003_struck_hand_values'")
    events_before = file_rows(path, "select * from events")
    Store.open(path, SimulatedClock(start=T0)).close()
    assert file_rows(path, "select * from events") == events_before
    with closing(sqlite3.connect(path)) as conn:
        columns = [d[0] for d in conn.execute("select * from v_vitals limit 0").description]
    assert columns[-1] == "struck" and "participant" in columns


def file_rows(path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def test_v_vitals_has_the_documented_columns_and_the_alias(live, store, clock):
    clock.advance(3)
    live.pump()
    store.flush()
    with closing(store.reader()) as conn:
        cur = conn.execute("select * from v_vitals order by seat, t_utc, param")
        columns = [d[0] for d in cur.description]
        rows = [dict(r) for r in cur.fetchall()]
    assert columns == [
        "session_id",
        "participant",
        "seat",
        "device",
        "param",
        "t_utc",
        "value",
        "unit",
        "source",
        "struck",
    ]
    # 2 seats × 3 seconds × (HR, SpO2); the waveform is not in v_vitals
    assert len(rows) == 12
    first = rows[0]
    assert first == {
        "session_id": live.id,
        "participant": "A.R.",
        "seat": 1,
        "device": "seat1",
        "param": "HR",
        "t_utc": "2023-11-14T22:13:20.000Z",
        "value": 61.0,
        "unit": "/min",
        "source": "steady",
        "struck": 0,
    }
    assert {r["participant"] for r in rows if r["seat"] == 3} == {"M.K."}
    assert {r["param"] for r in rows} == {"HR", "SpO2"}
    assert {r["unit"] for r in rows if r["param"] == "SpO2"} == {"%"}


def test_v_events_has_the_documented_columns_and_the_alias(live, store):
    store.flush()
    with closing(store.reader()) as conn:
        cur = conn.execute("select * from v_events order by t_utc, rowid")
        columns = [d[0] for d in cur.description]
        rows = [dict(r) for r in cur.fetchall()]
    assert columns == ["session_id", "participant", "seat", "t_utc", "kind", "actor", "data"]
    assert [r["kind"] for r in rows] == [
        "session.started",
        "participant.added",
        "participant.added",
    ]
    started, mk, ar = rows
    assert started["participant"] is None and started["seat"] is None
    assert (mk["participant"], mk["seat"]) == ("M.K.", 3)
    assert (ar["participant"], ar["seat"]) == ("A.R.", 1)
    assert json.loads(mk["data"]) == {"alias": "M.K.", "seat": 3, "full_name": "Mary Kay"}
    assert mk["actor"] == "facilitator"
    assert mk["t_utc"].startswith("2023-11-14T22:13:20.000")
    assert {r["session_id"] for r in rows} == {live.id}


def test_waveforms_are_one_packed_row_per_seat_per_second(live, store, clock, source):
    clock.advance(4)
    live.pump()
    store.flush()
    with closing(store.reader()) as conn:
        rows = conn.execute(
            "select seat, param, t_start, rate_hz, n, samples, participant_id "
            "from waveforms where session_id = ? order by seat, t_start",
            (live.id,),
        ).fetchall()
        vitals_pleth = conn.execute("select count(*) from vitals where param = 'PLETH'").fetchone()[
            0
        ]
    assert vitals_pleth == 0
    assert [(r["seat"], r["t_start"]) for r in rows] == [
        (seat, T0 + s) for seat in (1, 3) for s in range(4)
    ]
    by_seat = {p.seat: p.id for p in live.room.participants.values()}
    for r in rows:
        assert r["param"] == "PLETH"
        assert r["rate_hz"] == PLETH_RATE_HZ
        assert r["n"] == 125
        assert len(r["samples"]) == 125 * 4
        assert r["participant_id"] == by_seat[r["seat"]]
        decoded = np.frombuffer(r["samples"], dtype="<f4")
        np.testing.assert_array_equal(decoded, source.pleth_samples(r["seat"], r["t_start"]))


def test_the_simulators_pleth_is_stored_one_row_per_seat_per_second(store, clock, settings):
    from groupkap.sources.simulator import Simulator

    sim = Simulator([1, 2, 3], clock.now(), seed=5, scenario="calm")
    live = LiveSession.start(seat_count=3, clock=clock, source=sim, store=store, settings=settings)
    for seat, alias in ((1, "M.K."), (2, "A.R."), (3, "J.L.")):
        live.add_participant(alias, seat)
    clock.advance(6)
    live.pump()
    store.flush()
    with closing(store.reader()) as conn:
        rows = conn.execute(
            "select seat, t_start, n, samples from waveforms order by seat, t_start"
        ).fetchall()
    assert [(r["seat"], r["t_start"], r["n"]) for r in rows] == [
        (seat, T0 + s, 125) for seat in (1, 2, 3) for s in range(6)
    ]
    for seat in (1, 2, 3):
        stored = np.concatenate(
            [np.frombuffer(r["samples"], dtype="<f4") for r in rows if r["seat"] == seat]
        )
        _, in_memory = live.vitals_on_seat(seat).pleth(T0)
        np.testing.assert_array_equal(stored, in_memory)
        assert np.ptp(stored) > 0.1  # a pulse wave, not a flat line


# -- sessions left open by a process that died ------------------------------------------------
def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    return child.pid


def leave_running(path: Path, pid: int) -> str:
    """A session started and never ended, attributed to process `pid`."""
    store = Store.open(path, SimulatedClock(start=T0))
    try:
        sid = store.start_session(seats=6, source="steady")
    finally:
        store.close()
    conn = sqlite3.connect(path)
    try:
        conn.execute("update sessions set pid = ? where id = ?", (pid, sid))
        conn.commit()
    finally:
        conn.close()
    return sid


def kinds_of(store: Store, sid: str) -> list[tuple[str, dict]]:
    store.flush()
    with closing(store.reader()) as conn:
        return [
            (r["kind"], json.loads(r["data"]))
            for r in conn.execute(
                "select kind, data from events where session_id = ? order by seq", (sid,)
            )
        ]


def test_a_session_whose_process_died_becomes_interrupted_then_resumes(tmp_path):
    path = tmp_path / "crash.sqlite3"
    pid = dead_pid()
    sid = leave_running(path, pid)

    store = Store.open(path, SimulatedClock(start=T0 + 600))
    try:
        assert store.session(sid)["status"] == "interrupted"
        assert kinds_of(store, sid) == [
            ("session.started", {"seats": 6, "source": "steady", "speed": 1.0, "title": ""}),
            ("session.interrupted", {"pid": pid}),
        ]

        row = store.resume_session(sid, actor="medical monitor")
        assert row["status"] == "running"
        assert row["pid"] == os.getpid()
        assert kinds_of(store, sid)[-1] == ("session.resumed", {})

        with pytest.raises(StorageError, match="running, not interrupted"):
            store.close_interrupted(sid)
        with pytest.raises(StorageError, match="running, not interrupted"):
            store.resume_session(sid)
        assert store.session(sid)["status"] == "running"
        assert len(kinds_of(store, sid)) == 3  # the refusals wrote nothing
    finally:
        store.close()
    assert verify(path).ok


def test_closing_an_interrupted_session_ends_it(tmp_path):
    path = tmp_path / "close.sqlite3"
    sid = leave_running(path, dead_pid())
    store = Store.open(path, SimulatedClock(start=T0 + 900))
    try:
        store.close_interrupted(sid, actor="lead")
        row = store.session(sid)
        assert row["status"] == "ended"
        assert row["ended_at"] == T0 + 900
        assert kinds_of(store, sid)[-1] == (
            "session.ended",
            {"reason": "closed after interruption"},
        )
    finally:
        store.close()


def test_a_session_whose_process_still_runs_is_left_running(tmp_path):
    path = tmp_path / "alive.sqlite3"
    sid = leave_running(path, os.getppid())  # pytest's parent: alive, and not this process
    store = Store.open(path, SimulatedClock(start=T0))
    try:
        assert store.session(sid)["status"] == "running"
        assert [k for k, _ in kinds_of(store, sid)] == ["session.started"]
    finally:
        store.close()


def test_an_unknown_session_is_refused_by_name(store):
    with pytest.raises(StorageError, match="no session 'nope'"):
        store.resume_session("nope")
