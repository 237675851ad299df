"""Seals: vital signs and waveforms covered by the hash-chained event log.

The vitals and waveforms tables are bulk tables without a chain of their own. Every minute the
writer chains a digest of the rows it committed since the last seal into the event log
(`vitals.sealed`: the table, the first and last rowid, the number of rows, the digest), so a
row changed or deleted afterwards no longer matches a sealed digest, and `verify` says where.
Rows committed after the last seal (at most a minute) are covered once they are sealed; the
rows a killed process left unsealed are sealed when its session is found interrupted
(`unsealed_tail`), so every row of an ended session lies inside a seal and a row added to an
ended session later fails `verify` (`unsealed_problem`).
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


def _sealed_upto(conn: sqlite3.Connection, session_id: str, table: str) -> int:
    """The last rowid of `table` that a seal of `session_id` covers (0: none yet)."""
    (last,) = conn.execute(
        "select coalesce(max(json_extract(data, '$.last_rowid')), 0) from events "
        "where kind = 'vitals.sealed' and session_id = ? and json_extract(data, '$.table') = ?",
        (session_id, table),
    ).fetchone()
    return int(last)


def unsealed_tail(conn: sqlite3.Connection, session_id: str) -> dict[tuple[str, str], Pending]:
    """Pending seals for the rows of `session_id` committed after its last seal: the tail a
    killed process never sealed (at most a minute of vital signs)."""
    pending: dict[tuple[str, str], Pending] = {}
    for table, columns in TABLES.items():
        after = _sealed_upto(conn, session_id, table)
        for rowid, *rest in conn.execute(
            f"select rowid, {columns} from {table} where session_id = ? and rowid > ? "
            "order by rowid",
            (session_id, after),
        ):
            seal = pending.get((session_id, table))
            if seal is None:
                seal = pending[(session_id, table)] = Pending(rowid, rowid, 0, START, 0.0)
            seal.last, seal.rows = rowid, seal.rows + 1
            seal.digest = extend(seal.digest, table, tuple(rest))
            seal.t = max(seal.t, float(rest[4]))
    return pending


def unsealed_rows(conn: sqlite3.Connection) -> list[tuple[str, str, str, int]]:
    """(session id, status, table, rows) for every session with rows no seal covers.

    Each seal's own count is checked by `seal_problem`, so rows minus sealed rows is the
    number outside every seal."""
    out = []
    for table in TABLES:
        for session_id, status, rows, sealed in conn.execute(
            f"select s.id, s.status, (select count(*) from {table} r where r.session_id = s.id), "
            "(select coalesce(sum(json_extract(e.data, '$.rows')), 0) from events e "
            "where e.kind = 'vitals.sealed' and e.session_id = s.id "
            "and json_extract(e.data, '$.table') = ?) from sessions s order by s.started_at",
            (table,),
        ):
            if rows > sealed:
                out.append((session_id, status, table, rows - sealed))
    return out


def unsealed_problem(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """(seq, reason) when an ended session holds rows outside its seals: every row of an
    ended session was sealed at its end, so such rows were added afterwards."""
    for session_id, status, table, rows in unsealed_rows(conn):
        if status == "ended":
            (seq,) = conn.execute(
                "select max(seq) from events where session_id = ?", (session_id,)
            ).fetchone()
            return seq, (
                f"{rows} {table} rows of the ended session {session_id} lie outside every "
                "seal: they were added or changed after the session was sealed"
            )
    return None


def first_seal(conn: sqlite3.Connection) -> int | None:
    """The seq of the first `vitals.sealed` event (None: the log predates seals)."""
    (seq,) = conn.execute("select min(seq) from events where kind = 'vitals.sealed'").fetchone()
    return seq
