"""Playlists on disk: M3U/M3U8 in and out, XSPF out, so clinics keep using their own players.

Paths are written relative to the playlist file when possible, so a music folder with its
playlists can be copied to another workstation (or another drive letter) and still play.
Loading never fails because one piece is gone, unreadable, truncated or named by a path no
file system takes: each such entry is returned with its reason for the facilitator to see,
and the rest of the list plays. A list that cannot be read at all (not a regular file, too
big, not UTF-8 text) is one BadInputError naming it.
"""

from __future__ import annotations

import logging
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

from groupkap.errors import BadInputError
from groupkap.files import atomic_write
from groupkap.music.library import Playlist, Track, read_track, unreadable

log = logging.getLogger("groupkap.music")

XSPF_NS = "http://xspf.org/ns/0/"
# A playlist of ten thousand pieces is well under 2 MiB; anything larger is not a playlist.
MAX_PLAYLIST_BYTES = 4 << 20


def _entry_for(track: Track, folder: Path) -> str:
    try:
        return Path(os.path.relpath(track.path, folder)).as_posix()
    except ValueError:  # Windows: another drive has no relative path
        return str(track.path)


def save_m3u(playlist: Playlist, path: Path | str) -> None:
    """Write an extended M3U (`.m3u8` or `.m3u`, both UTF-8, which VLC and most players read)."""
    path = Path(path)
    folder = path.parent.resolve()
    lines = ["#EXTM3U", f"#PLAYLIST:{playlist.name}"]
    for track in playlist.tracks:
        lines.append(f"#EXTINF:{round(track.duration_s)},{track.label}")
        lines.append(_entry_for(track, folder))
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, "\n".join(lines) + "\n")  # half a playlist would silently lose pieces


def _read_text(path: Path) -> str:
    """The playlist's text: only a regular file (a FIFO would hang), bounded in size."""
    try:
        if not path.exists():
            raise BadInputError(f"playlist {path} does not exist")
        if not path.is_file():
            raise BadInputError(f"playlist {path} is not a regular file")
        if path.stat().st_size > MAX_PLAYLIST_BYTES:
            raise BadInputError(
                f"playlist {path} is over {MAX_PLAYLIST_BYTES >> 20} MiB: not a playlist"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise BadInputError(
            f"playlist {path} cannot be read: {exc.strerror or exc}; check the file"
        ) from exc
    if b"\x00" in raw:
        raise BadInputError(f"playlist {path} is not text (binary data); choose an M3U file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if path.suffix.lower() == ".m3u8":
            raise BadInputError(
                f"playlist {path} is not UTF-8 text (byte {exc.start + 1}); "
                "save it again as UTF-8 or rename it .m3u"
            ) from None
        return raw.decode("latin-1")  # old .m3u files from Windows players


def _entry_path(entry: str, folder: Path) -> Path | None:
    """The local file an entry names, or None for a stream URL (nothing GroupKAP can vouch for)."""
    if "://" in entry:
        url = urlparse(entry)
        return Path(unquote(url.path)) if url.scheme == "file" else None
    path = Path(entry).expanduser()
    return path if path.is_absolute() else folder / path


@dataclass(frozen=True)
class LoadedPlaylist:
    """A playlist read from disk.

    Attributes:
        playlist: the pieces that can be played, in order.
        left_out: (entry as written, why) for every entry that cannot.
    """

    playlist: Playlist
    left_out: tuple[tuple[str, str], ...]


def read_m3u(path: Path | str) -> LoadedPlaylist:
    """Read an M3U/M3U8 playlist, with the reason for every entry left out.

    Titles and durations come from the files themselves (the `#EXTINF` lines may be stale).
    Raises BadInputError only when the list itself cannot be read.
    """
    path = Path(path)
    folder = path.parent.resolve()
    playlist = Playlist(name=path.stem)
    left_out: list[tuple[str, str]] = []
    for line in _read_text(path).splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#PLAYLIST:") and line[10:].strip():
                playlist.name = line[10:].strip()
            continue
        try:
            file = _entry_path(line, folder)
        except (OSError, ValueError, RuntimeError) as exc:  # e.g. "~nobody/x.wav"
            left_out.append((line, f"not a usable path: {exc}"))
            continue
        if problem := ("a stream, not a local file" if file is None else unreadable(file)):
            left_out.append((line, problem))
            continue
        try:
            playlist.add(read_track(file))
        except BadInputError as exc:
            left_out.append((line, str(exc).removeprefix(f"{file}: ")))
    for entry, why in left_out:
        log.warning("playlist %s: left out %s: %s", path, entry[:120], why)
    return LoadedPlaylist(playlist, tuple(left_out))


def load_m3u(path: Path | str) -> tuple[Playlist, list[str]]:
    """Read an M3U/M3U8 playlist; returns it and the entries that could not be loaded, as
    written (`read_m3u` also says why)."""
    loaded = read_m3u(path)
    return loaded.playlist, [entry for entry, _ in loaded.left_out]


def save_xspf(playlist: Playlist, path: Path | str) -> None:
    """Write an XSPF playlist (VLC's own format) with relative locations where possible."""
    path = Path(path)
    folder = path.parent.resolve()
    ET.register_namespace("", XSPF_NS)
    root = ET.Element(f"{{{XSPF_NS}}}playlist", version="1")
    ET.SubElement(root, f"{{{XSPF_NS}}}title").text = playlist.name
    track_list = ET.SubElement(root, f"{{{XSPF_NS}}}trackList")
    for track in playlist.tracks:
        element = ET.SubElement(track_list, f"{{{XSPF_NS}}}track")
        entry = _entry_for(track, folder)
        location = track.path.as_uri() if Path(entry).is_absolute() else quote(entry)
        ET.SubElement(element, f"{{{XSPF_NS}}}location").text = location
        ET.SubElement(element, f"{{{XSPF_NS}}}title").text = track.title
        if track.artist:
            ET.SubElement(element, f"{{{XSPF_NS}}}creator").text = track.artist
        ET.SubElement(element, f"{{{XSPF_NS}}}duration").text = str(round(track.duration_s * 1000))
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n")
