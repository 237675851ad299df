"""One check, and one wording, for a setting that must be a number within a range."""

from __future__ import annotations

from groupkap.errors import ConfigError


def check_range(name: str, value: object, lo: float, hi: float, unit: str = "") -> float:
    """`value` as a float when it is a number from `lo` to `hi` (inclusive), else ConfigError.

    The message names the setting and the allowed range, so a clinic lead can fix the file
    without the manual. `true` is refused although Python counts it as 1, and so are NaN
    and infinity, which TOML can spell.
    """
    allowed = f"{lo:g} to {hi:g}" + (f" {unit}" if unit else "")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} = {value!r} must be a number; use {allowed}")
    if not lo <= value <= hi:
        raise ConfigError(f"{name} = {_shown(value)} is out of range; use {allowed}")
    return float(value)


def _shown(value: float) -> str:
    # 30 rather than 30.0 for a whole number, but never rounded into the range: 120.0001
    # shown as "120" beside "use 30 to 120" would be a riddle.
    if isinstance(value, float) and float(f"{value:g}") == value:
        return f"{value:g}"
    return repr(value)


def section_numbers(
    section: str, table: object, where: str, ranges: dict[str, tuple[float, float, str, bool]]
) -> dict[str, float | int]:
    """A settings file's `[section]` of numbers, every key checked: {key: number}.

    `ranges` is key -> (minimum, maximum, unit, whole number). An unknown key, a value out of
    range or a fraction where a whole number is meant is refused with the key and what is
    allowed; nothing of the section is used then.
    """
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: {section} must be a [section]")
    values: dict[str, float | int] = {}
    for key, value in table.items():
        if key not in ranges:
            raise ConfigError(
                f"{where}: unknown setting {section}.{key}; known: {', '.join(ranges)}"
            )
        lo, hi, unit, whole = ranges[key]
        name = f"{where}: {section}.{key}"
        number = check_range(name, value, lo, hi, unit)
        if whole:
            if number != int(number):
                raise ConfigError(f"{name} = {value!r} must be a whole number of {unit}")
            number = int(number)
        values[key] = number
    return values
