"""Clinic-editable settings: every default that comes from CLINICAL.md lives here, not in code.

Read from a TOML file (`--config`, else `GROUPKAP_CONFIG`, else `groupkap.toml` in the user
config folder when it exists). A bad value is refused with the key and the allowed range, and
nothing from that file is used.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import platformdirs

from groupkap.accounts.config import SecurityConfig, security_settings
from groupkap.alarms.model import AlarmConfig
from groupkap.course.config import CourseConfig, course_settings
from groupkap.errors import ConfigError
from groupkap.hl7.config import Hl7Config, hl7_settings
from groupkap.protocol.config import ROUTES, ProtocolConfig
from groupkap.ranges import check_range


@dataclass(frozen=True)
class Settings:
    """What a clinic lead may tune.

    Attributes:
        stale_after_s: a value greys out after this long without new data.
        frame_rate_hz: how often the room grid redraws (at most 30).
        trend_minutes: how much history the trend plot shows.
        pleth_seconds: how much waveform the pleth plot shows.
        ui_scale: every font and fixed size on screen is multiplied by this (1.0 is sized
            for a 1080p screen read from 2–3 m; 1.5 for a 4K screen at 150 %).
        nibp_interval_s: how often the simulated cuff measures.
        vitals_commit_s: the longest vitals wait in memory before they are committed.
        anchor_every_s: how often the chain head is written to the anchor file beside the
            database while a session runs (also at every session end).
        alarms: alarm timing (audio pause, reminders, escalation, no-data delays).
        facilitator_device: the libVLC output device for alarm sounds ("" = system default);
            never a seat's headphones.
        seat_devices: each seat's headphones (libVLC device id) by seat number; a seat
            without one plays silently on the session clock, never on another device.
        room_device: the room speakers, for shared cues such as the circle chime.
        music_volume_cap: the highest volume a seat may be set to (hearing safety).
        music_duck_restore_min: a ducked seat goes back to its volume after this many
            minutes unless the seat is held (a forgotten duck never lasts for hours).
        protocol: the [protocol] figures (check windows, minimum observation per route,
            discharge floors, MOAA/S alarm floor, CADSS margin).
        clinic_name, clinic_address: the healthcare setting, for the esketamine monitoring
            record ("" = not recorded).
        hl7: the [hl7] section: the MLLP listener's port, address, allow-list and limits.
        monitoring_provider, provider_contact: the healthcare provider conducting patient
            monitoring and their telephone or email, for the same record.
        security: the [security] section: the idle lock, PIN length, wrong-PIN waits.
        course: the [course] section: sessions a course plans, the liking that proposes
            silence, when a booster falls due.
    """

    stale_after_s: float = 10.0
    frame_rate_hz: float = 25.0
    trend_minutes: float = 30.0
    pleth_seconds: float = 10.0
    ui_scale: float = 1.0
    nibp_interval_s: float = 300.0
    vitals_commit_s: float = 0.5
    anchor_every_s: float = 300.0
    alarms: AlarmConfig = field(default_factory=AlarmConfig)
    facilitator_device: str = ""
    seat_devices: dict[int, str] = field(default_factory=dict)
    room_device: str = ""
    music_volume_cap: int = 80
    music_duck_restore_min: float = 10.0
    protocol: ProtocolConfig = field(default_factory=ProtocolConfig)
    clinic_name: str = ""
    clinic_address: str = ""
    monitoring_provider: str = ""
    provider_contact: str = ""
    hl7: Hl7Config = field(default_factory=Hl7Config)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    course: CourseConfig = field(default_factory=CourseConfig)


# key -> (section, minimum, maximum)
_RANGES: dict[str, tuple[str, float, float]] = {
    "stale_after_s": ("display", 2, 120),
    "frame_rate_hz": ("display", 1, 30),
    "trend_minutes": ("display", 5, 60),
    "pleth_seconds": ("display", 3, 15),
    "ui_scale": ("display", 0.75, 2.0),
    "nibp_interval_s": ("simulator", 60, 1800),
    "vitals_commit_s": ("storage", 0.05, 1.0),
    "anchor_every_s": ("storage", 60, 3600),
}


DUCK_RESTORE_MIN = (1, 60)  # [music] duck_restore_min: minutes, from … to


def default_config_path() -> Path:
    env = os.environ.get("GROUPKAP_CONFIG")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("groupkap", appauthor=False)) / "groupkap.toml"


def load_settings(path: Path | str | None = None) -> Settings:
    """Settings from `path` (or the default file if it exists); defaults otherwise."""
    explicit = path is not None or "GROUPKAP_CONFIG" in os.environ
    path = Path(path) if path else default_config_path()
    if not path.exists():
        if explicit:
            raise ConfigError(f"settings file {path} does not exist")
        return Settings()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read settings file {path}: {exc}") from exc
    return settings_from_dict(doc, str(path))


def _alarm_settings(table: object, where: str) -> dict:
    """The [alarms] section: AlarmConfig timings plus the facilitators' output device."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: alarms must be a [section]")
    known = {f.name for f in fields(AlarmConfig)} | {"facilitator_device"}
    for key in table:
        if key not in known:
            raise ConfigError(
                f"{where}: unknown setting alarms.{key}; known: {', '.join(sorted(known))}"
            )
    out: dict = {}
    device = table.get("facilitator_device", "")
    if not isinstance(device, str):
        raise ConfigError(f"{where}: alarms.facilitator_device must be a device name in quotes")
    out["facilitator_device"] = device
    timings = {k: v for k, v in table.items() if k != "facilitator_device"}
    try:
        out["alarms"] = AlarmConfig(**timings)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return out


