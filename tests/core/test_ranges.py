"""One range check and one wording for every numeric setting: display, alarms and protocol."""

from __future__ import annotations

import pytest

from groupkap.alarms.model import AlarmConfig
from groupkap.errors import ConfigError
from groupkap.protocol.config import ProtocolConfig
from groupkap.ranges import check_range
from groupkap.settings import load_settings


def test_a_number_inside_the_range_comes_back_as_a_float():
    assert check_range("display.frame_rate_hz", 30, 1, 30) == 30.0
    assert isinstance(check_range("x", 1, 1, 30), float)


@pytest.mark.parametrize(
    "value, shown",
    [
        (31, "31"),
        (30.5, "30.5"),
        (0.0, "0"),
        (30.000001, "30.000001"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
    ],
)
def test_out_of_range_names_the_value_and_the_range(value, shown):
    with pytest.raises(ConfigError) as info:
        check_range("display.frame_rate_hz", value, 1, 30, "Hz")
    assert str(info.value) == (f"display.frame_rate_hz = {shown} is out of range; use 1 to 30 Hz")


@pytest.mark.parametrize("value", [True, "25", None, [25]])
def test_bools_and_non_numbers_are_refused(value):
    with pytest.raises(ConfigError) as info:
        check_range("storage.vitals_commit_s", value, 0.05, 1)
    assert str(info.value) == (
        f"storage.vitals_commit_s = {value!r} must be a number; use 0.05 to 1"
    )


@pytest.mark.parametrize(
    "section, line, message",
    [
        (
            "display",
            "frame_rate_hz = 60",
            "display.frame_rate_hz = 60 is out of range; use 1 to 30",
        ),
        (
            "alarms",
            "audio_pause_s = 30",
            "alarms.audio_pause_s = 30 is out of range; use 60 to 600 seconds",
        ),
        (
            "alarms",
            'audio_pause_s = "2 min"',
            "alarms.audio_pause_s = '2 min' must be a number; use 60 to 600 seconds",
        ),
        (
            "protocol",
            "first_check_min = 5",
            "protocol.first_check_min = 5 is out of range; use 10 to 90",
        ),
        (
            "protocol",
            "moaas_alarm_floor = true",
            "protocol.moaas_alarm_floor = True must be a number; use 0 to 4",
        ),
    ],
)
def test_every_section_words_it_the_same_way(tmp_path, section, line, message):
    path = tmp_path / "groupkap.toml"
    path.write_text(f"[{section}]\n{line}\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == f"{path}: {message}"


def test_alarm_timings_from_a_file_are_floats_and_protocol_figures_keep_their_type():
    assert AlarmConfig(audio_pause_s=300).audio_pause_s == 300.0
    assert isinstance(AlarmConfig(audio_pause_s=300).audio_pause_s, float)
    assert ProtocolConfig(moaas_alarm_floor=3).moaas_alarm_floor == 3


def test_the_esketamine_floor_is_explained_after_the_range():
    with pytest.raises(ConfigError) as info:
        ProtocolConfig(min_observation_by_route={"IN": 119})
    assert str(info.value).startswith(
        "protocol.min_observation_IN = 119 is out of range; "
        "use 120 to 480; intranasal esketamine needs at least "
        "120 min"
    )
    with pytest.raises(
        ConfigError, match="min_observation_IM = 20 is out of range; use 30 to 480$"
    ):
        ProtocolConfig(min_observation_by_route={"IM": 20})
