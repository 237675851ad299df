"""The room's real monitors as a session's source, built one way for the window (`groupkap
--hl7`) and for `groupkap record`.

Both take the `[hl7]` settings with the command line's `--hl7-port`, `--bind` and `--allow`
on top, the room's remembered device map, and `--assign DEVICE=SEAT`; both start the MLLP
listener before the session is written, so a taken port or a bad vendor codes file is a
one-line refusal with nothing recorded; both wake their heartbeat when a message arrives
(`Hl7Source.on_arrival`), because a monitor's AA waits for the beat that stores its values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from groupkap.clock import Clock
from groupkap.errors import BadInputError
from groupkap.hl7.config import Hl7Config
from groupkap.hl7.devices import DeviceMap
from groupkap.options import Hl7Options
from groupkap.sources.hl7_source import Hl7Source, open_hl7_source


def parse_assignments(entries: Iterable[str], seat_count: int) -> dict[str, int]:
    """`--assign DEVICE=SEAT` entries as {device: seat}, each seat one of the room's; a bad
    entry raises BadInputError saying how to write it."""
    assign: dict[str, int] = {}
    for entry in entries:
        device, sep, seat = entry.rpartition("=")
        if not sep or not device.strip() or not seat.strip().isdigit():
            raise BadInputError(
                f"--assign {entry!r} is not DEVICE=SEAT; write it like 0012A3FFFE000010^EUI-64=3"
            )
        if not 1 <= int(seat) <= seat_count:
            raise BadInputError(
                f"--assign {entry!r}: there is no seat {seat} in a {seat_count}-seat room"
            )
        assign[device.strip()] = int(seat)
    return assign


class RoomMonitors:
    """Builds the room's `Hl7Source` (it is the session's `make_source`), puts the command
    line's monitors on their seats, and stops the listener at the end.

    Attributes:
        config: the listener's settings: `[hl7]` with the command line's overrides.
        devices: the room's device → seat map (hl7_devices.toml), read at construction.
        assign: device → seat put in place once the session has started (`--assign`).
        on_arrival: called on the listener's thread for every message: wakes the heartbeat.
        source: the source once built (None before).
    """

    def __init__(
        self,
        settings: Hl7Config,
        options: Hl7Options,
        clock: Clock,
        on_arrival: Callable[[], None] | None = None,
    ) -> None:
        self.config = settings.with_overrides(
            port=options.port, bind=options.bind, allow=options.allow
        )
        self.assign: Mapping[str, int] = dict(options.assign)
        self.clock = clock
        self.on_arrival = on_arrival
        self.devices = DeviceMap.load()  # a device map that cannot be read: ConfigError now
        self.source: Hl7Source | None = None
        self._opened: list[Hl7Source] = []

    def check(self) -> None:
        """Listen on the port once and let it go: a taken port, an address not this
        machine's or a bad vendor codes file raises now (SourceError, ConfigError), before
        anything is asked or written. The window checks before it offers to resume."""
        open_hl7_source(self.config, self.clock, (), DeviceMap()).close()

    def __call__(self, seats: Sequence[int], _start: float) -> Hl7Source:
        """The session's source: the listener started on `config` (raises as `check`)."""
        source = open_hl7_source(self.config, self.clock, seats, self.devices)
        source.on_arrival = self.on_arrival  # its AA waits for the beat that stores it
        self._opened.append(source)
        self.source = source
        return source

    def place(self, actor: str) -> None:
        """Put the `--assign` monitors on their seats (logged, remembered for the room)."""
        for device, seat in self.assign.items():
            self.source.assign(device, seat, actor)

    @property
    def port(self) -> int:
        """The port listened on (the one chosen for `--hl7-port 0`)."""
        listener = self.source.listener if self.source is not None else None
        return listener.port if listener is not None else self.config.port

    def describe(self) -> str:
        """Where monitors send to, for the start-up line: `HL7 on 127.0.0.1 port 2575,
        letting in 127.0.0.1, ::1`."""
        return (
            f"HL7 on {self.config.bind} port {self.port}, "
            f"letting in {', '.join(self.config.allow) or 'no one'}"
        )

    def close(self) -> None:
        """Stop every listener opened (the session's end has usually stopped it already)."""
        for source in self._opened:
            source.close()
