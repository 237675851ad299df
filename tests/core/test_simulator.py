"""The simulator: deterministic, chunk-invariant, plausible, and each scenario does its job."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from groupkap.errors import BadInputError
from groupkap.params import PLETH_RATE_HZ
from groupkap.readings import Reading, WaveformBlock
from groupkap.sources.simulator import SCENARIOS, Simulator

START = 1_700_000_000.0
MINUTE = 60.0


def values(readings: list[Reading], seat: int, param: str) -> list[float]:
    return [r.value for r in readings if r.seat == seat and r.param == param]


def series(readings: list[Reading], seat: int, param: str) -> list[tuple[float, float]]:
    return [(r.t - START, r.value) for r in readings if r.seat == seat and r.param == param]


def assert_same_blocks(a: list[WaveformBlock], b: list[WaveformBlock]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert (x.seat, x.param, x.t_start, x.rate_hz, x.source) == (
            y.seat,
            y.param,
            y.t_start,
            y.rate_hz,
            y.source,
        )
        assert np.array_equal(x.samples, y.samples)


def run_chunked(sim: Simulator, untils: list[float]):
    readings: list[Reading] = []
    blocks: list[WaveformBlock] = []
    for until in untils:
        r, b = sim.generate(until)
        readings += r
        blocks += b
    return readings, blocks


def test_scenarios_are_described():
    assert set(SCENARIOS) == {
        "calm",
        "ketamine-bp-rise",
        "desaturation",
        "tachycardia",
        "sensor-off",
        "demo",
    }
    assert all(isinstance(text, str) and text for text in SCENARIOS.values())


def test_same_seed_same_output_however_time_is_chunked():
    seats = [1, 2, 3, 4, 5, 6]
    whole = Simulator(seats, START, seed=3).generate(START + 400)
    again = Simulator(seats, START, seed=3).generate(START + 400)
    chunked = run_chunked(
        Simulator(seats, START, seed=3),
        [START + 37, START + 37.9, START + 150.5, START + 151, START + 400],
    )
    for other in (again, chunked):
        assert other[0] == whole[0]
        assert_same_blocks(other[1], whole[1])
    # The demo room covers NIBP, every event and a silenced seat in those 400 s.
    params = Counter(r.param for r in whole[0])
    assert params["SBP"] > 0 and params["HR"] > 0


def test_second_boundaries_follow_start_not_the_call():
    sim = Simulator([1], START + 0.3, seed=1, scenario="calm")
    readings, blocks = sim.generate(START + 0.3 + 99.999)
    assert len(values(readings, 1, "HR")) == 99
    assert blocks[0].t_start == START + 0.3
    assert sim.generate(START + 50) == ([], [])  # going back in time yields nothing
    readings, _ = sim.generate(START + 0.3 + 100)
    assert [r.t for r in readings if r.param == "HR"] == [START + 0.3 + 99]
    assert sim.generated_until == START + 0.3 + 100


def test_different_seeds_differ():
    a = Simulator([1, 2], START, seed=1, scenario="calm").generate(START + 120)
    b = Simulator([1, 2], START, seed=2, scenario="calm").generate(START + 120)
    assert [r.value for r in a[0]] != [r.value for r in b[0]]
    assert not np.array_equal(a[1][0].samples, b[1][0].samples)


def test_calm_half_hour_is_plausible():
    seats = [1, 2, 3, 4]
    sim = Simulator(seats, START, seed=5, scenario="calm")
    readings, blocks = sim.generate(START + 30 * MINUTE)
    assert {r.source for r in readings} == {"sim"}
    for seat in seats:
        hr, spo2, rr = (values(readings, seat, p) for p in ("HR", "SpO2", "RR"))
        assert len(hr) == len(spo2) == len(rr) == 1800
        assert 40 <= min(hr) and max(hr) <= 120
        assert 90 <= min(spo2) and max(spo2) <= 100
        assert 6 <= min(rr) and max(rr) <= 30
        assert all(v == round(v) for v in hr + spo2 + rr)  # monitors show whole numbers
        seat_blocks = [b for b in blocks if b.seat == seat]
        assert len(seat_blocks) == 1800
        assert [b.t_start for b in seat_blocks] == [START + s for s in range(1800)]
        for b in seat_blocks:
            assert b.param == "PLETH" and b.rate_hz == PLETH_RATE_HZ
            assert b.samples.dtype == np.float32 and b.samples.shape == (PLETH_RATE_HZ,)
        pleth = np.concatenate([b.samples for b in seat_blocks])
        assert -0.2 <= pleth.min() and pleth.max() <= 1.2
        assert pleth.max() - pleth.min() > 0.5  # real pulses, not a flat line


def test_pleth_beats_once_per_heartbeat():
    readings, blocks = Simulator([1], START, seed=9, scenario="calm").generate(START + 120)
    pleth = np.concatenate([b.samples for b in blocks])
    # Upstrokes: the signal crossing its mid-level upwards.
    mid = (pleth.max() + pleth.min()) / 2
    upstrokes = np.count_nonzero((pleth[:-1] < mid) & (pleth[1:] >= mid))
    expected = sum(values(readings, 1, "HR")) / 60.0  # beats in 120 s
    assert abs(upstrokes - expected) <= 3
    # Continuous across the one-second blocks: no jump bigger than within a block.
    steps = np.abs(np.diff(pleth))
    at_joins = steps[PLETH_RATE_HZ - 1 :: PLETH_RATE_HZ]
    assert at_joins.max() <= steps.max()
    assert at_joins.max() < 0.2


def test_nibp_cadence_and_triples():
    readings, _ = Simulator(
        [1, 2, 3], START, seed=2, scenario="calm", nibp_interval_s=300
    ).generate(START + 20 * MINUTE)
    for index, seat in enumerate([1, 2, 3]):
        sbp, dbp, mean = (series(readings, seat, p) for p in ("SBP", "DBP", "MAP"))
        first = 15 + 20 * index
        assert [t for t, _ in sbp] == [first, first + 300, first + 600, first + 900]
        assert [t for t, _ in dbp] == [t for t, _ in mean] == [t for t, _ in sbp]
        for (_, s), (_, d), (_, m) in zip(sbp, dbp, mean):
            assert 90 <= s <= 160 and 50 <= d <= 100 and d < s
            assert m == round(d + (s - d) / 3)


def test_default_dose_times_are_staggered():
    sim = Simulator([4, 2, 7], START)
    assert [sim.dose_time(seat) for seat in (4, 2, 7)] == [START + 120, START + 300, START + 480]
    given = Simulator([1, 2], START, dose_times={2: START + 1000.0})
    assert given.dose_time(1) == START + 120 and given.dose_time(2) == START + 1000
    with pytest.raises(BadInputError, match="not being simulated"):
        sim.dose_time(1)


def test_ketamine_bp_rise_peaks_about_40_minutes_after_t0():
    seats = [1, 2, 3, 4]
    t0 = START + 20 * MINUTE  # 20 minutes of pre-dose cuff readings as the baseline
    sim = Simulator(
        seats, START, seed=11, scenario="ketamine-bp-rise", dose_times={seat: t0 for seat in seats}
    )
    readings, _ = sim.generate(t0 + 110 * MINUTE)
    for seat in seats:
        sbp = [(START + t, v) for t, v in series(readings, seat, "SBP")]
        baseline = np.mean([v for t, v in sbp if t < t0])
        peak_t, peak = max(sbp, key=lambda tv: tv[1])
        assert 30 * MINUTE <= peak_t - t0 <= 50 * MINUTE
        assert 15 <= peak - baseline <= 35
        late = [v for t, v in sbp if t >= t0 + 100 * MINUTE]
        assert late and np.mean(late) - baseline < 8  # back near baseline by ~100 min
        dbp = [(START + t, v) for t, v in series(readings, seat, "DBP")]
        dbp_rise = dict(dbp)[peak_t] - np.mean([v for t, v in dbp if t < t0])
        assert 4 <= dbp_rise <= 22  # about half the systolic rise


def test_calm_has_no_ketamine_effect():
    readings, _ = Simulator([1], START, seed=4, scenario="calm", nibp_interval_s=120).generate(
        START + 60 * MINUTE
    )
    sbp = [v for _, v in series(readings, 1, "SBP")]
    assert max(sbp) - min(sbp) < 15


def test_desaturation_falls_and_recovers():
    readings, _ = Simulator([1, 2, 3], START, seed=6, scenario="desaturation").generate(
        START + 10 * MINUTE
    )
    spo2 = series(readings, 1, "SpO2")
    assert all(v >= 94 for t, v in spo2 if t < 150)
    during = [v for t, v in spo2 if 180 <= t < 240]
    assert min(during) <= 88 and min(during) >= 80
    assert all(v >= 94 for t, v in spo2 if t >= 300)
    rr_during = [v for t, v in series(readings, 1, "RR") if 180 <= t < 240]
    assert np.mean(rr_during) <= 10
    for seat in (2, 3):
        assert min(values(readings, seat, "SpO2")) >= 93


def test_tachycardia_climbs_and_returns():
    readings, _ = Simulator([1, 2], START, seed=8, scenario="tachycardia").generate(
        START + 10 * MINUTE
    )
    hr = series(readings, 1, "HR")
    assert max(v for t, v in hr if t < 120) < 100
    assert min(v for t, v in hr if 160 <= t < 290) >= 130
    assert max(v for t, v in hr if t >= 420) < 110
    assert max(values(readings, 2, "HR")) < 110


def test_sensor_off_silences_only_that_seat():
    sim = Simulator([1, 2, 3], START, seed=1, scenario="sensor-off")
    readings, blocks = sim.generate(START + 10 * MINUTE)
    assert max(r.t for r in readings if r.seat == 1) < START + 90
    assert max(b.t_start for b in blocks if b.seat == 1) < START + 90
    assert len(values(readings, 1, "HR")) == 90
    assert len(values(readings, 1, "SBP")) == 1  # the cuff at 15 s, none after
    for seat in (2, 3):
        assert len(values(readings, seat, "HR")) == 600
        assert len([b for b in blocks if b.seat == seat]) == 600
    tuned = Simulator([1, 2], START, scenario="sensor-off", sensor_off_after_s=30)
    assert len(values(tuned.generate(START + 60)[0], 1, "HR")) == 30


def test_demo_room_shows_each_event_on_its_seat():
    seats = [1, 2, 3, 4, 5]
    readings, blocks = Simulator(seats, START, seed=2, scenario="demo").generate(START + 6 * MINUTE)
    sbp = values(readings, 1, "SBP")  # cuffs at 15 s and 315 s; the peak, T0 + 3.5 min, is 330 s
    assert sbp[-1] - sbp[0] >= 15
    assert min(values(readings, 2, "SpO2")) <= 88
    assert max(values(readings, 3, "HR")) >= 130
    assert max(r.t for r in readings if r.seat == 4) < START + 200
    assert len(values(readings, 5, "HR")) == 360
    # With fewer than five seats nobody's sensor comes off.
    small, _ = Simulator([1, 2, 3, 4], START, seed=2, scenario="demo").generate(START + 300)
    assert len(values(small, 4, "HR")) == 300


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scenario": "panic"}, "known scenarios: calm, ketamine-bp-rise"),
        ({"seats": []}, "at least one seat"),
        ({"seats": [1, 2, 1]}, "must not repeat"),
        ({"seats": [0]}, "1..10"),
        ({"seats": [11]}, "1..10"),
        ({"nibp_interval_s": 0}, "NIBP interval"),
        ({"nibp_interval_s": -5}, "NIBP interval"),
        ({"dose_times": {9: START}}, "not in the session"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_input_is_refused(kwargs, message):
    arguments = {"seats": [1, 2, 3], **kwargs}
    with pytest.raises(BadInputError, match=message):
        Simulator(arguments.pop("seats"), START, **arguments)


def test_unknown_scenario_names_every_known_one():
    with pytest.raises(BadInputError) as caught:
        Simulator([1], START, scenario="nope")
    assert all(name in str(caught.value) for name in SCENARIOS)


def test_ten_seats_two_hours():
    seats = list(range(1, 11))
    readings, blocks = Simulator(seats, START, seed=1, scenario="calm").generate(
        START + 2 * 60 * MINUTE
    )
    counts = Counter((r.seat, r.param) for r in readings)
    block_counts = Counter(b.seat for b in blocks)
    for index, seat in enumerate(seats):
        assert counts[seat, "HR"] == counts[seat, "SpO2"] == counts[seat, "RR"] == 7200
        nibp = len(range(15 + 20 * index, 7200, 300))
        assert counts[seat, "SBP"] == counts[seat, "DBP"] == counts[seat, "MAP"] == nibp
        assert block_counts[seat] == 7200


def test_add_seat_mid_session_starts_from_then():
    sim = Simulator([1, 2], START, seed=4, scenario="calm")
    sim.generate(START + 100)
    sim.add_seat(3)
    assert sim.seats == (1, 2, 3)
    assert sim.dose_time(3) == START + 100 + 120
    readings, blocks = sim.generate(START + 200)
    hr = series(readings, 3, "HR")
    assert [t for t, _ in hr] == list(range(100, 200))
    assert min(b.t_start for b in blocks if b.seat == 3) == START + 100
    assert [t for t, _ in series(readings, 3, "SBP")] == [115]
    # Seats already there carry on exactly as if nobody had joined.
    alone = Simulator([1, 2], START, seed=4, scenario="calm")
    expected = alone.generate(START + 200)[0]
    assert [r for r in readings if r.seat != 3] == [r for r in expected if r.t >= START + 100]
    with pytest.raises(BadInputError, match="already"):
        sim.add_seat(3)
    with pytest.raises(BadInputError, match="1..10"):
        sim.add_seat(12)
    sim.add_seat(4, dose_time=START + 150)
    assert sim.dose_time(4) == START + 150


def test_remove_seat_stops_it():
    sim = Simulator([1, 2, 3], START, seed=4, scenario="calm")
    sim.generate(START + 50)
    sim.remove_seat(2)
    readings, blocks = sim.generate(START + 100)
    assert {r.seat for r in readings} == {1, 3} == {b.seat for b in blocks}
    assert sim.seats == (1, 3)
    with pytest.raises(BadInputError, match="not being simulated"):
        sim.remove_seat(2)
