"""Alarm limits: which values alarm at which priority, read from a file the clinic lead edits.

A limits file is checked whole before any of it is used: an unknown parameter, a bound
outside the parameter's plausible range, a low bound at or above a high bound, or a high
priority bound that is less extreme than the medium one is refused with the line it is on,
and the previous limits stay in force.

Limits never vanish by omission: every parameter of the built-in defaults must have its
section, and a parameter's alarms are switched off only by `off = true` with a `reason`.
Only a regular file of at most 64 KiB of UTF-8 is read; anything else is refused at once.
"""

from __future__ import annotations

import functools
import json
import operator
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import platformdirs

from groupkap.errors import ConfigError
from groupkap.params import PARAMETERS

HIGH, MEDIUM, LOW = "high", "medium", "low"
PRIORITY_RANK = {LOW: 1, MEDIUM: 2, HIGH: 3}

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_BOUND = re.compile(r"^\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")
STAYS = "; the previous limits stay in force"
MAX_FILE_BYTES = 64 * 1024  # the defaults are under 1 KiB: more is not a limits file
MAX_REASON_CHARS = 200


@dataclass(frozen=True)
class Bound:
    """One side of a limit, such as `< 92`.

    Attributes:
        op: `<`, `<=`, `>` or `>=`.
        value: the number it compares with.
    """

    op: str
    value: float

    @property
    def is_low(self) -> bool:
        return self.op in ("<", "<=")

    def crossed(self, reading: float) -> bool:
        return _OPS[self.op](reading, self.value)

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"


@dataclass(frozen=True)
class ParamLimits:
    """The limits of one parameter.

    Attributes:
        param: canonical parameter name.
        medium, high: the bounds that raise that priority.
        delay_s: how long a continuous parameter must stay past a bound before it alarms.
        confirm_readings: for intermittent readings (cuff), how many in a row must be past.
        extreme: for intermittent readings, a bound that alarms high on a single reading.
        off: True when this parameter's alarms are switched off (the bounds are kept, so
            switching them back on is deleting `off`).
        reason: why they are off (required with `off`).
    """

    param: str
    medium: tuple[Bound, ...] = ()
    high: tuple[Bound, ...] = ()
    delay_s: float = 0.0
    confirm_readings: int = 1
    extreme: Bound | None = None
    off: bool = False
    reason: str = ""

    def level(self, value: float) -> tuple[str | None, Bound | None]:
        """The highest priority `value` crosses, with the bound it crossed (none when off)."""
        if self.off:
            return None, None
        for priority, bounds in ((HIGH, self.high), (MEDIUM, self.medium)):
            for bound in bounds:
                if bound.crossed(value):
                    return priority, bound
        return None, None

    def describe(self) -> dict:
        """Plain values for the `limits.changed` event."""
        out = {"medium": [str(b) for b in self.medium], "high": [str(b) for b in self.high]}
        if self.delay_s:
            out["delay_s"] = self.delay_s
        if self.confirm_readings > 1:
            out["confirm_readings"] = self.confirm_readings
        if self.extreme:
            out["extreme"] = str(self.extreme)
        if self.off:
            out["off"], out["reason"] = True, self.reason
        return out


@dataclass(frozen=True)
class LimitSet:
    """The limits for every watched parameter.

    Attributes:
        params: ParamLimits by parameter name.
        source: where they came from (a file path or `built-in defaults`).
    """

    params: dict[str, ParamLimits] = field(default_factory=dict)
    source: str = "built-in defaults"

    def get(self, param: str) -> ParamLimits | None:
        return self.params.get(param)

    def off(self) -> dict[str, str]:
        """The parameters whose alarms are switched off, with the reason given."""
        return {name: p.reason for name, p in self.params.items() if p.off}


_HEADER = re.compile(r'^\[\s*"?([^\]"]+?)"?\s*\]\s*(?:#.*)?$')


def _line_of(text: str, section: str, key: str | None) -> int:
    """The 1-based line of `key` inside `[section]` (or of the section header, or of a
    top-level `section = ...` that should have been a section)."""
    in_section, top_level = False, True
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = _HEADER.match(stripped)  # headers may carry spaces and a trailing comment
        if header:
            top_level = False
            in_section = header.group(1) == section
            if in_section and key is None:
                return number
            continue
        if top_level and key is None and re.match(rf'"?{re.escape(section)}"?\s*=', stripped):
            return number
        if in_section and key and re.match(rf'"?{re.escape(key)}"?\s*=', stripped):
            return number
    return 0


