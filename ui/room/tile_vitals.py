"""A tile's vital signs: the numbers, the last BP, the pleth and the trend, each frame.

The rules (which heart rate, when a value is stale, how an age is worded) are the core's
(`groupkap.room.readout`); the tile draws what they say and sets a text only when it changed.
"""

from __future__ import annotations

from groupkap.alarms.limits import LimitSet
from groupkap.room.buffers import SeatVitals
from groupkap.room.readout import tile_readout
from ui.room.plots import TREND_PARAMS


class TileVitals:
    """The vital-sign part of `SeatTile` (a mixin: it uses the tile's widgets)."""

    def refresh(self, vitals: SeatVitals | None, now: float, trends: bool = True) -> None:
        """Draw the latest values; called by the room grid's frame timer.

        `trends=False` skips the 30-minute trend, which moves less than a pixel between
        frames: the grid redraws it a few times a second, the pleth every frame.
        """
        if self.participant is None or vitals is None:
            return
        s = self.settings
        r = tile_readout(
            vitals, now, stale_after_s=s.stale_after_s, nibp_interval_s=s.nibp_interval_s
        )
        self.readout = r
        for box, numeric in zip(self.boxes, r.numerics):
            box.show_numeric(numeric)
        bp = (r.bp_text, r.bp_age, r.bp_stale)
        if bp != self._shown_bp:
            self._shown_bp = bp
            self.bp.show_reading(r.bp_text, r.bp_stale)
            self.bp_age.setText(f"· {r.bp_age}" if r.bp_age else "")
            self.bp_age.set_short(f"· {r.bp_age_short}" if r.bp_age_short else "")
        if r.temp_text != self.temperature.text():
            self.temperature.setText(r.temp_text)
            self.temperature.setVisible(bool(r.temp_text))
        self.status.setText(r.status)
        stale = bool(r.status)
        if not self.pleth.widget.isHidden():
            # A live trace fills the plot up to its newest sample, however far the source lags.
            newest = now if stale or vitals.last_data_t is None else vitals.last_data_t
            t, v = vitals.pleth(newest - self.pleth.shown_seconds)
            self.pleth.show(t, v, now, stale=stale)
        if not trends or self.trend.widget.isHidden():
            return
        t_from = now - s.trend_minutes * 60
        for name in TREND_PARAMS:
            source = self._trend_source(name, vitals)
            t, v = vitals.trend(source, t_from)
            self.trend.show(source, t, v, now)

    @staticmethod
    def _trend_source(name: str, vitals: SeatVitals) -> str:
        if name == "HR" and vitals.latest("HR") is None and vitals.latest("PR"):
            return "PR"
        return name

    def show_trend_marks(self, t0: float | None, limits: LimitSet | None, now: float) -> None:
        """The T0 line and the participant's alarm limits on the trend (moved only when they
        change)."""
        self.trend.set_t0(t0, now)
        for name in TREND_PARAMS:
            source = (
                self.readout.numerics[0].label if name == "HR" and self.readout.numerics else name
            )
            found = None if limits is None else (limits.get(source) or limits.get(name))
            self.trend.set_limits(name, found)
