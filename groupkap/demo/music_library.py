"""A small demo music library GroupKAP synthesises itself, so it can ship and play out of the box.

Ten slow ambient drones (three calm, two rising, two peak, three return) and one soft chime
for the sharing circle, as mono 16-bit 22 050 Hz WAV with ID3 tags (title, artist, phase),
plus a `library.json` index and one M3U8 playlist per phase. Nothing is licensed from anyone:
every sample comes from the formulas below, with fixed seeds, so two runs write the same bytes.
"""

from __future__ import annotations

import io
import json
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import platformdirs
from mutagen.id3 import COMM, TALB, TCON, TIT2, TPE1, TXXX
from mutagen.wave import WAVE

from groupkap.files import atomic_write
from groupkap.music.library import Playlist, Track
from groupkap.music.playlist_files import load_m3u, save_m3u

# Bump when the sound, the names or the layout change: existing libraries are then rewritten.
GENERATOR_VERSION = "2"
ARTIST = "GroupKAP demo"
ALBUM = "GroupKAP demo library"
SAMPLE_RATE = 22050
PHASES = ("calm", "rising", "peak", "return")
INDEX_NAME, VERSION_NAME = "library.json", "VERSION"
CONTROL = 64  # samples per step of the slow envelopes
PEAK_LEVEL = 0.45  # about -7 dBFS: headroom, and soft on headphones before any volume cap


@dataclass(frozen=True)
class DemoPiece:
    """One synthesised drone.

    Attributes:
        title: its name, which also says its character.
        phase: `calm`, `rising`, `peak` or `return` (the playlist it joins).
        seconds: length (40–90 s).
        root_hz: the drone's fundamental: each piece sits in its own key.
        partials: (frequency ratio to the root, amplitude) pairs; just intervals only, so
            nothing clashes.
        swell_s: period of the slow breathing swell of each partial.
        brightness: `steady`, `rising` or `falling`: how the upper partials move over the piece.
        beat_hz: a second copy of each partial this far away gives a slow shimmer (0: none).
        pulse_hz: a gentle overall pulse for the rising and peak pieces (0: none).
        character: one line for the index and the tags.
    """

    title: str
    phase: str
    seconds: float
    root_hz: float
    partials: tuple[tuple[float, float], ...]
    swell_s: float
    brightness: str = "steady"
    beat_hz: float = 0.0
    pulse_hz: float = 0.0
    character: str = ""

    @property
    def file_name(self) -> str:
        return f"{PIECES.index(self) + 1:02d} {self.title} - {ARTIST}.wav"


PIECES = (
    DemoPiece(
        "Still Water",
        "calm",
        52,
        146.83,
        ((1, 1.0), (2, 0.30), (1.5, 0.22), (3, 0.08)),
        14,
        character="D, soft sine partials, long breathing swells",
    ),
    DemoPiece(
        "Morning Fog",
        "calm",
        48,
        174.61,
        ((0.5, 0.5), (1, 1.0), (1.25, 0.25), (2, 0.2)),
        17,
        character="F major, warm low octave, hazy third",
    ),
    DemoPiece(
        "Slow Tide",
        "calm",
        60,
        110.0,
        ((1, 1.0), (1.5, 0.4), (2, 0.3), (3, 0.1)),
        21,
        beat_hz=0.12,
        character="A, open fifth, a very slow shimmer like waves",
    ),
    DemoPiece(
        "First Light",
        "rising",
        50,
        196.0,
        ((1, 1.0), (1.5, 0.45), (2, 0.4), (2.25, 0.3), (3, 0.25)),
        11,
        "rising",
        0.2,
        0.18,
        "G, brightening ninth, a gentle pulse",
    ),
    DemoPiece(
        "Open Sky",
        "rising",
        56,
        164.81,
        ((1, 1.0), (1.25, 0.35), (1.5, 0.4), (2, 0.35), (2.5, 0.25)),
        9,
        "rising",
        0.3,
        0.22,
        "E major, widening chord, slowly brighter",
    ),
    DemoPiece(
        "Wide Horizon",
        "peak",
        66,
        130.81,
        ((0.5, 0.6), (1, 1.0), (1.5, 0.5), (2, 0.45), (2.25, 0.3), (3, 0.3), (4.5, 0.15)),
        13,
        "steady",
        0.4,
        0.1,
        "C, full chord over a deep octave, shimmering",
    ),
    DemoPiece(
        "Deep Field",
        "peak",
        60,
        116.54,
        ((0.5, 0.7), (1, 1.0), (1.2, 0.35), (1.5, 0.45), (2, 0.3), (3, 0.2), (5, 0.08)),
        16,
        "steady",
        0.25,
        0.08,
        "B-flat minor, dark and spacious",
    ),
    DemoPiece(
        "Homeward",
        "return",
        56,
        98.0,
        ((1, 1.0), (1.5, 0.35), (2, 0.35), (3, 0.15)),
        15,
        "falling",
        0.1,
        character="G, low and settling, upper partials fade away",
    ),
    DemoPiece(
        "Evening Shore",
        "return",
        50,
        146.83,
        ((1, 1.0), (1.25, 0.3), (1.5, 0.3), (2, 0.25)),
        19,
        "falling",
        character="D major, soft and slowly dimming",
    ),
    DemoPiece(
        "Soft Landing",
        "return",
        46,
        87.31,
        ((1, 1.0), (2, 0.4), (3, 0.12)),
        23,
        "falling",
        character="F, deep and quiet, nearly still",
    ),
)