class _Reader:
    """Turns one TOML text into a LimitSet, raising ConfigError with file and line."""

    KEYS = {"medium", "high", "delay_s", "confirm_readings", "extreme", "off", "reason"}

    def __init__(self, text: str, where: str) -> None:
        self.text, self.where = text, where

    def fail(self, section: str, key: str | None, message: str) -> ConfigError:
        line = _line_of(self.text, section, key)
        place = f"{self.where}, line {line}" if line else self.where
        return ConfigError(f"{place}: {message}{STAYS}")

    def bounds(self, section: str, key: str, raw) -> tuple[Bound, ...]:
        items = raw if isinstance(raw, list) else [raw]
        out = []
        p = PARAMETERS[section]
        for item in items:
            m = _BOUND.match(item) if isinstance(item, str) else None
            if m is None:
                raise self.fail(
                    section,
                    key,
                    f'{section}.{key} = {item!r} is not a bound like "< 92" or ">= 180"',
                )
            bound = Bound(m.group(1), float(m.group(2)))
            if not p.valid_min <= bound.value <= p.valid_max:
                raise self.fail(
                    section,
                    key,
                    f"{section}.{key} {bound} is outside the "
                    f"plausible range {p.valid_min:g}–{p.valid_max:g} {p.unit}",
                )
            out.append(bound)
        return tuple(out)

    def number(self, section: str, key: str, raw, lo: float, hi: float) -> float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not lo <= raw <= hi:
            raise self.fail(
                section, key, f"{section}.{key} = {raw!r} must be a number from {lo:g} to {hi:g}"
            )
        return float(raw)

    def param(self, section: str, table: dict) -> ParamLimits:
        if section not in PARAMETERS or PARAMETERS[section].waveform:
            known = ", ".join(n for n, p in PARAMETERS.items() if not p.waveform)
            raise self.fail(section, None, f"unknown parameter [{section}]; known: {known}")
        for key in table:
            if key not in self.KEYS:
                raise self.fail(
                    section,
                    key,
                    f"unknown key {section}.{key}; known: {', '.join(sorted(self.KEYS))}",
                )
        medium = self.bounds(section, "medium", table.get("medium", []))
        high = self.bounds(section, "high", table.get("high", []))
        extreme = None
        if "extreme" in table:
            found = self.bounds(section, "extreme", table["extreme"])
            if len(found) != 1:
                raise self.fail(
                    section, "extreme", f'{section}.extreme must be one bound like ">= 200"'
                )
            extreme = found[0]
        off, reason = self.switched_off(section, table)
        if not off and not (medium or high or extreme):
            raise self.fail(
                section,
                None,
                f"[{section}] has no medium or high bound; give its limits, or switch its "
                f'alarms off with off = true and reason = "..."',
            )
        limits = ParamLimits(
            section,
            medium,
            high,
            delay_s=self.number(section, "delay_s", table.get("delay_s", 0), 0, 300),
            confirm_readings=int(
                self.number(section, "confirm_readings", table.get("confirm_readings", 1), 1, 5)
            ),
            extreme=extreme,
            off=off,
            reason=reason,
        )
        self.check_order(section, limits)
        return limits

    def switched_off(self, section: str, table: dict) -> tuple[bool, str]:
        """`off = true` with a reason switches a parameter's alarms off; nothing else does."""
        off = table.get("off", False)
        if not isinstance(off, bool):
            raise self.fail(section, "off", f"{section}.off = {off!r} must be true or false")
        reason = table.get("reason")
        if not off:
            if reason is not None:
                raise self.fail(
                    section, "reason", f"{section}.reason is given but {section}.off is not true"
                )
            return False, ""
        if not isinstance(reason, str) or not reason.strip():
            raise self.fail(
                section,
                "off",
                f'{section}.off = true needs a reason, e.g. reason = "probe removed, '
                f'spot checks every 5 min"; alarms are switched off only with a reason',
            )
        if len(reason.strip()) > MAX_REASON_CHARS or "\n" in reason.strip():
            raise self.fail(
                section,
                "reason",
                f"{section}.reason must be one line of at most {MAX_REASON_CHARS} characters",
            )
        return True, reason.strip()

    def check_order(self, section: str, limits: ParamLimits) -> None:
        every = limits.medium + limits.high
        lows = [b.value for b in every if b.is_low]
        highs = [b.value for b in every if not b.is_low]
        if lows and highs and max(lows) >= min(highs):
            raise self.fail(
                section,
                "medium",
                f"{section}: low limit {max(lows):g} is at or "
                f"above high limit {min(highs):g}, so every value would alarm",
            )
        for hb in limits.high:
            same_side = [m for m in limits.medium if m.is_low == hb.is_low]
            for mb in same_side:
                if (hb.is_low and hb.value > mb.value) or (not hb.is_low and hb.value < mb.value):
                    raise self.fail(
                        section,
                        "high",
                        f"{section}: high-priority bound {hb} is "
                        f"less extreme than the medium bound {mb}",
                    )


