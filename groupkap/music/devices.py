"""Remembering which device is each seat's headphones, in the clinic's settings file.

The mapping lives in the `[music]` section (`seat1 = "…"` … `seat10`, `room_device`), so
the room comes back as it was set up. Other sections of the file are kept as they are.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from pathlib import Path

from groupkap.errors import ConfigError
from groupkap.settings import settings_from_dict


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise ConfigError(f"cannot write {value!r} to the settings file")


def _dump(doc: dict) -> str:
    lines = []
    for section, table in doc.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in table.items()]
        lines.append("")
    return "\n".join(lines)


def save_seat_devices(path: Path, seat_devices: dict[int, str], room_device: str) -> None:
    """Write the seat → device mapping into the settings file, checked before it is saved."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read settings file {path}: {exc}") from exc
    music = {k: v for k, v in doc.get("music", {}).items()
             if not (k.startswith("seat") or k == "room_device")}
    music.update({f"seat{seat}": device for seat, device in sorted(seat_devices.items())
                  if device})
    if room_device:
        music["room_device"] = room_device
    doc["music"] = music
    settings_from_dict(doc, str(path))  # refuse to write a file the program would refuse
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".groupkap-", suffix=".toml")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(_dump(doc))
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"cannot save the seat devices to {path}: {exc.strerror}") from exc
