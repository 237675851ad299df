"""The PDF report's plot arithmetic and wording, at their edges (no Qt, no page drawn)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from groupkap.review.model import CHECK, CIRCLE, DOSE, MUSIC, SESSION, Marker
from ui.review import pdf_text
from ui.review.pdf_axes import (
    PANELS,
    lanes_for,
    panel_for_alarm,
    place_labels,
    runs,
    stack,
    t0_ticks,
    time_ticks,
    value_range,
)

NINE = 1_741_078_800.0  # 2025-03-04 09:00:00 UTC
MIN = 60.0
PANEL = {p.title: p for p in PANELS}


@pytest.mark.parametrize(
    ("key", "panel"),
    [("SpO2", "SpO2"), ("SBP", "BP"), ("MAP", "BP"), ("PR", "HR"), ("RR", "RR"), ("MOAA/S", None),
     ("NO_DATA", None), ("SpO2_low", "SpO2")],
)  # fmt: skip
def test_an_alarm_is_shaded_in_the_panel_of_its_parameter(key, panel):
    assert panel_for_alarm(key) == panel


def test_time_ticks_fall_on_round_local_times():
    ticks = time_ticks(NINE + 7 * MIN, NINE + 150 * MIN, 0)
    assert [round((t - NINE) / MIN) for t in ticks] == [20, 40, 60, 80, 100, 120, 140]
    in_paris = time_ticks(NINE + 7 * MIN, NINE + 150 * MIN, 3600)  # 10:07–12:30 local
    assert [round((t - NINE) / MIN) for t in in_paris] == [20, 40, 60, 80, 100, 120, 140]
    in_delhi = time_ticks(NINE, NINE + 60 * MIN, 5.5 * 3600)  # 14:30–15:30 local
    assert [round((t - NINE) / MIN) for t in in_delhi] == [0, 10, 20, 30, 40, 50, 60]


def test_time_ticks_take_the_finest_step_that_keeps_to_the_limit():
    two_hours = (NINE, NINE + 120 * MIN, 0)
    assert len(time_ticks(*two_hours, most=9)) == 9  # every 15 min, both ends: exactly 9
    assert np.diff(time_ticks(*two_hours, most=8)).tolist() == [20 * MIN] * 6


def test_t0_ticks_run_both_ways_from_the_dose():
    ticks = t0_ticks(NINE, NINE + 90 * MIN, NINE + 25 * MIN, 20 * MIN)
    assert [round((t - NINE) / MIN) for t in ticks] == [5, 25, 45, 65, 85]


def test_a_panel_keeps_its_usual_range_until_a_value_leaves_it():
    spo2 = PANEL["SpO2"]
    assert value_range(spo2, [np.array([85.0, 100.0])]) == (85, 100)
    assert value_range(spo2, [np.array([84.9, 97.0])]) == (80, 100)
    assert value_range(PANEL["BP"], [np.array([120.0]), np.array([181.0, np.nan])]) == (40, 200)
    assert value_range(PANEL["HR"], [np.array([])]) == (40, 140)


def test_labels_that_would_overlap_go_up_a_row_then_are_dropped():
    places = place_labels([0, 5, 8], [10, 10, 10], gap=0, rows=2, rank=[1, 1, 1])
    assert places == [(0, False), (1, False), None]


def test_labels_exactly_a_gap_apart_share_a_row():
    assert place_labels([0, 12], [10, 10], gap=2, rows=1, rank=[0, 0]) == [(0, False), (0, False)]
    assert place_labels([0, 11.9], [10, 10], gap=2, rows=1, rank=[0, 0]) == [(0, False), None]


def test_the_dose_label_wins_over_a_check_just_before_it():
    assert place_labels([0, 4], [10, 10], gap=0, rows=1, rank=[3, 0]) == [None, (0, False)]


def test_a_label_at_the_right_edge_is_set_left_of_its_tick():
    assert place_labels([95], [10], gap=0, rows=1, rank=[0], right=100) == [(0, True)]
    assert place_labels([90], [10], gap=0, rows=1, rank=[0], right=100) == [(0, False)]


def test_overlapping_alarm_bars_stack_and_none_is_dropped():
    assert stack([(0, 10), (5, 20), (10, 12), (6, 7)], rows=2) == [0, 1, 0, 1]


def test_a_curve_is_broken_where_the_monitor_gave_nothing():
    one_hz = np.arange(0.0, 100.0)
    with_gap = np.concatenate([one_hz, one_hz[-1] + 31 + one_hz])
    assert runs(with_gap) == [slice(0, 100), slice(100, 200)]
    just_in = np.concatenate([one_hz, one_hz[-1] + 30 + one_hz])
    assert runs(just_in) == [slice(0, 200)]
    cuff = np.arange(0.0, 3600.0, 300.0)  # every 5 min: spacing, not a gap
    assert runs(cuff) == [slice(0, 12)]


def test_lanes_hold_the_marks_inside_the_session_in_time_order():
    marks = [
        Marker(NINE + 50, "p1", CHECK, "check.recorded", "BP", 3),
        Marker(NINE + 10, "p1", DOSE, "dose.given", "IM 40 mg", 2),
        Marker(NINE - 10, "p1", MUSIC, "music.track_started", "♪ early", 1),
        Marker(NINE, None, SESSION, "session.started", "session starts", 0),
        Marker(NINE + 70, None, CIRCLE, "circle.started", "circle opens", 4),
    ]
    lanes = lanes_for(marks, NINE, NINE + 100)
    assert [(name, [m.label for m in ms]) for name, ms in lanes] == [
        ("Protocol", ["IM 40 mg", "BP"]),
        ("Room", ["circle opens"]),
    ]


@pytest.fixture
def paris(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_read_in_the_clinics_own_zone(paris):
    assert pdf_text.clock(NINE) == "10:00"
    assert pdf_text.day(NINE) == "Tue 2025-03-04"
    assert pdf_text.zone(NINE) == "CET, UTC+01:00"
    assert pdf_text.zone(NINE + 120 * 86400) == "CEST, UTC+02:00"


def test_values_flags_and_doses_as_a_clinician_writes_them():
    assert pdf_text.t0_offset(NINE, None) == ""
    assert pdf_text.t0_offset(NINE - 4 * MIN, NINE) == "T0 \u22124 min"
    assert pdf_text.number(None) == "—" and pdf_text.number(97.0, "%") == "97 %"
    assert pdf_text.number(37.25) == "37" and pdf_text.number(7.5) == "7.5"
    assert pdf_text.dose("IM", 40.0) == "IM 40 mg" and pdf_text.dose(None, None) == "—"
    assert [pdf_text.flag(m) for m in (True, False, None)] == ["✓", "✗", "—"]
    assert pdf_text.short_hash("0123456789abcdef" * 4) == "0123456789abcdef"
    assert pdf_text.duration(None, "active at end") == "active at end"
