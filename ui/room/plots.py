"""The two live plots on a tile: the pleth waveform and the 30-minute trend.

Built the pyqtgraph way for live data (examples/PlotSpeedTest.py): every curve and line is
made once, updated with setData(skipFiniteCheck=True) or moved only when its value changes,
fixed ranges, no auto-range, no antialiasing, no mouse interaction and no keyboard focus (a
tile is looked at, not explored; Tab goes to its buttons).

What a frame costs was measured (scripts/bench/room_frame.py, issue 17), and three things
follow from it: the curves are bare `PlotCurveItem`s whose bounds are the plot's fixed range,
given rather than worked out from every new trace (pyqtgraph's `PlotDataItem` and its
`nanmin`/`nanmax` bounds were a fifth of a frame); the straight lines (grid, alarm limits)
are a few items of many segments each, not one item per line, each of which paints itself
in Python; and the views are opaque, so a new trace repaints the plot alone.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from groupkap.alarms.limits import ParamLimits
from groupkap.params import PARAMETERS
from ui import theme
from ui.room.quiet_plot import QuietPlot

TREND_PARAMS = ("HR", "SpO2", "SBP")  # the lanes, top to bottom, in the numerics' order
LANE_PAD = 0.12  # each lane's display range fills its middle 76 %: curves never touch
_GRID = "#222831"


def _quiet_plot(height: int) -> QuietPlot:
    # No axes, menus, buttons or mouse: a bare view (a PlotWidget built all of them, half a
    # second of start-up for the room's twenty plots: ui/room/quiet_plot.py).
    plot = QuietPlot(background=theme.TILE)
    plot.setMinimumHeight(height)
    plot.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
    plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    plot.viewport().setFocusPolicy(Qt.FocusPolicy.NoFocus)
    plot.setFrameShape(pg.QtWidgets.QFrame.Shape.NoFrame)
    # The view paints every pixel of itself (its background brush), so it is opaque: a new
    # trace repaints the plot alone, not the tile, grid and window behind it (each of
    # those, with its style sheet, once per plot per frame: issue 17).
    plot.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
    return plot


class FixedCurve(pg.PlotCurveItem):
    """A curve whose bounds are given (the plot's fixed range), never worked out from its
    data: nothing is drawn outside the range anyway, as the view clips to it.

    Attributes:
        bounds: ((x min, x max), (y min, y max)).
    """

    def __init__(self, pen: QPen, x_range: tuple[float, float], y_range: tuple[float, float]):
        super().__init__(pen=pen, skipFiniteCheck=True)
        self.set_bounds(x_range, y_range)

    def set_bounds(self, x_range: tuple[float, float], y_range: tuple[float, float]) -> None:
        self.prepareGeometryChange()
        self.bounds = (tuple(x_range), tuple(y_range))
        (x0, x1), (y0, y1) = self.bounds
        self._fixed_rect = QRectF(x0, y0, x1 - x0, y1 - y0)

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):  # noqa: N802, N803
        return self.bounds[ax]

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return self._fixed_rect

    def show_data(self, x: np.ndarray, y: np.ndarray) -> None:
        """New data, drawn at the next paint (the arrays are kept until then, not copied)."""
        self.setData(x, y, skipFiniteCheck=True)


class Segments(FixedCurve):
    """Many straight lines drawn as one item: (x0, y0, x1, y1) each."""

    def __init__(self, pen: QPen, x_range, y_range) -> None:
        super().__init__(pen, x_range, y_range)
        self.lines: tuple[tuple[float, float, float, float], ...] = ()
        self.show_lines(())

    def show_lines(self, lines) -> None:
        self.lines = tuple(lines)
        if not self.lines:
            self.setData(np.zeros(0), np.zeros(0), connect="pairs", skipFiniteCheck=True)
            self.hide()
            return
        points = np.array(self.lines, dtype=float).reshape(-1, 2)
        self.setData(points[:, 0], points[:, 1], connect="pairs", skipFiniteCheck=True)
        self.show()


class Dots(pg.GraphicsObject):
    """Round dots of `size` px at (x, y), painted in one call: the cuff's readings on the
    trend (a ScatterPlotItem, spot by spot in Python, cost more than the three curves)."""

    def __init__(self, colour: str, size: int, x_range, y_range) -> None:
        super().__init__()
        self.pen = QPen(QColor(colour), size)
        self.pen.setCosmetic(True)
        self.pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        (x0, x1), (y0, y1) = x_range, y_range
        self._rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        self.points = QPolygonF()

    def show_points(self, x: np.ndarray, y: np.ndarray) -> None:
        self.points = pg.functions.arrayToQPolygonF(x, y) if len(x) else QPolygonF()
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return self._rect

    def paint(self, painter: QPainter, *args) -> None:
        painter.setPen(self.pen)
        painter.drawPoints(self.points)


class PlethPlot:
    """The last few seconds of the pleth waveform, newest at the right.

    Attributes:
        widget: the QuietPlot to place in a layout.
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
        self._stale = False
        self.curve = FixedCurve(
            pg.mkPen(theme.PARAM_COLOURS["PLETH"], width=1),
            (-seconds, 0.0),
            (p.display_min, p.display_max),
        )
        self.widget.addItem(self.curve)

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
        if stale != self._stale:
            self._stale = stale
            colour = theme.STALE if stale else theme.PARAM_COLOURS["PLETH"]
            self.curve.setPen(pg.mkPen(colour, width=1))
        anchor = now if stale or len(t) == 0 else t[-1]
        # The samples are copied: the curve keeps them until it is painted, and a heartbeat
        # in between may write over the buffer they were read from (a view, not a copy).
        self.curve.show_data(t - anchor, v.copy())


def lane_y(lane: int, value: np.ndarray | float, param: str) -> np.ndarray | float:
    """Where `value` of `param` sits in the trend's lane `lane` (0 is the bottom lane): its
    fixed display range maps onto the lane's middle, values beyond it onto the lane's edge."""
    p = PARAMETERS[param]
    share = np.clip((value - p.display_min) / (p.display_max - p.display_min), 0.0, 1.0)
    return lane + LANE_PAD + share * (1 - 2 * LANE_PAD)


class TrendScale(QWidget):
    """The trend's lane names, and their scales when there is room, in each lane's colour.

    A lane short enough for one line is named ("HR", "SpO2", "SBP"), not given its top value:
    a red "220" under a blood pressure of 112/80 reads like a reading. A lane tall enough for
    three lines shows its top value, its name and its bottom value. It sits left of the plot
    at the same height, so lane `i` is the same band of both.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Ignored)
        self.setStyleSheet(f"font-size: {theme.px(18)}px;")
        self.ensurePolished()
        metrics = self.fontMetrics()
        widest = max(
            metrics.horizontalAdvance(text)
            for p in TREND_PARAMS
            for text in (p, f"{PARAMETERS[p].display_max:g}", f"{PARAMETERS[p].display_min:g}")
        )
        self.setFixedWidth(widest + theme.px(4))
        self.ink = metrics.tightBoundingRect("0123456789").height()  # digits have no descent
        self.line = metrics.height()

    def ticks(self) -> list[tuple[str, str, float]]:
        """(text, colour, baseline y) of every label drawn at the current height: each lane's
        name at its middle, with its top and bottom values above and below it when the lane
        has room for three lines."""
        lanes = len(TREND_PARAMS)
        band = self.height() / lanes
        out = []
        for index, param in enumerate(TREND_PARAMS):
            top_px, bottom_px = index * band, (index + 1) * band
            colour = theme.PARAM_COLOURS[param]
            middle = (top_px + bottom_px) / 2 + self.ink / 2
            if band < 3 * self.line + theme.px(4):
                out.append((param, colour, min(max(middle, top_px + self.ink), bottom_px)))
                continue
            p = PARAMETERS[param]
            out.append((f"{p.display_max:g}", colour, top_px + self.ink + theme.px(2)))
            out.append((param, colour, middle))
            out.append((f"{p.display_min:g}", colour, bottom_px - theme.px(2)))
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
        widget: the QuietPlot.
        scale: the tick labels, to place left of `widget`.
        minutes: the trend's span.
        curves: the curve of each lane, by parameter (SBP's cuff readings also as dots,
            `sbp_dots`).
        t0_line: the vertical line at the dose time (hidden before the dose).
        grid: the faint lines every 10 min and between the lanes (one item).
        limit_lines: each lane's limit lines (a list of one item drawing them all).
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
        x_range, y_range = (-float(minutes), 0.0), (0.0, float(lanes))
        view = self.widget.getPlotItem().getViewBox()
        # Lines are not data: they go on the view itself (the plot lists only the curves).
        self.grid = Segments(pg.mkPen(_GRID, width=1), x_range, y_range)
        self.grid.show_lines(
            [(x, 0.0, x, float(lanes)) for x in range(-int(minutes), 1, 10)]
            + [(-float(minutes), y, 0.0, y) for y in range(1, lanes)]
        )
        view.addItem(self.grid)
        self.t0_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(theme.TEXT, width=theme.px(2), style=Qt.PenStyle.DashLine)
        )
        self.t0_line.setZValue(5)
        self.t0_line.hide()
        self.widget.addItem(self.t0_line)
        self._t0: float | None = None
        self.curves: dict[str, FixedCurve] = {}
        self.limit_lines: dict[str, list[Segments]] = {}
        self._limits: dict[str, ParamLimits | None] = {}
        for name in TREND_PARAMS:
            colour = QColor(theme.PARAM_COLOURS[name])
            faint = QColor(colour)
            faint.setAlpha(110)
            lines = Segments(pg.mkPen(faint, width=1, style=Qt.PenStyle.DashLine), x_range, y_range)
            view.addItem(lines)
            self.limit_lines[name] = [lines]
            self.curves[name] = FixedCurve(pg.mkPen(colour, width=1), x_range, y_range)
            self.widget.addItem(self.curves[name])
            # All of it, every point: clip-to-view and downsampling cost more than they
            # save at ≤ 1,800 points a curve (scripts/bench_room.py measured +2 ms a frame).
        # The cuff's readings are minutes apart: a dot on each, so one reading is seen.
        self.sbp_dots = Dots(theme.PARAM_COLOURS["SBP"], 4, x_range, y_range)
        view.addItem(self.sbp_dots)

    @staticmethod
    def lane(name: str) -> int:
        """The lane of a trend parameter, 0 at the bottom (`PR` draws in HR's lane)."""
        name = "HR" if name == "PR" else name
        return len(TREND_PARAMS) - 1 - TREND_PARAMS.index(name)

    def show(self, name: str, t: np.ndarray, v: np.ndarray, now: float) -> None:
        """Draw one parameter's history (`PR` in the HR lane, on HR's scale)."""
        lane_name = "HR" if name == "PR" else name
        x, y = (t - now) / 60.0, lane_y(self.lane(name), v, lane_name)
        self.curves[lane_name].show_data(x, y)
        if lane_name == "SBP":
            self.sbp_dots.show_points(x, y)

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
        ys = [float(lane_y(self.lane(lane_name), v, lane_name)) for v in shown]
        self.limit_lines[lane_name][0].show_lines([(-self.minutes, y, 0.0, y) for y in ys])

    def limit_values(self, name: str) -> list[float]:
        """The y positions of `name`'s limit lines now shown (for tests)."""
        return [y0 for _, y0, _, _ in self.limit_lines[name][0].lines]
