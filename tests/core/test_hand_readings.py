"""One path for every observation: a value typed in by hand reaches the tile, the alarms, the
store (`v_vitals`) and the protocol exactly as a monitor's does, and can be struck or
corrected by a new event that points at it.

The session runs on the simulated clock with a real store file; its monitor (SteadySource)
sends HR and SpO2 every second and no blood pressure, as a room without cuffs would.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import default_limits
from groupkap.errors import BadInputError
from groupkap.protocol.config import DEFAULT_SCREENING
from groupkap.protocol.group import Protocol
from groupkap.protocol.readout import protocol_readout
from groupkap.room.readout import Numeric, tile_readout
from groupkap.session import LiveSession
from groupkap.store import Store

MIN = 60.0
NURSE = "RN Kim"


@pytest.fixture
def live(store, clock, source, settings):
    session = LiveSession.start(
        seat_count=4, clock=clock, source=source, store=store, settings=settings
    )
    session.watch_with(AlarmEngine(clock, default_limits(), session.record_event))
    session.follow_protocol(
        Protocol(clock, session.record_event, settings.protocol, alarms=session.alarms)
    )
    return session


@pytest.fixture
def dosed(live, clock):
    """Participant M.K. on seat 3, screened, ready, a pre-dose BP by hand, IM dose now."""
    person = live.add_participant("M.K.", 3)
    pid, protocol = person.id, live.protocol
    protocol.complete_screening(pid, {r.id: False for r in DEFAULT_SCREENING}, "Dr Reyes")
    protocol.confirm_readiness(
        pid,
        {
            "consent_current": True,
            "fasting_confirmed": True,
            "ride_home_name": "Sam",
            "ride_home_phone": "555",
            "intention": "curiosity",
            "touch_consent": False,
            "music_choice": "silence",
        },
        NURSE,
    )
    live.enter_reading(pid, {"SBP": 118, "DBP": 76}, NURSE)
    protocol.give_dose(pid, route="IM", dose_mg=40, weight_kg=70, lot="L1", given_by="Dr Okafor")
    return pid


def advance(live, clock, seconds: float) -> None:
    for _ in range(int(seconds)):
        clock.advance(1.0)
        live.pump()
        live.alarms.tick()


def rows(store, sql: str, *args) -> list:
    store.flush()
    with closing(store.reader()) as conn:
        return [tuple(r) for r in conn.execute(sql, args)]


def readout(live, pid):
    return tile_readout(live.vitals[pid], live.clock.now(), stale_after_s=10, nibp_interval_s=300)


def test_a_hand_bp_reaches_the_tile_the_store_and_the_alarms(live, clock, store, dosed):
    advance(live, clock, 2 * MIN)  # T0 +2 min: the 171/104

    entry = live.enter_reading(dosed, {"SBP": 171, "DBP": 104}, NURSE)

    r = readout(live, dosed)
    assert r.bp_text == "171/104" and r.bp_age == f"✎ {NURSE} · just now"
    assert ("SBP", 171.0, f"hand:{NURSE}") in rows(
        store, "select param, value, source from v_vitals where participant = 'M.K.'"
    )
    entered = rows(store, "select data from v_events where kind = 'observation.entered'")
    assert json.loads(entered[-1][0])["entry_id"] == entry
    # The cuff rule holds for hand pressures too: one reading over 160 is not yet an alarm,
    # a second one is; and the reading is no "+40 min" check two minutes after the dose.
    assert live.alarms.top_for(dosed) is None
    assert [
        json.loads(d)["label"]
        for (d,) in rows(
            store,
            "select data from v_events where kind = 'check.recorded' and "
            "json_extract(data, '$.check') = 'BP'",
        )
    ] == ["pre-dose"]

    advance(live, clock, 60)
    live.enter_reading(dosed, {"SBP": 168, "DBP": 102}, NURSE)

    alarm = live.alarms.alarms[f"{dosed}:SBP"]
    assert alarm.priority == "medium" and not alarm.technical
    assert alarm.text == "SBP 168 > 160 (hand)"


def test_one_extreme_hand_bp_alarms_high_at_once(live, clock, dosed):
    advance(live, clock, 5)
    live.enter_reading(dosed, {"SBP": 200, "DBP": 95}, NURSE)
    assert live.alarms.alarms[f"{dosed}:SBP"].priority == "high"


@pytest.mark.parametrize(
    ("spo2", "priority"), [(92, None), (91, "medium"), (88, "medium"), (87, "high")]
)
def test_a_hand_spo2_is_judged_at_once_against_the_same_limits(live, clock, dosed, spo2, priority):
    advance(live, clock, 5)
    live.enter_reading(dosed, {"SpO2": spo2}, NURSE)
    alarm = live.alarms.alarms.get(f"{dosed}:SpO2")
    assert (alarm.priority if alarm else None) == priority
    assert readout(live, dosed).numerics[1] == Numeric("SpO2", f"{spo2}", False, NURSE)


def test_a_hand_temperature_shows_with_who_took_it_and_its_age(live, clock, store, dosed):
    assert readout(live, dosed).temp_text == ""
    live.enter_reading(dosed, {"TEMP": 38.4}, NURSE)
    advance(live, clock, 3 * MIN)
    assert readout(live, dosed).temp_text == f"Temp 38.4 °C · ✎ {NURSE} · 3 min ago"
    assert ("TEMP", 38.4) in rows(store, "select param, value from v_vitals where param = 'TEMP'")


def test_a_hand_value_is_not_monitor_data(live, clock, dosed):
    """A spot check does not hide a silent monitor: the seat still says no data."""
    advance(live, clock, 5)
    live.source.remove_seat(3)  # the monitor stops
    advance(live, clock, 20)
    live.enter_reading(dosed, {"HR": 80}, NURSE)
    assert readout(live, dosed).status.startswith("no data")
    assert f"{dosed}:NO_DATA" in live.alarms.alarms


@pytest.mark.parametrize(
    ("values", "taken_by", "needle"),
    [
        ({"SBP": 171}, NURSE, "needs both SBP and DBP"),
        ({"SBP": 80, "DBP": 120}, NURSE, "diastolic must be below"),
        ({"SpO2": 120}, NURSE, "not plausible"),
        ({"SpO2": "ninety"}, NURSE, "not a number"),
        ({"PLETH": 1}, NURSE, "cannot be entered by hand"),
        ({}, NURSE, "at least one value"),
        ({"HR": 80}, "  ", "who took the reading"),
    ],
)
def test_a_bad_hand_entry_is_refused_whole_and_writes_nothing(
    live, clock, store, dosed, values, taken_by, needle
):
    advance(live, clock, 3)
    before = (
        rows(store, "select count(*) from events")[0][0],
        rows(store, "select count(*) from vitals")[0][0],
    )
    with pytest.raises(BadInputError, match=needle):
        live.enter_reading(dosed, values, taken_by)
    assert (
        rows(store, "select count(*) from events")[0][0],
        rows(store, "select count(*) from vitals")[0][0],
    ) == before


def test_a_reading_from_the_future_is_refused(live, clock, dosed):
    with pytest.raises(BadInputError, match="in the future"):
        live.enter_reading(dosed, {"HR": 80}, NURSE, t=clock.now() + 61)
    live.enter_reading(dosed, {"HR": 80}, NURSE, t=clock.now() + 60)  # clocks drift a little


def test_a_struck_hand_value_leaves_the_tile_and_ends_its_alarm(live, clock, store, dosed):
    advance(live, clock, 5)
    entry = live.enter_reading(dosed, {"SpO2": 90}, NURSE)
    assert live.alarms.alarms[f"{dosed}:SpO2"].priority == "medium"

    with pytest.raises(BadInputError, match="reason"):
        live.strike_entry(dosed, entry, " ", NURSE)
    live.strike_entry(dosed, entry, "probe on a cold finger", NURSE)

    assert f"{dosed}:SpO2" not in live.alarms.alarms
    assert readout(live, dosed).numerics[1].text == "97"  # the monitor's value again
    assert rows(
        store, "select value, struck from v_vitals where param = 'SpO2' and source like 'hand:%'"
    ) == [(90.0, 1)]
    struck = rows(store, "select data from v_events where kind = 'entry.struck'")
    assert json.loads(struck[0][0])["entry_id"] == entry
    with pytest.raises(BadInputError, match="already struck"):
        live.strike_entry(dosed, entry, "again", NURSE)


def test_a_correction_replaces_the_old_hand_bp_everywhere(live, clock, store, dosed):
    advance(live, clock, 40 * MIN)
    wrong = live.enter_reading(dosed, {"SBP": 181, "DBP": 88}, NURSE)
    assert live.protocol.of(dosed).bp_checks[-1].sbp == 181  # it filled the +40 check

    fixed = live.enter_reading(
        dosed,
        {"SBP": 131, "DBP": 88},
        NURSE,
        t=clock.now(),
        corrects=wrong,
        reason="typed 181 for 131",
    )

    assert readout(live, dosed).bp_text == "131/88"
    checks = live.protocol.of(dosed).bp_checks
    assert [(k.label, k.sbp, k.entry_id) for k in checks[1:]] == [("+40 min", 131, fixed)]
    data = json.loads(
        rows(store, "select data from v_events where kind = 'observation.entered'")[-1][0]
    )
    assert data["corrects"] == wrong and data["reason"] == "typed 181 for 131"
    # The vitals rows stay as written; v_vitals says which no longer count.
    assert rows(
        store, "select value, struck from v_vitals where param = 'SBP' order by t_utc, struck desc"
    ) == [(118.0, 0), (181.0, 1), (131.0, 0)]


def test_moaas_and_cadss_show_on_the_tile_with_their_age(live, clock, dosed):
    advance(live, clock, 20 * MIN)
    live.protocol.record_moaas(dosed, 3, NURSE)
    advance(live, clock, 5 * MIN)
    live.protocol.record_cadss(dosed, 18, NURSE)
    advance(live, clock, 2 * MIN)

    r = protocol_readout(live.protocol.of(dosed), clock.now(), live.latest_spo2(dosed), 180)
    assert r.scores == "MOAA/S 3 · 7 min   CADSS 18 · 2 min"


def test_a_moaas_0_raises_a_medium_clinical_alarm(live, clock, dosed):
    advance(live, clock, 10 * MIN)
    live.protocol.record_moaas(dosed, 0, NURSE)
    alarm = live.alarms.alarms[f"{dosed}:MOAA/S"]
    assert (alarm.priority, alarm.technical, alarm.text) == ("medium", False, "MOAA/S 0 <= 2")


def test_latest_spo2_carries_its_time_and_source(live, clock, dosed):
    advance(live, clock, 3)
    monitor = live.latest_spo2(dosed)
    assert (monitor.value, monitor.source) == (97.0, "monitor")
    live.enter_reading(dosed, {"SpO2": 95}, NURSE, t=clock.now() + 0.5)
    hand = live.latest_spo2(dosed)
    assert (hand.value, hand.source, hand.t) == (95.0, f"hand:{NURSE}", clock.now() + 0.5)


def test_a_hand_entry_made_before_a_crash_can_be_struck_after_resume(
    live, clock, store, db_path, source, settings, dosed
):
    advance(live, clock, 5)
    kept = live.enter_reading(dosed, {"HR": 88}, NURSE)
    gone = live.enter_reading(dosed, {"HR": 99}, NURSE)
    live.strike_entry(dosed, gone, "wrong chair", NURSE)
    store.close()
    with closing(sqlite3.connect(db_path)) as conn, conn:  # the process dies
        conn.execute("update sessions set pid = ? where id = ?", (2**22 + 12345, live.id))

    again = Store.open(db_path, clock)
    try:
        resumed = LiveSession.resume(
            live.id, clock=clock, source=type(source)(clock.now()), store=again, settings=settings
        )
        assert not resumed.hand_entries[kept].struck and resumed.hand_entries[gone].struck
        resumed.strike_entry(dosed, kept, "duplicate", NURSE)
        with pytest.raises(BadInputError, match="already struck"):
            resumed.strike_entry(dosed, gone, "again", NURSE)
    finally:
        again.close()


def test_a_fall_of_two_from_the_baseline_moaas_says_the_baseline(live, clock, dosed):
    advance(live, clock, 10 * MIN)
    live.protocol.record_moaas(dosed, 4, NURSE)
    assert live.alarms.top_for(dosed) is None
    live.protocol.record_moaas(dosed, 3, NURSE)
    assert live.alarms.alarms[f"{dosed}:MOAA/S"].text == "MOAA/S 3 (baseline 5)"


def test_a_partial_correction_keeps_the_other_values_of_the_entry(live, clock, dosed):
    advance(live, clock, 5)
    first = live.enter_reading(dosed, {"SBP": 150, "DBP": 95, "HR": 88}, NURSE)
    live.enter_reading(
        dosed, {"SBP": 130, "DBP": 85}, NURSE, corrects=first, reason="read the wrong line"
    )
    assert readout(live, dosed).bp_text == "130/85"
    assert (
        live.latest(dosed, "HR").value == 88 and live.latest(dosed, "HR").source == f"hand:{NURSE}"
    )


def test_striking_a_hand_bp_leaves_the_monitors_bp_alarm_standing(live, clock, dosed):
    """Only the alarm the struck value holds ends: a monitor's high BP keeps alarming."""
    advance(live, clock, 5)
    hand = live.enter_reading(dosed, {"SBP": 130, "DBP": 80}, NURSE)
    for sbp in (175, 176):
        clock.advance(60)
        live.alarms.observe(dosed, 3, "SBP", clock.now(), sbp)
    assert live.alarms.alarms[f"{dosed}:SBP"].text == "SBP 176 > 160"
    live.strike_entry(dosed, hand, "wrong arm", NURSE)
    assert live.alarms.alarms[f"{dosed}:SBP"].condition_active


