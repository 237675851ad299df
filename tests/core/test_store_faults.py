"""Faults of the session database: a chain that proves itself against its anchored heads,
tampering that the chain alone cannot see, damaged pages, archived read-only copies,
owner-only files, and a backup taken while a session writes. The command line runs as a real
process; the tampering is the reusable script tests/faults/tamper.py."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from groupkap.clock import SimulatedClock
from groupkap.errors import StorageError
from groupkap.store import Store
from groupkap.store.anchor import anchor_path, read_heads
from groupkap.store.chain import walk
from groupkap.store.proof import verify
from groupkap.store.store import DAMAGED

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "faults"))
import tamper  # noqa: E402

T0 = 1_700_000_000.0
REPO = Path(__file__).resolve().parents[2]


# -- helpers -------------------------------------------------------------------------------
def build(path: Path, sessions: int = 2, events_each: int = 5, vitals: int = 0) -> list[str]:
    """A closed database of finished sessions (anchored at each end and at close)."""
    clock = SimulatedClock(start=T0, speed=0)
    store = Store.open(path, clock)
    ids = []
    try:
        for n in range(sessions):
            sid = store.start_session(seats=4, source="steady", title=f"group {n}")
            for i in range(events_each):
                clock.advance(30)
                store.record(sid, "note.added", {"text": f"note {i}"}).result(10)
            store.add_vitals(
                [
                    (sid, None, 1, "seat1", "HR", T0 + i, 60.0 + i % 40, "/min", "steady")
                    for i in range(vitals)
                ]
            )
            clock.advance(60)
            store.end_session(sid)
            ids.append(sid)
        store.flush()
    finally:
        store.close()
    return ids


def copy_db(src: Path, dest: Path, with_anchor: bool = True) -> Path:
    shutil.copy(src, dest)
    if with_anchor:
        shutil.copy(anchor_path(src), anchor_path(dest))
    return dest


def event_count(path: Path) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute("select count(*) from events").fetchone()[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def cli(*args, unprivileged: bool = False, env: dict | None = None):
    """`groupkap ARGS` as a real process; `unprivileged` drops root's power to ignore file
    permissions, so a read-only archive is really read-only to it."""
    prefix: list[str] = []
    if unprivileged and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be made to bind")
        prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]
    child_env = {k: v for k, v in os.environ.items() if k not in {"GROUPKAP_CONFIG", "GROUPKAP_DB"}}
    child_env.update(
        {"PYTHONDONTWRITEBYTECODE": "1", "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    )
    child_env.pop("DISPLAY", None)
    child_env.update(env or {})
    return subprocess.run(
        [*prefix, sys.executable, "-m", "groupkap.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env,
        cwd=REPO,
    )


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("orig") / "clinic.sqlite3"
    build(path)
    return path


# -- the anchor ----------------------------------------------------------------------------
def test_every_session_end_and_close_anchors_the_head(original):
    heads = read_heads(anchor_path(original))
    with closing(sqlite3.connect(original)) as conn:
        tail = conn.execute("select seq, hash from events order by seq desc limit 1").fetchone()
        ends = conn.execute("select seq from events where kind = 'session.ended'").fetchall()
    assert [h.seq for h in heads if h.reason == "session ended"] == [s for (s,) in ends]
    assert (heads[-1].seq, heads[-1].hash) == tail
    assert all(h.anchored_at.endswith("Z") and h.session_id for h in heads)
    assert mode(anchor_path(original)) == 0o600
    report = verify(original)
    assert report.ok and report.anchored == len(heads)


def test_the_head_is_anchored_while_events_arrive_so_a_kill_leaves_it(tmp_path):
    path = tmp_path / "live.sqlite3"
    clock = SimulatedClock(start=T0, speed=0)
    store = Store.open(path, clock, anchor_every_s=0.0)  # "every N minutes", N = 0 here
    try:
        sid = store.start_session(seats=3, source="steady")
        last = store.record(sid, "note.added", {"text": "x"}).result(10)
        store.add_vitals([(sid, None, 1, "seat1", "HR", T0, 60.0, "/min", "steady")])
        store.flush()  # the writer handles one more item after the commit: the head is due
        heads = read_heads(anchor_path(path))  # still open: as a SIGKILL would leave it
        assert heads and heads[-1].seq == last
    finally:
        store.close()


@pytest.mark.parametrize(
    "scenario, args, first_failing",
    [
        ("delete_tail", (3,), "missing"),
        ("forge_row", (), "rewritten"),
        ("rewrite_chain", (2,), "rewritten"),
    ],
)
def test_tampering_the_chain_alone_cannot_see_fails_verify(
    original, tmp_path, scenario, args, first_failing
):
    db = copy_db(original, tmp_path / f"{scenario}.sqlite3")
    getattr(tamper, scenario)(db, *args)
    with closing(sqlite3.connect(db)) as conn:
        assert walk(conn).ok  # the chain in itself still walks: only the anchor sees it

    done = cli("verify", "--db", db)
    assert done.returncode == 1, done.stdout + done.stderr
    assert first_failing in done.stdout and "seq" in done.stdout

    report = verify(db)
    assert not report.ok and first_failing in report.reason


def test_the_tamper_script_runs_by_hand(original, tmp_path):
    db = copy_db(original, tmp_path / "by-hand.sqlite3")
    done = subprocess.run(
        [sys.executable, str(REPO / "tests/faults/tamper.py"), "delete_tail", str(db), "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert cli("verify", "--db", db).returncode == 1


def test_deleting_the_anchor_too_is_caught_by_a_head_kept_elsewhere(original, tmp_path):
    kept = tmp_path / "kept-off-the-machine.anchor"
    shutil.copy(anchor_path(original), kept)
    db = copy_db(original, tmp_path / "both.sqlite3", with_anchor=False)
    gone = tamper.delete_tail(db, 2)  # the last note and the session.ended…
    with closing(sqlite3.connect(db)) as conn, conn:  # …and its rows made to agree
        conn.execute(
            "update sessions set status = 'running' where status = 'ended' and "
            "id = (select session_id from events order by seq desc limit 1)"
        )
        conn.execute(
            "update session_counts set events = events - 2 where "
            "session_id = (select session_id from events order by seq desc limit 1)"
        )

    alone = cli("verify", "--db", db)
    assert alone.returncode == 0 and "no anchor file" in alone.stderr  # said, not silent
    done = cli("verify", "--db", db, "--anchor", kept)
    assert done.returncode == 1
    assert f"event {gone[-1]}" in done.stdout and "cut short" in done.stdout


def test_a_garbled_anchor_file_is_refused(original, tmp_path):
    db = copy_db(original, tmp_path / "garbled.sqlite3")
    with open(anchor_path(db), "a", encoding="utf-8") as fh:
        fh.write('{"seq": "x"}\n')
    done = cli("verify", "--db", db)
    assert done.returncode == 2 and "restore the anchor file from a copy" in done.stderr
    assert f"line {len(read_heads(anchor_path(original))) + 1} of" in done.stderr


@pytest.mark.parametrize("scenario", ["delete_tail", "forge_row", "rewrite_chain"])
def test_the_store_refuses_to_append_to_a_tampered_chain(original, tmp_path, scenario):
    db = copy_db(original, tmp_path / f"{scenario}.sqlite3")
    getattr(tamper, scenario)(db)
    before, count = digest(db), event_count(db)
    with pytest.raises(StorageError, match="the session log does not verify at seq"):
        Store.open(db, SimulatedClock(start=T0 + 9000))
    assert event_count(db) == count and digest(db) == before


def test_the_store_rehashes_the_tail_at_open(original, tmp_path):
    db = copy_db(original, tmp_path / "mid.sqlite3", with_anchor=False)
    tamper.forge_row(db, 5)  # recomputed hash: the next link gives it away
    with pytest.raises(StorageError, match="does not verify at seq 6"):
        Store.open(db, SimulatedClock(start=T0 + 9000))


def test_a_recreated_database_beside_an_anchor_is_refused(original, tmp_path):
    db = tmp_path / "gone.sqlite3"
    shutil.copy(anchor_path(original), anchor_path(db))
    with pytest.raises(StorageError, match="restore the database from backup"):
        Store.open(db, SimulatedClock(start=T0))
    assert not db.exists()


def test_an_export_carries_the_head_and_verify_takes_it(tmp_path):
    from test_esketamine_record import Log, write_main_session  # a complete record

    log = Log(tmp_path / "rec.sqlite3")
    write_main_session(log)  # ends the session and closes the store
    out = tmp_path / "record.html"
    done = cli("esketamine-record", log.sid, "R.S.", "--db", log.path, "--out", out)
    assert done.returncode == 0, done.stderr
    assert mode(out) == 0o600
    assert "groupkap-chain-head" in out.read_text(encoding="utf-8")
    anchor_path(log.path).unlink()  # the attacker removes the anchor beside the database
    tamper.delete_tail(log.path, 1)
    done = cli("verify", "--db", log.path, "--anchor", out)
    assert done.returncode == 1 and "cut short" in done.stdout


# -- one rule for databases ------------------------------------------------------------------
def archive(src: Path, folder: Path) -> Path:
    """A read-only archive: the file 0444 in a 0555 folder."""
    folder.mkdir()
    db = copy_db(src, folder / src.name)
    for f in folder.iterdir():
        f.chmod(0o444)
    folder.chmod(0o555)
    return db


def test_reading_commands_work_on_an_archived_read_only_copy(tmp_path):
    from test_esketamine_record import Log, write_main_session

    log = Log(tmp_path / "live.sqlite3")
    write_main_session(log)  # ends the session and closes the store
    db = archive(log.path, tmp_path / "archive")
    listing = {p.name: digest(p) for p in db.parent.iterdir()}
    try:
        done = cli("verify", "--db", db, unprivileged=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "event chain intact" in done.stdout and "anchored heads" in done.stdout
        done = cli("sessions", "--json", "--db", db, unprivileged=True)
        assert done.returncode == 0, done.stderr
        assert [r["id"] for r in json.loads(done.stdout)] == [log.sid]
        out = tmp_path / "out"
        out.mkdir()
        out.chmod(0o777)
        done = cli(
            "esketamine-record", log.sid, "R.S.", "--db", db, "--out", out / "r.html",
            unprivileged=True,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        # writing is refused in one line, the archive untouched
        done = cli("close", log.sid, "--db", db, unprivileged=True)
        assert done.returncode == 2 and "read-only" in done.stderr
        assert {p.name: digest(p) for p in db.parent.iterdir()} == listing
    finally:
        db.parent.chmod(0o755)


def test_writing_commands_refuse_a_missing_folder_and_create_nothing(tmp_path):
    missing = tmp_path / "no" / "such"
    for args in (
        ["close", "2025-01-01-abcdef", "--db", missing / "g.sqlite3"],
        ["demo", "--offscreen", "--minutes", "1", "--db", missing / "g.sqlite3"],
        ["backup", "--db", tmp_path / "x.sqlite3", "--out", missing / "copy.sqlite3"],
    ):
        done = cli(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert "does not exist" in done.stderr and len(done.stderr.splitlines()) == 1
        assert not (tmp_path / "no").exists()


def test_close_on_a_missing_database_creates_none(tmp_path):
    done = cli("close", "2025-01-01-abcdef", "--db", tmp_path / "none.sqlite3")
    assert done.returncode == 2 and "there is no database" in done.stderr
    assert os.listdir(tmp_path) == []


def damage_a_page(db: Path) -> None:
    """Overwrite one page in the middle of the file with garbage (never page 1)."""
    size = db.stat().st_size
    with closing(sqlite3.connect(db)) as conn:
        page = conn.execute("pragma page_size").fetchone()[0]
    middle = (size // page // 2) * page
    with open(db, "r+b") as fh:
        fh.seek(middle)
        fh.write(bytes([0xA5]) * page)


def test_a_damaged_page_is_exit_2_and_no_session_starts_on_it(tmp_path):
    db = tmp_path / "damaged.sqlite3"
    build(db, sessions=1, vitals=20000)
    assert db.stat().st_size > 200_000
    damage_a_page(db)
    before, count = digest(db), event_count(db)

    done = cli("verify", "--db", db)
    assert done.returncode == 2, done.stdout + done.stderr
    assert DAMAGED in done.stderr and "Traceback" not in done.stderr

    with pytest.raises(StorageError, match="the database is damaged"):
        Store.open(db, SimulatedClock(start=T0 + 9000))
    assert digest(db) == before and event_count(db) == count


def test_new_databases_their_wal_shm_and_backups_are_owner_only(tmp_path):
    path = tmp_path / "new.sqlite3"
    store = Store.open(path, SimulatedClock(start=T0, speed=0))
    try:
        sid = store.start_session(seats=3, source="steady")
        store.record(sid, "note.added", {"text": "open"}).result(10)
        for suffix in ("", "-wal", "-shm"):
            assert mode(Path(f"{path}{suffix}")) == 0o600, suffix
        store.end_session(sid)
    finally:
        store.close()
    assert mode(anchor_path(path)) == 0o600
    out = tmp_path / "copy.sqlite3"
    assert cli("backup", "--db", path, "--out", out).returncode == 0
    assert mode(out) == 0o600 and mode(anchor_path(out)) == 0o600


def test_a_backup_taken_while_a_session_writes_holds_the_wal_events(tmp_path):
    path = tmp_path / "busy.sqlite3"
    store = Store.open(path, SimulatedClock(start=T0, speed=0))
    try:
        sid = store.start_session(seats=3, source="steady")
        seqs = [store.record(sid, "note.added", {"i": i}).result(10) for i in range(20)]
        store.flush()
        assert Path(f"{path}-wal").stat().st_size > 0
        # what copying the main file alone would give: the WAL's events are lost
        shutil.copy(path, tmp_path / "main-only.sqlite3")
        assert event_count(tmp_path / "main-only.sqlite3") < len(seqs) + 1

        out = tmp_path / "backup.sqlite3"
        done = cli("backup", "--db", path, "--out", out)
        assert done.returncode == 0, done.stderr
        assert event_count(out) == len(seqs) + 1
        heads = read_heads(anchor_path(out))
        assert heads[-1].seq == seqs[-1]
        assert cli("verify", "--db", out).returncode == 0

        again = cli("backup", "--db", path, "--out", out)  # never overwrites
        assert again.returncode == 2 and "already exists" in again.stderr
        assert event_count(out) == len(seqs) + 1
    finally:
        store.close()
    assert verify(path).ok  # the backup's head, anchored beside the source, is in its chain
    assert seqs[-1] in [h.seq for h in read_heads(anchor_path(path))]


# -- the readable tables are projections of the log ------------------------------------------
@pytest.mark.parametrize(
    "sql, needle",
    [
        ("update participants set alias = 'Someone Else'", "alias"),
        ("update participants set seat = 9", "seat"),
        ("update sessions set status = 'running'", "status"),
        ("delete from participants", "not in the participants table"),
    ],
)
def test_a_changed_participant_or_session_row_fails_verify(tmp_path, sql, needle):
    from test_esketamine_record import Log, write_main_session

    log = Log(tmp_path / "proj.sqlite3")
    write_main_session(log)  # ends the session and closes the store
    assert verify(log.path).ok
    with closing(sqlite3.connect(log.path)) as conn, conn:
        conn.execute(sql)
    done = cli("verify", "--db", log.path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert needle in done.stdout