def _music_settings(table: object, where: str) -> dict:
    """The [music] section: seat1 … seat10 = "device", room_device, volume_cap,
    duck_restore_min."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: music must be a [section]")
    out: dict = {"seat_devices": {}}
    for key, value in table.items():
        seat = key[4:] if key.startswith("seat") else ""
        if seat.isdigit() and 1 <= int(seat) <= 10 and isinstance(value, str) and value:
            out["seat_devices"][int(seat)] = value
        elif key == "room_device" and isinstance(value, str):
            out["room_device"] = value
        elif (
            key == "volume_cap"
            and isinstance(value, int)
            and not isinstance(value, bool)
            and 10 <= value <= 100
        ):
            out["music_volume_cap"] = value
        elif key == "duck_restore_min":
            out["music_duck_restore_min"] = check_range(
                f"{where}: music.duck_restore_min", value, *DUCK_RESTORE_MIN, "minutes"
            )
        else:
            raise ConfigError(
                f"{where}: music.{key} = {value!r} is not valid; use seat1 … "
                'seat10 = "device", room_device = "device", volume_cap = '
                "10 to 100, duck_restore_min = 1 to 60"
            )
    return out


CLINIC_KEYS = {
    "name": "clinic_name",
    "address": "clinic_address",  # [clinic] key -> Settings
    "monitoring_provider": "monitoring_provider",
    "provider_contact": "provider_contact",
}


def _clinic_settings(table: object, where: str) -> dict:
    """The [clinic] section: name, address, monitoring_provider, provider_contact (text)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: clinic must be a [section]")
    out: dict = {}
    for key, value in table.items():
        if key not in CLINIC_KEYS:
            raise ConfigError(
                f"{where}: unknown setting clinic.{key}; known: {', '.join(CLINIC_KEYS)}"
            )
        if not isinstance(value, str):
            raise ConfigError(f"{where}: clinic.{key} = {value!r} must be text in quotes")
        out[CLINIC_KEYS[key]] = value.strip()
    return out


def _protocol_settings(table: object, where: str) -> dict:
    """The [protocol] section: ProtocolConfig's figures (check windows, discharge floors,
    MOAA/S alarm floor, CADSS margin ...) and `min_observation_<ROUTE>` per route."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: protocol must be a [section]")
    known = set(ProtocolConfig.RANGES) | {f"min_observation_{r}" for r in ROUTES}
    values: dict = {}
    by_route: dict[str, float] = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(
                f"{where}: unknown setting protocol.{key}; known: {', '.join(sorted(known))}"
            )
        if key.startswith("min_observation_") and key != "min_observation_min":
            by_route[key.removeprefix("min_observation_")] = value
        else:
            values[key] = value
    try:
        return {"protocol": ProtocolConfig(**values, min_observation_by_route=by_route)}
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def settings_from_dict(doc: dict, where: str = "settings") -> Settings:
    doc = dict(doc)
    alarm_changes = _alarm_settings(doc.pop("alarms"), where) if "alarms" in doc else {}
    if "music" in doc:
        alarm_changes.update(_music_settings(doc.pop("music"), where))
    if "clinic" in doc:
        alarm_changes.update(_clinic_settings(doc.pop("clinic"), where))
    if "protocol" in doc:
        alarm_changes.update(_protocol_settings(doc.pop("protocol"), where))
    if "hl7" in doc:
        alarm_changes["hl7"] = hl7_settings(doc.pop("hl7"), where)
    if "security" in doc:
        alarm_changes["security"] = security_settings(doc.pop("security"), where)
    if "course" in doc:
        alarm_changes["course"] = course_settings(doc.pop("course"), where)
    known_sections = {section for section, _, _ in _RANGES.values()}
    for section, values in doc.items():
        if section not in known_sections or not isinstance(values, dict):
            named = {"alarms", "music", "clinic", "protocol", "hl7", "security", "course"}
            listed = ", ".join(sorted(known_sections | named))
            raise ConfigError(f"{where}: unknown section [{section}]; known: {listed}")
        for key in values:
            if key not in _RANGES or _RANGES[key][0] != section:
                raise ConfigError(f"{where}: unknown setting {section}.{key}")
    changes = dict(alarm_changes)
    for f in fields(Settings):
        if f.name not in _RANGES:
            continue
        section, lo, hi = _RANGES[f.name]
        if f.name not in doc.get(section, {}):
            continue
        changes[f.name] = check_range(f"{where}: {section}.{f.name}", doc[section][f.name], lo, hi)
    return replace(Settings(), **changes)
