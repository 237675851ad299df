"""Clinic settings from TOML: defaults, overrides, and refusals that name the key and range."""

from __future__ import annotations

import dataclasses

import pytest

from groupkap.errors import ConfigError
from groupkap.settings import Settings, load_settings, settings_from_dict


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch, tmp_path):
    """Keep the machine's own settings file and GROUPKAP_CONFIG out of these tests."""
    monkeypatch.delenv("GROUPKAP_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


def write(tmp_path, text: str):
    path = tmp_path / "groupkap.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file():
    assert load_settings() == Settings()
    s = Settings()
    assert (
        s.stale_after_s,
        s.frame_rate_hz,
        s.trend_minutes,
        s.pleth_seconds,
        s.nibp_interval_s,
        s.vitals_commit_s,
    ) == (10.0, 25.0, 30.0, 10.0, 300.0, 0.5)


def test_the_default_file_in_the_user_config_folder_is_read(tmp_path):
    folder = tmp_path / "xdg-config" / "groupkap"
    folder.mkdir(parents=True)
    (folder / "groupkap.toml").write_text("[display]\nframe_rate_hz = 12\n", encoding="utf-8")
    assert load_settings().frame_rate_hz == 12.0


def test_a_file_overrides_only_what_it_names(tmp_path):
    path = write(
        tmp_path,
        """
        [display]
        stale_after_s = 20
        trend_minutes = 45.5

        [simulator]
        nibp_interval_s = 600

        [storage]
        vitals_commit_s = 0.25
    """,
    )
    s = load_settings(path)
    assert s == dataclasses.replace(
        Settings(),
        stale_after_s=20.0,
        trend_minutes=45.5,
        nibp_interval_s=600.0,
        vitals_commit_s=0.25,
    )
    assert isinstance(s.stale_after_s, float)


def test_groupkap_config_names_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, "[display]\npleth_seconds = 5\n")
    monkeypatch.setenv("GROUPKAP_CONFIG", str(path))
    assert load_settings().pleth_seconds == 5.0


def test_range_limits_are_inclusive(tmp_path):
    s = load_settings(write(tmp_path, "[display]\nframe_rate_hz = 30\nstale_after_s = 2\n"))
    assert (s.frame_rate_hz, s.stale_after_s) == (30.0, 2.0)


@pytest.mark.parametrize(
    "text, key, range_text",
    [
        ("[display]\nframe_rate_hz = 60\n", "display.frame_rate_hz", "use 1 to 30"),
        ("[display]\nstale_after_s = 1\n", "display.stale_after_s", "use 2 to 120"),
        ("[simulator]\nnibp_interval_s = 30\n", "simulator.nibp_interval_s", "use 60 to 1800"),
        ("[storage]\nvitals_commit_s = 2.0\n", "storage.vitals_commit_s", "use 0.05 to 1"),
        ("[display]\ntrend_minutes = nan\n", "display.trend_minutes", "use 5 to 60"),
        ("[display]\ntrend_minutes = inf\n", "display.trend_minutes", "use 5 to 60"),
    ],
)
def test_out_of_range_values_name_the_key_and_range(tmp_path, text, key, range_text):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert key in message and range_text in message and str(path) in message


@pytest.mark.parametrize("value", ['"fast"', "true", "[10]", "{ a = 1 }"])
def test_non_numbers_are_refused_with_the_key_and_range(tmp_path, value):
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, f"[display]\nstale_after_s = {value}\n"))
    assert "display.stale_after_s" in str(info.value)
    assert "must be a number; use 2 to 120" in str(info.value)


def test_an_unknown_key_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown setting display\.brightness"):
        load_settings(write(tmp_path, "[display]\nbrightness = 3\n"))


def test_a_key_in_the_wrong_section_is_unknown(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown setting storage\.frame_rate_hz"):
        load_settings(write(tmp_path, "[storage]\nframe_rate_hz = 10\n"))


def test_an_unknown_section_is_named_with_the_known_ones(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, "[sound]\nvolume = 3\n"))
    message = str(info.value)
    assert "unknown section [sound]" in message
    known = "alarms, clinic, course, display, hl7, music, protocol, security, simulator, storage"
    assert known in message


def test_alarm_timings_and_device_come_from_the_alarms_section(tmp_path):
    settings = load_settings(
        write(tmp_path, '[alarms]\naudio_pause_s = 300\nfacilitator_device = "headset"\n')
    )
    assert settings.alarms.audio_pause_s == 300
    assert settings.facilitator_device == "headset"
    with pytest.raises(ConfigError, match=r"alarms.audio_pause_s = 30 is out of range"):
        load_settings(write(tmp_path, "[alarms]\naudio_pause_s = 30\n"))
    with pytest.raises(ConfigError, match="unknown setting alarms.hr_high"):
        load_settings(write(tmp_path, "[alarms]\nhr_high = 120\n"))


def test_a_top_level_key_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="unknown section"):
        load_settings(write(tmp_path, "frame_rate_hz = 10\n"))


def test_one_bad_value_means_nothing_from_the_file_is_used():
    with pytest.raises(ConfigError):
        settings_from_dict({"display": {"frame_rate_hz": 10, "stale_after_s": 500}})


def test_a_missing_explicit_file_is_refused(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="does not exist") as info:
        load_settings(missing)
    assert str(missing) in str(info.value)


def test_a_missing_file_named_by_groupkap_config_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("GROUPKAP_CONFIG", str(tmp_path / "gone.toml"))
    with pytest.raises(ConfigError, match="gone.toml does not exist"):
        load_settings()


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    path = write(tmp_path, "[display\nframe_rate_hz = \n")
    with pytest.raises(ConfigError, match="cannot read settings file"):
        load_settings(path)


def test_seat_devices_and_the_room_device_come_from_the_music_section(tmp_path):
    settings = load_settings(
        write(
            tmp_path,
            '[music]\nseat1 = "hp-1"\nseat10 = "hp-10"\nroom_device = "room"\nvolume_cap = 70\n',
        )
    )
    assert settings.seat_devices == {1: "hp-1", 10: "hp-10"}
    assert (settings.room_device, settings.music_volume_cap) == ("room", 70)
    with pytest.raises(ConfigError, match="music.seat11"):
        load_settings(write(tmp_path, '[music]\nseat11 = "x"\n'))


@pytest.mark.parametrize(("value", "ok"), [(60, True), (3600, True), (59, False), (3601, False)])
def test_the_anchor_interval_is_a_storage_setting(tmp_path, value, ok):
    path = tmp_path / "groupkap.toml"
    path.write_text(f"[storage]\nanchor_every_s = {value}\n", encoding="utf-8")
    if ok:
        assert load_settings(path).anchor_every_s == value
    else:
        with pytest.raises(ConfigError, match="storage.anchor_every_s"):
            load_settings(path)
