"""What a session costs on disk, beside the raw size of the same numbers, and what compressing
the packed pleth would save.

Run: .venv/bin/python scripts/bench/storage.py [--db FILE] [--sample 2000] [--repeat 30]

The file: by default the 4-hour, 10-participant session of `review_open.py` (its builder and
its cache in /tmp, written through the real Store); `--db` reads any GroupKAP file (a demo's)
read-only. Three tables:
  1. the file by table and index (SQLite's `dbstat`), in MB per seat-hour (a seat-hour: one
     participant's first to last vital sign, summed);
  2. the same numbers raw: float64 per numeric value (and with its float64 time), float32 per
     pleth sample, beside what their tables and indexes take;
  3. the pleth blobs compressed (a `--sample` of the real rows, spread over the file) with
     zlib levels 1 and 6 and lzma, and byte-shuffled float32 under zlib 6 (what a change of
     format could add): bytes per row, MB per seat-hour saved, CPU µs per row to compress and
     to decompress, beside the writer's own cost of committing one second of the room (its
     real `_commit_vitals`: 10 pleth rows and 40 numerics, seals and counts included),
     measured in turn with them (`--repeat` rounds, medians), so a busy machine slows both.
Nothing here changes how pleth is stored.
"""

from __future__ import annotations

import argparse
import lzma
import statistics
import sys
import tempfile
import time
import zlib
from contextlib import closing
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from review_open import CACHE, cached_session  # noqa: E402

from groupkap.clock import SimulatedClock  # noqa: E402
from groupkap.store import Store  # noqa: E402
from groupkap.store.store import open_read_only  # noqa: E402
from groupkap.store.writer import StoreWriter, connect  # noqa: E402

MB = 1e6
ROOM_SEATS = 10
NUMERICS_PER_SEAT_S = 4  # HR, PR, SpO2, RR each second, as the builder and the simulator


def shuffled(blob: bytes) -> bytes:
    """float32 bytes regrouped by byte position (all first bytes, then all second …), as
    Blosc's shuffle does: the slowly changing exponent bytes then sit together."""
    return np.frombuffer(blob, np.uint8).reshape(-1, 4).T.tobytes()


def unshuffled(data: bytes) -> bytes:
    return np.frombuffer(data, np.uint8).reshape(4, -1).T.tobytes()


CODECS = {
    "zlib level 1": (lambda b: zlib.compress(b, 1), zlib.decompress),
    "zlib level 6": (lambda b: zlib.compress(b, 6), zlib.decompress),
    "lzma (preset 6)": (lzma.compress, lzma.decompress),
    "shuffle + zlib 6": (
        lambda b: zlib.compress(shuffled(b), 6),
        lambda d: unshuffled(zlib.decompress(d)),
    ),
}


def seat_hours(conn) -> float:
    """Sum over (session, participant) of first to last vital sign, in hours."""
    (s,) = conn.execute(
        "select coalesce(sum(span), 0) from (select max(t) - min(t) + 1 as span from vitals "
        "where participant_id is not null group by session_id, participant_id)"
    ).fetchone()
    return s / 3600


def by_object(conn) -> tuple[list[tuple[str, str, int, int]], int, int]:
    """(object, its table, bytes in pages, payload bytes) largest first; the free pages'
    bytes; the page size. Without dbstat (SQLite built without it) only the total is known."""
    (page,) = conn.execute("pragma page_size").fetchone()
    (free,) = conn.execute("pragma freelist_count").fetchone()
    owner = dict(conn.execute("select name, tbl_name from sqlite_master where name is not null"))
    try:
        rows = conn.execute(
            "select name, sum(pgsize), sum(payload) from dbstat group by name order by 2 desc"
        ).fetchall()
    except Exception:  # noqa: BLE001  (no dbstat: the file's total alone)
        (pages,) = conn.execute("pragma page_count").fetchone()
        return [("(no dbstat: every object)", "", (pages - free) * page, 0)], free * page, page
    return [(n, owner.get(n, n), b, p) for n, b, p in rows], free * page, page


