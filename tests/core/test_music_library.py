"""The music library on real files: scans, playlists, M3U8/XSPF, phase arcs, the demo library."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import wave
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import TIT2, TPE1
from mutagen.wave import WAVE

from groupkap.demo.music_library import (
    CHIME_FILE,
    PHASES,
    PIECES,
    SAMPLE_RATE,
    demo_playlists,
    ensure_demo_library,
)
from groupkap.errors import BadInputError
from groupkap.music.arcs import (
    PhaseArc,
    PhaseSection,
    default_arcs,
    load_arcs,
    route_group,
    save_arcs,
)
from groupkap.music.library import Playlist, Track, read_track, scan
from groupkap.music.playlist_files import load_m3u, save_m3u, save_xspf


def make_wav(
    path: Path, seconds: float = 1.0, title: str | None = None, artist: str | None = None
) -> Path:
    """A short real WAV (a quiet 220 Hz tone), with ID3 tags when a title or artist is given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = int(seconds * 8000)
    samples = (0.2 * np.sin(2 * np.pi * 220 * np.arange(n) / 8000) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(samples.tobytes())
    if title or artist:
        audio = WAVE(path)
        audio.add_tags()
        if title:
            audio.tags.add(TIT2(encoding=3, text=title))
        if artist:
            audio.tags.add(TPE1(encoding=3, text=artist))
        audio.save()
    return path


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "library"
    ensure_demo_library(folder)
    return folder


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


# -- scanning ---------------------------------------------------------------------------


def test_scan_reads_titles_artist_and_durations_of_the_demo_library(demo):
    index = json.loads((demo / "library.json").read_text(encoding="utf-8"))
    result = scan(demo)
    assert result.problems == ()  # playlists, the index and VERSION are not "problems"
    music = [e for e in index["tracks"] if e["phase"] != "chime"]  # the chime is no music
    assert [t.path.name for t in result.tracks] == sorted(e["file"] for e in music)
    by_file = {e["file"]: e for e in index["tracks"]}
    for track in result.tracks:
        entry = by_file[track.path.name]
        assert track.title == entry["title"]
        assert track.artist == "GroupKAP demo"
        assert track.duration_s == pytest.approx(entry["duration_s"], abs=0.01)
    assert {t.title for t in result.tracks} == {p.title for p in PIECES}


def test_scan_skips_corrupt_and_non_audio_files_and_keeps_the_rest(tmp_path):
    good = [
        make_wav(tmp_path / "b.wav", title="Bee"),
        make_wav(tmp_path / "sub" / "deeper" / "a.wav", title="Ay"),
    ]
    (tmp_path / "broken.ogg").write_bytes(np.random.default_rng(1).bytes(4000))
    (tmp_path / "sub" / "notes.txt").write_text("bring a blanket\n")
    (tmp_path / "empty.flac").write_bytes(b"")
    result = scan([tmp_path])
    assert [t.path for t in result.tracks] == sorted(p.resolve() for p in good)
    assert len(result.problems) == 3
    problems = "\n".join(result.problems)
    assert "broken.ogg: not an audio file" in problems
    assert "notes.txt: not an audio file" in problems
    assert "empty.flac: cannot read tags:" in problems


def test_scan_of_a_missing_folder_names_it(tmp_path):
    missing = tmp_path / "no-such-music"
    with pytest.raises(BadInputError, match="no-such-music.*does not exist"):
        scan([tmp_path, missing])


def test_track_without_tags_falls_back_to_the_file_name(tmp_path):
    track = read_track(make_wav(tmp_path / "Rain on leaves.wav", seconds=2.0))
    assert (track.title, track.artist) == ("Rain on leaves", "")
    assert track.duration_s == pytest.approx(2.0)
    assert track.label == "Rain on leaves"


# -- playlists ----------------------------------------------------------------------------


def tracks(n: int) -> list[Track]:
    return [Track(Path(f"/music/{i}.ogg"), f"T{i}", "A", 60.0 + i) for i in range(n)]


def test_playlist_add_move_remove_and_total_duration():
    playlist = Playlist("calm")
    for track in tracks(4):
        playlist.add(track)
    assert playlist.total_duration_s == 60 + 61 + 62 + 63
    playlist.move(0, 3)
    assert [t.title for t in playlist.tracks] == ["T1", "T2", "T3", "T0"]
    playlist.move(3, 1)
    assert [t.title for t in playlist.tracks] == ["T1", "T0", "T2", "T3"]
    assert playlist.remove(2).title == "T2"
    assert [t.title for t in playlist.tracks] == ["T1", "T0", "T3"]
    assert len(playlist) == 3


@pytest.mark.parametrize(
    "call",
    [
        lambda p: p.remove(3),
        lambda p: p.remove(-1),
        lambda p: p.move(0, 3),
        lambda p: p.move(5, 0),
        lambda p: p.move(-1, 0),
        lambda p: p.remove("1"),
    ],
)
def test_playlist_bad_index_is_refused_and_changes_nothing(call):
    playlist = Playlist("calm", tracks(3))
    with pytest.raises(BadInputError, match="not a position"):
        call(playlist)
    assert [t.title for t in playlist.tracks] == ["T0", "T1", "T2"]


def test_empty_playlist_says_it_is_empty():
    with pytest.raises(BadInputError, match="is empty"):
        Playlist("silence").remove(0)


# -- playlist files -------------------------------------------------------------------------


def test_m3u8_round_trip_with_relative_paths_and_non_ascii(tmp_path):
    music = tmp_path / "music"
    wavs = [
        make_wav(
            music / "Stille Wasser – Ørsted.wav", 1.5, "Stille Wasser ☾ Ørsted", "Åsa Nyström"
        ),
        make_wav(music / "sub" / "b.wav", 2.0, "Plain", "Someone"),
    ]
    playlist = Playlist("Anna’s calm", [read_track(p) for p in wavs])
    path = tmp_path / "playlists" / "anna.m3u8"
    save_m3u(playlist, path)

    text = path.read_bytes().decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    assert "#EXTINF:2,Åsa Nyström - Stille Wasser ☾ Ørsted" in lines
    assert "../music/Stille Wasser – Ørsted.wav" in lines
    assert "../music/sub/b.wav" in lines
    assert str(tmp_path) not in text  # relative, so the folder can move

    loaded, missing = load_m3u(path)
    assert missing == []
    assert loaded.name == "Anna’s calm"
    assert loaded.tracks == playlist.tracks

    # The whole tree moves to another place: the relative entries still resolve.
    moved = tmp_path / "elsewhere"
    shutil.move(str(tmp_path / "music"), moved / "music")
    shutil.move(str(tmp_path / "playlists"), moved / "playlists")
    again, missing = load_m3u(moved / "playlists" / "anna.m3u8")
    assert missing == []
    assert [t.title for t in again.tracks] == ["Stille Wasser ☾ Ørsted", "Plain"]


def test_m3u_missing_entries_are_reported_and_the_rest_loads(tmp_path):
    present = make_wav(tmp_path / "here.wav", 1.0, "Here")
    (tmp_path / "broken.ogg").write_bytes(b"not audio at all" * 100)
    path = tmp_path / "list.m3u"
    path.write_text(
        "#EXTM3U\n#EXTINF:60,Gone\ngone.ogg\n\n"
        f"#EXTINF:1,Here\n{present}\nbroken.ogg\nhttp://radio.example/stream\n",
        encoding="utf-8",
    )
    playlist, missing = load_m3u(path)
    assert [t.title for t in playlist.tracks] == ["Here"]
    assert playlist.name == "list"
    assert missing == ["gone.ogg", "broken.ogg", "http://radio.example/stream"]


def test_missing_playlist_file_is_bad_input(tmp_path):
    with pytest.raises(BadInputError, match="does not exist"):
        load_m3u(tmp_path / "nope.m3u8")


def test_xspf_export_lists_every_piece(tmp_path):
    wavs = [make_wav(tmp_path / "m" / "a b.wav", 1.0, "Ä"), make_wav(tmp_path / "m" / "c.wav")]
    save_xspf(Playlist("calm", [read_track(p) for p in wavs]), tmp_path / "calm.xspf")
    ns = {"x": "http://xspf.org/ns/0/"}
    root = ET.parse(tmp_path / "calm.xspf").getroot()
    assert root.find("x:title", ns).text == "calm"
    found = root.findall("x:trackList/x:track", ns)
    assert [t.find("x:location", ns).text for t in found] == ["m/a%20b.wav", "m/c.wav"]
    assert [t.find("x:title", ns).text for t in found] == ["Ä", "c"]
    assert found[0].find("x:duration", ns).text == "1000"


# -- phase arcs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "minutes, expected",
    [
        (-1, None),
        (0, "pre-onset"),
        (9.99, "pre-onset"),
        (10, "onset"),
        (15, "build"),
        (20, "peak"),
        (44.9, "peak"),
        (60, "return"),
        (500, "return"),
    ],
)
def test_sublingual_arc_section_at_boundaries(minutes, expected):
    section = default_arcs()["SL"].section_at(minutes)
    assert (section.name if section else None) == expected


