"""The seat → headphones mapping is remembered in the settings file, other sections kept."""

from __future__ import annotations

import pytest

from groupkap.errors import ConfigError
from groupkap.music.devices import save_seat_devices
from groupkap.settings import load_settings


def test_the_mapping_round_trips_and_other_settings_stay(tmp_path):
    path = tmp_path / "groupkap.toml"
    path.write_text('[display]\nstale_after_s = 12\n\n[music]\nseat9 = "old"\nvolume_cap = 70\n')
    save_seat_devices(path, {1: "hp-1", 2: "hp-2", 3: ""}, "room-speakers")
    settings = load_settings(path)
    assert settings.seat_devices == {1: "hp-1", 2: "hp-2"}
    assert settings.room_device == "room-speakers"
    assert settings.stale_after_s == 12 and settings.music_volume_cap == 70


def test_a_mapping_the_program_would_refuse_is_not_written(tmp_path):
    path = tmp_path / "groupkap.toml"
    path.write_text("[display]\nstale_after_s = 12\n")
    with pytest.raises(ConfigError):
        save_seat_devices(path, {11: "hp-11"}, "")
    assert path.read_text() == "[display]\nstale_after_s = 12\n"
