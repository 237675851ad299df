"""The tile's view of a participant's alarms, without Qt: which alarm leads, `+N`, which value
each alarm marks and with which arrow, acknowledged alarms steady; and the readout's stale ages
and hand marks, at their exact boundaries."""

from __future__ import annotations

import pytest

from groupkap.alarms.limits import HIGH, LOW, MEDIUM
from groupkap.alarms.model import FLASH_HZ, Alarm
from groupkap.alarms.tile_alarms import ABOVE, BELOW, ValueMark, direction, tile_alarms
from groupkap.readings import Reading
from groupkap.room.buffers import SeatVitals
from groupkap.room.readout import format_age_short, format_quiet, tile_readout

T0 = 1_800_000_000.0


def alarm(
    key: str,
    priority: str = MEDIUM,
    value: float | None = None,
    limit: str | None = None,
    *,
    at: float = T0,
    technical: bool = False,
    acknowledged: bool = False,
    latched: bool = False,
) -> Alarm:
    return Alarm(
        id=f"p1:{key}",
        participant_id="p1",
        seat=1,
        key=key,
        technical=technical,
        priority=priority,
        text=f"{key} {value:g} {limit}" if value is not None else key,
        value=value,
        limit=limit,
        raised_at=at,
        condition_active=not latched,
        acknowledged_at=at + 5 if acknowledged else None,
    )


# -- the arrow ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "limit", "arrow"),
    [
        (87, "< 88", BELOW),
        (88, "< 88", BELOW),  # exactly on a strict bound: still the bound's side
        (141, "> 140", ABOVE),
        (140, ">= 140", ABOVE),  # exactly on the bound: the bound's side
        (85, "<= 85", BELOW),
        (140.5, ">140", ABOVE),  # no space
        (7.9, "< 8", BELOW),
        (None, "< 88", ""),  # no value (a technical alarm)
        (90, None, ""),
        (90, "low", ""),  # not a bound
    ],
)
def test_the_arrow_is_the_side_of_the_limit_the_value_is_on(value, limit, arrow):
    assert direction(alarm("SpO2", value=value, limit=limit)) == arrow


# -- order, worst, +N --------------------------------------------------------------------
def test_the_worst_leads_and_the_others_are_counted():
    view = tile_alarms(
        [
            alarm("CHECK_OVERDUE", LOW, technical=True, at=T0),
            alarm("HR", MEDIUM, 125, "> 120", at=T0 + 1),
            alarm("SpO2", HIGH, 86, "< 88", at=T0 + 2),
        ]
    )
    assert [a.key for a in view.ordered] == ["SpO2", "HR", "CHECK_OVERDUE"]
    assert view.worst.key == "SpO2" and view.more == "+2"
    assert [a.key for a in view.others] == ["HR", "CHECK_OVERDUE"]


def test_one_alarm_has_no_count_and_none_shows_nothing():
    assert tile_alarms([alarm("HR", MEDIUM, 125, "> 120")]).more == ""
    empty = tile_alarms([])
    assert empty.worst is None and empty.more == "" and empty.marks == {}
    assert not empty.acknowledged and not empty.lit(0.0)


def test_within_a_priority_unacknowledged_then_present_then_oldest_lead():
    acknowledged = alarm("HR", HIGH, 150, "> 140", at=T0, acknowledged=True)
    latched = alarm("SpO2", HIGH, 85, "< 88", at=T0 + 1, latched=True)
    newest = alarm("RR", HIGH, 6, "< 8", at=T0 + 2)
    older = alarm("SBP", HIGH, 185, ">= 180", at=T0 + 1.5)
    view = tile_alarms([acknowledged, latched, newest, older])
    assert [a.key for a in view.ordered] == ["SBP", "RR", "SpO2", "HR"]
    medium = alarm("DBP", MEDIUM, 105, "> 100", at=T0 - 100)
    assert tile_alarms([medium, acknowledged]).worst is acknowledged  # priority first


# -- which value each alarm marks -----------------------------------------------------------
def test_each_parameter_marks_its_own_value():
    view = tile_alarms(
        [
            alarm("PR", MEDIUM, 44, "< 45"),
            alarm("SpO2", HIGH, 86, "< 88"),
            alarm("RR", MEDIUM, 31, "> 30"),
            alarm("MAP", MEDIUM, 50, "< 55"),
        ]
    )
    assert view.marks == {
        "HR": ValueMark(MEDIUM, BELOW, False, "PR"),
        "SpO2": ValueMark(HIGH, BELOW, False, "SpO2"),
        "RR": ValueMark(MEDIUM, ABOVE, False, "RR"),
        "BP": ValueMark(MEDIUM, BELOW, False, "MAP"),
    }


