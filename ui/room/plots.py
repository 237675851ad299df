"""The two live plots on a tile: the pleth waveform and the 30-minute trend.

Built the pyqtgraph way for live data (examples/PlotSpeedTest.py): every curve is made once,
updated with setData(skipFiniteCheck=True), fixed ranges, no auto-range, no antialiasing,
no mouse interaction (a tile is looked at, not explored).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from groupkap.params import PARAMETERS
from ui import theme

TREND_PARAMS = ("HR", "SpO2", "SBP")


def _quiet_plot(height: int) -> pg.PlotWidget:
    plot = pg.PlotWidget(background=theme.TILE)
    plot.setMinimumHeight(height)
    plot.setMouseEnabled(x=False, y=False)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.disableAutoRange()
    for axis in ("left", "bottom"):
        plot.hideAxis(axis)
    plot.getPlotItem().setContentsMargins(0, 0, 0, 0)
    plot.setFrameShape(pg.QtWidgets.QFrame.Shape.NoFrame)
    return plot


class PlethPlot:
    """The last few seconds of the pleth waveform, newest at the right.

    Attributes:
        widget: the PlotWidget to place in a layout.
        seconds: how much waveform is shown.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.widget = _quiet_plot(56)
        p = PARAMETERS["PLETH"]
        self.widget.setYRange(p.display_min, p.display_max, padding=0)
        self.widget.setXRange(-seconds, 0, padding=0)
        self.curve = self.widget.plot(pen=pg.mkPen(theme.PARAM_COLOURS["PLETH"], width=1))

    def show(self, t: np.ndarray, v: np.ndarray, now: float, stale: bool) -> None:
        """Draw samples newest-at-right; a live trace ends at the right edge like a monitor's,
        a stale one slides away from it in grey."""
        colour = theme.STALE if stale else theme.PARAM_COLOURS["PLETH"]
        if self.curve.opts["pen"].color().name() != colour:
            self.curve.setPen(pg.mkPen(colour, width=1))
        anchor = now if stale or len(t) == 0 else t[-1]
        self.curve.setData(t - anchor, v, skipFiniteCheck=True)


class TrendPlot:
    """HR, SpO2 and SBP over the last `minutes`, each scaled into its own display range.

    One shared plot with three curves keeps a tile small; each parameter is mapped into 0–1
    by its fixed display range so the curves do not need separate axes.

    Attributes:
        widget: the PlotWidget.
        minutes: the trend's span.
    """

    def __init__(self, minutes: float) -> None:
        self.minutes = minutes
        self.widget = _quiet_plot(70)
        self.widget.setYRange(0, 1, padding=0.02)
        self.widget.setXRange(-minutes, 0, padding=0)
        grid = pg.mkPen("#222831", width=1)
        for x in range(-int(minutes), 1, 10):
            self.widget.addItem(pg.InfiniteLine(pos=x, angle=90, pen=grid))
        self.curves = {}
        for name in TREND_PARAMS:
            symbol = "o" if name == "SBP" else None
            self.curves[name] = self.widget.plot(
                pen=pg.mkPen(theme.PARAM_COLOURS[name], width=1),
                symbol=symbol,
                symbolSize=4,
                symbolBrush=theme.PARAM_COLOURS[name],
                symbolPen=None,
            )
            # No clip-to-view or downsampling: at ≤ 1,800 points a curve they cost more
            # than they save (scripts/bench_room.py measured +2 ms a frame).

    def show(self, name: str, t: np.ndarray, v: np.ndarray, now: float) -> None:
        p = PARAMETERS[name if name != "PR" else "HR"]
        scaled = (v - p.display_min) / (p.display_max - p.display_min)
        self.curves["HR" if name == "PR" else name].setData(
            (t - now) / 60.0, np.clip(scaled, 0, 1), skipFiniteCheck=True
        )
