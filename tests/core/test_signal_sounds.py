"""The chime, the alarm bursts and the test tone are never music: a library scan does not offer
them and a playlist that names one leaves it out, whatever folder they sit in."""

from __future__ import annotations

import shutil

import pytest

from groupkap.alarms.burst_files import ensure_bursts
from groupkap.demo.music_library import CHIME_TITLE, PIECES, chime_path, ensure_demo_library
from groupkap.errors import BadInputError
from groupkap.music.library import is_signal_sound, read_track, scan
from groupkap.music.playlist_files import read_m3u


@pytest.fixture
def signal_files(tmp_path, monkeypatch) -> list:
    """Every signal sound GroupKAP writes, written by the modules that write them."""
    import groupkap.audio.test_tone as test_tone

    monkeypatch.setattr(test_tone.platformdirs, "user_cache_dir", lambda *a, **k: str(tmp_path))
    return [
        chime_path(tmp_path / "demo"),
        *ensure_bursts(tmp_path / "alarm-sounds").values(),
        test_tone.test_tone_file(),
    ]


def test_every_signal_sound_groupkap_writes_is_recognised(signal_files):
    assert len(signal_files) == 5
    for path in signal_files:
        assert path.is_file() and is_signal_sound(path), path.name
        assert is_signal_sound(path.with_name(path.name.upper()))
    assert not any(is_signal_sound(p.file_name) for p in PIECES)
    assert not is_signal_sound("Tibetan bowl chime.wav")  # a clinic's own piece stays music


def test_a_scan_offers_the_music_and_no_signal_sound_even_in_one_folder(tmp_path, signal_files):
    library = tmp_path / "library"
    ensure_demo_library(library)
    for path in signal_files[1:]:  # the alarms and the tone beside the demo's chime
        shutil.copy(path, library / path.name)
    result = scan(library)
    assert result.problems == ()  # left out quietly: they are expected next to the music
    assert sorted(t.title for t in result.tracks) == sorted(p.title for p in PIECES)
    assert CHIME_TITLE not in {t.title for t in result.tracks}


def test_a_playlist_that_names_the_chime_leaves_it_out_and_says_why(tmp_path, signal_files):
    library = tmp_path / "demo"
    piece = library / PIECES[0].file_name
    listed = tmp_path / "mine.m3u8"
    listed.write_text(f"#EXTM3U\n{piece}\n{signal_files[0]}\n{signal_files[1]}\n", "utf-8")
    loaded = read_m3u(listed)
    assert [t.title for t in loaded.playlist.tracks] == [PIECES[0].title]
    assert [why for _, why in loaded.left_out] == [
        "a signal sound (chime, alarm or test tone), never music"
    ] * 2
    with pytest.raises(BadInputError, match="never music"):
        read_track(signal_files[0])