CHIME_TITLE = "Circle Chime"
CHIME_FILE = f"{CHIME_TITLE} - {ARTIST}.wav"
CHIME_SECONDS = 3.5
# A struck bowl: inharmonic partials, higher ones dying sooner (ratio, amplitude, decay s).
_CHIME_PARTIALS = (
    (0.5, 0.25, 1.6),
    (1.0, 1.0, 1.2),
    (2.0, 0.45, 0.8),
    (2.76, 0.3, 0.6),
    (5.40, 0.12, 0.35),
    (8.93, 0.05, 0.2),
)
_CHIME_ROOT_HZ = 659.26  # E5: clear through headphones and room speakers, never harsh


def _fade(n: int, seconds: float) -> np.ndarray:
    """Raised-cosine ramp from 0 to 1 over `seconds`: no clicks, no sudden starts."""
    k = min(n, int(seconds * SAMPLE_RATE))
    ramp = np.ones(n)
    ramp[:k] = 0.5 - 0.5 * np.cos(np.pi * np.arange(k) / max(k, 1))
    return ramp


def _sine(freq: float, n: int, phase: float, block: int = 1024) -> np.ndarray:
    """sin(2π·freq·t + phase) for n samples, four times faster than np.sin on every sample.

    Each sample is (block start rotation) × (offset within the block), both exact, so it
    matches np.sin to about 1e-11 while computing only n/block + block complex exponentials.
    """
    step = 2 * np.pi * freq / SAMPLE_RATE
    starts = np.exp(1j * (step * block * np.arange(-(-n // block)) + phase))
    return np.outer(starts, np.exp(1j * step * np.arange(block))).ravel()[:n].imag


def synthesise(piece: DemoPiece, seed: int) -> np.ndarray:
    """The piece as float samples in [-PEAK_LEVEL, PEAK_LEVEL]."""
    rng = np.random.default_rng(seed)
    n = int(piece.seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    # Swells change over seconds, so they are computed every CONTROL samples (3 ms) and held:
    # a third of the work, and steps far too small to hear.
    tc = t[::CONTROL]
    progress = tc / piece.seconds
    out = np.zeros(n)
    for k, (ratio, amp) in enumerate(piece.partials):
        freq = piece.root_hz * ratio
        p1, p2, p3 = rng.uniform(0, 2 * np.pi, 3)
        # Each partial breathes at its own slow rate, so the chord keeps changing colour.
        swell = 0.65 + 0.35 * np.sin(2 * np.pi * tc / (piece.swell_s * (1 + 0.23 * k)) + p1)
        if ratio > 2 and piece.brightness == "rising":
            swell *= 0.15 + 0.85 * progress
        elif ratio > 2 and piece.brightness == "falling":
            swell *= 1.0 - 0.85 * progress
        tone = _sine(freq, n, p2)
        if piece.beat_hz:
            tone += 0.5 * _sine(freq + piece.beat_hz, n, p3)
        out += np.repeat(amp * swell, CONTROL)[:n] * tone
    if piece.pulse_hz:
        out *= 1.0 - 0.2 * (0.5 - 0.5 * np.cos(2 * np.pi * piece.pulse_hz * t))
    out *= _fade(n, 5.0) * _fade(n, 8.0)[::-1]
    return out * (PEAK_LEVEL / np.max(np.abs(out)))


def synthesise_chime() -> np.ndarray:
    """One soft bell-like stroke for the sharing circle (no harsh attack, fully decayed)."""
    n = int(CHIME_SECONDS * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    out = sum(
        amp * np.exp(-t / decay) * np.sin(2 * np.pi * _CHIME_ROOT_HZ * ratio * t)
        for ratio, amp, decay in _CHIME_PARTIALS
    )
    out *= _fade(n, 0.008) * _fade(n, 0.5)[::-1]  # an 8 ms attack: struck, not clicked
    return out * (0.35 / np.max(np.abs(out)))


def _write_wav(path: Path, samples: np.ndarray, title: str, phase: str, character: str) -> None:
    """Mono 16-bit WAV with ID3 tags, so every player (and `read_track`) sees real metadata."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(np.round(samples * 32767).astype("<i2").tobytes())
    audio = WAVE(buffer)
    audio.add_tags()
    audio.tags.add(TIT2(encoding=3, text=title))
    audio.tags.add(TPE1(encoding=3, text=ARTIST))
    audio.tags.add(TALB(encoding=3, text=ALBUM))
    audio.tags.add(TCON(encoding=3, text="Ambient"))
    audio.tags.add(TXXX(encoding=3, desc="phase", text=phase))
    audio.tags.add(COMM(encoding=3, lang="eng", desc="", text=character))
    buffer.seek(0)
    audio.save(buffer)
    atomic_write(path, buffer.getvalue())


def _index() -> dict:
    entries = [
        {
            "file": p.file_name,
            "title": p.title,
            "artist": ARTIST,
            "phase": p.phase,
            "duration_s": int(p.seconds * SAMPLE_RATE) / SAMPLE_RATE,
            "character": p.character,
        }
        for p in PIECES
    ]
    entries.append(
        {
            "file": CHIME_FILE,
            "title": CHIME_TITLE,
            "artist": ARTIST,
            "phase": "chime",
            "duration_s": int(CHIME_SECONDS * SAMPLE_RATE) / SAMPLE_RATE,
            "character": "a single soft bell stroke for the sharing circle",
        }
    )
    return {
        "format": "groupkap-demo-library",
        "version": GENERATOR_VERSION,
        "sample_rate": SAMPLE_RATE,
        "tracks": entries,
    }


def _remove_stale(folder: Path, index: dict) -> None:
    """Delete pieces an older generator wrote under names this one no longer uses."""
    try:
        old = json.loads((folder / INDEX_NAME).read_text(encoding="utf-8"))
        old_files = {e["file"] for e in old["tracks"]}
    except (OSError, ValueError, KeyError, TypeError):
        return
    for name in old_files - {e["file"] for e in index["tracks"]}:
        if isinstance(name, str) and Path(name).name == name and name.endswith(".wav"):
            (folder / name).unlink(missing_ok=True)


def demo_library_folder() -> Path:
    """Where the demo library is generated: the user's cache folder, so an installed
    GroupKAP never writes into its own package (and a wiped cache only costs a re-make)."""
    return Path(platformdirs.user_cache_dir("groupkap", appauthor=False)) / "demo-library"


def ensure_demo_library(folder: Path | str) -> list[Path]:
    """Make sure `folder` holds the current demo library; returns the files written this call.

    Only what is missing is written, or everything when the `VERSION` marker is missing or
    from another generator version, so calling it at every demo start costs nothing.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / VERSION_NAME
    current = marker.read_text(encoding="utf-8").strip() if marker.is_file() else None
    fresh = current == GENERATOR_VERSION
    index = _index()
    if not fresh:
        _remove_stale(folder, index)
    written: list[Path] = []

    def needed(path: Path) -> bool:
        return not fresh or not path.is_file()

    for seed, piece in enumerate(PIECES, start=1):
        path = folder / piece.file_name
        if needed(path):
            _write_wav(path, synthesise(piece, seed), piece.title, piece.phase, piece.character)
            written.append(path)
    chime = folder / CHIME_FILE
    if needed(chime):
        _write_wav(
            chime, synthesise_chime(), CHIME_TITLE, "chime", index["tracks"][-1]["character"]
        )
        written.append(chime)
    for phase in PHASES:
        path = folder / f"{phase}.m3u8"
        if needed(path):
            tracks = [
                Track(folder.resolve() / e["file"], e["title"], e["artist"], e["duration_s"])
                for e in index["tracks"]
                if e["phase"] == phase
            ]
            save_m3u(Playlist(phase, tracks), path)
            written.append(path)
    path = folder / INDEX_NAME
    if needed(path):
        atomic_write(path, json.dumps(index, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    if not fresh:  # last, so an interrupted run starts over next time
        atomic_write(marker, f"{GENERATOR_VERSION}\n")
        written.append(marker)
    return written


def demo_playlists(folder: Path | str) -> dict[str, Playlist]:
    """The demo's phase playlists (`calm`, `rising`, `peak`, `return`), ready for `default_arcs`."""
    folder = Path(folder)
    ensure_demo_library(folder)
    return {phase: load_m3u(folder / f"{phase}.m3u8")[0] for phase in PHASES}


def chime_path(folder: Path | str) -> Path:
    """The sharing-circle chime (played on the room speakers, never in headphones)."""
    ensure_demo_library(folder)
    return Path(folder) / CHIME_FILE
