"""The soak's accounts (scripts/bench/soak.py): what the simulator generated, what the session
was handed and filed, what the store's writer was given, and what the database holds.

Every count is kept per seat and parameter, so a difference says exactly what went missing.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from contextlib import closing
from pathlib import Path

from groupkap.sources.simulator import Simulator
from groupkap.store import Store

NUMERIC = ("HR", "SpO2", "RR")  # once a second while a seat sends: "seconds with numerics"


class Generated:
    """Everything a CountingSimulator produced, per seat."""

    def __init__(self) -> None:
        self.readings: Counter = Counter()  # (seat, param) -> readings
        self.seconds: dict[int, set[int]] = defaultdict(set)  # seat -> seconds with numerics
        self.blocks: Counter = Counter()  # seat -> PLETH blocks
        self.samples: Counter = Counter()  # seat -> PLETH samples
        self.simulator: CountingSimulator | None = None


GENERATED = Generated()


class CountingSimulator(Simulator):
    """The demo's simulator, counting what each `generate` hands the session."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        GENERATED.simulator = self

    def generate(self, until: float):
        readings, blocks = super().generate(until)
        g = GENERATED
        for r in readings:
            g.readings[r.seat, r.param] += 1
            if r.param in NUMERIC:
                g.seconds[r.seat].add(int(r.t - self.start))
        for b in blocks:
            g.blocks[b.seat] += 1
            g.samples[b.seat] += len(b.samples)
        return readings, blocks


class Submitted:
    """What the store's writer was handed (Store.add_vitals/add_waveforms/record), per
    session: counted on the way in, so the database's rows can be checked against them."""

    def __init__(self) -> None:
        self.vitals: Counter = Counter()  # (session, seat, param, source kind) -> rows
        self.waveform_rows: Counter = Counter()  # (session, seat) -> rows
        self.waveform_samples: Counter = Counter()
        self.events: Counter = Counter()  # session -> events recorded
        self.event_kinds: Counter = Counter()  # (session, kind) -> events

    def install(self) -> None:
        add_vitals, add_waveforms, record = Store.add_vitals, Store.add_waveforms, Store.record
        me = self

        def counted_vitals(store, rows):
            for row in rows:
                me.vitals[row[0], row[2], row[4], _source_kind(row[8])] += 1
            return add_vitals(store, rows)

        def counted_waveforms(store, rows):
            for row in rows:
                me.waveform_rows[row[0], row[2]] += 1
                me.waveform_samples[row[0], row[2]] += row[7]
            return add_waveforms(store, rows)

        def counted_record(store, session_id, kind, *args, **kwargs):
            future = record(store, session_id, kind, *args, **kwargs)
            me.events[session_id] += 1
            me.event_kinds[session_id, kind] += 1
            return future

        Store.add_vitals, Store.add_waveforms = counted_vitals, counted_waveforms
        Store.record = counted_record


SUBMITTED = Submitted()


def _source_kind(source: str | None) -> str:
    return "hand" if source and source.startswith("hand") else "monitor"


def stored(path: Path, session_id: str, start: float, end_s: int) -> dict:
    """What the database holds of the session: the same accounts, from its rows."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with closing(conn):
        vitals = Counter()
        for seat, param, kind, n in conn.execute(
            "select seat, param, case when source like 'hand%' then 'hand' else 'monitor' end,"
            " count(*) from vitals where session_id = ? group by 1, 2, 3",
            (session_id,),
        ):
            vitals[seat, param, kind] = n
        waves = {
            seat: (rows, samples)
            for seat, rows, samples in conn.execute(
                "select seat, count(*), sum(n) from waveforms where session_id = ? group by seat",
                (session_id,),
            )
        }
        # Seconds of the session with at least one monitor numeric, per participant's seat.
        seconds = Counter()
        for seat, n in conn.execute(
            "select seat, count(distinct cast(t - ? as integer)) from vitals"
            " where session_id = ? and param in ('HR', 'SpO2', 'RR') and source not like"
            " 'hand%' and t >= ? and t < ? group by seat",
            (start, session_id, start, start + end_s),
        ):
            seconds[seat] = n
        events = dict(
            conn.execute("select session_id, count(*) from events group by session_id").fetchall()
        )
        kinds = Counter(
            {
                k: n
                for k, n in conn.execute(
                    "select kind, count(*) from events where session_id = ? group by kind",
                    (session_id,),
                )
            }
        )
        seated = {
            seat: (alias, added, removed)
            for seat, alias, added, removed in conn.execute(
                "select seat, alias, added_at, removed_at from participants where session_id = ?",
                (session_id,),
            )
        }
        broken = conn.execute(
            "select count(*) from waveforms where session_id = ? and length(samples) != 4 * n",
            (session_id,),
        ).fetchone()[0]
    return {
        "vitals": vitals,
        "waves": waves,
        "seconds": seconds,
        "events": events,
        "kinds": kinds,
        "seated": seated,
        "broken_blocks": broken,
    }
