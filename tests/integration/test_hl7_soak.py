"""Ten simulated PCD-01 monitors at once, each on its own MLLP connection, for a simulated hour
of a real session: every message answered AA, every value stored for its participant under
its device, and no monitor ever looks silent (no no-data alarm)."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing

import pytest

from groupkap.clock import SimulatedClock
from groupkap.demo.plan import demo_plan
from groupkap.hl7.demo_room import demo_hl7_source
from groupkap.hl7.monitor_feed import device_id
from groupkap.options import RunOptions
from groupkap.session_start import open_live_session
from groupkap.settings import Settings
from groupkap.store import Store

STEP_S = 10.0  # one heartbeat per 10 simulated seconds: one message per monitor per beat


@pytest.fixture(autouse=True)
def _own_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("GROUPKAP_ALARM_LIMITS", raising=False)
    monkeypatch.setenv("GROUPKAP_HL7_DEVICES", str(tmp_path / "hl7_devices.toml"))


@pytest.mark.slow
def test_ten_monitors_for_a_simulated_hour(tmp_path):
    clock = SimulatedClock(start=time.time(), speed=0)
    store = Store.open(tmp_path / "soak.sqlite3", clock)
    sources = []

    def make(seats, start):
        sources.append(demo_hl7_source(seats, start, clock, scenario="calm"))
        return sources[0]

    began = time.monotonic()
    try:
        live = open_live_session(
            RunOptions(seats=10, plan=demo_plan(10)),
            store=store,
            clock=clock,
            settings=Settings(),
            make_source=make,
        )
        feed = sources[0].before_generate.feed
        for _ in range(int(3600 / STEP_S)):
            clock.advance(STEP_S)
            live.tick()
        live.end("finished")
        store.flush()
    finally:
        store.close()
    took = time.monotonic() - began
    assert took < 60, f"a simulated hour took {took:.0f} s"

    assert feed.sent == 10 * 360
    assert dict(feed.acks) == {"AA": feed.sent, "lost": 0}
    listener = sources[0].hl7.listener
    assert listener.stats.connections == 10 and listener.stats.answers["AA"] == feed.sent
    assert not listener.alive  # the session's end stopped it
    with closing(sqlite3.connect(store.path)) as conn:
        per_seat = conn.execute(
            "select seat, device, param, count(*) from v_vitals where participant is not null "
            "group by seat, device, param"
        ).fetchall()
        unseated = conn.execute("select count(*) from vitals where participant_id is null")
        no_data = conn.execute(
            "select count(*) from events where kind = 'alarm.raised' "
            "and json_extract(data, '$.key') like 'NO_DATA%'"
        ).fetchone()[0]
        drift = conn.execute("select count(*) from events where kind like 'device.clock%'")
        drift = drift.fetchone()[0]
        assigned = conn.execute("select count(*) from events where kind = 'device.assigned'")
        assigned = assigned.fetchone()[0]
        unseated = unseated.fetchone()[0]
    counts = {(seat, param): n for seat, device, param, n in per_seat}
    devices = {seat: device for seat, device, _, _ in per_seat}
    assert devices == {seat: device_id(seat) for seat in range(1, 11)}
    for seat in range(1, 11):
        for param in ("HR", "PR", "SpO2", "RR"):
            assert counts[(seat, param)] == 3600, (seat, param)
        assert 11 <= counts[(seat, "SBP")] <= 13  # a cuff cycle every 5 minutes
    assert (no_data, drift, unseated, assigned) == (0, 0, 0, 10)
