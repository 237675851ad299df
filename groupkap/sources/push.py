"""What a push source (the HL7 listener) hands the session beyond seat readings.

`LiveSession` calls these from its heartbeat, so they run on the session's thread:

- `device_of`: the `device` column of a reading's vitals row: the monitor's own id for an
  HL7 value (`hl7:<device>`), `seat<N>` for the simulator and hand entries.
- `file_unseated`: readings of a monitor on no seat, or on a seat nobody sits on, are still
  recorded, under their device id and without a participant (so they reach no one's tile,
  alarms or protocol).
- `raise_source_alarms`: the source's own faults (the listener down) as technical alarms
  for the room, cleared when the source says they are over.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from groupkap.alarms.engine import ROOM
from groupkap.alarms.limits import HIGH
from groupkap.params import PARAMETERS
from groupkap.readings import Reading

if TYPE_CHECKING:
    from groupkap.session import LiveSession

DEVICE_PREFIX = "hl7:"


def device_of(r: Reading) -> str:
    """The monitor's id for an HL7 value, else `seat<N>`."""
    if r.source.startswith(DEVICE_PREFIX):
        return r.source[len(DEVICE_PREFIX) :]
    return f"seat{r.seat}"


def file_unseated(live: LiveSession, dropped: Iterable[Reading], rows: list[tuple]) -> None:
    """Vitals rows for the monitor readings the room did not take because no one sits on
    their seat (or their device is on no seat): recorded under the device id, no participant."""
    for r in dropped:
        if not r.source.startswith(DEVICE_PREFIX) or live.room.on_seat(r.seat) is not None:
            continue  # a simulated seat, or an artefact of a seated participant's monitor
        p = PARAMETERS.get(r.param)
        if p is None or p.waveform or not p.is_valid(r.value):
            continue
        rows.append(
            (live.id, None, r.seat or None, device_of(r), r.param, r.t, r.value, p.unit, r.source)
        )


def raise_source_alarms(live: LiveSession) -> None:
    """The source's faults as the room's high technical alarms (raised while they last)."""
    health = getattr(live.source, "health", None)
    if health is None or live.alarms is None:
        return
    for key, problem in health().items():
        if problem:
            live.alarms.raise_technical(ROOM, key, HIGH, problem)
        else:
            live.alarms.clear_technical(ROOM, key)
