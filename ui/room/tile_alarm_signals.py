"""A tile's alarm signals: the alarm line, the flashing border and the marked values.

What is shown comes from the core (`groupkap.alarms.tile_alarms`); the tile only draws it,
and touches its widgets only when the alarms change. The border flashes every frame by a
repaint of its strips (`TileFrame.set_border`), never by a style sheet (issue 17).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from groupkap.alarms.model import Alarm
from groupkap.alarms.tile_alarms import tile_alarms
from ui import theme
from ui.room.tile_parts import dimmer


@lru_cache(maxsize=16)
def border_colour(priority: str, acknowledged: bool, lit: bool) -> str:
    """The border of a tile whose worst alarm is of `priority`: its colour while lit, the
    dim colour between flashes, steady and dimmer once acknowledged."""
    if acknowledged:
        return dimmer(theme.ALARM_COLOURS[priority], 0.55)
    return theme.ALARM_COLOURS[priority] if lit else theme.ALARM_DIM[priority]


class TileAlarmSignals:
    """The alarm part of `SeatTile` (a mixin: it uses the tile's widgets)."""

    def show_alarms(
        self, alarms: Sequence[Alarm], pause_left: float | None, flash_t: float
    ) -> None:
        """Every alarm of the participant: the worst on the alarm line in its IEC colour and
        with its `***`/`**`/`*` prefix and icon (colour is never the only cue), `+N` for the
        rest, `ACK` once acknowledged; a flashing border while unacknowledged, steady and
        dimmer after; and the alarming values marked in their boxes."""
        view = tile_alarms(alarms)
        self.alarms_view = view
        worst = view.worst
        self.alarm = worst
        self.alarm_lit = view.lit(flash_t)
        key = tuple((a.id, a.priority, a.label, a.acknowledged) for a in view.ordered)
        if key != self._shown_alarms:
            self._shown_alarms = key
            self.alarm_line.show_alarms(view)
            for box, name in zip(self.boxes, ("HR", "SpO2", "RR")):
                box.set_mark(view.marks.get(name))
            self.bp.set_mark(view.marks.get("BP"))
        lit = self.alarm_lit
        border = None if worst is None else border_colour(worst.priority, worst.acknowledged, lit)
        self.set_border(border)
        self.alarm_line.show_pause(pause_left)

    def show_alarm(self, alarm: Alarm | None, pause_left: float | None, flash_t: float) -> None:
        """One alarm only (kept for callers that know just the top one)."""
        self.show_alarms([alarm] if alarm else [], pause_left, flash_t)

    def show_alarms_off(self, off: dict[str, str]) -> None:
        """`SpO2 alarms OFF` while a parameter's alarms are switched off; the reason in
        the tooltip."""
        text = f"{', '.join(off)} alarms OFF" if off else ""
        if text != self.alarms_off.text():
            self.alarms_off.setText(text)
            self.alarms_off.set_explanation("\n".join(f"{p}: {why}" for p, why in off.items()))
            self.alarms_off.setVisible(bool(off))
