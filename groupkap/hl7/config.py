"""The [hl7] settings: where the MLLP listener listens, whom it lets in, and its limits.

    [hl7]
    port = 2575                         # the MLLP port monitors or the gateway send to
    bind = "127.0.0.1"                  # the address to listen on ("0.0.0.0": every network)
    allow = ["127.0.0.1", "10.0.5.0/24"]  # peers let in: addresses or networks
    vendor_codes = "/etc/groupkap/vendor_codes.toml"  # the clinic's table of vendor codes
    max_message_kib = 1024              # a bigger message is answered AR and dropped
    idle_timeout_s = 300                # a connection silent this long is closed
    frame_timeout_s = 30                # half a message for this long: the connection is closed
    store_timeout_s = 10                # a message not stored within this is answered AE

Read by `groupkap.settings`; every value is checked here with the key and its range.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, fields, replace
from pathlib import Path

from groupkap.errors import ConfigError
from groupkap.ranges import check_range

DEFAULT_PORT = 2575  # IANA's port for HL7 over MLLP
LOOPBACK = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class Hl7Config:
    """How the listener runs.

    Attributes:
        port: the TCP port (0: any free port, for tests and the demo).
        bind: the address to listen on; loopback unless a clinic configures another.
        allow: the peers let in, as addresses or networks (`10.0.5.0/24`); loopback only by
            default, so opening `bind` to the network lets no one in until they are listed.
        vendor_codes: the clinic's vendor codes file ("" = the standard tables only).
        max_message_kib: the largest message read; a bigger one is answered AR.
        idle_timeout_s: a connection with no bytes for this long is closed (a monitor sends
            every second; a gateway reconnects).
        frame_timeout_s: a message begun must end within this (a slow or stuck sender must
            not hold a connection open with half a frame).
        store_timeout_s: the longest a message's AA waits for its readings to be committed;
            past it the answer is AE and the sender sends again (a stalled store must not
            hold a monitor's queue, and must not be acknowledged as if it had stored).
    """

    port: int = DEFAULT_PORT
    bind: str = "127.0.0.1"
    allow: tuple[str, ...] = LOOPBACK
    vendor_codes: str = ""
    max_message_kib: int = 1024
    idle_timeout_s: float = 300.0
    frame_timeout_s: float = 30.0
    store_timeout_s: float = 10.0

    @property
    def max_message_bytes(self) -> int:
        return self.max_message_kib * 1024

    def with_overrides(
        self, *, port: int | None = None, bind: str | None = None, allow: tuple[str, ...] = ()
    ) -> Hl7Config:
        """These settings with what the command line gave (checked as the file's are)."""
        out = self
        if port is not None:
            out = replace(out, port=check_port("--hl7-port", port))
        if bind is not None:
            out = replace(out, bind=check_address("--bind", bind))
        if allow:
            out = replace(out, allow=check_allow("--allow", list(allow)))
        return out


RANGES = {
    "max_message_kib": (16, 16384),
    "idle_timeout_s": (10, 3600),
    "frame_timeout_s": (1, 300),
    "store_timeout_s": (1, 120),
}


def check_port(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise ConfigError(f"{name} = {value!r} is not a TCP port; use 1 to 65535 (0: any free one)")
    return value


def check_address(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{name} = {value!r} must be an IP address in quotes")
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise ConfigError(
            f"{name} = {value!r} is not an IP address; use e.g. 127.0.0.1 (this machine only) "
            "or the address of the network card the monitors reach"
        ) from None


def check_allow(name: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{name} must be a list of addresses, e.g. ["127.0.0.1", "10.0.5.0/24"]')
    out = []
    for entry in value:
        try:
            out.append(str(ipaddress.ip_network(entry.strip(), strict=False)))
        except ValueError:
            raise ConfigError(
                f"{name}: {entry!r} is not an address or a network (e.g. 10.0.5.21 or 10.0.5.0/24)"
            ) from None
    return tuple(out)


def hl7_settings(table: object, where: str) -> Hl7Config:
    """The [hl7] section of a settings file, every key checked."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: hl7 must be a [section]")
    known = [f.name for f in fields(Hl7Config)]
    values: dict = {}
    for key, value in table.items():
        name = f"{where}: hl7.{key}"
        if key == "port":
            values[key] = check_port(name, value)
        elif key == "bind":
            values[key] = check_address(name, value)
        elif key == "allow":
            values[key] = check_allow(name, value)
        elif key == "vendor_codes":
            if not isinstance(value, str):
                raise ConfigError(f"{name} must be a file path in quotes")
            values[key] = str(Path(value).expanduser()) if value.strip() else ""
        elif key in RANGES:
            number = check_range(name, value, *RANGES[key])
            values[key] = int(number) if key == "max_message_kib" else number
        else:
            raise ConfigError(f"{where}: unknown setting hl7.{key}; known: {', '.join(known)}")
    return Hl7Config(**values)
