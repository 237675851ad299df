"""Tampering with a session database the way an attacker with sqlite3 would.

Each function changes the file in place (work on a copy) and drops the append-only triggers
first, as an attacker would. The hash chain alone cannot see `delete_tail`, a `forge_row` of
the last event or `rewrite_chain`: the chain still walks. `groupkap verify` must still fail
(exit 1), because the anchored heads (`<db>.anchor`) are no longer in the chain.

Run by hand:  python tests/faults/tamper.py delete_tail COPY.sqlite3 [N]
              python tests/faults/tamper.py forge_row COPY.sqlite3 [SEQ]
              python tests/faults/tamper.py rewrite_chain COPY.sqlite3 [FROM_SEQ]
then          groupkap verify --db COPY.sqlite3     (exits 1 and names the seq)
"""

from __future__ import annotations

import json
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from groupkap.store.chain import GENESIS, row_hash  # noqa: E402

_ROW = "seq, session_id, participant_id, t, kind, actor, data, prev_hash, hash"


def _open(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("drop trigger if exists events_no_update")
    conn.execute("drop trigger if exists events_no_delete")
    return conn


def _last_seq(conn: sqlite3.Connection) -> int:
    return conn.execute("select max(seq) from events").fetchone()[0]


def delete_tail(db: Path, n: int = 3) -> list[int]:
    """Delete the last `n` events (a session's end, a signature…); returns their seqs."""
    with closing(_open(db)) as conn:
        last = _last_seq(conn)
        gone = list(range(last - n + 1, last + 1))
        conn.execute("delete from events where seq > ?", (last - n,))
    return gone


def _rehash_from(conn: sqlite3.Connection, seq: int, changes: dict[int, str]) -> None:
    """Give every event from `seq` on a fresh hash (with `changes`: seq → new data text)."""
    prev = GENESIS
    if seq > 1:
        prev = conn.execute("select hash from events where seq = ?", (seq - 1,)).fetchone()[0]
    rows = conn.execute(f"select {_ROW} from events where seq >= ? order by seq", (seq,))
    for s, sid, pid, t, kind, actor, data, _prev, _hash in rows.fetchall():
        data = changes.get(s, data)
        digest = row_hash(prev, s, sid, pid, t, kind, actor, data)
        conn.execute(
            "update events set data = ?, prev_hash = ?, hash = ? where seq = ?",
            (data, prev, digest, s),
        )
        prev = digest


def forge_row(db: Path, seq: int | None = None, data: dict | None = None) -> int:
    """Change one event's data and recompute its hash (the last event by default, where no
    later link gives it away); returns its seq."""
    forged = json.dumps(data or {"forged": True}, sort_keys=True, separators=(",", ":"))
    with closing(_open(db)) as conn:
        seq = seq or _last_seq(conn)
        sid, pid, t, kind, actor, prev = conn.execute(
            "select session_id, participant_id, t, kind, actor, prev_hash from events "
            "where seq = ?",
            (seq,),
        ).fetchone()
        conn.execute(
            "update events set data = ?, hash = ? where seq = ?",
            (forged, row_hash(prev, seq, sid, pid, t, kind, actor, forged), seq),
        )
    return seq


def rewrite_chain(db: Path, from_seq: int = 2, data: dict | None = None) -> int:
    """Change the event at `from_seq` and re-hash every event after it, so the whole chain
    walks again; returns how many events were re-hashed."""
    forged = json.dumps(data or {"rewritten": True}, sort_keys=True, separators=(",", ":"))
    with closing(_open(db)) as conn:
        conn.execute("begin")
        _rehash_from(conn, from_seq, {from_seq: forged})
        conn.execute("commit")
        return _last_seq(conn) - from_seq + 1


SCENARIOS = {"delete_tail": delete_tail, "forge_row": forge_row, "rewrite_chain": rewrite_chain}


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in SCENARIOS:
        sys.exit(__doc__)
    args = [int(sys.argv[3])] if len(sys.argv) == 4 else []
    print(sys.argv[1], SCENARIOS[sys.argv[1]](Path(sys.argv[2]), *args))
