"""The one thread that writes the session database.

Events are committed the moment they arrive, each in its own transaction that also reads the
chain's tail, so two writers can never fork the chain. Vitals are batched and committed at
least every `vitals_interval_s` (0.5 s), so a killed process loses under a second of vitals
and no event. Every transaction also adds its rows to the session's `session_counts`, so the
counts never disagree with the rows. A connection belongs to the thread that made it: this
thread opens its own.
"""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from groupkap.clock import utc_iso
from groupkap.errors import StorageError
from groupkap.store import seals
from groupkap.store.anchor import Anchor
from groupkap.store.chain import GENESIS, canonical_data, row_hash
from groupkap.store.projections import (
    COUNT_EVENT,
    COUNT_VITALS,
    RECOUNT_PARTICIPANTS,
    Projection,
)

log = logging.getLogger("groupkap.store")

HEALTH_EVERY_S = 2.0  # how often the writer checks its file is still the log on disk
MAX_HELD_VITALS = 600_000  # about 10 minutes of a 10-seat room, kept for a retry
MAX_HELD_WAVES = 6_000


@dataclass
class PendingEvent:
    session_id: str
    kind: str
    actor: str
    t: str
    participant_id: str | None
    data: dict
    projections: list[Projection] = field(default_factory=list)
    done: Future = field(default_factory=Future)


_STOP = object()


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True, timeout=10)
    conn.execute("pragma journal_mode=wal")
    # NORMAL in WAL mode survives a killed process; only an OS crash could lose the tail.
    conn.execute("pragma synchronous=normal")
    conn.execute("pragma foreign_keys=on")
    return conn


