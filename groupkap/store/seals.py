"""Seals: vital signs and waveforms covered by the hash-chained event log.

The vitals and waveforms tables are bulk tables without a chain of their own. Every minute the
writer chains a digest of the rows it committed since the last seal into the event log
(`vitals.sealed`: the table, the first and last rowid, the number of rows, the digest), so a
row changed or deleted afterwards no longer matches a sealed digest, and `verify` says where.
Rows committed after the last seal (at most a minute) are covered once they are sealed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass

SEAL_EVERY_S = 60.0
TABLES = {
    "vitals": "participant_id, seat, device, param, t, value, unit, source",
    "waveforms": "participant_id, seat, device, param, t_start, rate_hz, n, samples, source",
}
START = "0" * 64


def _canonical(table: str, row: tuple) -> bytes:
    """One row as the digest reads it, the same from the writer's tuple and from the file."""
    if table == "vitals":
        pid, seat, device, param, t, value, unit, source = row
        items = [pid, seat, device, param, float(t), float(value), unit, source]
    else:
        pid, seat, device, param, t_start, rate, n, samples, source = row
        items = [
            pid,
            seat,
            device,
            param,
            float(t_start),
            float(rate),
            int(n),
            hashlib.sha256(bytes(samples)).hexdigest(),
            source,
        ]
    if items[1] is not None:
        items[1] = int(items[1])
    return json.dumps(items, separators=(",", ":")).encode()


def extend(digest: str, table: str, row: tuple) -> str:
    return hashlib.sha256(digest.encode() + _canonical(table, row)).hexdigest()


@dataclass
class Pending:
    """Rows of one session and table committed since its last seal.

    Attributes: first, last (rowids), rows, digest, t (the latest row time, epoch)."""

    first: int
    last: int
    rows: int
    digest: str
    t: float

    def data(self, table: str) -> dict:
        return {
            "table": table,
            "first_rowid": self.first,
            "last_rowid": self.last,
            "rows": self.rows,
            "digest": self.digest,
        }


def note_rows(pending: dict, table: str, first_rowid: int, rows: list[tuple]) -> None:
    """Add committed rows (the writer's tuples, session id first, rowids from `first_rowid`
    on, in order) to the pending seals by session."""
    for offset, row in enumerate(rows):
        session_id, rest = row[0], row[1:]
        rowid = first_rowid + offset
        time = float(rest[4])
        seal = pending.get((session_id, table))
        if seal is None:
            seal = pending[(session_id, table)] = Pending(rowid, rowid, 0, START, time)
        seal.last, seal.rows = rowid, seal.rows + 1
        seal.digest = extend(seal.digest, table, rest)
        seal.t = max(seal.t, time)


def seal_problem(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """(seq, reason) of the first `vitals.sealed` event whose rows no longer match, or None."""
    for seq, session_id, data in conn.execute(
        "select seq, session_id, data from events where kind = 'vitals.sealed' order by seq"
    ):
        seal = json.loads(data)
        table = seal["table"]
        if table not in TABLES:
            return seq, f"a seal names an unknown table {table!r}"
        digest, count = START, 0
        for row in conn.execute(
            f"select {TABLES[table]} from {table} where session_id = ? and rowid between ? "
            "and ? order by rowid",
            (session_id, seal["first_rowid"], seal["last_rowid"]),
        ):
            digest, count = extend(digest, table, row), count + 1
        if count != seal["rows"] or digest != seal["digest"]:
            return seq, (
                f"{table} rows {seal['first_rowid']}–{seal['last_rowid']} of session "
                f"{session_id} were changed or deleted after they were sealed "
                f"({count} of {seal['rows']} rows left)"
            )
    return None
