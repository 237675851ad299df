"""The chain's anchor: heads of the event log kept outside the rows they protect.

A hash chain alone proves only that its rows agree with each other: cutting off the last
events, or rewriting the whole chain with fresh hashes, leaves a chain that still walks. So
the head (seq, hash) is appended, one JSON line at a time, to `<db>.anchor` beside the
database — at every session end, every few minutes while events are logged, when the store
closes and at every backup — and into each export. `groupkap verify` checks that every
anchored head is still in the chain with the same hash; a copy of the anchor file kept off
the machine (`verify --anchor FILE`) defeats someone who edits both files.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from groupkap.errors import StorageError

log = logging.getLogger("groupkap.store")

ANCHOR_SUFFIX = ".anchor"
MAX_ANCHOR_BYTES = 64 * 1024 * 1024
EXPORT_MARK = "groupkap-chain-head"
"""Exports carry their head on a line `groupkap-chain-head {json}` (an HTML comment)."""
_MARKED = re.compile(re.escape(EXPORT_MARK) + r"\s+(\{[^{}]*\})")


def anchor_path(db: Path) -> Path:
    """The anchor file that goes with `db`: `<db>.anchor` in the same folder."""
    db = Path(db)
    return db.with_name(db.name + ANCHOR_SUFFIX)


@dataclass(frozen=True)
class Head:
    """One event of the chain as anchored: its seq and hash, its session and time.

    Attributes:
        seq: the event's place in the chain.
        hash: its hash.
        session_id: the session it belongs to.
        t: the event's own time (UTC, as stored).
        anchored_at: when the head was written down (UTC ISO), "" before that.
        reason: why (session ended, every N minutes, closed, backup, export).
    """

    seq: int
    hash: str
    session_id: str = ""
    t: str = ""
    anchored_at: str = ""
    reason: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_head(conn: sqlite3.Connection) -> Head | None:
    """The last event of the chain in `conn`, or None for an empty log."""
    row = conn.execute(
        "select seq, hash, session_id, t from events order by seq desc limit 1"
    ).fetchone()
    return None if row is None else Head(*tuple(row))


def export_line(head: Head) -> str:
    """The line an export carries so `verify --anchor EXPORT` can check the log against it."""
    return f"{EXPORT_MARK} {head.to_json()}"


def append_head(path: Path, head: Head, reason: str) -> Head:
    """Append `head` as one line to the anchor file (created owner-only), synced to disk."""
    stamped = Head(head.seq, head.hash, head.session_id, head.t, now_iso(), reason)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (stamped.to_json() + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return stamped


def _head_from(obj: object, where: str) -> Head:
    if not isinstance(obj, dict):
        raise StorageError(f"{where} is not a chain head; restore the anchor file from a copy")
    try:
        seq, digest = obj["seq"], obj["hash"]
    except KeyError as exc:
        raise StorageError(
            f"{where} has no {exc.args[0]!r}; restore the anchor file from a copy"
        ) from None
    if not isinstance(seq, int) or seq < 1 or not isinstance(digest, str) or len(digest) != 64:
        raise StorageError(f"{where} is not a chain head; restore the anchor file from a copy")
    return Head(
        seq,
        digest,
        str(obj.get("session_id", "")),
        str(obj.get("t", "")),
        str(obj.get("anchored_at", "")),
        str(obj.get("reason", "")),
    )


def _json_document(text: str) -> object:
    """`text` as one JSON value, or None when it is not one (an anchor file of many lines)."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def read_heads(path: Path) -> list[Head]:
    """The heads in an anchor file (one JSON object a line), in an export that carries
    `groupkap-chain-head {…}` lines (the HTML record; the PDF report, in its XMP metadata), or
    in a JSON export's `chain_head`. A line that cannot be read is refused, not skipped."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise StorageError(f"there is no anchor file at {path}; check --anchor")
    if path.stat().st_size > MAX_ANCHOR_BYTES:
        raise StorageError(f"{path} is too large to be an anchor file; check --anchor")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror}; check --anchor") from None
    if raw.startswith(b"%PDF-"):
        text = raw.decode("latin-1")  # a PDF report carries the line in its XMP metadata
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise StorageError(f"{path} is not a UTF-8 text file; check --anchor") from None
    document = _json_document(text)
    if isinstance(document, dict) and "chain_head" in document:  # a JSON export
        return [_head_from(document["chain_head"], f"the chain_head of {path}")]
    heads: list[Head] = []
    plain = all(line.lstrip().startswith("{") for line in text.splitlines() if line.strip())
    for n, line in enumerate(text.splitlines(), 1):
        where = f"line {n} of {path}"
        if plain and line.strip():
            try:
                heads.append(_head_from(json.loads(line), where))
            except json.JSONDecodeError:
                raise StorageError(
                    f"{where} is not a chain head; restore the anchor file from a copy"
                ) from None
        elif not plain:
            for found in _MARKED.finditer(line):
                try:
                    heads.append(_head_from(json.loads(found.group(1)), where))
                except json.JSONDecodeError:
                    raise StorageError(f"{where} carries a damaged chain head") from None
    if not plain and not heads:
        raise StorageError(f"{path} holds no chain head; give --anchor an anchor file or export")
    return heads


@dataclass(frozen=True)
class AnchorProblem:
    """An anchored head the chain no longer holds. Attributes: seq, reason."""

    seq: int
    reason: str


def check_heads(conn: sqlite3.Connection, heads: Iterable[Head]) -> AnchorProblem | None:
    """The lowest anchored head that is missing from the chain or has another hash there."""
    for head in sorted(heads, key=lambda h: h.seq):
        row = conn.execute("select hash from events where seq = ?", (head.seq,)).fetchone()
        when = f" (anchored {head.anchored_at})" if head.anchored_at else ""
        if row is None:
            return AnchorProblem(
                head.seq, f"event {head.seq}{when} is missing: the log was cut short"
            )
        if row[0] != head.hash:
            return AnchorProblem(
                head.seq,
                f"event {head.seq} is not the one anchored{when}: the log was rewritten",
            )
    return None


class Anchor:
    """Writes the chain head to the anchor file: when asked, and every `every_s` seconds
    while new events arrive. Safe to call from the writer thread and the caller's thread.

    Attributes:
        path: the anchor file.
        every_s: the longest a new head waits before it is anchored (default 5 minutes).
    """

    def __init__(
        self,
        path: Path,
        every_s: float = 300.0,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.every_s = every_s
        self.on_error = on_error or (lambda msg: log.error("%s", msg))
        self._lock = threading.Lock()
        self._latest: Head | None = None
        self._written: Head | None = None
        self._last_write = time.monotonic()

    def note(self, seq: int, digest: str, session_id: str, t: str) -> None:
        """A new event was committed (called by the writer thread)."""
        with self._lock:
            self._latest = Head(seq, digest, session_id, t)

    def tick(self) -> None:
        """Anchor the latest head if it has waited `every_s` (the writer calls this often)."""
        if time.monotonic() - self._last_write >= self.every_s:
            self.write(f"every {self.every_s / 60:g} minutes")

    def write(self, reason: str) -> Head | None:
        """Append the latest head unless it is already anchored; returns what was written."""
        with self._lock:
            self._last_write = time.monotonic()
            head = self._latest
            if head is None or head == self._written:
                return None
            try:
                stamped = append_head(self.path, head, reason)
            except OSError as exc:
                self.on_error(f"could not write the chain head to {self.path}: {exc.strerror}")
                return None
            self._written = head
            return stamped