class StoreWriter:
    """Owns the writing connection; everything else hands it plain values through a queue.

    Attributes:
        vitals_interval_s: the longest a vital sign waits in memory before it is committed.
        on_error: called (on this thread) with a message when a write fails; the UI bridges it.
    """

    def __init__(
        self,
        path: str,
        vitals_interval_s: float = 0.5,
        on_error: Callable[[str], None] | None = None,
        anchor: Anchor | None = None,
        on_recovered: Callable[[], None] | None = None,
    ) -> None:
        self.path = path
        self.on_recovered = on_recovered or (
            lambda: log.warning("the session log is written again")
        )
        self.problem: str | None = None  # why writing fails now; None while it works
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file opened
        self._last_health = 0.0
        self._seals: dict[tuple[str, str], seals.Pending] = {}  # (session, table) -> rows to seal
        self._last_seal = time.monotonic()
        self._last_event_t: dict[str, str] = {}  # a seal is never logged before an event
        self.anchor = anchor  # told of every committed event; anchors the head now and then
        self.vitals_interval_s = vitals_interval_s
        self.on_error = on_error or (lambda msg: log.error("%s", msg))
        self._queue: queue.Queue = queue.Queue()
        self._vitals: list[tuple] = []
        self._waves: list[tuple] = []
        self._last_vitals_commit = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="groupkap-store", daemon=True)
        self._started = threading.Event()
        self._start_error: BaseException | None = None

    # -- called from any thread -------------------------------------------------------
    def start(self) -> None:
        self._thread.start()
        self._started.wait()
        if self._start_error:
            raise self._start_error

    def submit_event(self, event: PendingEvent) -> Future:
        self._queue.put(("event", event))
        return event.done

    def submit_vitals(self, rows: list[tuple]) -> None:
        """rows: (session_id, participant_id, seat, device, param, t, value, unit, source)."""
        if rows:
            self._queue.put(("vitals", rows))

    def submit_waveforms(self, rows: list[tuple]) -> None:
        """rows: (session_id, participant_id, seat, device, param, t_start, rate_hz, n,
        samples bytes, source)."""
        if rows:
            self._queue.put(("waves", rows))

    def after_commit(self, then: Callable[[str | None], None]) -> None:
        """Call `then` on this thread once everything submitted before it is committed (the
        vitals held are committed at once, not at the next interval), with None; or, when
        they could not be written, with the problem in words (they stay held for a retry).
        It never blocks the caller: a monitor's ACK waits on this, the heartbeat does not."""
        self._queue.put(("after", then))

    def seal(self, timeout: float = 10.0) -> None:
        """Commit the vitals held and seal everything committed so far (before a session ends)."""
        done: Future = Future()
        self._queue.put(("seal", done))
        done.result(timeout)

    def seal_tail(self, session_id: str, timeout: float = 30.0) -> None:
        """Seal the rows of `session_id` that a killed process committed but never sealed."""
        done: Future = Future()
        self._queue.put(("seal_tail", (session_id, done)))
        done.result(timeout)

    def flush(self, timeout: float = 10.0) -> None:
        """Block until everything submitted so far is committed."""
        done: Future = Future()
        self._queue.put(("flush", done))
        done.result(timeout)

    def stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put((_STOP, None))
            self._thread.join(timeout=15)

    # -- the writer thread ------------------------------------------------------------
    def _run(self) -> None:
        try:
            conn = connect(self.path)
        except BaseException as exc:  # reported to start()
            self._start_error = exc
            self._started.set()
            return
        self._identity = self._file_identity()
        self._started.set()
        try:
            while True:
                try:
                    what, item = self._queue.get(timeout=self.vitals_interval_s / 2)
                except queue.Empty:
                    what, item = None, None
                if what is _STOP:
                    self._commit_vitals(conn)
                    self._seal(conn)
                    self._checkpoint(conn)
                    break
                try:
                    self._handle(conn, what, item)
                except Exception as exc:  # this thread must outlive any one bad item
                    self._failed(f"the session database writer hit an error: {exc}")
                if time.monotonic() - self._last_health >= HEALTH_EVERY_S:
                    self._check_health()
        finally:
            conn.close()

    # -- health: a failure is reported at once, and once --------------------------------
    def _failed(self, problem: str) -> None:
        """Report the first failure of an episode at once; later ones of the same episode
        only update `problem` (a failing disk must not flood the room every half second)."""
        first = self.problem is None
        self.problem = problem
        if first:
            self.on_error(problem)

    def _succeeded(self) -> None:
        if self.problem is not None and not self._file_problem():
            self.problem = None
            self.on_recovered()

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _file_problem(self) -> str | None:
        """Why the file the writer holds open is no longer the session log on disk: deleted,
        replaced, or on a file system that went read-only. SQLite would go on writing into
        an unlinked file without a word."""
        identity = self._file_identity()
        if identity is None:
            return f"the database file {self.path} was deleted"
        if self._identity is not None and identity != self._identity:
            return f"the database file {self.path} was replaced by another file"
        try:
            read_only = bool(
                os.statvfs(os.path.dirname(os.path.abspath(self.path))).f_flag & os.ST_RDONLY
            )
        except OSError:
            read_only = False
        if read_only or not os.access(self.path, os.W_OK):
            if self._file_identity() is None:  # it went while we looked
                return f"the database file {self.path} was deleted"
            return f"the database file {self.path} cannot be written (read-only)"
        return None

    def _check_health(self) -> None:
        self._last_health = time.monotonic()
        problem = self._file_problem()
        if problem is not None:
            self._failed(problem)

    @staticmethod
    def _checkpoint(conn: sqlite3.Connection) -> None:
        """Fold the WAL into the main file on a clean stop, so the .sqlite3 file alone holds
        every committed row (a lead may copy just that file). PASSIVE never waits on readers."""
        try:
            conn.execute("pragma wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:
            log.warning("could not checkpoint the WAL on close: %s", exc)

    def _handle(self, conn: sqlite3.Connection, what, item) -> None:
        if what == "event":
            self._commit_event(conn, item)
        elif what == "vitals":
            self._vitals.extend(item)
        elif what == "waves":
            self._waves.extend(item)
        elif what == "flush":
            self._commit_vitals(conn)
            item.set_result(None)
        elif what == "seal":
            self._commit_vitals(conn)
            self._seal(conn, item)
        elif what == "seal_tail":
            self._seal_tail(conn, *item)
        elif what == "after":
            self._commit_vitals(conn)
            held = self._vitals or self._waves
            try:
                item(self.problem if held else None)
            except Exception:  # a caller's callback must not stop the writer
                log.exception("a callback after a commit failed")
        if time.monotonic() - self._last_vitals_commit >= self.vitals_interval_s:
            self._commit_vitals(conn)
        if self._seals and time.monotonic() - self._last_seal >= seals.SEAL_EVERY_S:
            self._seal(conn)
        if self.anchor is not None:
            self.anchor.tick()

    def _commit_event(self, conn: sqlite3.Connection, ev: PendingEvent) -> None:
        try:
            data_text = canonical_data(ev.data)
            conn.execute("begin immediate")
            tail = conn.execute("select seq, hash from events order by seq desc limit 1").fetchone()
            seq, prev = (tail[0] + 1, tail[1]) if tail else (1, GENESIS)
            digest = row_hash(
                prev, seq, ev.session_id, ev.participant_id, ev.t, ev.kind, ev.actor, data_text
            )
            conn.execute(
                "insert into events (seq, session_id, participant_id, t, kind, actor, data, "
                "prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    seq,
                    ev.session_id,
                    ev.participant_id,
                    ev.t,
                    ev.kind,
                    ev.actor,
                    data_text,
                    prev,
                    digest,
                ),
            )
            for sql, params in ev.projections:
                conn.execute(sql, params)
            conn.execute(COUNT_EVENT, (ev.session_id,))
            if ev.projections:  # it may have changed who is in the room
                conn.execute(RECOUNT_PARTICIPANTS, (ev.session_id,))
            conn.execute("commit")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("rollback")
            msg = f"could not record {ev.kind}: {exc}"
            ev.done.set_exception(StorageError(msg))
            self._failed(msg)
            return
        if self.anchor is not None:
            self.anchor.note(seq, digest, ev.session_id, ev.t)
        self._last_event_t[ev.session_id] = max(ev.t, self._last_event_t.get(ev.session_id, ev.t))
        self._succeeded()
        ev.done.set_result(seq)

    def _commit_vitals(self, conn: sqlite3.Connection) -> None:
        self._last_vitals_commit = time.monotonic()
        if not self._vitals and not self._waves:
            return
        vitals, waves = self._vitals, self._waves
        self._vitals, self._waves = [], []
        try:
            # Immediate: no other writer between reading the last rowids and inserting, so
            # the new rows take the rowids that follow (the seals name them).
            conn.execute("begin immediate")
            (v0,) = conn.execute("select coalesce(max(rowid), 0) from vitals").fetchone()
            (w0,) = conn.execute("select coalesce(max(rowid), 0) from waveforms").fetchone()
            conn.executemany(
                "insert into vitals (session_id, participant_id, seat, device, param, t, "
                "value, unit, source) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                vitals,
            )
            conn.executemany(
                "insert into waveforms (session_id, participant_id, seat, device, param, "
                "t_start, rate_hz, n, samples, source) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                waves,
            )
            for session_id, n in Counter(row[0] for row in vitals).items():
                conn.execute(COUNT_VITALS, (session_id, n))
            conn.execute("commit")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("rollback")
            # Kept for the next try (a disk that fills may be freed), up to a bound: memory
            # must not grow without end while the log cannot be written.
            self._vitals = (vitals + self._vitals)[-MAX_HELD_VITALS:]
            self._waves = (waves + self._waves)[-MAX_HELD_WAVES:]
            self._failed(f"could not record vital signs ({len(self._vitals)} held): {exc}")
            return
        seals.note_rows(self._seals, "vitals", v0 + 1, vitals)
        seals.note_rows(self._seals, "waveforms", w0 + 1, waves)
        self._succeeded()

    def _seal_tail(self, conn: sqlite3.Connection, session_id: str, done: Future) -> None:
        try:
            tail = seals.unsealed_tail(conn, session_id)
            (last_t,) = conn.execute(
                "select max(t) from events where session_id = ?", (session_id,)
            ).fetchone()
        except sqlite3.Error as exc:
            done.set_exception(StorageError(f"could not read the unsealed rows: {exc}"))
            return
        if last_t:
            self._last_event_t[session_id] = max(last_t, self._last_event_t.get(session_id, ""))
        for key, pending in tail.items():
            self._seals.setdefault(key, pending)  # this process has written none of its rows
        self._seal(conn, done)

    def _seal(self, conn: sqlite3.Connection, done: Future | None = None) -> None:
        """Chain a digest of every session's rows committed since its last seal into the log
        (`vitals.sealed`), so a row changed or deleted later fails `verify`."""
        self._last_seal = time.monotonic()
        for (session_id, table), pending in list(self._seals.items()):
            at = utc_iso(pending.t)
            event = PendingEvent(
                session_id,
                "vitals.sealed",
                "system",
                max(at, self._last_event_t.get(session_id, at)),
                None,
                pending.data(table),
            )
            self._commit_event(conn, event)
            if event.done.exception() is None:
                del self._seals[(session_id, table)]
        if done is not None:
            done.set_result(None)
