"""A room of real and simulated seats: some seats fed by monitors over HL7, the rest simulated.

A seat is real when it was named real at the start or a device is assigned to it; putting
a device on a simulated seat makes it real from then on (its simulation stops). A real seat
never goes back to simulated values, even when its device is taken off: it shows no data
and alarms, as a real seat without a monitor should.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from groupkap.errors import BadInputError
from groupkap.readings import Reading, WaveformBlock
from groupkap.sources.hl7_source import DeviceSeen, Hl7Source

DoseTimes = Callable[[int], float]


class MixedSource:
    """Simulated seats (a `Simulator`) beside real ones (an `Hl7Source`).

    Attributes:
        hl7: the real seats' source (the listener, the device map, the tray).
        sim: the simulated seats' source, or None when every seat is real.
        before_generate: called with `until` at the start of every `generate` (the demo's
            monitors send what they measured up to then, so it arrives in the same beat).
        on_close: called by `close` after the listener stops (the demo's monitors hang up).
    """

    def __init__(
        self,
        hl7: Hl7Source,
        sim=None,
        *,
        dose_times: DoseTimes | None = None,
        before_generate: Callable[[float], None] | None = None,
        on_close: Iterable[Callable[[], None]] = (),
    ) -> None:
        self.hl7 = hl7
        self.sim = sim
        self.before_generate = before_generate
        self.on_close = list(on_close)
        self._dose_times = dose_times
        self.name = "hl7" if sim is None else "sim+hl7"
        for seat in self.devices_seats():
            self._make_real(seat)

    def devices_seats(self) -> set[int]:
        return set(self.hl7.devices.mapping.values())

    # -- the VitalsSource protocol ------------------------------------------------
    @property
    def seats(self) -> tuple[int, ...]:
        sim = self.sim.seats if self.sim is not None else ()
        return tuple(sorted({*sim, *self.hl7.seats}))

    @property
    def simulated_seats(self) -> tuple[int, ...]:
        return tuple(self.sim.seats) if self.sim is not None else ()

    def generate(self, until: float) -> tuple[list[Reading], list[WaveformBlock]]:
        if self.before_generate is not None:
            self.before_generate(until)
        readings, blocks = self.hl7.generate(until)
        if self.sim is not None:
            sim_readings, sim_blocks = self.sim.generate(until)
            readings += sim_readings
            blocks += sim_blocks
        return readings, blocks

    def add_seat(self, seat: int, dose_time: float | None = None) -> None:
        if self.sim is None or seat in self.devices_seats() or seat in self.hl7.seats:
            self.hl7.add_seat(seat)
        else:
            self.sim.add_seat(seat, dose_time)

    def remove_seat(self, seat: int) -> None:
        if self.sim is not None and seat in self.sim.seats:
            self.sim.remove_seat(seat)
        self.hl7.remove_seat(seat)

    def move_seat(self, old: int, new: int) -> None:
        if self.sim is not None and old in self.sim.seats:
            self.sim.move_seat(old, new)
        else:
            self.hl7.move_seat(old, new)

    def receipt(self):
        """The HL7 side's messages waiting for the store (`Hl7Source.receipt`)."""
        return self.hl7.receipt()

    def dose_time(self, seat: int) -> float:
        """A simulated participant's T0 (the demo's team doses on it)."""
        if self.sim is not None and seat in self.sim.seats:
            return self.sim.dose_time(seat)
        if self._dose_times is not None:
            return self._dose_times(seat)
        raise BadInputError(f"seat {seat} is fed by a monitor: its dose is given by a person")

    # -- what the HL7 side adds ------------------------------------------------------
    def attach(self, record) -> None:
        self.hl7.attach(record)

    def assign(self, device: str, seat: int, actor: str) -> bool:
        """Put a monitor on a seat; a simulated seat becomes real."""
        done = self.hl7.assign(device, seat, actor)
        self._make_real(seat)
        return done

    def unassign(self, device: str, actor: str) -> bool:
        return self.hl7.unassign(device, actor)

    def unassigned(self) -> list[DeviceSeen]:
        return self.hl7.unassigned()

    def seen(self) -> list[DeviceSeen]:
        return self.hl7.seen()

    def health(self) -> dict[str, str | None]:
        return self.hl7.health()

    def close(self) -> None:
        """The senders hang up (`on_close`: the demo's monitors, once their last ACKs are
        in), then the listener stops."""
        try:
            for hang_up in self.on_close:
                hang_up()
        finally:
            self.hl7.close()

    def _make_real(self, seat: int) -> None:
        if self.sim is not None and seat in self.sim.seats:
            self.sim.remove_seat(seat)
            if not self.sim.seats:
                self.sim = None
                self.name = "hl7"  # the room is all real now
            self.hl7.add_seat(seat)


def simulated_seats(source) -> tuple[int, ...]:
    """The seats whose values are simulated (each tile says so): a source says which, and a
    source that does not say is a simulator when it is named `sim`."""
    seats = getattr(source, "simulated_seats", None)
    if seats is not None:
        return tuple(seats)
    return tuple(source.seats) if getattr(source, "name", "") == "sim" else ()


def split_seats(seats: Sequence[int], real: Iterable[int]) -> tuple[list[int], list[int]]:
    """(simulated, real) seats of a room, in seat order."""
    real = set(real)
    return [s for s in seats if s not in real], [s for s in seats if s in real]