@pytest.mark.parametrize(
    "minutes, expected",
    [
        (-0.01, None),
        (0, "soothing"),
        (11.99, "soothing"),
        (12, "rising"),
        (40, "calm"),
        (59.9, "calm"),
        (500, "calm"),
    ],
)
def test_iv_im_arc_section_at_boundaries(minutes, expected):
    section = default_arcs()["IV/IM"].section_at(minutes)
    assert (section.name if section else None) == expected


def test_default_arcs_match_clinical_minutes(demo):
    arcs = default_arcs(demo_playlists(demo))
    sl = [(s.name, s.start_min, s.end_min) for s in arcs["SL"].sections]
    # CLINICAL.md: pre-onset 0–10 min, onset ~10 min, build 10–20 min, peak, return.
    assert sl == [
        ("pre-onset", 0, 10),
        ("onset", 10, 15),
        ("build", 15, 20),
        ("peak", 20, 45),
        ("return", 45, 90),
    ]
    iv = arcs["IV/IM"]
    # Soothing start, intensity rising after 10–15 min, calm final 20 min of a 50–60 min arc.
    assert iv.sections[0].name == "soothing" and 10 <= iv.sections[1].start_min <= 15
    assert 50 <= iv.length_min <= 60
    assert iv.sections[-1].name == "calm" and iv.length_min - iv.sections[-1].start_min == 20
    # The demo's playlists land where their character fits.
    assert arcs["SL"].section_at(0).playlist.name == "calm"
    assert arcs["SL"].section_at(30).playlist.name == "peak"
    assert arcs["IV/IM"].section_at(50).playlist.name == "return"
    assert all(s.playlist.tracks for a in arcs.values() for s in a.sections)


