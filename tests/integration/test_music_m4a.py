"""A cut M4A is found from its boxes, on a real file: libVLC encodes AAC into MP4 (its mp4
muxer writes `moov` before `mdat`, as most shops' files are), and a copy cut short keeps a
header that still promises the whole length."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from groupkap.audio.libvlc import open_instance
from groupkap.errors import BadInputError
from groupkap.music.library import read_track, scan

SOX = shutil.which("sox")  # scripts/setup.sh installs it


def m4a(path: Path, seconds: float) -> Path:
    """A real AAC-in-MP4 file of a tone, encoded by libVLC's transcoder."""
    assert SOX, "sox is missing: run scripts/setup.sh"
    wav = path.with_suffix(".wav")
    subprocess.run(
        [SOX, "-n", "-r", "44100", "-c", "1", str(wav), "synth", str(seconds), "sine", "330"],
        check=True,
        capture_output=True,
    )
    vlc, instance = open_instance(["--sout-keep"])
    media = instance.media_new(str(wav))
    media.add_option(
        ":sout=#transcode{acodec=mp4a,ab=96,channels=1,samplerate=44100}"
        f":std{{access=file,mux=mp4,dst={path}}}"
    )
    player = instance.media_player_new()
    player.set_media(media)
    finished = threading.Event()
    events = player.event_manager()
    for kind in (vlc.EventType.MediaPlayerEndReached, vlc.EventType.MediaPlayerEncounteredError):
        events.event_attach(kind, lambda _e: finished.set())
    player.play()
    assert finished.wait(60), "libVLC did not finish encoding the M4A"
    player.stop()
    player.release()
    wav.unlink()
    return path


def test_a_truncated_m4a_is_refused_with_the_length_it_really_holds(tmp_path):
    whole = m4a(tmp_path / "Evening Shore.m4a", 20.0)
    assert read_track(whole).duration_s == pytest.approx(20.0, abs=0.1)
    broken = tmp_path / "cut Evening Shore.m4a"
    broken.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.3)])
    with pytest.raises(
        BadInputError, match=r"truncated: its header says 20\.0 s .* only [4-6]\.\d s"
    ):
        read_track(broken)
    result = scan(tmp_path)
    assert [t.path.name for t in result.tracks] == ["Evening Shore.m4a"]
    assert len(result.problems) == 1 and "cut Evening Shore.m4a: truncated" in result.problems[0]