def parse_limits(text: str, where: str = "alarm limits") -> LimitSet:
    """Read a whole limits file; every parameter of the defaults must be in it."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: {exc}{STAYS}") from exc
    reader = _Reader(text, where)
    params = {}
    for section, table in doc.items():
        if not isinstance(table, dict):
            raise reader.fail(section, None, f"{section} must be a [section]")
        params[section] = reader.param(section, table)
    missing = [name for name in required_params() if name not in params]
    if missing:
        what = "is empty:" if not params else f"has {', '.join(f'[{n}]' for n in params)} but"
        raise ConfigError(
            f"{where} {what} no {', '.join(f'[{n}]' for n in missing)}: every parameter "
            f'needs its limits, or off = true with reason = "..." to switch its alarms off'
            f"{STAYS}"
        )
    return LimitSet(params, where)


def _default_text() -> str:
    return (
        resources.files("groupkap.alarms")
        .joinpath("default_limits.toml")
        .read_text(encoding="utf-8")
    )


@functools.cache
def required_params() -> tuple[str, ...]:
    """The parameters every limits file must name: those of the built-in defaults."""
    return tuple(tomllib.loads(_default_text()))


def default_limits() -> LimitSet:
    return parse_limits(_default_text(), "built-in defaults")


def clinic_limits_path() -> Path:
    """Where the clinic's own limits live: `GROUPKAP_ALARM_LIMITS`, else the config folder."""
    env = os.environ.get("GROUPKAP_ALARM_LIMITS")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("groupkap", appauthor=False)) / "alarm_limits.toml"


def load_clinic_limits() -> LimitSet:
    """The clinic's limits file when there is one, else the built-in defaults. At start
    there are no previous limits: a refused file means nothing starts."""
    path = clinic_limits_path()
    if not (path.exists() or "GROUPKAP_ALARM_LIMITS" in os.environ):
        return default_limits()
    try:
        return load_limits(path)
    except ConfigError as exc:
        unset = " or unset GROUPKAP_ALARM_LIMITS" if "GROUPKAP_ALARM_LIMITS" in os.environ else ""
        message = str(exc).removesuffix(STAYS)
        raise ConfigError(f"{message}; nothing was started: fix the file{unset}") from exc


def read_limits_text(path: Path) -> str:
    """The text of a limits file: a regular file of at most MAX_FILE_BYTES of UTF-8.

    Opened without blocking and checked on the open descriptor, so a pipe, a folder or a
    device is refused at once and cannot be swapped in between a check and the read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ConfigError(f"cannot read alarm limits {path}: {exc.strerror}{STAYS}") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a pipe or device)"
            raise ConfigError(f"alarm limits {path} is {kind}{STAYS}")
        data = os.read(fd, MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read alarm limits {path}: {exc.strerror}{STAYS}") from exc
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(
            f"alarm limits {path} is larger than {MAX_FILE_BYTES // 1024} KiB; "
            f"a limits file is a few lines{STAYS}"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}, line {line}: not UTF-8 text (byte {exc.start}); save the file as UTF-8{STAYS}"
        ) from exc


def load_limits(path: Path) -> LimitSet:
    return parse_limits(read_limits_text(Path(path)), str(path))


def to_toml(limits: LimitSet) -> str:
    """The limits in the file format `parse_limits` reads (round-trips exactly)."""

    def bounds(items: tuple[Bound, ...]) -> str:
        quoted = [f'"{b}"' for b in items]
        return quoted[0] if len(quoted) == 1 else f"[{', '.join(quoted)}]"

    lines: list[str] = []
    for name, p in limits.params.items():
        lines.append(f"[{name}]")
        if p.medium:
            lines.append(f"medium = {bounds(p.medium)}")
        if p.high:
            lines.append(f"high = {bounds(p.high)}")
        if p.delay_s:
            lines.append(f"delay_s = {p.delay_s:g}")
        if p.confirm_readings > 1:
            lines.append(f"confirm_readings = {p.confirm_readings}")
        if p.extreme:
            lines.append(f'extreme = "{p.extreme}"')
        if p.off:
            lines += ["off = true", f"reason = {_toml_string(p.reason)}"]
        lines.append("")
    return "\n".join(lines)


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # JSON's escapes are TOML's basic string's


def limits_from_description(param: str, description: dict) -> ParamLimits:
    """Rebuild one parameter's limits from a `limits.changed` event's `new` value."""
    table = {k: v for k, v in description.items() if v not in (None, [])}
    return _Reader("", "the session log").param(param, table)
