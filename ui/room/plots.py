"""The two live plots on a tile: the pleth waveform and the 30-minute trend.

Built the pyqtgraph way for live data (examples/PlotSpeedTest.py): every curve and line is
made once, updated with setData(skipFiniteCheck=True) or moved only when its value changes,
fixed ranges, no auto-range, no antialiasing, no mouse interaction and no keyboard focus (a
tile is looked at, not explored; Tab goes to its buttons).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from groupkap.alarms.limits import ParamLimits
from groupkap.params import PARAMETERS
from ui import theme

TREND_PARAMS = ("HR", "SpO2", "SBP")  # the lanes, top to bottom, in the numerics' order
LANE_PAD = 0.12  # each lane's display range fills its middle 76 %: curves never touch
_GRID = "#222831"
_LIMIT_LINES_PER_LANE = 5  # HR has three bounds, SBP four with its extreme


def _quiet_plot(height: int) -> pg.PlotWidget:
    plot = pg.PlotWidget(background=theme.TILE)
    plot.setMinimumHeight(height)
    plot.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
    plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    plot.viewport().setFocusPolicy(Qt.FocusPolicy.NoFocus)
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
        seconds: how much waveform is kept at most.
        shown_seconds: how much of it fits the plot's width.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.shown_seconds = seconds
        self.widget = _quiet_plot(0)
        self.widget.setToolTip(f"Pleth, last {seconds:g} s (grey when the signal has stopped)")
        p = PARAMETERS["PLETH"]
        self.widget.setYRange(p.display_min, p.display_max, padding=0)
        self.widget.setXRange(-seconds, 0, padding=0)
        self.curve = self.widget.plot(pen=pg.mkPen(theme.PARAM_COLOURS["PLETH"], width=1))

    def fit_width(self, width: int) -> None:
        """Show as many seconds as the plot is wide enough for (about 25 px a second, at most
        `seconds`), so a narrow pleth still shows beats rather than a comb of spikes."""
        shown = max(2.0, min(self.seconds, width / theme.px(25)))
        if shown != self.shown_seconds:
            self.shown_seconds = shown
            self.widget.setXRange(-shown, 0, padding=0)

    def show(self, t: np.ndarray, v: np.ndarray, now: float, stale: bool) -> None:
        """Draw samples newest-at-right; a live trace ends at the right edge like a monitor's,
        a stale one slides away from it in grey."""
        colour = theme.STALE if stale else theme.PARAM_COLOURS["PLETH"]
        if self.curve.opts["pen"].color().name() != colour:
            self.curve.setPen(pg.mkPen(colour, width=1))
        anchor = now if stale or len(t) == 0 else t[-1]
        self.curve.setData(t - anchor, v, skipFiniteCheck=True)


def lane_y(lane: int, value: np.ndarray | float, param: str) -> np.ndarray | float:
    """Where `value` of `param` sits in the trend's lane `lane` (0 is the bottom lane): its
    fixed display range maps onto the lane's middle, values beyond it onto the lane's edge."""
    p = PARAMETERS[param]
    share = np.clip((value - p.display_min) / (p.display_max - p.display_min), 0.0, 1.0)
    return lane + LANE_PAD + share * (1 - 2 * LANE_PAD)


class TrendScale(QWidget):
    """The trend's y-scales: each lane's display range as tick labels in the lane's colour.

    It sits left of the plot at the same height, so lane `i` is the same band of both.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Ignored)
        self.setStyleSheet(f"font-size: {theme.px(18)}px;")
        self.ensurePolished()
        metrics = self.fontMetrics()
        widest = max(
            metrics.horizontalAdvance(f"{PARAMETERS[p].display_max:g}") for p in TREND_PARAMS
        )
        self.setFixedWidth(widest + theme.px(4))
        self.ink = metrics.tightBoundingRect("0123456789").height()  # digits have no descent
        self.line = metrics.height()

    def ticks(self) -> list[tuple[str, str, float]]:
        """(text, colour, baseline y) of every label drawn at the current height: each lane's
        top and bottom value, or only its top when the lane is too short for two lines."""
        lanes = len(TREND_PARAMS)
        band = self.height() / lanes
        out = []
        for index, param in enumerate(TREND_PARAMS):
            lane = lanes - 1 - index
            top_px, bottom_px = index * band, (index + 1) * band
            p = PARAMETERS[param]
            wanted = [p.display_max]
            if band >= 2 * self.line + theme.px(4):  # both, each on a line of its own
                wanted.append(p.display_min)
            for value in wanted:
                y = self.height() * (lanes - lane_y(lane, value, param)) / lanes
                baseline = min(max(y + self.ink / 2, top_px + self.ink), bottom_px)
                out.append((f"{value:g}", theme.PARAM_COLOURS[param], baseline))
        return out

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setFont(self.font())
        metrics = self.fontMetrics()
        for text, colour, baseline in self.ticks():
            painter.setPen(QColor(colour))
            x = self.width() - theme.px(3) - metrics.horizontalAdvance(text)
            painter.drawText(QPointF(x, baseline), text)
        painter.end()


