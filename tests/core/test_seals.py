"""Vital signs and waveforms are covered by the chain: a `vitals.sealed` event holds a digest of
the rows committed since the last seal, and `verify` fails when one is changed or deleted."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import numpy as np
import pytest

from groupkap.store import Store
from groupkap.store.proof import verify


@pytest.fixture
def sealed_db(tmp_path, clock):
    """A finished session with 30 vital-sign rows and 3 waveform blocks, sealed at its end."""
    path = tmp_path / "g.sqlite3"
    store = Store.open(path, clock)
    sid = store.start_session(seats=3, source="test")
    t0 = clock.now()
    store.add_vitals(
        [(sid, "p1", 1, "seat1", "HR", t0 + i, 60.0 + i, "/min", "sim") for i in range(30)]
    )
    store.add_waveforms(
        [
            (
                sid,
                "p1",
                1,
                "seat1",
                "PLETH",
                t0 + i,
                125.0,
                125,
                np.linspace(0, 1, 125, dtype="<f4").tobytes(),
                "sim",
            )
            for i in range(3)
        ]
    )
    clock.advance(30)
    store.end_session(sid)
    store.close()
    return path, sid


def _tamper(path, *statements):
    with closing(sqlite3.connect(path)) as conn, conn:
        for sql in statements:
            conn.execute(sql)


def test_the_seals_name_every_row_and_verify_passes(sealed_db):
    path, sid = sealed_db
    with closing(sqlite3.connect(path)) as conn:
        seals = [
            json.loads(d)
            for (d,) in conn.execute(
                "select data from events where kind = 'vitals.sealed' order by seq"
            )
        ]
        last = conn.execute("select kind from events order by seq desc limit 1").fetchone()
    assert [(s["table"], s["rows"]) for s in seals] == [("vitals", 30), ("waveforms", 3)]
    assert last == ("session.ended",)  # sealed inside the session
    assert verify(path).ok


@pytest.mark.parametrize(
    "statement",
    [
        "update vitals set value = 190 where rowid = 7",
        "delete from vitals where rowid = 30",
        "update vitals set source = 'hand:nobody' where rowid = 1",
        "update waveforms set samples = zeroblob(500) where rowid = 2",
    ],
)
def test_a_sealed_row_changed_or_deleted_fails_verify(sealed_db, statement):
    path, _sid = sealed_db
    _tamper(path, statement)
    report = verify(path)
    assert not report.ok
    assert "changed or deleted after they were sealed" in report.reason
