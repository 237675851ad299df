"""What falls due next across the room, on the simulated clock, exactly at its thresholds:
the horizon, the due time, the grace before "overdue", and the order (ties by seat).

Defaults from CLINICAL.md via ProtocolConfig: first BP check at T0+40, then every 15 min
(window −5/+15), 3 min grace, 120 min minimum observation, a 15 min horizon.
"""

from __future__ import annotations

import pytest

from groupkap.errors import ConfigError
from groupkap.protocol.config import DEFAULT_SCREENING, ProtocolConfig
from groupkap.protocol.due import DueItem, room_due, when_text
from groupkap.protocol.group import Protocol
from groupkap.readings import Latest
from groupkap.room.model import Room, room_layout
from groupkap.settings import settings_from_dict

MIN = 60.0
HORIZON, GRACE = 15 * MIN, 3 * MIN
READY_ITEMS = {
    "consent_current": True,
    "fasting_confirmed": True,
    "ride_home_name": "Sam Lee",
    "ride_home_phone": "+44 20 7946 0000",
    "intention": "to meet what comes with curiosity",
    "touch_consent": False,
    "music_choice": "silence",
}
MANUAL_OK = dict.fromkeys(
    ("alert_oriented", "steady_gait", "escort_present", "instructions_given"), True
) | {"no_driving_acknowledged": True}


@pytest.fixture
def protocol(clock) -> Protocol:
    return Protocol(clock, lambda kind, data, pid, actor: None)


@pytest.fixture
def room() -> Room:
    return Room(room_layout(6))


def make_ready(protocol, pid, bp=(122, 78)):
    protocol.complete_screening(pid, {r.id: False for r in DEFAULT_SCREENING}, "Dr Reyes")
    protocol.confirm_readiness(pid, READY_ITEMS, "nurse Kim")
    if bp is not None:
        protocol.record_bp(pid, *bp)


def seat_dosed(protocol, room, alias, seat, t0):
    """Seat `alias`, get them ready and give an IM dose with T0 = `t0`."""
    person = room.add(alias, seat)
    make_ready(protocol, person.id)
    protocol.give_dose(
        person.id,
        route="IM",
        dose_mg=56,
        weight_kg=70,
        lot="KT-2291",
        given_by="Dr Okafor",
        t0=t0,
    )
    return person.id


def due(protocol, room, now, horizon=HORIZON, grace=GRACE, spo2=None):
    """(seat, what, when, overdue) of each item, in the strip's order."""
    items = room_due(protocol, room, now, horizon, grace, spo2 or (lambda pid: None))
    return [(i.seat, i.what, i.when, i.overdue) for i in items]


def spo2_at(now, value=97.0):
    return lambda pid: Latest(now, value, "monitor")


# -- the horizon and the grace, exactly ------------------------------------------------------
def test_a_check_exactly_at_the_horizon_is_listed_and_one_second_further_is_not(protocol, room, t0):
    seat_dosed(protocol, room, "R.K.", 2, t0)
    assert due(protocol, room, t0 + 25 * MIN - 1) == []
    assert due(protocol, room, t0 + 25 * MIN) == [(2, "BP +40 min", "in 15 min", False)]


def test_a_check_exactly_at_its_due_time_is_due_now_and_not_overdue(protocol, room, t0):
    seat_dosed(protocol, room, "R.K.", 2, t0)
    assert due(protocol, room, t0 + 40 * MIN - 30) == [(2, "BP +40 min", "in 1 min", False)]
    assert due(protocol, room, t0 + 40 * MIN) == [
        (2, "BP +40 min", "due now", False),
        (2, "BP +55 min", "in 15 min", False),
    ]


def test_a_check_becomes_overdue_one_second_past_the_grace(protocol, room, t0):
    seat_dosed(protocol, room, "R.K.", 2, t0)
    at_grace = due(protocol, room, t0 + 43 * MIN)
    assert at_grace[0] == (2, "BP +40 min", "due 3 min ago", False)
    past = due(protocol, room, t0 + 43 * MIN + 1)
    assert past[0] == (2, "BP +40 min", "3 min overdue", True)
    assert past[1] == (2, "BP +55 min", "in 12 min", False)
    # the grace is the clinic's: with none, one second late is overdue
    assert due(protocol, room, t0 + 40 * MIN + 1, grace=0)[0][2:] == ("overdue", True)