class TrendPlot:
    """HR, SpO2 and SBP over the last `minutes`, each in a lane of its own with its own scale.

    Three small multiples in one plot (one view to paint, not three): a parameter's fixed
    display range fills its lane, its tick labels are in `scale`; a dashed line marks T0 and
    faint lines the participant's alarm limits.

    Attributes:
        widget: the PlotWidget.
        scale: the tick labels, to place left of `widget`.
        minutes: the trend's span.
        curves: the curve of each lane, by parameter.
        t0_line: the vertical line at the dose time (hidden before the dose).
        limit_lines: each lane's pool of horizontal limit lines.
    """

    def __init__(self, minutes: float) -> None:
        self.minutes = minutes
        self.widget = _quiet_plot(0)
        self.scale = TrendScale()
        lanes = len(TREND_PARAMS)
        ranges = ", ".join(
            f"{p} {PARAMETERS[p].display_min:g}–{PARAMETERS[p].display_max:g} {PARAMETERS[p].unit}"
            for p in TREND_PARAMS
        )
        tip = (
            f"Trend, last {minutes:g} min (lines every 10 min): {ranges}.\n"
            "Dashed vertical line: T0 (the dose). Faint lines: this participant's alarm limits."
        )
        self.widget.setToolTip(tip)
        self.scale.setToolTip(tip)
        self.widget.setYRange(0, lanes, padding=0)
        self.widget.setXRange(-minutes, 0, padding=0)
        grid = pg.mkPen(_GRID, width=1)
        for x in range(-int(minutes), 1, 10):
            self.widget.addItem(pg.InfiniteLine(pos=x, angle=90, pen=grid))
        for y in range(1, lanes):
            self.widget.addItem(pg.InfiniteLine(pos=y, angle=0, pen=grid))
        self.t0_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(theme.TEXT, width=theme.px(2), style=Qt.PenStyle.DashLine)
        )
        self.t0_line.setZValue(5)
        self.t0_line.hide()
        self.widget.addItem(self.t0_line)
        self._t0: float | None = None
        self.curves = {}
        self.limit_lines: dict[str, list[pg.InfiniteLine]] = {}
        self._limits: dict[str, ParamLimits | None] = {}
        for name in TREND_PARAMS:
            colour = QColor(theme.PARAM_COLOURS[name])
            faint = QColor(colour)
            faint.setAlpha(110)
            self.limit_lines[name] = []
            for _ in range(_LIMIT_LINES_PER_LANE):
                line = pg.InfiniteLine(
                    angle=0, pen=pg.mkPen(faint, width=1, style=Qt.PenStyle.DashLine)
                )
                line.hide()
                self.widget.addItem(line)
                self.limit_lines[name].append(line)
            symbol = "o" if name == "SBP" else None
            self.curves[name] = self.widget.plot(
                pen=pg.mkPen(colour, width=1),
                symbol=symbol,
                symbolSize=4,
                symbolBrush=theme.PARAM_COLOURS[name],
                symbolPen=None,
            )
            # No clip-to-view or downsampling: at ≤ 1,800 points a curve they cost more
            # than they save (scripts/bench_room.py measured +2 ms a frame).

    @staticmethod
    def lane(name: str) -> int:
        """The lane of a trend parameter, 0 at the bottom (`PR` draws in HR's lane)."""
        name = "HR" if name == "PR" else name
        return len(TREND_PARAMS) - 1 - TREND_PARAMS.index(name)

    def show(self, name: str, t: np.ndarray, v: np.ndarray, now: float) -> None:
        """Draw one parameter's history (`PR` in the HR lane, on HR's scale)."""
        lane_name = "HR" if name == "PR" else name
        self.curves[lane_name].setData(
            (t - now) / 60.0, lane_y(self.lane(name), v, lane_name), skipFiniteCheck=True
        )

    def set_t0(self, t0: float | None, now: float) -> None:
        """Put the T0 line at the dose time; it moves only when it would move a pixel."""
        x = None if t0 is None else (t0 - now) / 60.0
        if x is None or x < -self.minutes:
            if self._t0 is not None:
                self._t0 = None
                self.t0_line.hide()
            return
        pixel = self.minutes / max(1, self.widget.width())
        if self._t0 is None or abs(x - self._t0) >= pixel:
            self._t0 = x
            self.t0_line.setValue(x)
            self.t0_line.show()

    def t0_x(self) -> float | None:
        """Where the T0 line is, in minutes from now (None: not shown)."""
        return self._t0

    def set_limits(self, name: str, limits: ParamLimits | None) -> None:
        """Faint lines at the bounds of `name`'s lane (none while its alarms are off); the
        lines move only when the limits change."""
        lane_name = "HR" if name == "PR" else name
        if self._limits.get(lane_name, False) == limits:
            return
        self._limits[lane_name] = limits
        p = PARAMETERS[lane_name]
        bounds: list[float] = []
        if limits is not None and not limits.off:
            bounds = [b.value for b in (*limits.high, *limits.medium)]
            if limits.extreme is not None:
                bounds.append(limits.extreme.value)
        shown = sorted({v for v in bounds if p.display_min <= v <= p.display_max})
        for i, line in enumerate(self.limit_lines[lane_name]):
            if i < len(shown):
                line.setValue(lane_y(self.lane(lane_name), shown[i], lane_name))
                line.show()
            else:
                line.hide()

    def limit_values(self, name: str) -> list[float]:
        """The y positions of `name`'s limit lines now shown (for tests)."""
        return [line.value() for line in self.limit_lines[name] if line.isVisible()]
