"""The clinic's table of vendor codes: a TOML file it edits when a monitor sends a code
GroupKAP does not know (the tray shows the code, its text and its coding system).

    # OBX-3 codes of our monitors. Parameters: HR, PR, SpO2, RR, SBP, DBP, MAP, TEMP.
    [codes]
    "0002-4182" = "HR"        # this code, whatever coding system the monitor names

    [codes.99MNDRY]           # codes of one coding system (OBX-3.3)
    "101" = "HR"
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from groupkap.errors import ConfigError
from groupkap.hl7.codes import ANY_SYSTEM, MAPPABLE, CodeTable

_USE = f"use one of {', '.join(MAPPABLE)}"


def load_vendor_codes(path: Path | str) -> CodeTable:
    """The standard code tables plus the file's vendor codes.

    Raises ConfigError naming the file and the entry for a file that cannot be read, is not
    UTF-8 or not TOML, has no [codes] table or anything else at its top, or maps a code to
    something that is not a parameter; a bad file changes nothing.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"vendor codes {path}: cannot read it ({exc.strerror})") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"vendor codes {path}: not UTF-8 text (line {line}, byte {exc.start}); save it as UTF-8"
        ) from exc
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"vendor codes {path}: {exc}") from exc
    table = parse_vendor_codes(doc, f"vendor codes {path}")
    try:
        return CodeTable(table)
    except ConfigError as exc:
        raise ConfigError(f"vendor codes {path}: {exc}") from exc


def parse_vendor_codes(doc: dict, where: str = "vendor codes") -> dict[tuple[str, str], str]:
    """{(coding system, code): parameter} from a parsed vendor codes document."""
    extra = sorted(key for key in doc if key != "codes")
    if extra:
        raise ConfigError(f"{where}: unknown table or key {extra[0]!r}; only [codes] belongs here")
    if "codes" not in doc:
        raise ConfigError(f'{where} has no [codes] table (e.g. [codes] "0002-4182" = "HR")')
    codes = doc["codes"]
    if not isinstance(codes, dict):
        raise ConfigError(f"{where}: codes must be a [codes] table, not {codes!r}")
    table: dict[tuple[str, str], str] = {}
    for key, value in codes.items():
        if isinstance(value, dict):
            for code, param in value.items():
                table[(key, code)] = _param(where, f"[codes.{key}] {code!r}", param)
        else:
            table[(ANY_SYSTEM, key)] = _param(where, f"[codes] {key!r}", value)
    for system, code in table:
        if not code.strip():
            raise ConfigError(f"{where}: an empty code in [codes.{system}]")
    return table


def _param(where: str, entry: str, value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {entry} = {value!r}: a parameter name in quotes; {_USE}")
    if value not in MAPPABLE:
        hint = next((p for p in MAPPABLE if p.lower() == value.strip().lower()), None)
        also = f" (did you mean {hint!r}?)" if hint else ""
        raise ConfigError(f"{where}: {entry} = {value!r} is not a parameter{also}; {_USE}")
    return value