def test_when_reads_like_the_tile():
    assert when_text(1000.0, 1000.0 - 61, GRACE) == "in 2 min"
    assert when_text(1000.0, 1000.0 - 60, GRACE) == "in 1 min"
    assert when_text(1000.0, 1000.0 + 59, GRACE) == "due now"
    assert when_text(1000.0, 1000.0 + 60, GRACE) == "due 1 min ago"
    assert when_text(1000.0, 1000.0 + 11 * MIN, GRACE) == "11 min overdue"


# -- the whole grid, not just the next check -------------------------------------------------
def test_every_check_on_the_grid_inside_the_horizon_is_listed(protocol, room, t0):
    seat_dosed(protocol, room, "R.K.", 2, t0)
    assert [w for _, w, _, _ in due(protocol, room, t0 + 30 * MIN, horizon=55 * MIN)] == [
        "BP +40 min",
        "BP +55 min",
        "BP +70 min",
        "BP +85 min",
    ]


def test_a_missed_check_leaves_the_list_when_its_window_closes(protocol, room, t0):
    seat_dosed(protocol, room, "R.K.", 2, t0)
    assert due(protocol, room, t0 + 55 * MIN)[0] == (2, "BP +40 min", "15 min overdue", True)
    assert due(protocol, room, t0 + 55 * MIN + 1)[0] == (2, "BP +55 min", "due now", False)


def test_a_check_back_near_baseline_leaves_only_the_check_before_discharge(
    protocol, room, t0, clock
):
    pid = seat_dosed(protocol, room, "R.K.", 2, t0)
    clock.advance(40 * MIN)
    protocol.record_bp(pid, 124, 80)  # within 10 mmHg of 122/78: the grid ends here
    assert due(protocol, room, t0 + 41 * MIN, horizon=60 * MIN) == []
    spo2 = spo2_at(t0 + 105 * MIN)
    assert due(protocol, room, t0 + 105 * MIN, spo2=spo2) == [
        (2, "observation ends · needs BP check, MOAA/S 5, CADSS", "in 15 min", False),
    ]
    # once the observation has ended, the check before discharge stands on its own
    assert due(protocol, room, t0 + 120 * MIN + 1, spo2=spo2) == [
        (2, "BP before discharge", "due now", False),
    ]


# -- the end of observation and discharge ----------------------------------------------------
def test_the_observation_end_names_what_discharge_still_needs(protocol, room, t0, clock):
    pid = seat_dosed(protocol, room, "R.K.", 2, t0)
    clock.advance(40 * MIN)
    protocol.record_bp(pid, 150, 95)  # well above baseline: not near
    items = due(protocol, room, t0 + 110 * MIN)  # no SpO2 at all yet
    assert (
        2,
        "observation ends · needs BP near baseline, SpO2, MOAA/S 5, CADSS",
        "in 10 min",
        False,
    ) in items
    # the minute after the minimum, observation has ended: it is no longer "due"
    assert not any("observation" in w for _, w, _, _ in due(protocol, room, t0 + 120 * MIN + 1))
    assert any("observation" in w for _, w, _, _ in due(protocol, room, t0 + 120 * MIN))


def test_discharge_is_listed_at_the_earliest_minute_then_as_ready_now(protocol, room, t0, clock):
    pid = seat_dosed(protocol, room, "R.K.", 2, t0)
    clock.advance(40 * MIN)
    protocol.record_bp(pid, 124, 80)
    clock.advance(60 * MIN)
    protocol.record_moaas(pid, 5, "nurse Kim")
    protocol.record_cadss(pid, 2, "nurse Kim")
    now = t0 + 106 * MIN
    assert due(protocol, room, now, spo2=spo2_at(now)) == [
        (2, "ready for discharge · needs BP check", "in 14 min", False),
    ]
    clock.advance(16 * MIN)  # T0+116: inside the window of the check before discharge
    protocol.record_bp(pid, 120, 78)
    now = t0 + 120 * MIN
    assert due(protocol, room, now, spo2=spo2_at(now)) == [(2, "ready for discharge", "now", False)]
    # a SpO2 older than 5 min: not ready now; at the minute the minimum ends that is still
    # the earliest minute, after it nothing is scheduled (the tile says what is open)
    stale = spo2_at(now - 6 * MIN)
    assert due(protocol, room, now, spo2=stale) == [(2, "ready for discharge", "due now", False)]
    assert due(protocol, room, now + 1, spo2=stale) == []


