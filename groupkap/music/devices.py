"""Remembering which device is each seat's headphones, in the clinic's settings file.

The mapping lives in the `[music]` section (`seat1 = "…"` … `seat10`, `room_device`), so
the room comes back as it was set up. The file is edited with tomlkit, not rewritten: the
clinic's comments, layout and other sections stay exactly as they were.
"""

from __future__ import annotations

from pathlib import Path

import tomlkit
from tomlkit.exceptions import ParseError

from groupkap.errors import ConfigError
from groupkap.files import atomic_write
from groupkap.settings import settings_from_dict


def _read(path: Path) -> tomlkit.TOMLDocument:
    if not path.exists():
        return tomlkit.document()
    try:
        text = path.read_text(encoding="utf-8")
        # Without a final newline a new section would be glued to the last line.
        return tomlkit.parse(text if not text or text.endswith("\n") else text + "\n")
    except (OSError, UnicodeDecodeError, ParseError) as exc:
        raise ConfigError(f"cannot read settings file {path}: {exc}") from exc


def _music_section(doc: tomlkit.TOMLDocument, path: Path) -> dict:
    if "music" not in doc:
        if doc.body:
            doc.add(tomlkit.nl())
        doc.add("music", tomlkit.table())
    music = doc["music"]
    if not isinstance(music, dict):
        raise ConfigError(f"{path}: music must be a [section]")
    return music


def save_seat_devices(path: Path, seat_devices: dict[int, str], room_device: str) -> None:
    """Write the seat → device mapping into the settings file, checked before it is saved."""
    path = Path(path)
    doc = _read(path)
    music = _music_section(doc, path)
    wanted = {f"seat{seat}": device for seat, device in sorted(seat_devices.items()) if device}
    if room_device:
        wanted["room_device"] = room_device
    for key in [
        k for k in music if (k.startswith("seat") or k == "room_device") and k not in wanted
    ]:
        del music[key]
    for key, device in wanted.items():
        if music.get(key) != device:  # an unchanged line keeps its comment and spacing
            music[key] = device
    settings_from_dict(doc.unwrap(), str(path))  # refuse to write a file the program would refuse
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, tomlkit.dumps(doc))
    except OSError as exc:
        raise ConfigError(f"cannot save the seat devices to {path}: {exc.strerror}") from exc
