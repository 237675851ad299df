"""Which monitor feeds which seat: the room's device map, remembered between sessions.

A device is who measured a value (`Observation.device`: OBX-18, else the bed PV1-3, else the
sending application MSH-3). The map is kept in a small TOML file in the user config folder
(`hl7_devices.toml`, or `$GROUPKAP_HL7_DEVICES`) rather than in the session database,
because it describes the room's hardware, not a session: which monitor stands by which
chair stays true from one session to the next, whichever database a session is written to,
and a clinic lead can read or correct it between sessions. Every session logs the map it
starts with (`device.assigned`, `restored`), and every change, so the log alone still says
which device fed which seat.

    # Which bedside monitor feeds which seat in this room (written by GroupKAP).
    [devices]
    "00095CFFFE0A4B11^EUI-64" = 4
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Callable
from pathlib import Path

import platformdirs
import tomlkit

from groupkap.errors import BadInputError, ConfigError
from groupkap.files import atomic_write
from groupkap.room.model import MAX_SEATS

log = logging.getLogger("groupkap.hl7")

ROLE = "monitor"  # device.assigned also names audio outputs (role headphones, room)
MAX_DEVICE_ID = 200

EventSink = Callable[[str, dict, "str | None", str], None]
"""record(kind, data, participant id, actor), as LiveSession.record_event."""

_HEADER = (
    "Which bedside monitor feeds which seat in this room. GroupKAP writes this file when a\n"
    "facilitator assigns a device; a device not listed shows as unassigned.\n"
)


def devices_path() -> Path:
    """The room's device map: $GROUPKAP_HL7_DEVICES, else hl7_devices.toml in the user
    config folder."""
    env = os.environ.get("GROUPKAP_HL7_DEVICES")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("groupkap", appauthor=False)) / "hl7_devices.toml"


def check_seat(seat: object, seat_count: int = MAX_SEATS) -> int:
    if isinstance(seat, bool) or not isinstance(seat, int) or not 1 <= seat <= seat_count:
        raise BadInputError(f"seat {seat!r} is not a seat of this room (1 to {seat_count})")
    return seat


def check_device(device: object) -> str:
    if not isinstance(device, str) or not device.strip():
        raise BadInputError(
            "a device needs its id (as the monitor sends it: OBX-18, PV1-3 or MSH-3)"
        )
    if len(device) > MAX_DEVICE_ID:
        raise BadInputError(f"device id {device[:30]!r}… is longer than {MAX_DEVICE_ID} characters")
    return device.strip()


class DeviceMap:
    """device → seat for one room.

    Attributes:
        path: the file it is kept in (None: this run only, as in the demo).
        save_problem: why the last change could not be saved ("" when it was); the change
            still holds for this session and is in its log.
    """

    def __init__(self, mapping: dict[str, int] | None = None, path: Path | None = None) -> None:
        self.path = path
        self.save_problem = ""
        self._seats: dict[str, int] = {}
        self._record: EventSink | None = None
        self._pending: list[tuple[str, dict, str]] = []
        for device, seat in (mapping or {}).items():
            self._seats[check_device(device)] = check_seat(seat)
            self._pending.append(
                ("device.assigned", self._data(device, seat, restored=True), "system")
            )

    @classmethod
    def load(cls, path: Path | None = None) -> DeviceMap:
        """The map kept in `path` (default `devices_path()`); an empty one when the file does
        not exist yet. A file that cannot be read raises ConfigError naming it."""
        path = devices_path() if path is None else Path(path)
        if not path.exists():
            return cls({}, path)
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"HL7 device map {path}: cannot read it ({exc})") from exc
        table = doc.get("devices", {})
        if set(doc) - {"devices"} or not isinstance(table, dict):
            raise ConfigError(
                f'HL7 device map {path}: only a [devices] table belongs here ("device id" = seat)'
            )
        try:
            return cls(dict(table), path)
        except BadInputError as exc:
            raise ConfigError(f"HL7 device map {path}: {exc}") from exc

    # -- reading ---------------------------------------------------------------------
    def seat_of(self, device: str) -> int | None:
        return self._seats.get(device)

    def devices_on(self, seat: int) -> list[str]:
        return sorted(d for d, s in self._seats.items() if s == seat)

    @property
    def mapping(self) -> dict[str, int]:
        """A copy of device → seat."""
        return dict(self._seats)

    # -- changing (every change is an event) -----------------------------------------
    def attach(self, record: EventSink) -> None:
        """Log changes through `record` from now on; the map as it stands (restored from the
        file, or set before the session existed) is logged first."""
        self._record = record
        pending, self._pending = self._pending, []
        for kind, data, actor in pending:
            record(kind, data, None, actor)

    def assign(
        self,
        device: str,
        seat: int,
        actor: str,
        seat_count: int = MAX_SEATS,
        *,
        reason: str | None = None,
    ) -> bool:
        """Put `device` on `seat` (moving it from another seat if it was on one); logged as
        `device.assigned` (with `reason` when the program moved it) and saved. Returns False
        when it was already there."""
        device, seat = check_device(device), check_seat(seat, seat_count)
        old = self._seats.get(device)
        if old == seat:
            return False
        self._seats[device] = seat
        data = {**self._data(device, seat), "from_seat": old}
        if reason:
            data["reason"] = reason
        self._log("device.assigned", data, actor)
        log.info("device %s assigned to seat %d%s by %s", device, seat, _moved(old), actor)
        self._save()
        return True

    def unassign(self, device: str, actor: str) -> bool:
        """Take `device` off its seat: its readings go on being recorded under its id."""
        seat = self._seats.pop(device, None)
        if seat is None:
            return False
        self._log("device.unassigned", self._data(device, seat), actor)
        log.info("device %s taken off seat %d by %s", device, seat, actor)
        self._save()
        return True

    def _data(self, device: str, seat: int, restored: bool = False) -> dict:
        data = {"device": device, "seat": seat, "role": ROLE}
        if restored:
            data["restored"] = True
        return data

    def _log(self, kind: str, data: dict, actor: str) -> None:
        if self._record is None:
            self._pending.append((kind, data, actor))
        else:
            self._record(kind, data, None, actor)

    def _save(self) -> None:
        if self.path is None:
            return
        doc = tomlkit.document()
        for line in _HEADER.splitlines():
            doc.add(tomlkit.comment(line))
        table = tomlkit.table()
        for device in sorted(self._seats, key=lambda d: (self._seats[d], d)):
            table.add(device, self._seats[device])
        doc.add("devices", table)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, tomlkit.dumps(doc))
        except OSError as exc:
            self.save_problem = f"the device map could not be saved to {self.path}: {exc.strerror}"
            log.error("%s; the assignment holds for this session only", self.save_problem)
        else:
            self.save_problem = ""


def _moved(old: int | None) -> str:
    return f" (from seat {old})" if old is not None else ""
