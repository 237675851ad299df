"""The music library: audio files read with mutagen, folder scans and editable playlists.

A clinic's music lives in ordinary folders of ogg/oga, opus, mp3, flac, wav and m4a files
(what libVLC plays). Scanning never stops at one bad file: a session must not lose its music because
someone dropped a corrupt download into the folder, so each bad file becomes a problem line the
facilitator can read, and the rest of the folder is still offered.

Playlist files (M3U/M3U8/XSPF) live in `groupkap.music.playlist_files`, phase arcs in
`groupkap.music.arcs`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import mutagen

from groupkap.errors import BadInputError
from groupkap.music.integrity import shortfall

log = logging.getLogger("groupkap.music")

# `.oga` is Ogg audio by the freedesktop naming (its sound theme uses it); mutagen and
# libVLC read it by its content like `.ogg`.
AUDIO_SUFFIXES = frozenset({".ogg", ".oga", ".opus", ".mp3", ".flac", ".wav", ".m4a"})

# Files that belong next to music (playlists, the demo index, covers) are not problems:
# reporting each one would bury the real ones.
QUIET_SUFFIXES = frozenset({".m3u", ".m3u8", ".xspf", ".json", ".jpg", ".jpeg", ".png"})
QUIET_NAMES = frozenset({"VERSION"})

# Sounds that signal something are never music, wherever they sit: the sharing circle's chime
# (`groupkap.demo.music_library.CHIME_FILE`), the alarm bursts (`groupkap.alarms.burst_files`)
# and the headphone test tone (`groupkap.audio.test_tone`). In a playlist one would ring a
# bell or sound an alarm in someone's headphones; tests/core/test_signal_sounds.py keeps the
# names in step with the files those modules write.
SIGNAL_SOUND_NAMES = frozenset(
    {
        "circle chime - groupkap demo.wav",
        "alarm-high.wav",
        "alarm-medium.wav",
        "alarm-low.wav",
        "test-tone.wav",
    }
)


def is_signal_sound(path: Path | str) -> bool:
    """True for the chime, an alarm burst or the test tone (by file name, any case)."""
    return Path(path).name.casefold() in SIGNAL_SOUND_NAMES


# Tag keys for the same field differ per container: Vorbis comments (ogg, opus, flac) use
# "title", ID3 (mp3 and wav) "TIT2", MP4 (m4a) "\xa9nam".
_TITLE_KEYS = ("title", "TIT2", "\xa9nam")
_ARTIST_KEYS = ("artist", "TPE1", "\xa9ART")


@dataclass(frozen=True)
class Track:
    """One playable piece, as the library read it.

    Attributes:
        path: absolute path of the audio file.
        title: from the tags, else the file name without its extension.
        artist: from the tags, else "".
        duration_s: length in seconds (the music director needs it to follow a simulated clock).
    """

    path: Path
    title: str
    artist: str
    duration_s: float

    @property
    def label(self) -> str:
        """What a tile or an M3U `#EXTINF` line shows: "artist - title", or the title alone."""
        return f"{self.artist} - {self.title}" if self.artist else self.title


def _first_tag(tags, keys: tuple[str, ...]) -> str:
    if tags is None:
        return ""
    for key in keys:
        try:
            value = tags.get(key)
        except (KeyError, ValueError, TypeError):
            continue
        if value is None:
            continue
        value = getattr(value, "text", value)  # an ID3 frame holds its strings in .text
        if isinstance(value, (list, tuple)):
            value = value[0] if value else ""
        text = str(value).strip()
        if text:
            return text
    return ""


def read_track(path: Path | str) -> Track:
    """Read one audio file's title, artist and duration.

    Raises BadInputError with the reason ("not an audio file", "a signal sound ...",
    "cannot read tags: ...", "truncated: ...") so a scan or a playlist can leave it out and
    carry on. A file shorter than its header says is refused: the log would otherwise say it
    played for the header's length.
    """
    path = Path(path)
    if path.suffix.lower() not in AUDIO_SUFFIXES:
        raise BadInputError(f"{path}: not an audio file")
    if is_signal_sound(path):
        raise BadInputError(f"{path}: a signal sound (chime, alarm or test tone), never music")
    if problem := unreadable(path):
        raise BadInputError(f"{path}: {problem}")
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError, EOFError) as exc:
        raise BadInputError(f"{path}: cannot read tags: {exc or type(exc).__name__}") from exc
    if audio is None:  # mutagen recognised no format in it
        raise BadInputError(f"{path}: not an audio file")
    length = getattr(audio.info, "length", 0) or 0
    if not length > 0:
        raise BadInputError(f"{path}: cannot read tags: no duration (empty or truncated file)")
    present = shortfall(path, audio)
    if present is not None:
        raise BadInputError(
            f"{path}: truncated: its header says {length:.1f} s but the file holds only "
            f"{present:.1f} s; copy it again from the original"
        )
    return Track(
        path=path.resolve(),
        title=_first_tag(audio.tags, _TITLE_KEYS) or path.stem,
        artist=_first_tag(audio.tags, _ARTIST_KEYS),
        duration_s=float(length),
    )


def unreadable(path: Path) -> str | None:
    """Why a piece cannot be opened now ("file not found", "not a file", "file not
    readable", "path too long ..."), or None. Never raises: a bad path is a reason."""
    try:
        if not path.is_file():
            return "not a file" if path.exists() else "file not found"
    except (OSError, ValueError) as exc:  # a name over 255 bytes, a NUL in it
        return f"cannot open it: {getattr(exc, 'strerror', None) or exc}"
    return None if os.access(path, os.R_OK) else "file not readable"


@dataclass(frozen=True)
class ScanResult:
    """What a scan found.

    Attributes:
        tracks: the readable audio files, sorted by path.
        problems: one line per skipped file, "path: reason", for the facilitator to read.
    """

    tracks: tuple[Track, ...]
    problems: tuple[str, ...]


def scan(folders: Iterable[Path | str] | Path | str) -> ScanResult:
    """Find every readable audio file under `folders` (recursively), sorted by path.

    A folder that does not exist raises BadInputError before anything is read (a mistyped
    path is the person's to fix); a bad file inside one is only reported.
    """
    if isinstance(folders, (str, os.PathLike)):
        folders = [folders]
    roots = [Path(f) for f in folders]
    for root in roots:
        if not root.exists():
            raise BadInputError(f"music folder {root} does not exist")
        if not root.is_dir():
            raise BadInputError(f"music folder {root} is not a folder")
    files = sorted({p.resolve() for root in roots for p in root.rglob("*") if p.is_file()})
    tracks: list[Track] = []
    problems: list[str] = []
    for path in files:
        if path.name.startswith(".") or path.name in QUIET_NAMES or is_signal_sound(path):
            continue  # the chime beside the demo's music is expected there, not a problem
        suffix = path.suffix.lower()
        if suffix in QUIET_SUFFIXES:
            continue
        try:
            tracks.append(read_track(path))
        except BadInputError as exc:
            problems.append(str(exc))
    for problem in problems:
        log.warning("music scan skipped %s", problem)
    return ScanResult(tuple(tracks), tuple(problems))


@dataclass
class Playlist:
    """A named, ordered list of tracks the facilitator can reorder before a session.

    Attributes:
        name: what the facilitator calls it ("calm", "Anna's peak").
        tracks: the pieces in playing order.
    """

    name: str
    tracks: list[Track] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.tracks)

    @property
    def total_duration_s(self) -> float:
        """Sum of the pieces' lengths: shows whether a list covers its phase of the arc."""
        return sum(t.duration_s for t in self.tracks)

    def add(self, track: Track) -> None:
        """Append a piece at the end."""
        self.tracks.append(track)

    def _check_index(self, index: int, what: str) -> None:
        # Negative indexes are refused: "-1" from a UI is a bug, not "the last one".
        if (
            isinstance(index, bool)
            or not isinstance(index, int)
            or not 0 <= index < len(self.tracks)
        ):
            raise BadInputError(
                f"playlist {self.name!r}: {what} {index!r} is not a position "
                f"in the list (0 to {len(self.tracks) - 1})"
                if self.tracks
                else f"playlist {self.name!r} is empty; there is no {what} {index!r}"
            )

    def remove(self, index: int) -> Track:
        """Take out the piece at `index` and return it; a bad index changes nothing."""
        self._check_index(index, "index")
        return self.tracks.pop(index)

    def move(self, from_index: int, to_index: int) -> None:
        """Move one piece so it ends up at `to_index`; a bad index changes nothing."""
        self._check_index(from_index, "from index")
        self._check_index(to_index, "to index")
        self.tracks.insert(to_index, self.tracks.pop(from_index))
