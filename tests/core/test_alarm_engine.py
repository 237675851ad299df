"""The alarm engine on a simulated clock: condition delays, arming, latching, acknowledge,
reminders, escalation, audio pause, sound repeats, technical alarms and cuff pressures.

Readings arrive as a monitor sends them, one a second; every second the engine ticks. Its
event sink here is a plain list (the engine is under test, the sink is what it says), except
in the last test, where the sink is the real session store.
"""

from __future__ import annotations

import json
from contextlib import closing
from importlib import resources

import pytest

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import LimitSet, default_limits, parse_limits
from groupkap.alarms.model import AlarmConfig, SoundCue, flash_on
from groupkap.clock import utc_iso
from groupkap.errors import BadInputError

NAN = float("nan")


# -- helpers ---------------------------------------------------------------------------------
def feed(engine, clock, pid, seat, param, values_per_second):
    """One reading a second, then a tick; returns the (time, SoundCue) pairs the ticks gave."""
    cues = []
    for value in values_per_second:
        clock.advance(1)
        engine.observe(pid, seat, param, clock.now(), value)
        cues += [(clock.now(), cue) for cue in engine.tick()]
    return cues


def feed_room(engine, clock, streams, seconds):
    """Several streams at once: `streams` maps (pid, seat, param) to a value or a list."""
    cues = []
    for i in range(seconds):
        clock.advance(1)
        for (pid, seat, param), values in streams.items():
            value = values[i] if isinstance(values, list) else values
            engine.observe(pid, seat, param, clock.now(), value)
        cues += [(clock.now(), cue) for cue in engine.tick()]
    return cues


def idle(engine, clock, seconds):
    """Time passes with no readings at all."""
    cues = []
    for _ in range(seconds):
        clock.advance(1)
        cues += [(clock.now(), cue) for cue in engine.tick()]
    return cues


