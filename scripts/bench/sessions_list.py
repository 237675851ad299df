"""Benchmark `groupkap sessions` (`list_sessions`) against a bare count of the sessions table.

Run: .venv/bin/python scripts/bench/sessions_list.py [--repeat 200] [--rebuild]

The file: the 4-hour, 10-participant session of `review_open.py` (its builder and its cache in
/tmp, written through the real Store), copied, opened once by the Store (which migrates it:
`session_counts` is counted there, once) and given `--more` short sessions (5). Then, each
repeat timing the three in turn so a busy machine slows them alike (STYLE.md: ratios):
  (a) bare: connect read-only, `select count(*) from sessions`, close;
  (b) list_sessions: what `groupkap sessions` prints (open_read_only's checks included);
  (c) the same list counted on every call, as before `session_counts` (fewer repeats);
  (d) bare rows: connect, `select * from sessions order by started_at desc`, close: the
      per-session share of (b), which a count of one number does not have.
Medians; the aim (issue 17, item 6) is (b) <= 2x (a). With hundreds of sessions (`--more
300`) (b) grows with the rows it lists, as (d) does, and (a) does not.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from review_open import CACHE, cached_session  # noqa: E402

from groupkap.clock import SimulatedClock  # noqa: E402
from groupkap.store import Store, queries  # noqa: E402
from groupkap.store.anchor import anchor_path  # noqa: E402
from groupkap.store.projections import participant_projection  # noqa: E402
from groupkap.store.store import list_sessions  # noqa: E402

FOLDER = Path("/tmp/groupkap-bench-storage")
COUNTED_EACH_CALL = queries.SESSIONS_LISTED.format(counts=queries.COUNTS_COUNTED)
"""`queries.sessions_with_counts` before m007: the baseline of what was fixed."""


def add_short_sessions(store: Store, clock: SimulatedClock, n: int) -> None:
    """`n` ended sessions of 3 participants and 10 minutes of HR and SpO2 each."""
    for _ in range(n):
        sid = store.start_session(seats=4, source="sim", title="short")
        for seat in (1, 2, 3):
            pid = f"{sid}-{seat}"
            data = {"alias": f"P{seat}", "seat": seat}
            store.record(
                sid,
                "participant.added",
                data,
                participant_id=pid,
                projections=participant_projection(sid, "participant.added", data, pid, 0),
            )
            t0 = clock.now()
            store.add_vitals(
                [
                    (sid, pid, seat, f"seat{seat}", param, t0 + i, 97.0, "", "sim")
                    for i in range(600)
                    for param in ("HR", "SpO2")
                ]
            )
        clock.advance(600)
        store.end_session(sid)
        clock.advance(600)


def bench_file(more: int, rebuild: bool) -> tuple[Path, float | None]:
    """The copied, migrated file with `more` extra sessions; and how long migrating took
    (None when the cached copy was used)."""
    file = FOLDER / f"sessions-4h-plus-{more}.sqlite3"
    if not rebuild and file.exists():
        with closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as conn:
            n = conn.execute("select count(*) from sessions").fetchone()[0]
            done = conn.execute(
                "select 1 from sqlite_master where name = 'session_counts'"
            ).fetchone()
        if n == 1 + more and done:
            return file, None
    cached_session(rebuild=False)
    FOLDER.mkdir(parents=True, exist_ok=True)
    for leftover in FOLDER.glob(file.name + "*"):
        leftover.unlink()
    with (
        closing(sqlite3.connect(f"file:{CACHE}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(file)) as dst,
    ):
        src.backup(dst)
    shutil.copy(anchor_path(CACHE), anchor_path(file))
    with closing(sqlite3.connect(file)) as conn:
        last = conn.execute("select max(t) from vitals").fetchone()[0]
    clock = SimulatedClock(start=last + 3600, speed=0)
    t = time.perf_counter()
    store = Store.open(file, clock)  # migrates: counts the 4-hour session once
    migrated = time.perf_counter() - t
    try:
        add_short_sessions(store, clock, more)
    finally:
        store.close()
    return file, migrated


def bare(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("select count(*) from sessions").fetchone()[0]
    finally:
        conn.close()


def bare_rows(path: Path) -> list:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("select * from sessions order by started_at desc").fetchall()
    finally:
        conn.close()


def counted_each_call(path: Path) -> list:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(COUNTED_EACH_CALL).fetchall()
    finally:
        conn.close()


def timed(run, *args) -> float:
    t = time.perf_counter()
    run(*args)
    return (time.perf_counter() - t) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="repeats; medians are printed")
    parser.add_argument("--more", type=int, default=5, help="short sessions beside the long one")
    parser.add_argument("--rebuild", action="store_true", help="copy and migrate the file again")
    args = parser.parse_args()
    path, migrated = bench_file(args.more, args.rebuild)
    rows = list_sessions(path)
    old = counted_each_call(path)
    same = [(r["participants"], r["events"], r["vitals"]) for r in rows] == [
        tuple(r[-3:]) for r in old
    ]
    bare(path)  # warm the page cache for all three
    ms: dict[str, list[float]] = {"bare": [], "list": [], "old": [], "rows": []}
    every_old = max(1, args.repeat // 20)
    for i in range(args.repeat):
        ms["bare"].append(timed(bare, path))
        ms["list"].append(timed(list_sessions, path))
        ms["rows"].append(timed(bare_rows, path))
        if i % every_old == 0:
            ms["old"].append(timed(counted_each_call, path))
    med = {k: statistics.median(v) for k, v in ms.items()}
    size = path.stat().st_size / 1e6
    vitals = sum(r["vitals"] for r in rows)
    print(
        f"{len(rows)} sessions ({vitals:,} vitals rows, {size:.0f} MB file); medians of "
        f"{args.repeat} (c: {len(ms['old'])}), interleaved"
    )
    if migrated is not None:
        print(f"migrating the file (m007 counts every session once): {migrated:.2f} s")
    print(f"counts kept equal counts counted: {'yes' if same else 'NO'}")
    print(f"\n{'measure':<52}{'ms':>9}{'x bare':>9}")
    for name, key in (
        ("(a) bare: connect, select count(*) from sessions", "bare"),
        ("(b) list_sessions (groupkap sessions)", "list"),
        ("(c) the list counted on every call (before m007)", "old"),
        ("(d) bare rows: select * from sessions", "rows"),
    ):
        print(f"{name:<52}{med[key]:>9.2f}{med[key] / med['bare']:>9.2f}")
    ratio = med["list"] / med["bare"]
    print(f"\nlist_sessions: {ratio:.2f}x bare, {'within' if ratio <= 2 else 'OVER'} the 2x aim")
    print(f"(and {med['list'] / med['rows']:.2f}x the bare rows of (d))")


if __name__ == "__main__":
    main()