def sample_blobs(conn, n: int) -> list[bytes]:
    """`n` pleth blobs spread evenly over the waveforms table (by rowid)."""
    (top,) = conn.execute("select coalesce(max(rowid), 0) from waveforms").fetchone()
    step = max(1, top // n)
    blobs = []
    for rowid in range(1, top + 1, step):
        row = conn.execute(
            "select samples from waveforms where rowid = ? and param = 'PLETH'", (rowid,)
        ).fetchone()
        if row is not None:
            blobs.append(bytes(row[0]))
    return blobs[:n]


class WriterProbe:
    """The writer's commit of one second of a 10-seat room, on a scratch file: the real
    `StoreWriter._commit_vitals` (rows, rowids for the seals, counts) on its own connection."""

    def __init__(self, folder: Path, blobs: list[bytes]) -> None:
        path = folder / "writer.sqlite3"
        clock = SimulatedClock(start=1_800_000_000.0, speed=0)
        with Store.open(path, clock) as store:
            self.sid = store.start_session(seats=ROOM_SEATS, source="bench")
        self.writer = StoreWriter(str(path))  # not started: its methods run on this thread
        self.conn = connect(str(path))
        self.blobs = blobs
        self.t = clock.now()

    def one_second(self) -> None:
        self.t += 1
        w = self.writer
        for seat in range(1, ROOM_SEATS + 1):
            pid = f"p{seat}"
            blob = self.blobs[(int(self.t) * ROOM_SEATS + seat) % len(self.blobs)]
            w._waves.append(
                (self.sid, pid, seat, f"seat{seat}", "PLETH", self.t, 125.0, 125, blob, "sim")
            )
            w._vitals += [
                (self.sid, pid, seat, f"seat{seat}", p, self.t, 97.0, "", "sim")
                for p in ("HR", "PR", "SpO2", "RR")[:NUMERICS_PER_SEAT_S]
            ]
        w._commit_vitals(self.conn)
        w._seals.clear()  # the seal events themselves are not part of this figure

    def close(self) -> None:
        self.conn.close()


def cpu_us(run, items) -> float:
    """CPU µs per item of `run(item)` over `items` (this thread's time)."""
    t = time.thread_time()
    for item in items:
        run(item)
    return (time.thread_time() - t) / len(items) * 1e6


def storage_tables(conn, size: int, hours: float) -> None:
    objects, free, _ = by_object(conn)
    print(f"\n1. the file by table and index ({size / MB:.1f} MB, {hours:.1f} seat-hours)")
    print(f"{'object':<40}{'table':<12}{'MB':>8}{'MB/seat-h':>11}{'% file':>8}{'payload %':>11}")
    for name, table, nbytes, payload in objects:
        if nbytes < 0.001 * size:
            continue
        share = f"{100 * payload / nbytes:.0f}" if payload else "-"
        print(
            f"{name[:39]:<40}{table[:11]:<12}{nbytes / MB:>8.1f}{nbytes / MB / hours:>11.3f}"
            f"{100 * nbytes / size:>8.1f}{share:>11}"
        )
    rest = sum(b for _, _, b, _ in objects if b < 0.001 * size) + free
    print(f"{'everything else, free pages':<52}{rest / MB:>8.1f}{rest / MB / hours:>11.3f}")
    print(f"{'the whole file':<52}{size / MB:>8.1f}{size / MB / hours:>11.3f}")

    per_table: dict[str, int] = {}
    for _, table, nbytes, _ in objects:
        per_table[table] = per_table.get(table, 0) + nbytes
    (n_vitals,) = conn.execute("select count(*) from vitals").fetchone()
    (n_samples,) = conn.execute("select coalesce(sum(n), 0) from waveforms").fetchone()
    print("\n2. the same numbers raw, beside their tables and indexes (MB per seat-hour)")
    print(f"{'numbers':<38}{'count':>12}{'raw':>9}{'stored':>9}{'stored/raw':>12}")
    stored_v = per_table.get("vitals", 0) / MB / hours
    stored_w = per_table.get("waveforms", 0) / MB / hours
    lines = [
        ("numerics, float64 value", n_vitals, 8 * n_vitals, stored_v),
        ("numerics, float64 value + float64 t", n_vitals, 16 * n_vitals, stored_v),
        ("pleth, float32 samples", n_samples, 4 * n_samples, stored_w),
        (
            "all: numerics (value + t) and pleth",
            None,
            16 * n_vitals + 4 * n_samples,
            size / MB / hours,
        ),
    ]
    for name, count, raw, stored in lines:
        raw_h = raw / MB / hours
        shown = f"{count:>12,}" if count is not None else f"{'':>12}"
        ratio = f"{stored / raw_h:>12.1f}" if raw_h else f"{'-':>12}"
        print(f"{name:<38}{shown}{raw_h:>9.3f}{stored:>9.3f}{ratio}")
    if n_vitals:
        anatomy = conn.execute(
            "select avg(length(session_id)), avg(length(participant_id)), avg(length(device)), "
            "avg(length(param)), avg(length(unit)), avg(length(source)) from vitals"
        ).fetchone()
        names = ("session_id", "participant_id", "device", "param", "unit", "source")
        text = ", ".join(f"{n} {a or 0:.0f}" for n, a in zip(names, anatomy))
        print(
            f"a numeric row: {per_table.get('vitals', 0) / n_vitals:.0f} B with its indexes "
            f"for one 8-byte value; its text columns (bytes): {text}"
        )


def compression_table(blobs: list[bytes], hours_rows: float, repeat: int) -> None:
    """hours_rows: pleth rows per seat-hour in this file."""
    raw = sum(len(b) for b in blobs) / len(blobs)
    sizes = {name: sum(len(c(b)) for b in blobs) / len(blobs) for name, (c, _) in CODECS.items()}
    packed = {name: [c(b) for b in blobs] for name, (c, _) in CODECS.items()}
    for name, (_, d) in CODECS.items():
        assert all(d(p) == b for p, b in zip(packed[name], blobs)), name
    chunk = blobs[: max(1, min(len(blobs), 200))]
    with tempfile.TemporaryDirectory() as folder:
        probe = WriterProbe(Path(folder), blobs)
        try:
            for _ in range(3):  # warm up
                probe.one_second()
            us: dict[str, list[float]] = {"writer": []}
            for _ in range(repeat):  # in turn, so load hits every figure alike
                us["writer"].append(cpu_us(lambda _: probe.one_second(), range(5)) / ROOM_SEATS)
                for name, (c, d) in CODECS.items():
                    us.setdefault(f"c {name}", []).append(cpu_us(c, chunk))
                    us.setdefault(f"d {name}", []).append(cpu_us(d, packed[name][: len(chunk)]))
        finally:
            probe.close()
    med = {k: statistics.median(v) for k, v in us.items()}
    writer = med["writer"]
    print(
        f"\n3. the pleth blobs compressed ({len(blobs)} real rows; {raw:.0f} B each raw; "
        f"medians of {repeat})"
    )
    print(
        f"{'codec':<20}{'B/row':>7}{'saved':>7}{'MB/seat-h':>11}{'µs to pack':>12}"
        f"{'÷ writer':>10}{'µs to read':>12}"
    )
    print(f"{'none (float32 LE)':<20}{raw:>7.0f}{'0%':>7}{0:>11.3f}{'-':>12}{'-':>10}{'-':>12}")
    for name in CODECS:
        saved = raw - sizes[name]
        print(
            f"{name:<20}{sizes[name]:>7.0f}{100 * saved / raw:>6.0f}%"
            f"{saved * hours_rows / MB:>11.3f}{med[f'c {name}']:>12.1f}"
            f"{med[f'c {name}'] / writer:>10.2f}{med[f'd {name}']:>12.1f}"
        )
    print(
        f"the writer: {writer:.1f} µs CPU per seat-second (one pleth row and "
        f"{NUMERICS_PER_SEAT_S} numerics committed, seals and counts included)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a GroupKAP file (default: the 4 h bench file)")
    parser.add_argument("--sample", type=int, default=2000, help="pleth rows to compress")
    parser.add_argument("--repeat", type=int, default=30, help="timing rounds; medians")
    args = parser.parse_args()
    if args.db is None:
        cached_session(rebuild=False)
    path = args.db or CACHE
    size = path.stat().st_size
    with closing(open_read_only(path)) as conn:
        conn.row_factory = None
        hours = seat_hours(conn)
        if hours <= 0:
            sys.exit(f"{path} holds no vital signs of a participant")
        (rows,) = conn.execute("select count(*) from waveforms").fetchone()
        storage_tables(conn, size, hours)
        blobs = sample_blobs(conn, args.sample)
    if blobs:
        compression_table(blobs, rows / hours, args.repeat)
    else:
        print("\n3. no pleth in this file")


if __name__ == "__main__":
    main()
