"""The tamper-evident chain over the events table, and the walk that checks it.

Each row's hash is sha256(prev_hash + canonical row), so changing, inserting or deleting any
row breaks every hash after it. Verification needs nothing but the file and this module.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical_data(data: dict | None) -> str:
    """The one JSON text stored for an event's data, and hashed: sorted keys, no spaces."""
    return json.dumps(data or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(
    prev_hash: str,
    seq: int,
    session_id: str,
    participant_id: str | None,
    t: str,
    kind: str,
    actor: str,
    data_text: str,
) -> str:
    canonical = json.dumps(
        [seq, session_id, participant_id, t, kind, actor, data_text],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """What a walk of the chain found.

    Attributes:
        checked: how many rows were checked.
        broken_seq: the first seq whose row does not match its hash or its predecessor
            (None when the chain is intact).
        reason: why that row fails, in words.
        anchored: how many anchored heads were checked against the chain.
        anchor: the anchor file those heads came from ("" when there was none).
        unsealed: the rows of sessions still running or interrupted that no seal covers
            yet, as `(session id, table, rows)` (the last minute before a crash: they are
            sealed when the session is found interrupted).
    """

    checked: int
    broken_seq: int | None = None
    reason: str = ""
    anchored: int = 0
    anchor: str = ""
    unsealed: tuple[tuple[str, str, int], ...] = ()

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def walk(conn: sqlite3.Connection, start: int = 1) -> ChainReport:
    """Check every event from seq `start` on, in seq order; stop at the first break.

    From `start` > 1 the first row's prev_hash is taken on trust (a quick check of the tail
    when a store opens); from 1 the whole chain is proven from the genesis hash.
    """
    prev_hash, expected_seq, checked = GENESIS, start, 0
    rows = conn.execute(
        "select seq, session_id, participant_id, t, kind, actor, data, prev_hash, hash "
        "from events where seq >= ? order by seq",
        (start,),
    )
    for seq, session_id, pid, t, kind, actor, data, stored_prev, stored_hash in rows:
        if checked == 0 and start > 1 and seq == start:
            prev_hash = stored_prev
        if seq != expected_seq:
            return ChainReport(checked, expected_seq, f"event {expected_seq} is missing")
        if stored_prev != prev_hash:
            return ChainReport(checked, seq, "its prev_hash does not match the event before it")
        if row_hash(prev_hash, seq, session_id, pid, t, kind, actor, data) != stored_hash:
            return ChainReport(checked, seq, "its content does not match its hash")
        prev_hash, expected_seq, checked = stored_hash, seq + 1, checked + 1
    return ChainReport(checked)
