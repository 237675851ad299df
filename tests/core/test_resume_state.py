"""A resumed room shows what its log holds (issue 12, item 7): the trend, the last BP and
temperature with who took them, the last pleth, the last MOAA/S, and the vital-sign alarms
shown at the crash; refilling writes nothing and feeds no old value to the alarms as new.

Real SQLite file, simulated clock; the crash is a store closed without ending the session
and a process id that no longer runs, as in test_heartbeat."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from importlib import resources

import pytest

from groupkap.options import RunOptions
from groupkap.protocol.observations import standing
from groupkap.protocol.readout import score_line
from groupkap.readings import Reading
from groupkap.room.readout import tile_readout
from groupkap.session_start import open_live_session
from groupkap.store import Store

MIN = 60.0
NURSE = "RN Kim"


class DippingSource:
    """The core tests' steady source whose SpO2 is `spo2[seat]` while a seat has one (a
    desaturation); everything else is the steady source's."""

    def __init__(self, steady) -> None:
        self.steady = steady
        self.name = steady.name
        self.spo2: dict[int, float] = {}

    @property
    def seats(self):
        return self.steady.seats

    def add_seat(self, seat, dose_time=None):
        self.steady.add_seat(seat, dose_time)

    def remove_seat(self, seat):
        self.steady.remove_seat(seat)

    def move_seat(self, old, new):
        self.steady.move_seat(old, new)

    def generate(self, until):
        readings, blocks = self.steady.generate(until)
        readings = [
            Reading(r.seat, r.param, r.t, self.spo2[r.seat], r.source)
            if r.param == "SpO2" and r.seat in self.spo2
            else r
            for r in readings
        ]
        return readings, blocks


def open_room(store, clock, settings, source, **options):
    return open_live_session(
        RunOptions(seats=4, plan={1: "M.K.", 3: "A.R."}, **options),
        store=store,
        clock=clock,
        settings=settings,
        make_source=lambda seats, start: source,
    )


def run(live, clock, until_minute, start, step=5.0):
    while clock.now() - start < until_minute * MIN - 1e-9:
        clock.advance(step)
        live.tick()


def cuff(live, seat, sbp, dbp):
    """One monitor cuff reading, filed the way the pump files the source's readings."""
    rows: list[tuple] = []
    for param, value in (("SBP", sbp), ("DBP", dbp)):
        live._file_reading(Reading(seat, param, live.clock.now(), value, "steady"), rows)
    live.store.add_vitals(rows)


def counts(db_path) -> tuple[int, int]:
    with closing(sqlite3.connect(db_path)) as conn:
        return tuple(
            conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("vitals", "waveforms")
        )


def crash(store, db_path, session_id):
    store.close()
    with closing(sqlite3.connect(db_path)) as conn, conn:  # the process dies
        conn.execute("update sessions set pid = ? where id = ?", (2**22 + 4242, session_id))


@pytest.fixture
def crashed(store, clock, settings, source, db_path, monkeypatch, tmp_path):
    """A 40-minute session that died: M.K. (seat 1) desaturating at the crash with a high
    SpO2 alarm nobody acknowledged; A.R. (seat 3) with a high SpO2 alarm from minute 30
    that latched when the SpO2 came back and was acknowledged. Returns what was known."""
    limits = tmp_path / "alarm_limits.toml"  # the built-in defaults, as the clinic's file
    limits.write_text(
        resources.files("groupkap.alarms").joinpath("default_limits.toml").read_text("utf-8"),
        encoding="utf-8",
    )
    monkeypatch.setenv("GROUPKAP_ALARM_LIMITS", str(limits))
    source = DippingSource(source)
    live = open_room(store, clock, settings, source)
    mk, ar = live.room.on_seat(1).id, live.room.on_seat(3).id
    start = clock.now()
    run(live, clock, 2, start)
    live.enter_reading(mk, {"TEMP": 37.9}, NURSE)  # older than the trend span at the crash
    t_temp = clock.now()
    run(live, clock, 5, start)
    cuff(live, 1, 118, 76)
    run(live, clock, 20, start)
    live.enter_reading(mk, {"SBP": 132, "DBP": 84}, NURSE)
    t_bp = clock.now()
    live.protocol.record_moaas(mk, 4, NURSE)
    run(live, clock, 30, start)
    wrong = live.enter_reading(mk, {"SBP": 150, "DBP": 95}, "RN Lee")
    live.strike_entry(mk, wrong, "taken on the wrong arm", NURSE)
    source.spo2[3] = 86.0
    run(live, clock, 31, start)
    source.spo2.pop(3)
    run(live, clock, 32, start)
    [latched] = [a for a in live.alarms.alarms.values() if a.participant_id == ar]
    live.alarms.acknowledge(latched.id, NURSE)
    source.spo2[1] = 86.0
    run(live, clock, 40, start)
    [active] = [a for a in live.alarms.alarms.values() if a.participant_id == mk]
    assert (active.priority, active.condition_active, active.acknowledged) == ("high", True, False)
    assert latched.latched and latched.acknowledged
    store.flush()
    last_hr, last_data_t = live.vitals[mk].latest("HR"), live.vitals[mk].last_data_t
    crash(store, db_path, live.id)
    return {
        "id": live.id,
        "mk": mk,
        "ar": ar,
        "t_temp": t_temp,
        "t_bp": t_bp,
        "last_hr": last_hr,
        "last_data_t": last_data_t,
        "active": active,
        "latched": latched,
        "rows": counts(db_path),
    }


