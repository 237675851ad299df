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