def test_a_discharged_participant_contributes_nothing(protocol, room, t0, clock):
    pid = seat_dosed(protocol, room, "R.K.", 2, t0)
    clock.advance(40 * MIN)
    protocol.record_bp(pid, 124, 80)
    clock.advance(60 * MIN)
    protocol.record_moaas(pid, 5, "nurse Kim")
    protocol.record_cadss(pid, 2, "nurse Kim")
    clock.advance(18 * MIN)
    protocol.record_bp(pid, 120, 78)
    clock.advance(2 * MIN)
    now = clock.now()
    protocol.sign_discharge(pid, "Dr Reyes", MANUAL_OK, Latest(now, 97.0, "monitor"))
    protocol.record_scale(pid, "PHQ-9", [0] * 8 + [1], "Dr Reyes")
    assert due(protocol, room, now, horizon=60 * MIN, spo2=spo2_at(now)) == []


# -- before the dose, flags, purity ----------------------------------------------------------
def test_a_ready_participant_without_a_pre_dose_bp_needs_one_before_the_dose(protocol, room, t0):
    person = room.add("J.M.", 4)
    make_ready(protocol, person.id, bp=None)
    assert due(protocol, room, t0) == [(4, "pre-dose BP", "before the dose", False)]
    protocol.record_bp(person.id, 122, 78)
    assert due(protocol, room, t0) == []


def test_a_phq9_item_9_flag_comes_first_like_the_tile_shows_it(protocol, room, t0):
    late = seat_dosed(protocol, room, "A.B.", 1, t0 - 50 * MIN)  # +40 check 10 min late
    flagged = room.add("J.M.", 5)
    make_ready(protocol, flagged.id)
    protocol.record_scale(flagged.id, "PHQ-9", [0] * 8 + [1], "Dr Reyes")
    items = room_due(protocol, room, t0, HORIZON, GRACE)
    assert [(i.seat, i.what, i.when, i.overdue) for i in items] == [
        (5, "⚑ PHQ-9 item 9 positive", "flag", True),
        (1, "BP +40 min", "10 min overdue", True),
        (1, "BP +55 min", "in 5 min", False),
    ]
    assert items[1].pid == late and items[1].text == "1 · A.B. · BP +40 min · 10 min overdue"


def test_reading_the_room_changes_nothing(protocol, room, t0):
    room.add("J.M.", 4)  # seated, but the protocol has not met them yet
    assert due(protocol, room, t0) == []
    assert protocol.participants == {}


# -- order -----------------------------------------------------------------------------------
def test_overdue_first_most_overdue_on_top_then_soonest_with_ties_by_seat(protocol, room, t0):
    seat_dosed(protocol, room, "C.", 5, t0 - 35 * MIN)  # +40 due in 5 min
    seat_dosed(protocol, room, "D.", 3, t0 - 38 * MIN)  # +40 due in 2 min
    seat_dosed(protocol, room, "B.", 6, t0 - 45 * MIN)  # +40 due 5 min ago: overdue
    seat_dosed(protocol, room, "A.", 1, t0 - 50 * MIN)  # +40 due 10 min ago: overdue
    seat_dosed(protocol, room, "E.", 2, t0 - 38 * MIN)  # same time as seat 3: seat 2 first
    items = room_due(protocol, room, t0, 10 * MIN, GRACE)
    assert [(i.seat, i.when) for i in items] == [
        (1, "10 min overdue"),
        (6, "5 min overdue"),
        (2, "in 2 min"),
        (3, "in 2 min"),
        (1, "in 5 min"),
        (5, "in 5 min"),
        (6, "in 10 min"),
    ]
    assert all(isinstance(i, DueItem) for i in items)


# -- the setting -----------------------------------------------------------------------------
def test_the_horizon_is_a_protocol_setting_with_a_range():
    assert ProtocolConfig().due_horizon_min == 15
    settings = settings_from_dict({"protocol": {"due_horizon_min": 30}})
    assert settings.protocol.due_horizon_min == 30
    for bad in (4, 61):
        with pytest.raises(ConfigError, match="due_horizon_min"):
            settings_from_dict({"protocol": {"due_horizon_min": bad}})
