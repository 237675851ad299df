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


CLINIC_FILE = """\
# GroupKAP settings for the Harbour Street clinic (ask Dr Reyes before changing)
[display]
stale_after_s = 12   # the monitors drop out for a few seconds when a cuff inflates

[music]
# seat 4 is by the window: the long headphone cable
seat4 = "old-hp-4"   # replaced in March
seat9 = "gone"
volume_cap = 70

[clinic]
name = "Harbour Street"
"""


def test_the_clinics_comments_and_other_sections_survive_a_save(tmp_path):
    path = tmp_path / "groupkap.toml"
    path.write_text(CLINIC_FILE)
    save_seat_devices(path, {4: "hp-4", 5: "hp-5"}, "room-speakers")
    text = path.read_text()
    before_music, _, rest = CLINIC_FILE.partition("[music]\n")
    assert text.startswith(before_music + "[music]\n# seat 4 is by the window")
    assert 'seat4 = "hp-4"   # replaced in March\n' in text
    assert "gone" not in text
    assert text.endswith('\n[clinic]\nname = "Harbour Street"\n')
    settings = load_settings(path)
    assert settings.seat_devices == {4: "hp-4", 5: "hp-5"}
    assert (settings.room_device, settings.music_volume_cap) == ("room-speakers", 70)


def test_saving_the_same_mapping_changes_no_byte(tmp_path):
    path = tmp_path / "groupkap.toml"
    path.write_text(CLINIC_FILE)
    save_seat_devices(path, {4: "old-hp-4", 9: "gone"}, "")
    assert path.read_text() == CLINIC_FILE


def test_a_new_music_section_is_added_after_the_others(tmp_path):
    path = tmp_path / "groupkap.toml"
    path.write_text("# just the display\n[display]\nstale_after_s = 12")  # no final newline
    save_seat_devices(path, {1: "hp-1"}, "")
    assert path.read_text() == (
        '# just the display\n[display]\nstale_after_s = 12\n\n[music]\nseat1 = "hp-1"\n'
    )


def test_a_file_that_cannot_be_written_is_a_config_error_and_leaves_no_temporary(
    tmp_path, monkeypatch
):
    path = tmp_path / "groupkap.toml"
    path.write_text(CLINIC_FILE)

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("groupkap.files.os.replace", refuse)
    with pytest.raises(ConfigError, match="cannot save the seat devices .*Permission denied"):
        save_seat_devices(path, {1: "hp-1"}, "")
    assert path.read_text() == CLINIC_FILE
    assert [p.name for p in tmp_path.iterdir()] == ["groupkap.toml"]
