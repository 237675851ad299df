"""Music faults stay in their seat (issue 11, item 6), on real files: Ogg Vorbis `.oga`, cut
files, a 300-character entry, a non-UTF-8 list beside good ones; the room plays on."""

from __future__ import annotations

import os
import shutil
import subprocess
import wave
from contextlib import closing
from pathlib import Path

import pytest

from groupkap.demo.music_library import demo_playlists, ensure_demo_library
from groupkap.errors import BadInputError
from groupkap.music.library import read_track, scan
from groupkap.music.playlist_files import load_m3u, read_m3u
from groupkap.music.room_music import build_room_music, read_clinic_playlists
from groupkap.options import RunOptions
from groupkap.session_start import open_live_session

MIN = 60.0
SOX = shutil.which("sox")  # scripts/setup.sh installs it (DEB_PACKAGES)


def sox(*args: str | Path) -> None:
    assert SOX, "sox is missing: run scripts/setup.sh (it installs sox and libsox-fmt-all)"
    subprocess.run([SOX, *map(str, args)], check=True, capture_output=True)


def make_wav(path: Path, seconds: float) -> Path:
    """A real 8 kHz WAV of silence, `seconds` long (its title is its file name)."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(2 * int(seconds * 8000)))
    return path


def vorbis(path: Path, seconds: float = 2.0) -> Path:
    """A real Ogg Vorbis file, a quiet tone, whatever the file's extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sox("-n", "-r", "8000", "-c", "1", "-t", "vorbis", path, "synth", seconds, "sine", 220)
    return path


def cut(path: Path, keep: float, to: Path | None = None) -> Path:
    """A copy of `path` with only the first `keep` fraction of its bytes (a broken copy)."""
    data = path.read_bytes()
    to = to or path.with_name(f"cut {path.name}")
    to.write_bytes(data[: int(len(data) * keep)])
    return to


# -- files ------------------------------------------------------------------------------


def test_ogg_vorbis_oga_and_ogg_are_read_scanned_and_kept_in_playlists(tmp_path):
    oga = vorbis(tmp_path / "music" / "bell.oga", 2.0)
    ogg = vorbis(tmp_path / "music" / "wind.ogg", 3.0)
    track = read_track(oga)
    assert track.duration_s == pytest.approx(2.0, abs=0.05) and track.title == "bell"
    result = scan(tmp_path / "music")
    assert [t.path.name for t in result.tracks] == ["bell.oga", "wind.ogg"]
    assert result.problems == ()
    playlist = tmp_path / "lists" / "calm.m3u8"
    playlist.parent.mkdir()
    playlist.write_text(f"#EXTM3U\n../music/bell.oga\n{ogg}\n", encoding="utf-8")
    loaded = read_m3u(playlist)
    assert [t.path.name for t in loaded.playlist.tracks] == ["bell.oga", "wind.ogg"]
    assert loaded.left_out == ()


def test_a_truncated_wav_is_refused_with_the_length_it_really_holds(tmp_path):
    whole = make_wav(tmp_path / "Slow Tide.wav", seconds=52.0)
    broken = cut(whole, 0.1)
    assert read_track(whole).duration_s == pytest.approx(52.0)
    with pytest.raises(BadInputError, match=r"truncated: its header says 52\.0 s .* only 5\.\d s"):
        read_track(broken)
    result = scan(tmp_path)
    assert [t.path.name for t in result.tracks] == ["Slow Tide.wav"]
    assert len(result.problems) == 1 and "cut Slow Tide.wav: truncated" in result.problems[0]


def test_a_truncated_flac_is_found_from_its_frames_not_its_header(tmp_path):
    whole = tmp_path / "long.flac"
    sox("-n", "-r", "44100", "-c", "2", whole, "synth", 20, "pinknoise", "vol", 0.3)
    assert read_track(whole).duration_s == pytest.approx(20.0)
    with pytest.raises(BadInputError, match=r"header says 20\.0 s but the file holds only \d\.\d"):
        read_track(cut(whole, 0.3))


def test_a_truncated_ogg_plays_for_what_is_there(tmp_path):
    # Ogg's length is the last page present, which is what a decoder would play.
    whole = vorbis(tmp_path / "whole.oga", 20.0)
    short = read_track(cut(whole, 0.5))
    assert 2.0 < short.duration_s < 15.0


# -- playlists --------------------------------------------------------------------------


