"""Alarm limits: which values alarm at which priority, read from a file the clinic lead edits.

A limits file is checked whole before any of it is used: an unknown parameter, a bound
outside the parameter's plausible range, a low bound at or above a high bound, or a high
priority bound that is less extreme than the medium one is refused with the line it is on,
and the previous limits stay in force.
"""

from __future__ import annotations

import operator
import os
import re
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
    """

    param: str
    medium: tuple[Bound, ...] = ()
    high: tuple[Bound, ...] = ()
    delay_s: float = 0.0
    confirm_readings: int = 1
    extreme: Bound | None = None

    def level(self, value: float) -> tuple[str | None, Bound | None]:
        """The highest priority `value` crosses, with the bound it crossed."""
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

    KEYS = {"medium", "high", "delay_s", "confirm_readings", "extreme"}

    def __init__(self, text: str, where: str) -> None:
        self.text, self.where = text, where

    def fail(self, section: str, key: str | None, message: str) -> ConfigError:
        line = _line_of(self.text, section, key)
        place = f"{self.where}, line {line}" if line else self.where
        return ConfigError(f"{place}: {message}; the previous limits stay in force")

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
        limits = ParamLimits(
            section,
            medium,
            high,
            delay_s=self.number(section, "delay_s", table.get("delay_s", 0), 0, 300),
            confirm_readings=int(
                self.number(section, "confirm_readings", table.get("confirm_readings", 1), 1, 5)
            ),
            extreme=extreme,
        )
        self.check_order(section, limits)
        return limits

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
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: {exc}; the previous limits stay in force") from exc
    reader = _Reader(text, where)
    params = {}
    for section, table in doc.items():
        if not isinstance(table, dict):
            raise reader.fail(section, None, f"{section} must be a [section]")
        params[section] = reader.param(section, table)
    return LimitSet(params, where)


def default_limits() -> LimitSet:
    text = resources.files("groupkap.alarms").joinpath("default_limits.toml").read_text()
    return parse_limits(text, "built-in defaults")


def clinic_limits_path() -> Path:
    """Where the clinic's own limits live: `GROUPKAP_ALARM_LIMITS`, else the config folder."""
    env = os.environ.get("GROUPKAP_ALARM_LIMITS")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("groupkap", appauthor=False)) / "alarm_limits.toml"


def load_clinic_limits() -> LimitSet:
    """The clinic's limits file when there is one, else the built-in defaults."""
    path = clinic_limits_path()
    return (
        load_limits(path)
        if path.exists() or "GROUPKAP_ALARM_LIMITS" in os.environ
        else default_limits()
    )


def load_limits(path: Path) -> LimitSet:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read alarm limits {path}: {exc.strerror}") from exc
    return parse_limits(text, str(path))


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
        lines.append("")
    return "\n".join(lines)


def limits_from_description(param: str, description: dict) -> ParamLimits:
    """Rebuild one parameter's limits from a `limits.changed` event's `new` value."""
    table = {k: v for k, v in description.items() if v not in (None, [])}
    return _Reader("", "the session log").param(param, table)
