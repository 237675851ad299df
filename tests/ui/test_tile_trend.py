"""The trend: three lanes (HR, SpO2, SBP), each on its own fixed scale with tick labels of
18 px, a line at T0 and faint lines at the participant's alarm limits, moved only when they
change."""

from __future__ import annotations

import numpy as np
import pytest

from groupkap.alarms.limits import default_limits, parse_limits
from groupkap.params import PARAMETERS
from groupkap.readings import Reading
from groupkap.room.model import Participant, Seat
from groupkap.settings import Settings
from ui import theme
from ui.room.plots import TREND_PARAMS, TrendPlot, lane_y
from ui.room.tile import SeatTile


@pytest.fixture
def tile(qtbot):
    t = SeatTile(Seat(1, 0, 0), Settings())
    qtbot.addWidget(t)
    t.bind(Participant("A.B.", 1))
    t.resize(380, 420)
    t.show()
    qtbot.waitExposed(t)
    return t


def test_each_parameter_keeps_to_its_lane_on_its_own_scale():
    assert [TrendPlot.lane(p) for p in TREND_PARAMS] == [2, 1, 0]  # HR on top, as the numerics
    assert TrendPlot.lane("PR") == 2
    hr = PARAMETERS["HR"]
    assert lane_y(2, hr.display_min, "HR") == pytest.approx(2.12)
    assert lane_y(2, hr.display_max, "HR") == pytest.approx(2.88)
    assert lane_y(2, 500.0, "HR") == pytest.approx(2.88)  # off the scale: at the lane's edge
    # 143 /min and 97 % are no longer drawn level: each is read on its own scale.
    assert lane_y(2, 143.0, "HR") > 2 > lane_y(1, 97.0, "SpO2") > 1


def test_curves_are_drawn_in_their_lanes(tile, clock):
    vitals_t = np.arange(0, 600, 5.0) + 1000.0
    for name, value, lane in (("HR", 143.0, 2), ("SpO2", 97.0, 1), ("SBP", 128.0, 0)):
        tile.trend.show(name, vitals_t, np.full(len(vitals_t), value), 1600.0)
        x, y = tile.trend.curves[name].getData()
        assert np.all((lane < y) & (y < lane + 1))
        assert x.min() == pytest.approx(-10.0) and x.max() == pytest.approx(-5 / 60)


def test_tick_labels_are_readable_and_stay_in_their_lane(tile):
    scale = tile.trend.scale
    assert scale.font().pixelSize() >= theme.px(theme.MIN_READABLE_PX)
    band = scale.height() / 3
    ticks = scale.ticks()
    # Each lane is named, not labelled with a bare number that reads like a reading.
    assert [t for t, _, _ in ticks] == list(TREND_PARAMS)
    for text, colour, baseline in ticks:
        lane = next(i for i, p in enumerate(TREND_PARAMS) if colour == theme.PARAM_COLOURS[p])
        assert lane * band + scale.ink <= baseline + 0.5 and baseline <= (lane + 1) * band + 0.5
    tops = sorted(b - scale.ink for _, _, b in ticks)
    assert all(b - a >= scale.ink for a, b in zip(tops, tops[1:]))  # no two overlap


def test_tall_lanes_show_both_ends_of_each_scale(tile):
    tile.resize(640, 900)
    tile.trend.scale.resize(tile.trend.scale.width(), 400)
    texts = [t for t, _, _ in tile.trend.scale.ticks()]
    assert texts == ["180", "HR", "30", "100", "SpO2", "80", "220", "SBP", "60"]


def test_the_t0_line_sits_at_the_dose_and_moves_only_a_pixel_at_a_time(tile):
    trend = tile.trend
    tile.show_trend_marks(None, None, 5000.0)
    assert trend.t0_x() is None and not trend.t0_line.isVisible()
    tile.show_trend_marks(5000.0 - 12 * 60, None, 5000.0)
    assert trend.t0_x() == pytest.approx(-12.0) and trend.t0_line.isVisible()
    assert trend.t0_line.value() == pytest.approx(-12.0)
    tile.show_trend_marks(5000.0 - 12 * 60, None, 5000.5)  # half a second: under a pixel
    assert trend.t0_line.value() == pytest.approx(-12.0)
    tile.show_trend_marks(5000.0 - 12 * 60, None, 5030.0)
    assert trend.t0_line.value() == pytest.approx(-12.5)
    tile.show_trend_marks(5000.0 - 12 * 60, None, 5000.0 + 19 * 60)  # 31 min ago: off the trend
    assert not trend.t0_line.isVisible()


def test_limit_lines_follow_the_participants_limits(tile):
    trend = tile.trend
    limits = default_limits()
    tile.show_trend_marks(None, limits, 0.0)
    spo2 = limits.get("SpO2")
    assert trend.limit_values("SpO2") == pytest.approx(
        sorted(lane_y(1, b.value, "SpO2") for b in (*spo2.medium, *spo2.high))
    )
    assert len(trend.limit_values("HR")) == 3  # < 45, > 120, > 140
    assert len(trend.limit_values("SBP")) == 4  # > 160, < 90, >= 180, extreme >= 200
    lines = list(trend.limit_lines["SpO2"])
    tile.show_trend_marks(None, limits, 10.0)
    assert list(trend.limit_lines["SpO2"]) == lines  # made once, not per redraw

    text = _defaults_text().replace('medium = "< 92"', 'medium = "< 90"')
    tile.show_trend_marks(None, parse_limits(text, "for A.B."), 20.0)
    assert has_line(trend.limit_values("SpO2"), lane_y(1, 90.0, "SpO2"))
    off = _defaults_text().replace("[SpO2]\n", '[SpO2]\noff = true\nreason = "probe off"\n', 1)
    tile.show_trend_marks(None, parse_limits(off, "off"), 30.0)
    assert trend.limit_values("SpO2") == []  # no lines while its alarms are off


def has_line(lines: list[float], y: float) -> bool:
    return any(abs(line - y) < 1e-9 for line in lines)


def _defaults_text() -> str:
    from importlib import resources

    return resources.files("groupkap.alarms").joinpath("default_limits.toml").read_text("utf-8")


def test_the_room_draws_t0_and_each_participants_limits(qtbot, room, clock):
    live, window = room
    pid = live.room.on_seat(1).id
    text = _defaults_text().replace('high = "> 140"', 'high = "> 130"')
    live.alarms.set_limits(parse_limits(text, "for seat 1"), "dr.lee", pid)
    window.grid.draw_frame(all_plots=True)
    hr_lines = window.grid.tiles[1].trend.limit_values("HR")
    assert has_line(hr_lines, lane_y(2, 130.0, "HR"))
    assert not has_line(hr_lines, lane_y(2, 140.0, "HR"))
    assert has_line(window.grid.tiles[2].trend.limit_values("HR"), lane_y(2, 140.0, "HR"))
    assert window.grid.tiles[1].trend.t0_x() is None  # not dosed yet


def test_without_alarms_or_protocol_the_trend_has_no_marks(qtbot, window, room10, clock):
    assert room10.alarms is None and room10.protocol is None
    person = room10.room.on_seat(1)
    room10.vitals[person.id].add_reading(Reading(1, "HR", clock.now(), 70, "test"))
    window.grid.draw_frame(all_plots=True)
    trend = window.grid.tiles[1].trend
    assert trend.limit_values("HR") == [] and trend.t0_x() is None
    assert len(trend.curves["HR"].getData()[0]) == 1
