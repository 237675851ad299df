"""Opening the session database safely, and the session-level records kept in it.

`Store.open` refuses, with a one-line reason and without writing anything, a missing or
unwritable folder, a file that is not SQLite, a file from a newer schema, a damaged file
(`PRAGMA quick_check`) and a log whose tail or anchored heads do not verify. After that every
write goes through the writer thread (`groupkap.store.writer`). Reading (`open_read_only`,
`verify`, `list_sessions`) never writes and works on an archived read-only copy. New
databases, their WAL and SHM, anchor files and backups are owner-only (0600).
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import closing, contextmanager
from pathlib import Path

import platformdirs
from sqlite_utils import Database

from groupkap.clock import Clock, utc_iso
from groupkap.errors import StorageError
from groupkap.events import check_kind
from groupkap.store import chain, queries, schema
from groupkap.store.anchor import (
    Anchor,
    Head,
    anchor_path,
    chain_head,
    check_heads,
    read_heads,
)
from groupkap.store.projections import Projection
from groupkap.store.seals import first_seal
from groupkap.store.writer import PendingEvent, StoreWriter, connect

log = logging.getLogger("groupkap.store")

SQLITE_MAGIC = b"SQLite format 3\x00"
DAMAGED = "the database is damaged: run `groupkap verify`; restore from backup"
TAIL_CHECKED_AT_OPEN = 1000
"""How many of the last events `Store.open` re-hashes before it appends (keeps start-up fast
on a big file; `groupkap verify` walks them all)."""


def damaged(path: Path, detail: object) -> StorageError:
    return StorageError(f"{DAMAGED} ({path}: {detail})")


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    name = getattr(exc, "sqlite_errorname", "")
    return name in {"SQLITE_CORRUPT", "SQLITE_NOTADB"} or "malformed" in str(exc)


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn SQLite's errors while reading `path` into one clear StorageError: a damaged
    file says so (exit 2 at the command line), never a traceback."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if _is_damage(exc):
            raise damaged(path, exc) from exc
        raise StorageError(f"cannot read {path}: {exc}") from exc


def quick_check(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a file whose pages SQLite finds damaged (`PRAGMA quick_check`)."""
    with reading(path):
        rows = conn.execute("pragma quick_check").fetchall()
    if [tuple(r) for r in rows] != [("ok",)]:
        raise damaged(path, rows[0][0])