def test_a_back_dated_hand_value_alarms_from_when_it_is_known(live, clock, dosed):
    advance(live, clock, 5)
    live.source.remove_seat(3)  # the monitor stops: the typed value is the newest there is
    advance(live, clock, 20 * MIN)
    live.enter_reading(dosed, {"SpO2": 90}, NURSE, t=clock.now() - 10 * MIN)
    alarm = live.alarms.alarms[f"{dosed}:SpO2"]
    assert alarm.raised_at == clock.now() and alarm.unacknowledged_since == clock.now()
    live.alarms.tick()
    assert alarm.priority == "medium"  # not escalated for the ten minutes before it was typed


def test_a_hand_value_older_than_the_monitors_raises_nothing(live, clock, dosed):
    advance(live, clock, 5 * MIN)  # the monitor has sent SpO2 97 every second
    live.enter_reading(dosed, {"SpO2": 85}, NURSE, t=clock.now() - 2 * MIN)
    assert f"{dosed}:SpO2" not in live.alarms.alarms
    assert readout(live, dosed).numerics[1].text == "97"


def test_a_spot_hr_does_not_hide_a_live_pulse_rate(live, clock, store, dosed):
    """A room whose monitor sends PR (no ECG): a hand HR shows while it is fresh, then the
    tile goes back to the live pulse rate."""
    from groupkap.readings import Reading

    vitals = live.vitals[dosed]
    for i in range(3):
        vitals.add_reading(Reading(3, "PR", clock.now() + i, 70.0))
    live.enter_reading(dosed, {"HR": 90}, NURSE, t=clock.now() + 2)
    clock.advance(2)
    assert readout(live, dosed).numerics[0].label == "HR"
    for i in range(3, 20):
        vitals.add_reading(Reading(3, "PR", clock.now() + i, 71.0))
    clock.advance(17)
    assert readout(live, dosed).numerics[0] == Numeric("PR", "71", False, None)


def test_the_pre_dose_bp_cannot_be_rewritten_after_the_dose(live, clock, store, dosed):
    """The dose was gated on it: the log keeps what the dose rested on."""
    pre = next(eid for eid, e in live.hand_entries.items() if "SBP" in e.values)
    events = rows(store, "select count(*) from events")[0][0]
    for attempt in (
        lambda: live.strike_entry(dosed, pre, "typo", NURSE),
        lambda: live.enter_reading(
            dosed, {"SBP": 152, "DBP": 96}, NURSE, corrects=pre, reason="typo"
        ),
    ):
        with pytest.raises(BadInputError, match="taken before the dose"):
            attempt()
    assert rows(store, "select count(*) from events")[0][0] == events