class Log(list):
    """The engine's event sink: (kind, data, participant_id, actor, t) in order."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock

    def __call__(self, kind, data, pid, actor):
        self.append((kind, data, pid, actor, self.clock.now()))

    def of(self, kind):
        return [e for e in self if e[0] == kind]

    def kinds(self):
        return [e[0] for e in self]


@pytest.fixture
def log(clock):
    return Log(clock)


@pytest.fixture
def engine(clock, log):
    return AlarmEngine(clock, default_limits(), log)


def since(mark):
    """Turn absolute times into seconds after `mark`."""
    return lambda t: round(t - mark, 6)


# -- condition delay -------------------------------------------------------------------------
def test_a_spo2_dip_shorter_than_the_delay_raises_nothing(engine, clock, log):
    cues = feed(engine, clock, "p1", 1, "SpO2", [97] * 5 + [90] * 5 + [97] * 20)

    assert log == []
    assert engine.alarms == {}
    assert cues == []


def test_a_spo2_dip_past_the_delay_raises_medium(engine, clock, log, t0):
    cues = feed(engine, clock, "p1", 4, "SpO2", [97] * 3 + [90] * 20)  # dip from t0 + 4

    [(kind, data, pid, actor, t)] = log
    assert (kind, pid, actor) == ("alarm.raised", "p1", "system")
    assert t - t0 == 4 + 15
    assert data["priority"] == "medium"
    assert data["text"] == "SpO2 90 < 92"
    assert (data["value"], data["limit"], data["seat"]) == (90, "< 92", 4)
    assert data["key"] == "SpO2" and data["technical"] is False
    assert "from_priority" not in data
    alarm = engine.alarms["p1:SpO2"]
    assert alarm.priority == "medium" and alarm.condition_active
    assert alarm.label == "** SpO2 90 < 92"
    assert cues[0] == (t0 + 19, SoundCue("medium"))


def test_a_deeper_dip_raises_high_from_medium(engine, clock, log, t0):
    feed(engine, clock, "p1", 1, "SpO2", [97] * 3 + [90] * 20)  # medium at t0 + 19
    cues = feed(engine, clock, "p1", 1, "SpO2", [86] * 17)  # 86 from t0 + 24

    raised = log.of("alarm.raised")
    assert [e[1]["priority"] for e in raised] == ["medium", "high"]
    high = raised[1]
    assert high[4] - t0 == 24 + 15
    assert high[1]["from_priority"] == "medium"
    assert high[1]["text"] == "SpO2 86 < 88" and high[1]["limit"] == "< 88"
    assert engine.alarms["p1:SpO2"].priority == "high"
    assert (t0 + 39, SoundCue("high")) in cues


def test_a_sudden_deep_drop_raises_high_directly(engine, clock, log):
    feed(engine, clock, "p1", 1, "SpO2", [97] * 3 + [85] * 16)

    assert [e[1]["priority"] for e in log.of("alarm.raised")] == ["high"]


# -- arming and artefacts --------------------------------------------------------------------
def test_nothing_alarms_before_the_first_valid_reading(engine, clock, log):
    idle(engine, clock, 60)
    cues = feed(engine, clock, "p1", 1, "SpO2", [NAN, 127, 0, NAN] * 10)
    cues += feed(engine, clock, "p1", 1, "HR", [-1, NAN, 999] * 10)

    assert log == []
    assert engine.alarms == {}  # no physiological alarm and no "no data" either
    assert cues == []


def test_artefacts_neither_raise_nor_clear_an_alarm(engine, clock, log):
    feed(engine, clock, "p1", 1, "SpO2", [90] * 16)
    assert "p1:SpO2" in engine.alarms
    before = len(log)

    feed(engine, clock, "p1", 1, "SpO2", [NAN, 127, 30, NAN, float("inf")])

    assert len(log) == before  # nothing cleared
    assert engine.alarms["p1:SpO2"].condition_active
    feed(engine, clock, "p1", 1, "SpO2", [97])
    assert log.kinds()[-1] == "alarm.cleared"
    assert "p1:SpO2" not in engine.alarms


def test_a_sentinel_heart_rate_does_not_clear_a_heart_rate_alarm(engine, clock, log):
    feed(engine, clock, "p1", 1, "HR", [130] * 11)
    assert engine.alarms["p1:HR"].priority == "medium"

    feed(engine, clock, "p1", 1, "HR", [-1] * 5)

    assert engine.alarms["p1:HR"].condition_active
    assert log.of("alarm.cleared") == []


def test_an_artefact_stream_does_not_start_a_condition(engine, clock, log):
    streams = {
        ("p1", 1, "HR"): 70,  # the monitor keeps sending HR
        ("p1", 1, "SpO2"): [97] + [NAN, 127, -1] * 20,
    }
    feed_room(engine, clock, streams, 61)

    # No SpO2 alarm from the artefacts; but a minute of artefacts is a minute without SpO2.
    assert "p1:SpO2" not in engine.alarms
    assert list(engine.alarms) == ["p1:NO_DATA:SpO2"]
    assert engine.alarms["p1:NO_DATA:SpO2"].technical


# -- latching and reset ----------------------------------------------------------------------
def test_a_high_alarm_stays_latched_after_recovery_until_reset(engine, clock, log):
    feed(engine, clock, "p1", 2, "HR", [150] * 11)
    assert engine.alarms["p1:HR"].priority == "high"

    feed(engine, clock, "p1", 2, "HR", [70] * 300)

    cleared = log.of("alarm.cleared")
    assert len(cleared) == 1 and cleared[0][1]["latched"] is True
    alarm = engine.alarms["p1:HR"]
    assert alarm.condition_active is False and alarm.latched
    assert alarm.label.endswith("(latched)")

    engine.reset("p1:HR", "nurse.kim")

    assert "p1:HR" not in engine.alarms
    kind, data, pid, actor, _ = log[-1]
    assert (kind, pid, actor) == ("alarm.reset", "p1", "nurse.kim")
    assert data["alarm_id"] == "p1:HR"


def test_reset_of_an_active_condition_is_refused_and_changes_nothing(engine, clock, log):
    feed(engine, clock, "p1", 2, "HR", [150] * 11)
    alarm = engine.alarms["p1:HR"]
    before = (len(log), dict(engine.alarms), alarm.priority, alarm.condition_active)

    with pytest.raises(BadInputError, match="still present"):
        engine.reset("p1:HR", "nurse.kim")

    assert (len(log), dict(engine.alarms), alarm.priority, alarm.condition_active) == before
    with pytest.raises(BadInputError, match="no active alarm"):
        engine.reset("p9:HR", "nurse.kim")


def test_a_medium_alarm_clears_when_the_value_recovers(engine, clock, log):
    feed(engine, clock, "p1", 1, "SpO2", [90] * 16)
    assert "p1:SpO2" in engine.alarms

    cues = feed(engine, clock, "p1", 1, "SpO2", [96] * 40)

    assert "p1:SpO2" not in engine.alarms
    [cleared] = log.of("alarm.cleared")
    assert cleared[1]["alarm_id"] == "p1:SpO2" and "latched" not in cleared[1]
    assert cues == []


# -- acknowledge and reminders ---------------------------------------------------------------
def test_acknowledge_stops_the_sound_but_the_alarm_stays_shown(engine, clock, log):
    cues = feed(engine, clock, "p1", 1, "SpO2", [90] * 16)
    assert cues == [(clock.now(), SoundCue("medium"))]

    engine.acknowledge("p1:SpO2", "nurse.kim")
    acked = clock.now()
    cues = feed(engine, clock, "p1", 1, "SpO2", [90] * 119)

    assert cues == []
    assert engine.alarms["p1:SpO2"].acknowledged
    assert engine.active()[0].id == "p1:SpO2"
    assert [(e[0], e[3]) for e in log.of("alarm.acknowledged")] == [
        ("alarm.acknowledged", "nurse.kim")
    ]
    assert log.of("alarm.escalated") == []
    assert clock.now() - acked == 119


def test_a_reminder_sounds_every_two_minutes_while_the_condition_persists(engine, clock, log):
    feed(engine, clock, "p1", 1, "SpO2", [90] * 16)
    engine.acknowledge("p1:SpO2", "nurse.kim")
    at = since(clock.now())

    cues = feed(engine, clock, "p1", 1, "SpO2", [90] * 250)

    reminders = [at(e[4]) for e in log.of("alarm.reminded")]
    assert len(reminders) == 2
    assert reminders[0] == pytest.approx(120, abs=1)
    assert reminders[1] == pytest.approx(240, abs=1)
    assert [c for _, c in cues] == [SoundCue("medium", reminder=True)] * 2
    assert [at(t) for t, _ in cues] == reminders

    feed(engine, clock, "p1", 1, "SpO2", [97] + [90] * 5)  # the condition went, then returned
    assert len(log.of("alarm.reminded")) == 2


def test_a_new_acknowledgement_restarts_the_reminder_interval(engine, clock, log):
    feed(engine, clock, "p1", 1, "SpO2", [90] * 16)
    engine.acknowledge("p1:SpO2", "nurse.kim")
    feed(engine, clock, "p1", 1, "SpO2", [90] * 125)  # first reminder 120 s after
    assert len(log.of("alarm.reminded")) == 1
    feed(engine, clock, "p1", 1, "SpO2", [86] * 16)  # rises to high: unacknowledged again
    assert engine.alarms["p1:SpO2"].priority == "high"
    assert not engine.alarms["p1:SpO2"].acknowledged

    engine.acknowledge("p1:SpO2", "nurse.kim")
    at = since(clock.now())
    feed(engine, clock, "p1", 1, "SpO2", [86] * 130)

    later = [at(e[4]) for e in log.of("alarm.reminded")][1:]
    assert later == [pytest.approx(120, abs=1)]


# -- escalation ------------------------------------------------------------------------------
def test_an_unacknowledged_medium_alarm_escalates_after_a_minute(engine, clock, log):
    feed(engine, clock, "p1", 1, "SpO2", [90] * 16)
    at = since(clock.now())

    cues = feed(engine, clock, "p1", 1, "SpO2", [90] * 70)

    [escalated] = log.of("alarm.escalated")
    assert at(escalated[4]) == pytest.approx(60, abs=1)
    assert escalated[1]["from_priority"] == "medium" and escalated[1]["priority"] == "high"
    assert "louder" not in escalated[1]  # it rose a priority; nothing claims more volume
    assert engine.alarms["p1:SpO2"].priority == "high"
    assert (escalated[4], SoundCue("high")) in cues
    assert all(c.priority == "medium" for t, c in cues if t < escalated[4])


def test_an_alarm_acknowledged_in_time_does_not_escalate(engine, clock, log):
    feed(engine, clock, "p1", 1, "SpO2", [90] * 16)
    feed(engine, clock, "p1", 1, "SpO2", [90] * 45)
    engine.acknowledge("p1:SpO2", "nurse.kim")

    feed(engine, clock, "p1", 1, "SpO2", [90] * 200)

    assert log.of("alarm.escalated") == []
    assert engine.alarms["p1:SpO2"].priority == "medium"


# -- audio pause -----------------------------------------------------------------------------
@pytest.mark.parametrize("seconds", [30, 59, 601, 660])
def test_an_audio_pause_outside_one_to_ten_minutes_is_refused(engine, clock, log, seconds):
    feed(engine, clock, "p1", 1, "HR", [150] * 11)
    before = len(log)

    with pytest.raises(BadInputError, match="1 to 10 minutes"):
        engine.pause_audio("nurse.kim", duration_s=seconds)

    assert len(log) == before
    assert engine.pause_remaining() is None


def test_an_audio_pause_silences_for_two_minutes_with_a_countdown(engine, clock, log):
    cues = feed(engine, clock, "p1", 1, "HR", [150] * 11)
    assert cues[-1][1] == SoundCue("high")

    until = engine.pause_audio("nurse.kim")
    at = since(clock.now())
    assert at(until) == 120
    kind, data, pid, actor, _ = log[-1]
    assert (kind, pid, actor) == ("alarm.audio_paused", None, "nurse.kim")
    assert data["scope"] == "room" and data["duration_s"] == 120
    assert data["alarms"] == ["p1:HR"]

    remaining = []
    cues = []
    for _ in range(125):
        cues += feed(engine, clock, "p1", 1, "HR", [150])
        remaining.append(engine.pause_remaining())

    assert remaining[0] == 119 and remaining[59] == 60 and remaining[118] == 1
    assert remaining[119:] == [None] * 6
    assert all(a > b for a, b in zip(remaining[:119], remaining[1:119]))
    assert cues and at(cues[0][0]) == pytest.approx(120, abs=1)  # sound resumes, unacknowledged
    assert cues[0][1] == SoundCue("high")
    assert "p1:HR" in engine.alarms  # the pause never hid the alarm


def test_a_new_alarm_of_another_participant_breaks_through_a_pause(engine, clock, log):
    feed(engine, clock, "p1", 1, "HR", [150] * 11)
    engine.pause_audio("nurse.kim")
    at = since(clock.now())

    streams = {("p1", 1, "HR"): 150, ("p2", 2, "SpO2"): [97] * 10 + [90] * 30}
    cues = feed_room(engine, clock, streams, 40)

    raised = [e for e in log.of("alarm.raised") if e[2] == "p2"]
    assert len(raised) == 1
    assert raised[0][1]["broke_through_pause"] == ["room"]
    assert at(raised[0][4]) == 26
    assert cues and cues[0][0] == raised[0][4]  # sound at once, not after the pause
    assert engine.pause_remaining() is None


def test_a_new_alarm_of_the_same_participant_breaks_through_a_pause(engine, clock, log):
    feed(engine, clock, "p1", 1, "HR", [150] * 11)
    engine.pause_audio("nurse.kim", pid="p1")

    streams = {("p1", 1, "HR"): 150, ("p1", 1, "SpO2"): [97] * 5 + [90] * 20}
    cues = feed_room(engine, clock, streams, 25)

    [raised] = [e for e in log.of("alarm.raised") if e[1]["key"] == "SpO2"]
    assert raised[1]["broke_through_pause"] == ["participant"]
    assert cues and cues[0][0] == raised[4]
    assert engine.pause_remaining("p1") is None


def test_a_higher_priority_breaks_through_a_pause(engine, clock, log):
    feed(engine, clock, "p1", 1, "SpO2", [90] * 16)  # medium
    engine.pause_audio("nurse.kim")

    quiet = feed(engine, clock, "p1", 1, "SpO2", [90] * 10)
    cues = feed(engine, clock, "p1", 1, "SpO2", [86] * 16)

    assert quiet == []
    rise = log.of("alarm.raised")[-1]
    assert rise[1]["priority"] == "high" and rise[1]["from_priority"] == "medium"
    assert rise[1]["broke_through_pause"] == ["room"]
    assert cues == [(rise[4], SoundCue("high"))]
    assert engine.pause_remaining() is None


def test_a_participant_pause_does_not_silence_the_others(engine, clock, log):
    streams = {("p1", 1, "HR"): 150, ("p2", 2, "SpO2"): 90}
    feed_room(engine, clock, streams, 16)  # p1 high, p2 medium
    assert {a.priority for a in engine.alarms.values()} == {"high", "medium"}

    engine.pause_audio("nurse.kim", pid="p1")
    _, data, pid, actor, _ = log[-1]
    assert (pid, data["scope"], data["seat"], data["alarms"]) == ("p1", "participant", 1, ["p1:HR"])
    assert engine.pause_remaining("p1") == 120
    assert engine.pause_remaining("p2") is None and engine.pause_remaining() is None

    cues = feed_room(engine, clock, streams, 40)

    assert cues, "p2's alarm must still sound"
    assert {c for _, c in cues} == {SoundCue("medium")}  # p1's high is silent


# -- what sounds, how often ------------------------------------------------------------------
def test_a_high_alarm_repeats_every_ten_seconds(engine, clock):
    cues = feed(engine, clock, "p1", 1, "HR", [150] * 45)

    at = since(cues[0][0])
    assert [at(t) for t, _ in cues] == [0, 10, 20, 30]
    assert {c for _, c in cues} == {SoundCue("high")}


def test_a_medium_alarm_repeats_every_twenty_five_seconds(engine, clock):
    cues = feed(engine, clock, "p1", 1, "SpO2", [90] * 70)  # raised at 15 s, escalates at 75

    at = since(cues[0][0])
    assert [at(t) for t, _ in cues] == [0, 25, 50]
    assert {c for _, c in cues} == {SoundCue("medium")}


def test_a_low_alarm_sounds_once(clock, log):
    engine = AlarmEngine(clock, default_limits(), log, AlarmConfig(escalate_after_s=600))
    engine.raise_technical("p1", "LEAD_OFF", "low", "ECG lead off", seat=1)

    cues = idle(engine, clock, 300)

    assert cues == [(cues[0][0], SoundCue("low"))]
    assert "p1:LEAD_OFF" in engine.alarms


def test_only_the_highest_priority_sounds_room_wide(engine, clock):
    streams = {("p1", 1, "HR"): [70] * 20 + [150] * 35, ("p2", 2, "SpO2"): 90, ("p3", 3, "HR"): 70}
    cues = feed_room(engine, clock, streams, 55)

    # p2's medium (at 15 s) sounds once before p1's high arrives (at 30 s); then only the
    # high burst, although the medium is still unacknowledged
    first_high = next(t for t, c in cues if c.priority == "high")
    assert [c for t, c in cues if t < first_high] == [SoundCue("medium")]
    after = [(t, c) for t, c in cues if t >= first_high]
    assert {c for _, c in after} == {SoundCue("high")}
    assert [t - first_high for t, _ in after] == [0, 10, 20]


# -- technical alarms ------------------------------------------------------------------------
def test_a_silent_participant_gets_a_no_data_alarm_that_clears_on_data(engine, clock, log):
    feed(engine, clock, "p1", 1, "HR", [70] * 5)
    at = since(clock.now())  # the last reading

    cues = idle(engine, clock, 35)

    low, medium = log.of("alarm.raised")
    assert low[1]["key"] == "NO_DATA" and low[1]["technical"] is True
    assert low[1]["priority"] == "low"
    assert 10 <= at(low[4]) <= 11
    assert low[1]["text"] == f"no data {at(low[4]):.0f} s"
    assert medium[1]["priority"] == "medium" and medium[1]["from_priority"] == "low"
    assert 30 <= at(medium[4]) <= 31
    assert [c.priority for _, c in cues] == ["low", "medium"]

    feed(engine, clock, "p1", 1, "HR", [70])

    assert "p1:NO_DATA" not in engine.alarms
    assert log.kinds()[-1] == "alarm.cleared" and log[-1][1]["key"] == "NO_DATA"


def test_a_monitor_that_never_sends_raises_no_data_since_seated(engine, clock, log):
    engine.expect_data("p1", 4, clock.now())
    engine.expect_data("p2", 5, clock.now())
    clock.advance(10)
    engine.tick()
    assert engine.alarms == {}  # exactly the no-data delay: not yet
    clock.advance(0.5)
    engine.observe("p2", 5, "HR", clock.now(), 70)  # p2's monitor speaks in time
    engine.tick()
    [alarm] = engine.alarms.values()
    assert alarm.id == "p1:NO_DATA" and alarm.seat == 4 and alarm.technical
    assert alarm.priority == "low" and alarm.text == "no data since seated 10 s"
    clock.advance(20)
    engine.tick()
    assert alarm.priority == "medium"  # past 30 s, like a monitor that stopped

    engine.observe("p1", 4, "HR", clock.now(), 71)  # connected at last
    engine.tick()
    assert "p1:NO_DATA" not in engine.alarms
    assert log.kinds()[-1] == "alarm.cleared"


def test_a_hand_value_is_not_the_monitor_speaking(engine, clock, log):
    engine.expect_data("p1", 4, clock.now())
    clock.advance(5)
    engine.observe("p1", 4, "SpO2", clock.now(), 97, spot=True)
    clock.advance(6)
    engine.tick()
    assert list(engine.alarms) == ["p1:NO_DATA"]


def test_no_data_is_per_participant(engine, clock, log):
    streams = {("p1", 1, "HR"): [70] * 3 + [NAN] * 20, ("p2", 2, "HR"): 72}
    feed_room(engine, clock, streams, 23)

    assert list(engine.alarms) == ["p1:NO_DATA"]  # artefacts are not data


def test_the_technical_hook_raises_and_clears(engine, clock, log):
    engine.raise_technical("p1", "CHECK_OVERDUE", "medium", "BP check overdue", seat=3)

    alarm = engine.alarms["p1:CHECK_OVERDUE"]
    assert (alarm.priority, alarm.text, alarm.technical, alarm.seat) == (
        "medium",
        "BP check overdue",
        True,
        3,
    )
    assert alarm.label == "** BP check overdue"
    kind, data, pid, _, _ = log[-1]
    assert (kind, pid, data["key"], data["value"], data["limit"]) == (
        "alarm.raised",
        "p1",
        "CHECK_OVERDUE",
        None,
        None,
    )
    assert idle(engine, clock, 1) == [(clock.now(), SoundCue("medium"))]

    engine.clear_technical("p1", "CHECK_OVERDUE")

    assert engine.alarms == {}
    assert log.kinds()[-1] == "alarm.cleared"
    assert idle(engine, clock, 30) == []


# -- cuff pressures --------------------------------------------------------------------------
def test_one_high_systolic_reading_raises_nothing(engine, clock, log):
    feed(engine, clock, "p1", 1, "SBP", [170, 130])
    assert log == [] and engine.alarms == {}


def test_two_high_systolic_readings_in_a_row_raise_medium(engine, clock, log):
    feed(engine, clock, "p1", 1, "SBP", [130, 170, 170])

    [(kind, data, _, _, _)] = log
    assert kind == "alarm.raised"
    assert (data["priority"], data["limit"], data["text"]) == ("medium", "> 160", "SBP 170 > 160")


def test_one_extreme_systolic_reading_raises_high_at_once(engine, clock, log):
    feed(engine, clock, "p1", 1, "SBP", [130, 205])

    [(kind, data, _, _, _)] = log
    assert (data["priority"], data["limit"]) == ("high", ">= 200")


def test_high_then_normal_systolic_is_not_consecutive(engine, clock, log):
    feed(engine, clock, "p1", 1, "SBP", [185, 150, 185, 150])
    assert log == [] and engine.alarms == {}


def test_two_high_diastolic_readings_raise(engine, clock, log):
    feed(engine, clock, "p1", 1, "DBP", [112, 112])
    assert [e[1]["priority"] for e in log.of("alarm.raised")] == ["high"]


# -- limits in force -------------------------------------------------------------------------
def _defaults_with(old: str, new: str, where: str = "clinic.toml"):
    text = resources.files("groupkap.alarms").joinpath("default_limits.toml").read_text()
    assert old in text
    return parse_limits(text.replace(old, new, 1), where)


def test_set_limits_records_each_changed_parameter(engine, log):
    new = _defaults_with('medium = "< 92"', 'medium = "< 90"')

    assert engine.set_limits(new, "lead.ana") == 1

    [(kind, data, pid, actor, _)] = log
    assert (kind, pid, actor) == ("limits.changed", None, "lead.ana")
    assert data == {
        "param": "SpO2",
        "scope": "clinic",
        "source": "clinic.toml",
        "old": {"medium": ["< 92"], "high": ["< 88"], "delay_s": 15.0},
        "new": {"medium": ["< 90"], "high": ["< 88"], "delay_s": 15.0},
    }
    assert engine.limits is new
    assert engine.set_limits(new, "lead.ana") == 0 and len(log) == 1


def test_set_limits_records_a_dropped_parameter(engine, log):
    # A file must name every parameter; per-participant limits restored from the log may not.
    new = LimitSet({"SpO2": engine.limits.get("SpO2")}, "clinic.toml")

    assert engine.set_limits(new, "lead.ana") == 4
    assert sorted(e[1]["param"] for e in log) == ["DBP", "HR", "RR", "SBP"]
    assert all(e[1]["new"] is None for e in log)


def test_participant_limits_apply_only_to_that_participant(engine, clock, log):
    clinic = engine.limits
    mine = _defaults_with('medium = "< 92"', 'medium = "< 90"', "p1 by Dr Lee")

    engine.set_limits(mine, "dr.lee", pid="p1")

    [(kind, data, pid, actor, _)] = log
    assert (kind, pid, actor, data["scope"]) == ("limits.changed", "p1", "dr.lee", "participant")
    assert engine.limits is clinic
    streams = {("p1", 1, "SpO2"): 91, ("p2", 2, "SpO2"): 91}
    feed_room(engine, clock, streams, 20)
    assert list(engine.alarms) == ["p2:SpO2"]


def test_forget_ends_that_participants_alarms_only(engine, clock, log):
    streams = {("p1", 1, "HR"): 150, ("p1", 1, "SpO2"): 90, ("p2", 2, "SpO2"): 90}
    feed_room(engine, clock, streams, 16)
    assert sorted(engine.alarms) == ["p1:HR", "p1:SpO2", "p2:SpO2"]

    engine.forget("p1")

    assert list(engine.alarms) == ["p2:SpO2"]
    gone = log.of("alarm.cleared")
    assert sorted(e[1]["alarm_id"] for e in gone) == ["p1:HR", "p1:SpO2"]
    assert all(e[1]["reason"] == "participant left" for e in gone)
    feed(engine, clock, "p2", 2, "SpO2", [90] * 40)
    assert list(engine.alarms) == ["p2:SpO2"]  # and no "no data" for someone who left


# -- lights ----------------------------------------------------------------------------------
def _flash_hz(priority):
    samples = [flash_on(priority, i / 100) for i in range(1000)]  # 10 s at 100 Hz
    ons = sum(1 for a, b in zip(samples, samples[1:]) if b and not a) + samples[0]
    return ons / 10, samples


def test_flash_rates_follow_iec_60601_1_8():
    high, _ = _flash_hz("high")
    medium, _ = _flash_hz("medium")
    low, low_samples = _flash_hz("low")
    none, none_samples = _flash_hz(None)

    assert 1.4 <= high <= 2.8
    assert 0.4 <= medium <= 0.8
    assert all(low_samples)
    assert not any(none_samples)


# -- into the session log ----------------------------------------------------------------------
def test_the_store_holds_the_whole_alarm_history(clock, store, t0):
    sid = store.start_session(seats=4, source="test")
    pid = "a1b2c3"
    store.record(
        sid,
        "participant.added",
        {"alias": "Robin", "seat": 3},
        participant_id=pid,
        projections=[
            (
                "insert into participants (id, session_id, alias, seat, "
                "added_at) values (?, ?, ?, ?, ?)",
                (pid, sid, "Robin", 3, clock.now()),
            )
        ],
    ).result(10)

    def sink(kind, data, participant_id, actor):
        store.record(sid, kind, data, participant_id=participant_id, actor=actor)

    engine = AlarmEngine(clock, default_limits(), sink)
    feed(engine, clock, pid, 3, "SpO2", [97] * 3 + [90] * 20)  # medium at +19
    feed(engine, clock, pid, 3, "SpO2", [86] * 16)  # high at +39
    clock.advance(1)
    engine.acknowledge(f"{pid}:SpO2", "nurse.kim")  # +40
    feed(engine, clock, pid, 3, "SpO2", [97] * 5)  # latched clear at +41
    clock.advance(3)
    engine.reset(f"{pid}:SpO2", "nurse.kim")  # +48
    store.flush()

    with closing(store.reader()) as conn:
        rows = conn.execute(
            "select participant, seat, t_utc, kind, actor, data from v_events "
            "where session_id = ? and kind like 'alarm.%' order by t_utc",
            (sid,),
        ).fetchall()
    history = [(r["kind"], r["actor"], r["t_utc"]) for r in rows]
    assert history == [
        ("alarm.raised", "system", utc_iso(t0 + 19)),
        ("alarm.raised", "system", utc_iso(t0 + 39)),
        ("alarm.acknowledged", "nurse.kim", utc_iso(t0 + 40)),
        ("alarm.cleared", "system", utc_iso(t0 + 41)),
        ("alarm.reset", "nurse.kim", utc_iso(t0 + 48)),
    ]
    assert {(r["participant"], r["seat"]) for r in rows} == {("Robin", 3)}
    data = [json.loads(r["data"]) for r in rows]
    assert (data[0]["priority"], data[0]["value"], data[0]["limit"]) == ("medium", 90, "< 92")
    assert (data[1]["priority"], data[1]["value"], data[1]["limit"]) == ("high", 86, "< 88")
    assert data[1]["from_priority"] == "medium"
    assert data[3]["latched"] is True
    assert {d["alarm_id"] for d in data} == {f"{pid}:SpO2"}


def test_escalation_during_a_pause_breaks_through_and_says_so(engine, clock, log):
    feed(engine, clock, "p1", 1, "HR", [130] * 11)  # medium after the 10 s delay
    engine.pause_audio("nurse")
    cues = feed(engine, clock, "p1", 1, "HR", [130] * 60)
    [(kind, data, *_)] = log.of("alarm.escalated")
    assert data["priority"] == "high" and data["broke_through_pause"] == ["room"]
    assert engine.pause_remaining() is None
    assert any(cue.priority == "high" for _, cue in cues)


def test_no_reminder_sounds_while_the_audio_is_paused(engine, clock, log):
    feed(engine, clock, "p1", 1, "SpO2", [90] * 16)
    engine.acknowledge("p1:SpO2", "nurse")
    engine.pause_audio("nurse", duration_s=600)
    cues = feed(engine, clock, "p1", 1, "SpO2", [90] * 300)
    assert log.of("alarm.reminded") == [] and cues == []


def test_a_lost_source_raises_a_medium_technical_alarm_until_restored(engine, clock, log):
    engine.source_lost("p1", 3, "monitor disconnected")
    [alarm] = engine.active()
    assert (alarm.priority, alarm.technical, alarm.text) == (
        "medium",
        True,
        "source lost: monitor disconnected",
    )
    engine.source_restored("p1")
    assert engine.active() == [] and log.kinds() == ["alarm.raised", "alarm.cleared"]


def test_a_returning_condition_breaks_through_a_pause_that_held_its_earlier_episode(
    engine, clock, log
):
    feed(engine, clock, "p1", 1, "SpO2", [91] * 16)  # medium
    engine.pause_audio("nurse")
    feed(engine, clock, "p1", 1, "SpO2", [97] * 3)  # cleared
    cues = feed(engine, clock, "p1", 1, "SpO2", [91] * 16)  # a new episode, same id
    assert [c.priority for _, c in cues] == ["medium"]
    assert log.of("alarm.raised")[-1][1]["broke_through_pause"] == ["room"]


def test_a_latched_high_alarm_comes_back_active_and_still_needs_a_reset(engine, clock, log):
    feed(engine, clock, "p1", 1, "SpO2", [85] * 16)  # high
    feed(engine, clock, "p1", 1, "SpO2", [96] * 3)  # latched
    feed(engine, clock, "p1", 1, "SpO2", [90] * 16)  # medium condition returns
    [alarm] = engine.active()
    assert alarm.priority == "high" and alarm.condition_active
    feed(engine, clock, "p1", 1, "SpO2", [97] * 3)
    [alarm] = engine.active()
    assert alarm.latched  # still there until someone resets it
    engine.reset(alarm.id, "nurse")
    assert engine.active() == []


def test_a_second_participants_alarm_at_the_same_priority_sounds_at_once(engine, clock, log):
    feed(engine, clock, "p1", 1, "SpO2", [90] * 16)
    cues = feed_room(engine, clock, {("p1", 1, "SpO2"): 90, ("p2", 2, "SpO2"): 90}, 16)
    [raised_p2] = [e for e in log.of("alarm.raised") if e[2] == "p2"]
    # p1's medium repeats only every 25 s; p2's new alarm must not wait for that repeat.
    assert [t for t, c in cues] == [raised_p2[4]]


def test_removing_a_parameter_from_the_limits_ends_its_alarms(engine, clock, log):
    feed(engine, clock, "p1", 1, "HR", [130] * 11)
    assert engine.active()
    # A file must name every parameter; a LimitSet restored from the log may lack one.
    without_hr = LimitSet({k: v for k, v in engine.limits.params.items() if k != "HR"}, "edited")
    engine.set_limits(without_hr, "lead")
    assert engine.active() == []
    assert log.of("alarm.cleared")[-1][1]["reason"] == "no limits for this parameter"


def test_alarms_follow_a_participant_to_a_new_seat(engine, clock):
    feed(engine, clock, "p1", 1, "SpO2", [90] * 16)
    feed(engine, clock, "p1", 4, "SpO2", [90] * 1)
    assert engine.active()[0].seat == 4


# -- per-parameter no data ---------------------------------------------------------------------
def probe_off(engine, clock, seconds, spo2_stops_after=3):
    """HR from the ECG every second; SpO2 from the finger probe only for the first seconds."""
    for i in range(seconds):
        clock.advance(1)
        engine.observe("p1", 4, "HR", clock.now(), 72)
        if i < spo2_stops_after:
            engine.observe("p1", 4, "SpO2", clock.now(), 97)
        engine.tick()


def test_a_dropped_finger_probe_raises_spo2_no_data_while_the_ecg_goes_on(engine, clock, log):
    probe_off(engine, clock, 3 + 10)  # the last SpO2 exactly 10 s ago: not yet
    assert engine.alarms == {}

    probe_off(engine, clock, 1, spo2_stops_after=0)  # 11 s
    alarm = engine.alarms["p1:NO_DATA:SpO2"]
    assert (alarm.priority, alarm.technical, alarm.text) == ("low", True, "SpO2 no data 11 s")
    assert "p1:NO_DATA" not in engine.alarms  # the monitor as a whole is still sending

    probe_off(engine, clock, 19, spo2_stops_after=0)  # 30 s: still low
    assert engine.alarms["p1:NO_DATA:SpO2"].priority == "low"
    probe_off(engine, clock, 1, spo2_stops_after=0)  # 31 s: medium
    assert engine.alarms["p1:NO_DATA:SpO2"].priority == "medium"

    probe_off(engine, clock, 1, spo2_stops_after=1)  # the probe is back
    assert "p1:NO_DATA:SpO2" not in engine.alarms
    assert log.kinds()[-1] == "alarm.cleared"


def test_a_silent_monitor_gives_one_no_data_alarm_not_one_per_parameter(engine, clock):
    probe_off(engine, clock, 15)  # SpO2 alone has stopped
    assert list(engine.alarms) == ["p1:NO_DATA:SpO2"]
    idle(engine, clock, 11)  # now the ECG is silent too
    assert list(engine.alarms) == ["p1:NO_DATA"]
    assert engine.alarms["p1:NO_DATA"].text == "no data 11 s"


def test_a_cuff_that_keeps_reporting_does_not_hide_a_silent_oximeter(engine, clock):
    engine.observe("p1", 2, "SpO2", clock.now(), 97)
    for _ in range(5):  # a cuff reading every 5 s, no SpO2 at all
        clock.advance(5)
        engine.observe("p1", 2, "SBP", clock.now(), 120)
        engine.observe("p1", 2, "DBP", clock.now(), 80)
        engine.tick()
    assert list(engine.alarms) == ["p1:NO_DATA"]  # SpO2 was the only continuous parameter


def test_a_pulse_rate_is_not_missed_while_the_ecg_heart_rate_goes_on(engine, clock):
    engine.observe("p1", 1, "PR", clock.now(), 70)
    feed(engine, clock, "p1", 1, "HR", [70] * 20)
    assert engine.alarms == {}


@pytest.mark.parametrize(("start", "escalations"), [("low", ["medium"]), ("medium", [])])
def test_technical_alarms_go_up_to_medium_and_never_to_high(engine, clock, log, start, escalations):
    """A late BP check must never sound like SpO2 < 88 (CLINICAL.md)."""
    engine.raise_technical("p1", "CHECK_OVERDUE", start, "BP check overdue (+40 min)", seat=1)
    idle(engine, clock, int(AlarmConfig().escalate_after_s) * 3)
    assert engine.alarms["p1:CHECK_OVERDUE"].priority == "medium"
    assert [e[1]["priority"] for e in log.of("alarm.escalated")] == escalations


def test_a_clinical_medium_alarm_still_escalates_to_high(engine, clock, log):
    engine.clinical_condition("p1", "MOAA/S", "medium", "MOAA/S 1 <= 2", 1.0, "<= 2", seat=1)
    idle(engine, clock, int(AlarmConfig().escalate_after_s) - 1)
    assert engine.alarms["p1:MOAA/S"].priority == "medium"
    idle(engine, clock, 1)
    assert engine.alarms["p1:MOAA/S"].priority == "high"