def test_the_bp_line_takes_its_worst_alarm():
    view = tile_alarms(
        [
            alarm("DBP", MEDIUM, 104, "> 100", at=T0),
            alarm("SBP", HIGH, 182, ">= 180", at=T0 + 60),
        ]
    )
    assert view.marks["BP"] == ValueMark(HIGH, ABOVE, False, "SBP")


def test_technical_latched_and_unknown_alarms_mark_no_value():
    view = tile_alarms(
        [
            alarm("NO_DATA:SpO2", MEDIUM, technical=True),
            alarm("HR", HIGH, 145, "> 140", latched=True),  # back in range now
            alarm("MOAA/S", MEDIUM, 2, "<= 2"),
            alarm("TEMP", MEDIUM, 38.6, "> 38.5"),
        ]
    )
    assert view.marks == {}
    assert view.more == "+3"  # but every one of them is reachable


def test_an_acknowledged_value_alarm_is_marked_acknowledged():
    view = tile_alarms([alarm("SpO2", MEDIUM, 90, "< 92", acknowledged=True)])
    assert view.marks["SpO2"].acknowledged and view.acknowledged


# -- the light ---------------------------------------------------------------------------
def test_unacknowledged_alarms_flash_and_acknowledged_ones_are_steady():
    fresh = tile_alarms([alarm("SpO2", HIGH, 86, "< 88")])
    period = 1 / FLASH_HZ[HIGH]
    assert fresh.lit(0.0) and fresh.lit(period * 0.49) and not fresh.lit(period * 0.5)
    assert not fresh.lit(period * 0.99) and fresh.lit(period * 1.01)  # 50 % duty
    acked = tile_alarms([alarm("SpO2", HIGH, 86, "< 88", acknowledged=True)])
    assert all(acked.lit(i * period / 7) for i in range(20))
    low = tile_alarms([alarm("CHECK_OVERDUE", LOW, technical=True)])
    assert all(low.lit(i * 0.13) for i in range(20))


# -- the readout: stale ages, hand marks ------------------------------------------------------
@pytest.mark.parametrize(
    ("seconds", "quiet", "short"),
    [
        (0, "0 s", "now"),
        (59.9, "60 s", "now"),
        (60, "60 s", "1 min"),
        (119.4, "119 s", "1 min"),
        (120, "2 min", "2 min"),
        (3599, "59 min", "59 min"),
        (3600, "60 min", "1 h 00"),
        (3900, "65 min", "1 h 05"),
    ],
)
def test_ages_are_worded_at_their_boundaries(seconds, quiet, short):
    assert format_quiet(seconds) == quiet
    assert format_age_short(seconds) == short


def test_a_stale_value_carries_its_age_and_a_fresh_one_none():
    vitals = SeatVitals(1)
    vitals.add_reading(Reading(1, "SpO2", T0, 97.0))

    def spo2(now):
        return tile_readout(vitals, now, stale_after_s=10, nibp_interval_s=300).numerics[1]

    assert (spo2(T0 + 10).stale, spo2(T0 + 10).age) == (False, "")  # at the limit: fresh
    assert (spo2(T0 + 10.5).stale, spo2(T0 + 10.5).age) == (True, "10 s")
    assert spo2(T0 + 40).age == "40 s" and spo2(T0 + 180).age == "3 min"


def test_a_hand_bp_is_marked_with_the_pencil_in_long_and_short_words():
    vitals = SeatVitals(1)
    vitals.add_reading(Reading(1, "SBP", T0, 150.0, "hand:RN Kim"))
    vitals.add_reading(Reading(1, "DBP", T0, 95.0, "hand:RN Kim"))
    r = tile_readout(vitals, T0 + 240, stale_after_s=10, nibp_interval_s=300)
    assert (r.bp_text, r.bp_age, r.bp_age_short) == ("150/95", "✎ RN Kim · 4 min ago", "✎ 4 min")
    vitals.add_reading(Reading(1, "SBP", T0 + 250, 130.0, "monitor"))
    vitals.add_reading(Reading(1, "DBP", T0 + 250, 80.0, "monitor"))
    r = tile_readout(vitals, T0 + 250, stale_after_s=10, nibp_interval_s=300)
    assert (r.bp_age, r.bp_age_short) == ("just now", "now")
