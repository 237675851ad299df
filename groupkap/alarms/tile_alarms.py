"""What a seat tile shows of its participant's alarms: which one leads, how many more, and
which value on the tile each one marks.

A tile has room for one alarm line, yet every alarm of the participant must be reachable from
it: the worst is shown, `+N` counts the rest. An alarm on a value's own parameter also marks
that value, so the number that is out of range is the one that stands out (in the priority's
colour, with ▲ above the limit or ▼ below it). The widget draws these decisions; it takes none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from groupkap.alarms.model import Alarm, flash_on, rank

ABOVE = "▲"
BELOW = "▼"

# The value on the tile that a physiological alarm's parameter marks.
VALUE_OF_PARAM = {
    "HR": "HR",
    "PR": "HR",  # the tile's heart rate shows the pulse rate when the ECG is quiet
    "SpO2": "SpO2",
    "RR": "RR",
    "SBP": "BP",
    "DBP": "BP",
    "MAP": "BP",
}

_LIMIT = re.compile(r"^\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")


def direction(alarm: Alarm) -> str:
    """▲ when the value is above the limit it crossed, ▼ below, "" when there is no value or
    no readable limit. A value exactly on the bound (`>= 140` at 140) takes the bound's side."""
    if alarm.value is None or not alarm.limit:
        return ""
    match = _LIMIT.match(alarm.limit)
    if match is None:
        return ""
    op, bound = match.group(1), float(match.group(2))
    if alarm.value > bound:
        return ABOVE
    if alarm.value < bound:
        return BELOW
    return BELOW if op.startswith("<") else ABOVE


def order(alarm: Alarm) -> tuple:
    """Worst first: highest priority; then one nobody has acknowledged; then a condition still
    present over a latched one; then the oldest."""
    return (-rank(alarm.priority), alarm.acknowledged, alarm.latched, alarm.raised_at, alarm.id)


@dataclass(frozen=True)
class ValueMark:
    """How one value on the tile shows the alarm on its parameter.

    Attributes:
        priority: `high`, `medium` or `low`: the colour it is drawn in.
        arrow: ABOVE, BELOW, or "" when the side is not known.
        acknowledged: True once someone has acknowledged it (drawn steady and dimmer).
        key: the parameter that alarmed (`SBP` for the BP line's systolic).
    """

    priority: str
    arrow: str
    acknowledged: bool
    key: str


@dataclass(frozen=True)
class TileAlarms:
    """A participant's alarms as their tile shows them.

    Attributes:
        ordered: every alarm of the participant, worst first.
        marks: by tile value (`HR`, `SpO2`, `RR`, `BP`), the mark of the worst physiological
            alarm whose condition is present on that value's parameter.
    """

    ordered: tuple[Alarm, ...] = ()
    marks: dict[str, ValueMark] = field(default_factory=dict)

    @property
    def worst(self) -> Alarm | None:
        return self.ordered[0] if self.ordered else None

    @property
    def others(self) -> tuple[Alarm, ...]:
        return self.ordered[1:]

    @property
    def more(self) -> str:
        """`+2` when two more alarms stand behind the one shown, else empty."""
        return f"+{len(self.others)}" if self.others else ""

    @property
    def acknowledged(self) -> bool:
        """The alarm shown has been acknowledged (the tile says `ACK`)."""
        return self.worst is not None and self.worst.acknowledged

    def lit(self, t: float) -> bool:
        """Whether the tile's alarm light is on at real time `t`: an unacknowledged alarm
        flashes at its priority's rate, an acknowledged one is steady (and drawn dimmer)."""
        worst = self.worst
        if worst is None:
            return False
        return True if worst.acknowledged else flash_on(worst.priority, t)


def tile_alarms(alarms: Iterable[Alarm]) -> TileAlarms:
    """The tile's view of one participant's alarms (pass only that participant's)."""
    ordered = tuple(sorted(alarms, key=order))
    marks: dict[str, ValueMark] = {}
    for alarm in ordered:
        value = VALUE_OF_PARAM.get(alarm.key)
        # A latched alarm's condition has gone: its value is back in range, so it marks nothing.
        if value is None or alarm.technical or alarm.latched or value in marks:
            continue
        marks[value] = ValueMark(alarm.priority, direction(alarm), alarm.acknowledged, alarm.key)
    return TileAlarms(ordered, marks)