def test_an_entry_path_of_300_characters_is_left_out_by_name_and_the_rest_loads(tmp_path):
    make_wav(tmp_path / "Here.wav", 1.0)
    long_entry = "x" * 296 + ".wav"
    path = tmp_path / "list.m3u8"
    path.write_text(f"#EXTM3U\n{long_entry}\nHere.wav\n", encoding="utf-8")
    loaded = read_m3u(path)
    assert [t.title for t in loaded.playlist.tracks] == ["Here"]
    ((entry, why),) = loaded.left_out
    assert entry == long_entry and "File name too long" in why
    assert load_m3u(path)[1] == [long_entry]


def test_lists_that_cannot_be_read_are_refused_in_one_clear_line(tmp_path):
    latin = tmp_path / "Café.m3u8"
    latin.write_bytes("#EXTM3U\n#PLAYLIST:Café\nhere.wav\n".encode("latin-1"))
    with pytest.raises(BadInputError, match=r"Café.m3u8 is not UTF-8 text .*save it again"):
        read_m3u(latin)
    binary = tmp_path / "photo.m3u"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(BadInputError, match="not text"):
        read_m3u(binary)
    fifo = tmp_path / "pipe.m3u8"
    os.mkfifo(fifo)
    with pytest.raises(BadInputError, match="not a regular file"):
        read_m3u(fifo)  # never opened: reading a FIFO would hang


def make_lists(folder: Path, library: Path) -> None:
    """The clinic's saved lists: `peak` good, `calm` with a 300-character entry and a cut
    piece, `return` not UTF-8, `rising` only pieces that cannot be played."""
    folder.mkdir(parents=True)
    pieces = sorted(library.glob("*.wav"))
    broken = cut(pieces[0], 0.2, to=folder / "broken copy.wav")
    (folder / "peak.m3u8").write_text(f"#EXTM3U\n{pieces[1]}\n{pieces[2]}\n", encoding="utf-8")
    (folder / "calm.m3u8").write_text(
        f"#EXTM3U\n{'y' * 296}.wav\n{pieces[3]}\n{broken.name}\n", encoding="utf-8"
    )
    (folder / "return.m3u8").write_bytes(f"#EXTM3U\n{pieces[4]}\n# Ruhe \xe4\n".encode("latin-1"))
    (folder / "rising.m3u8").write_text("#EXTM3U\ngone.wav\n", encoding="utf-8")


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "library"
    ensure_demo_library(folder)
    return folder


def test_a_bad_saved_list_leaves_out_only_itself_and_is_named(tmp_path, library):
    make_lists(tmp_path / "lists", library)
    lists, problems = read_clinic_playlists(tmp_path / "lists")
    assert sorted(lists) == ["calm", "peak"]
    assert len(lists["peak"]) == 2 and len(lists["calm"]) == 1
    text = [str(p) for p in problems]
    assert any(t.startswith("playlist 'return' left out (playlist ") and "UTF-8" in t for t in text)
    assert "playlist 'rising' left out (none of its pieces can be played)" in text
    assert any(t.startswith("playlist 'calm': yyy") and "File name too long" in t for t in text)
    assert any("'calm': broken copy.wav left out (truncated:" in t for t in text)
    assert [p.event()[0] for p in problems if p.entry is None] == ["music.list_refused"] * 2


def test_the_room_plays_every_seat_beside_a_bad_list_and_says_which(
    tmp_path, library, store, clock, settings, source
):
    make_lists(tmp_path / "lists", library)
    live = open_live_session(
        RunOptions(seats=4, plan={1: "M.K.", 2: "A.R.", 4: "J.L."}, speed=60),
        store=store,
        clock=clock,
        settings=settings,
        make_source=lambda seats, start: source,
    )
    director, problem = build_room_music(
        live, live.protocol, settings, 60, demo_playlists(library), tmp_path / "lists"
    )
    assert director is not None
    for named in ("'return' left out", "'rising' left out", "'calm': broken copy.wav", "yyyy"):
        assert named in problem
    live.music = director
    for _ in range(int(20 * MIN / 5)):
        clock.advance(5)
        director.tick()
    store.flush()
    with closing(store.reader()) as conn:
        rows = conn.execute(
            "select kind, participant_id, json_extract(data, '$.playlist') from events "
            "where kind like 'music.%' order by seq"
        ).fetchall()
    refused = sorted(p for k, _, p in rows if k == "music.list_refused")
    assert refused == ["return", "rising"]
    assert sum(k == "music.piece_left_out" for k, *_ in rows) == 3  # 2 in calm, 1 in rising
    started = {pid for k, pid, _ in rows if k == "music.track_started"}
    assert started == {p.id for p in live.room.participants.values()} and len(started) == 3
    assert all(director.seats[pid].player.state == "playing" for pid in started)