@pytest.fixture
def resumed(crashed, clock, settings, db_path, source):
    again = Store.open(db_path, clock)
    source = DippingSource(type(source)(clock.now()))
    source.spo2[1] = 86.0  # still low after the restart
    back = open_room(again, clock, settings, source, resume=crashed["id"])
    yield back, source
    again.close()


def test_the_tile_comes_back_with_its_trend_last_bp_temperature_and_pleth(
    crashed, resumed, clock, settings
):
    back, _ = resumed
    now = clock.now()
    vitals = back.vitals[crashed["mk"]]
    t, hr = vitals.trend("HR", now - settings.trend_minutes * 60)
    assert len(t) >= settings.trend_minutes * 60 - 2 and set(hr) == {61.0}
    assert t[0] >= now - settings.trend_minutes * 60 and t[-1] == crashed["last_hr"][0]
    assert vitals.last_data_t == crashed["last_data_t"]  # the tile says how long it was quiet
    # The last BP is the hand one of minute 20 (the struck 150/95 is not), with who took it.
    assert vitals.latest("SBP") == (crashed["t_bp"], 132.0)
    assert vitals.source_of_latest("SBP") == f"hand:{NURSE}"
    assert 150.0 not in vitals.trend("SBP", 0)[1]
    # The temperature of minute 2, older than the trend span, still shows.
    assert vitals.latest("TEMP") == pytest.approx((crashed["t_temp"], 37.9))
    readout = tile_readout(vitals, now, stale_after_s=10, nibp_interval_s=300)
    assert readout.bp_text == "132/84"
    assert NURSE in readout.bp_age and readout.bp_age.endswith(" · 20 min ago")
    assert readout.temp_text.startswith("Temp 37.9 °C · ") and NURSE in readout.temp_text
    assert readout.temp_text.endswith(" · 38 min ago")
    assert len(vitals.pleth(now - settings.pleth_seconds)[0]) >= 125 * (settings.pleth_seconds - 2)
    # The last MOAA/S comes back with the protocol.
    p = back.protocol.of(crashed["mk"])
    assert [e.value for e in standing(p.scores, "MOAA/S")] == [4]
    assert score_line(p, now).startswith("MOAA/S 4 · 20 min")
    # The other participant's tile is theirs, not M.K.'s.
    assert back.vitals[crashed["ar"]].latest("HR")[1] == 63.0
    assert back.vitals[crashed["ar"]].latest("SBP") is None


def test_refilling_writes_nothing_and_raises_no_alarm_from_an_old_value(
    crashed, resumed, db_path, clock
):
    back, _ = resumed
    back.store.flush()
    assert counts(db_path) == crashed["rows"]
    with closing(sqlite3.connect(db_path)) as conn:
        kinds = [r[0] for r in conn.execute("select kind from events order by seq desc limit 3")]
    assert kinds[::-1] == ["session.interrupted", "session.resumed", "limits.applied"]


def test_the_alarms_shown_at_the_crash_come_back_as_they_were(crashed, resumed, clock):
    back, source = resumed
    engine = back.alarms
    active, latched = crashed["active"], crashed["latched"]
    again = engine.alarms[active.id]
    assert (again.priority, again.text) == (active.priority, active.text)
    # raised when it was logged: the pump that filed the reading, 5 s steps here
    assert again.raised_at == pytest.approx(active.raised_at, abs=5)
    assert again.condition_active and not again.acknowledged
    assert again.unacknowledged_since == clock.now()  # escalation counts from the resume
    kept = engine.alarms[latched.id]
    assert kept.latched and kept.acknowledged_at == latched.acknowledged_at
    # The unacknowledged alarm sounds on the first tick ...
    clock.advance(0.1)
    assert [c.priority for c in back.tick().cues] == ["high"]
    # ... and a SpO2 still low keeps it, without a cleared-and-raised-again flicker.
    for _ in range(30):
        clock.advance(1)
        back.tick()
    back.store.flush()
    with closing(back.store.reader()) as conn:
        after = [
            r[0]
            for r in conn.execute(
                "select kind from events where kind like 'alarm.%' and seq > "
                "(select max(seq) from events where kind = 'session.resumed')"
            )
        ]
    assert after == []
    assert engine.alarms[active.id].condition_active
    # The latched one still waits for a person; M.K.'s ends as it would have (latched).
    source.spo2.pop(1)
    for _ in range(3):
        clock.advance(1)
        back.tick()
    assert engine.alarms[active.id].latched
    engine.reset(latched.id, NURSE)
    assert latched.id not in engine.alarms


def test_a_resumed_participant_is_still_the_person_their_course_follows(
    store, clock, settings, source, db_path
):
    """The music's carried plan and the feedback form find the person through
    `Participant.person_id`: a resumed room must not lose it."""
    from groupkap.course import People

    live = open_room(store, clock, settings, source)
    person = People(store, clock).register("J.D.", 1979, by=None)
    seated = live.add_participant("J.D.", 2, person_id=person.id)
    store.flush()
    crash(store, db_path, live.id)
    again = Store.open(db_path, clock)
    try:
        back = open_room(again, clock, settings, source, resume=live.id)
        assert back.room.participants[seated.id].person_id == person.id
        assert back.room.on_seat(1).person_id is None  # seated without a person
    finally:
        again.close()