def _create_owner_only(path: Path) -> None:
    """An empty file readable by its owner alone; SQLite gives its -wal and -shm the same
    mode, so the whole database stays owner-only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def refused_at(seq: int, reason: str) -> StorageError:
    return StorageError(
        f"the session log does not verify at seq {seq} ({reason}): run `groupkap verify`; "
        "restore from backup"
    )


def check_chain_at_open(conn: sqlite3.Connection, path: Path) -> None:
    """Before anything is appended: the last events re-hash and link, and every head in the
    anchor file is still in the chain. A cut-short or rewritten log is refused."""
    last = conn.execute("select max(seq) from events").fetchone()[0]
    if last:
        report = chain.walk(conn, start=max(1, last - TAIL_CHECKED_AT_OPEN + 1))
        if not report.ok:
            raise refused_at(report.broken_seq, report.reason)
    file = anchor_path(path)
    if file.exists():
        problem = check_heads(conn, read_heads(file))
        if problem is not None:
            raise refused_at(problem.seq, problem.reason)
    elif first_seal(conn) is not None:  # every store that seals also anchors
        raise StorageError(
            f"the anchor file {file} is missing, so nobody can tell whether the log at {path} "
            "was cut short or rewritten: restore the anchor file from backup; if it is lost "
            "for good, `groupkap reanchor --reason TEXT` checks the whole chain and starts a "
            "new anchor file"
        )


def default_db_path() -> Path:
    """`GROUPKAP_DB`, else the platform's user data folder (~/.local/share/groupkap on Linux)."""
    env = os.environ.get("GROUPKAP_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("groupkap", appauthor=False)) / "groupkap.sqlite3"


def check_db_path(path: Path, create_default_folder: bool = False) -> Path:
    """Refuse a path whose folder is missing or unwritable, or that is not a SQLite file."""
    path = Path(path).expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        if create_default_folder:
            folder.mkdir(parents=True, exist_ok=True)
        else:
            raise StorageError(
                f"the database folder {folder} does not exist; create it or choose another --db"
            )
    if path.is_dir():
        raise StorageError(
            f"{path} is a folder; give --db a file name such as {path}/groupkap.sqlite3"
        )
    if path.exists():
        with open(path, "rb") as fh:
            head = fh.read(16)
        if head and head != SQLITE_MAGIC:
            raise StorageError(f"{path} is not a SQLite database; choose another --db file")
        if not os.access(path, os.W_OK):
            raise StorageError(f"{path} is read-only; fix its permissions or choose another --db")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(f"cannot write in {folder}; fix its permissions or choose another --db")
    return path


def shown_status(status: str | None, pid: int | None, host: str | None) -> str:
    """A session's status as a reader shows it: `running` whose process died on this machine
    is `interrupted` (the next `Store.open` records it so; reading never writes)."""
    status = status or "interrupted"
    if status == "running" and host == socket.gethostname() and not _pid_alive(pid):
        return "interrupted"
    return status


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    """The open session database.

    Attributes:
        path: the SQLite file.
        clock: where event times come from.
    """

    def __init__(
        self, path: Path, clock: Clock, writer: StoreWriter, anchor: Anchor | None = None
    ) -> None:
        self.path = path
        self.clock = clock
        self._writer = writer
        self._anchor = anchor

    @classmethod
    def open(
        cls,
        path: Path | str | None,
        clock: Clock,
        *,
        on_error: Callable[[str], None] | None = None,
        on_recovered: Callable[[], None] | None = None,
        vitals_interval_s: float = 0.5,
        anchor_every_s: float = 300.0,
        must_exist: bool = False,
    ) -> Store:
        """Check, migrate and open `path` (default: `default_db_path()`), start the writer.

        `must_exist` refuses a missing file (closing or signing needs the sessions in it);
        `anchor_every_s` is how often the chain head is anchored while events arrive.
        """
        is_default = path is None
        path = check_db_path(Path(path) if path else default_db_path(), is_default)
        existed = path.exists()
        if not existed:
            if must_exist:
                raise StorageError(f"there is no database at {path}; check --db or GROUPKAP_DB")
            if anchor_path(path).exists():
                raise StorageError(
                    f"there is no database at {path}, but {anchor_path(path).name} beside it "
                    "anchors a log: restore the database from backup, or move the anchor file "
                    "away to start a new log"
                )
            _create_owner_only(path)
        try:
            conn = sqlite3.connect(str(path))
            try:
                if existed:
                    quick_check(conn, path)
                # No sqlite-utils plugins: none may touch the clinical log's connection, and
                # finding them scans every installed package (a tenth of start-up: issue 17).
                db = Database(conn, execute_plugins=False)
                schema.migrate(db)
                db.enable_wal()
                check_chain_at_open(conn, path)
                head = chain_head(conn)
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            if _is_damage(exc):
                raise damaged(path, exc) from exc
            raise StorageError(f"cannot use {path}: {exc}; choose another --db file") from exc
        anchor = Anchor(anchor_path(path), anchor_every_s, on_error)
        if head is not None and not anchor.path.exists():
            anchor.note(head.seq, head.hash, head.session_id, head.t)
            anchor.write("first anchor of an existing log")
        writer = StoreWriter(
            str(path), vitals_interval_s, on_error, anchor=anchor, on_recovered=on_recovered
        )
        writer.start()
        store = cls(path, clock, writer, anchor)
        store._mark_interrupted()
        return store

    def close(self) -> None:
        self._writer.stop()
        self.anchor_head("store closed")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def anchor_head(self, reason: str) -> Head | None:
        """Write the latest committed head to the anchor file now (if it is not there yet)."""
        return self._anchor.write(reason) if self._anchor is not None else None

    def flush(self, timeout: float = 10.0) -> None:
        self._writer.flush(timeout)

    def reader(self) -> sqlite3.Connection:
        """A connection of the caller's own, for reading (one per thread).

        Close it when done (`with closing(store.reader()) as conn`): `with conn:` alone only
        ends a transaction, and an open reader keeps the WAL from being folded into the file.
        """
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        conn.row_factory = sqlite3.Row
        return conn

    # -- events -------------------------------------------------------------------
    def record(
        self,
        session_id: str,
        kind: str,
        data: dict | None = None,
        *,
        participant_id: str | None = None,
        actor: str = "system",
        projections: list[Projection] | None = None,
        at: float | None = None,
    ) -> Future:
        """Append an event; it is committed by the writer at once. Returns a Future of its seq."""
        try:
            chain.canonical_data(data)  # refuse a payload that cannot be stored, here and now
        except (TypeError, ValueError) as exc:
            raise StorageError(f"{kind}: its data cannot be stored ({exc})") from exc
        event = PendingEvent(
            session_id=session_id,
            kind=check_kind(kind),
            actor=actor,
            t=utc_iso(self.clock.now() if at is None else at),
            participant_id=participant_id,
            data=data or {},
            projections=projections or [],
        )
        return self._writer.submit_event(event)

    def add_vitals(self, rows: list[tuple]) -> None:
        self._writer.submit_vitals(rows)

    def add_waveforms(self, rows: list[tuple]) -> None:
        self._writer.submit_waveforms(rows)

    def after_commit(self, then: Callable[[str | None], None]) -> None:
        """Call `then` (on the writer's thread) once every row added so far is committed:
        with None, or with why they are not (see `StoreWriter.after_commit`)."""
        self._writer.after_commit(then)

    # -- sessions -----------------------------------------------------------------
    def start_session(
        self, *, seats: int, source: str, speed: float = 1.0, title: str = "", actor: str = "system"
    ) -> str:
        session_id = f"{utc_iso(self.clock.now())[:10]}-{uuid.uuid4().hex[:6]}"
        now = self.clock.now()
        self.record(
            session_id,
            "session.started",
            {"seats": seats, "source": source, "speed": speed, "title": title},
            actor=actor,
            projections=[
                (
                    "insert into sessions (id, title, started_at, status, seats, source, speed, "
                    "pid, host) values (?, ?, ?, 'running', ?, ?, ?, ?, ?)",
                    (
                        session_id,
                        title,
                        now,
                        seats,
                        source,
                        speed,
                        os.getpid(),
                        socket.gethostname(),
                    ),
                )
            ],
        ).result(10)
        return session_id

    def end_session(self, session_id: str, reason: str = "finished", actor: str = "system") -> None:
        self._writer.seal()  # the last minute of vital signs is sealed inside the session
        self.record(
            session_id,
            "session.ended",
            {"reason": reason},
            actor=actor,
            projections=[
                (
                    "update sessions set status = 'ended', ended_at = ? where id = ?",
                    (self.clock.now(), session_id),
                )
            ],
        ).result(10)
        self.anchor_head("session ended")

    def resume_session(self, session_id: str, actor: str = "system") -> dict:
        """Take up an interrupted session in this process; returns its row."""
        row = self.session(session_id)
        if row["status"] != "interrupted":
            raise StorageError(
                f"session {session_id} is {row['status']}, not interrupted; only an "
                "interrupted session can be resumed"
            )
        self.record(
            session_id,
            "session.resumed",
            {},
            actor=actor,
            projections=[
                (
                    "update sessions set status = 'running', pid = ?, host = ? where id = ?",
                    (os.getpid(), socket.gethostname(), session_id),
                )
            ],
        ).result(10)
        return self.session(session_id)

    def close_interrupted(self, session_id: str, actor: str = "system") -> None:
        row = self.session(session_id)
        if row["status"] != "interrupted":
            raise StorageError(
                f"session {session_id} is {row['status']}, not interrupted; nothing to close"
            )
        self.end_session(session_id, reason="closed after interruption", actor=actor)

    def _mark_interrupted(self) -> None:
        """Sessions left 'running' by a process that no longer exists were interrupted."""
        with closing(self.reader()) as conn:
            rows = queries.running_sessions(conn)
        for session_id, pid, host in rows:
            # A row carrying our own pid is a previous life of this pid (containers reuse
            # low pids after a restart): a store is opened once per process, before any
            # session of its own starts.
            if host == socket.gethostname() and _pid_alive(pid) and pid != os.getpid():
                continue
            # The last minute of vital signs the dead process never sealed is sealed now,
            # so every row of the session lies inside a seal once it ends.
            self._writer.seal_tail(session_id)
            last = self.last_event_time(session_id)
            self.record(
                session_id,
                "session.interrupted",
                {"pid": pid},
                at=max(self.clock.now(), last or 0.0),  # a simulated session ran ahead
                projections=[
                    (
                        "update sessions set status = 'interrupted' where id = ? and "
                        "status = 'running'",
                        (session_id,),
                    )
                ],
            ).result(10)

    def last_event_time(self, session_id: str) -> float | None:
        """UTC epoch seconds of the session's latest event, or None."""
        with closing(self.reader()) as conn:
            return queries.last_event_time(conn, session_id)

    def last_recorded_time(self, session_id: str) -> float | None:
        """UTC epoch seconds of the latest event, vital sign or waveform sample, or None."""
        with closing(self.reader()) as conn:
            return queries.last_recorded_time(conn, session_id)

    def session(self, session_id: str) -> dict:
        """The session's row (status, seats …); refused when there is no such session."""
        with closing(self.reader()) as conn:
            row = queries.session_row(conn, session_id)
        if row is None:
            raise StorageError(
                f"no session {session_id!r} in {self.path}; `groupkap sessions` lists them"
            )
        return row


def list_sessions(path: Path) -> list[dict]:
    """Every session with its counts, newest first (read-only; works while a demo runs)."""
    conn = open_read_only(path)
    try:
        sessions = []
        with reading(path):
            rows = queries.sessions_with_counts(conn)
        for row in rows:
            pid, host = row.pop("pid"), row.pop("host")
            row["status"] = shown_status(row["status"], pid, host)
            sessions.append(row)
        return sessions
    finally:
        conn.close()


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """`mode=ro`, which reads the WAL; in a read-only folder (an archive) SQLite cannot make
    the -shm it needs, so a file without a pending WAL is opened `immutable=1` instead."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        folder = path.parent if str(path.parent) else Path(".")
        if os.access(folder, os.W_OK) or _is_damage(exc):
            raise
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise StorageError(
                f"{path} has unsaved events in {wal.name} and its folder is read-only; copy "
                "the database with its -wal file to a writable folder and read it there"
            ) from exc
    return sqlite3.connect(f"file:{path}?immutable=1", uri=True)


def open_read_only(path: Path) -> sqlite3.Connection:
    """Open an existing database for reading only; an archived copy (file 0444 in a 0555
    folder) works. Nothing is written to the database (SQLite may leave an empty -wal and an
    -shm beside it where the folder allows)."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise StorageError(
            f"{path} is a folder; give --db a file name such as {path}/groupkap.sqlite3"
        )
    if not path.exists():
        raise StorageError(f"there is no database at {path}; check --db or GROUPKAP_DB")
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror}; check its permissions") from exc
    if head != SQLITE_MAGIC:
        raise StorageError(f"{path} is not a SQLite database; choose another --db file")
    try:
        conn = _connect_read_only(path)
    except sqlite3.DatabaseError as exc:
        if _is_damage(exc):
            raise damaged(path, exc) from exc
        raise StorageError(f"cannot read {path}: {exc}") from exc
    conn.row_factory = sqlite3.Row
    try:
        schema.check_not_newer(Database(conn, execute_plugins=False))
        conn.execute("select 1 from events limit 1")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if _is_damage(exc):
            raise damaged(path, exc) from exc
        raise StorageError(f"{path} is not a GroupKAP database ({exc})") from exc
    except Exception:
        conn.close()
        raise
    return conn


__all__ = [
    "Store",
    "default_db_path",
    "list_sessions",
    "open_read_only",
    "connect",
]