def test_default_arcs_name_a_missing_playlist():
    with pytest.raises(BadInputError, match="no playlist named 'peak'"):
        default_arcs({"calm": Playlist("calm"), "rising": Playlist("rising")})


@pytest.mark.parametrize(
    "code, group", [("IV", "IV/IM"), ("IM", "IV/IM"), ("SL", "SL"), ("IN", "SL"), ("sl", "SL")]
)
def test_route_group(code, group):
    assert route_group(code) == group


def test_unknown_route_has_no_arc():
    with pytest.raises(BadInputError, match="'PO' has no music arc"):
        route_group("PO")


def section(name, start, end):
    return PhaseSection(name, start, end, Playlist(name))


@pytest.mark.parametrize(
    "sections, message",
    [
        ([], "has no sections"),
        ([section("a", 5, 10)], "starts at 5 min but must start at 0"),
        ([section("a", 0, 10), section("b", 12, 20)], "starts at 12 min but must start at 10"),
        ([section("a", 0, 10), section("b", 8, 20)], "no gaps or overlaps"),
        ([section("a", 0, 10), section("b", 10, 10)], "ends at 10 min, not after its start"),
        ([section("a", 0, 10), section("b", 10, 5)], "ends at 5 min"),
        ([section("a", 0, 10), section("  ", 10, 20)], "section 2 needs a name"),
        ([section("a", 0, float("nan"))], "must be a number"),
        ([section("a", 0, "10")], "must be a number"),
    ],
)
def test_invalid_arcs_are_refused(sections, message):
    with pytest.raises(BadInputError, match=message):
        PhaseArc("test", sections)


