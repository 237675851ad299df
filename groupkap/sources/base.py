"""What every vitals source offers the session: readings up to a time, per seat."""

from __future__ import annotations

from typing import Protocol

from groupkap.readings import Reading, WaveformBlock


class VitalsSource(Protocol):
    """A pull-style source: the session asks for everything up to `until`.

    Push sources (an HL7 listener on its own thread) fit the same shape by queueing what
    arrives and handing it over here.
    """

    name: str

    @property
    def seats(self) -> tuple[int, ...]: ...

    def generate(self, until: float) -> tuple[list[Reading], list[WaveformBlock]]: ...

    def add_seat(self, seat: int, dose_time: float | None = None) -> None: ...

    def remove_seat(self, seat: int) -> None: ...

    def move_seat(self, old: int, new: int) -> None:
        """A participant moved from chair `old` to chair `new` taking their sensors with them:
        what fed `old` (a simulated course, a monitor's device id) feeds `new` from now on."""
        ...