def test_arcs_save_and_load_round_trip_and_edits_are_checked(tmp_path, demo):
    playlists = demo_playlists(demo)
    arcs = default_arcs(playlists)
    path = tmp_path / "arcs.json"
    save_arcs(arcs, path)
    assert load_arcs(path, playlists) == arcs
    assert [s.playlist.tracks for s in load_arcs(path)["SL"].sections] == [[]] * 5

    data = json.loads(path.read_text(encoding="utf-8"))
    data["arcs"]["SL"]["sections"][1]["start_min"] = 11  # a clinic's edit leaves a gap
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BadInputError, match=r"arcs\.json.*'SL'.*'onset'.*no gaps"):
        load_arcs(path)

    data["arcs"]["SL"]["sections"][1]["start_min"] = 10
    data["arcs"]["SL"]["sections"][1]["playlist"] = "nowhere"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BadInputError, match="no playlist named 'nowhere'"):
        load_arcs(path, playlists)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(BadInputError, match="cannot be read"):
        load_arcs(path)


# -- the demo library ------------------------------------------------------------------------


def test_demo_library_files_and_format(demo):
    for piece in PIECES:
        with wave.open(str(demo / piece.file_name)) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SAMPLE_RATE)
            assert 40 <= w.getnframes() / SAMPLE_RATE <= 90
            samples = np.frombuffer(w.readframes(w.getnframes()), "<i2")
        assert abs(int(samples[0])) < 50 and abs(int(samples[-1])) < 50  # soft fades
        assert 0.3 < np.max(np.abs(samples)) / 32768 < 0.5
    with wave.open(str(demo / CHIME_FILE)) as w:
        assert 2 <= w.getnframes() / SAMPLE_RATE <= 4
    assert len(PIECES) == 10 and {p.phase for p in PIECES} == set(PHASES)
    assert len({p.title for p in PIECES}) == len(PIECES)
    assert sum(p.stat().st_size for p in demo.iterdir()) < 40e6
    assert all(p.stat().st_mode & 0o044 == 0o044 for p in demo.iterdir())  # readable by all
    for phase in PHASES:
        playlist, missing = load_m3u(demo / f"{phase}.m3u8")
        assert missing == [] and playlist.tracks
        assert {t.title for t in playlist.tracks} == {p.title for p in PIECES if p.phase == phase}


def test_ensure_demo_library_is_idempotent_and_deterministic(tmp_path, demo):
    before = {p.name: p.stat().st_mtime_ns for p in demo.iterdir()}
    assert ensure_demo_library(demo) == []
    assert {p.name: p.stat().st_mtime_ns for p in demo.iterdir()} == before

    other = tmp_path / "again"
    written = ensure_demo_library(other)
    assert len(written) == len(PIECES) + 1 + len(PHASES) + 2  # + chime, index, VERSION
    assert digests(other) == digests(demo)

    # One piece deleted: only that one is written again.
    (other / PIECES[3].file_name).unlink()
    assert ensure_demo_library(other) == [other / PIECES[3].file_name]
    assert digests(other) == digests(demo)


def test_demo_library_is_rewritten_when_the_generator_version_changes(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "VERSION").write_text("0\n")
    (folder / "library.json").write_text(json.dumps({"tracks": [{"file": "old piece.wav"}]}))
    (folder / "old piece.wav").write_bytes(b"RIFF")
    os.utime(folder / "VERSION", ns=(0, 0))
    written = ensure_demo_library(folder)
    assert folder / "VERSION" in written and folder / "library.json" in written
    assert not (folder / "old piece.wav").exists()
    assert (folder / "VERSION").read_text().strip() != "0"
