"""One participant's whole session on one time axis: marks, HR, SpO2, BP and RR, and a cursor.

The plots only draw: the window hands them the session's span, the participant's alarms and
marks and each series (`set_series`), and reloads the series when the visible stretch settles
(`range_settled`). Every lane shares the X axis (setXLink), so a zoom or a pan in one moves
them all; Y is fixed per parameter (the display ranges of `groupkap.params`), as on the tiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor

from groupkap.params import PARAMETERS
from groupkap.review.model import AlarmEpisode, Marker
from ui import theme
from ui.review.marks import MARK_ROWS, MarkLayer, desk_font
from ui.review.pdf_text import t0_offset

AXIS_WIDTH = 72  # every lane's left axis is as wide, so their plots line up
SETTLE_MS = 150  # a zoom or pan settles this long before the visible stretch is reloaded
MIN_SPAN_S = 20.0  # the closest zoom: 20 s across the plot

BAND_ALPHA = {True: 90, False: 30}  # the lane of the alarm's own parameter is shaded deeper


@dataclass(frozen=True)
class Lane:
    """One vital-sign plot.

    Attributes:
        name: what its axis says (`HR`, `BP`).
        params: the curves in it (`SBP`, `DBP`); `alarm_keys` shade it deeply.
        unit: the axis unit.
    """

    name: str
    params: tuple[str, ...]
    unit: str
    alarm_keys: tuple[str, ...]

    @property
    def y_range(self) -> tuple[float, float]:
        lows = [PARAMETERS[p].display_min for p in self.params]
        highs = [PARAMETERS[p].display_max for p in self.params]
        return min(lows), max(highs)


LANES = (
    Lane("HR", ("HR",), "/min", ("HR", "PR")),
    Lane("SpO2", ("SpO2",), "%", ("SpO2",)),
    Lane("BP", ("SBP", "DBP"), "mmHg", ("SBP", "DBP", "MAP", "BP")),
    Lane("RR", ("RR",), "/min", ("RR",)),
)
PLOTTED = tuple(p for lane in LANES for p in lane.params)
# Cuff pressures come every few minutes: drawn as points joined by a line, not a trace.
SPARSE = ("SBP", "DBP")


class T0Axis(pg.AxisItem):
    """An axis in minutes from the participant's dose (T0 −10, T0, T0 +30 …), ticks on
    whole minutes: the protocol's own clock, above the plots' clock time."""

    def __init__(self) -> None:
        super().__init__("top")
        self.t0: float | None = None

    def tickValues(self, minVal, maxVal, size):  # noqa: N802 (Qt override)
        if self.t0 is None or size <= 0:
            return []
        span_min = (maxVal - minVal) / 60
        step = next((s for s in (1, 2, 5, 10, 15, 30, 60) if span_min / s <= size / 90), 120)
        first = np.ceil((minVal - self.t0) / 60 / step) * step
        last = np.floor((maxVal - self.t0) / 60 / step) * step
        return [(step * 60, [self.t0 + m * 60 for m in np.arange(first, last + step / 2, step)])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (Qt override)
        return [t0_offset(v, self.t0) if self.t0 is not None else "" for v in values]


def _styled_axis(axis: pg.AxisItem) -> None:
    axis.setStyle(tickFont=desk_font(), tickTextOffset=theme.px(4))
    axis.setTextPen(theme.TEXT)
    axis.setPen(theme.CONTROL_BORDER)


class ReviewPlots(pg.GraphicsLayoutWidget):
    """The marks lane and the four vital-sign lanes of one participant, with the cursor.

    Attributes:
        marks: the marks lane (PlotItem); lanes: lane name -> PlotItem.
        curves: parameter -> its PlotDataItem (HR's shows PR when there is no HR).
        bands: the alarm bands now drawn (LinearRegionItem, `band.episode` is its alarm).
        mark_layer: the marks now drawn (MarkLayer: `dots`, `lines`, `labelled`).
        cursor_t: where the cursor stands (UTC epoch seconds).
        span: (start, end) of the session.
    Signals:
        cursor_moved(float): the cursor stood somewhere new.
        range_settled(float, float): the visible stretch stopped moving (reload it).
        first_painted(): the plots were drawn on screen for the first time.
    """

    cursor_moved = Signal(float)
    range_settled = Signal(float, float)
    first_painted = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground(theme.BACKGROUND)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the window's keys move the cursor
        self.span = (0.0, 1.0)
        self.cursor_t = 0.0
        self.bands: list[pg.LinearRegionItem] = []
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._moving_cursor = False
        self._painted = False
        self.t0_axis = T0Axis()
        self.t0_axis.enableAutoSIPrefix(False)  # its label is words, not a unit to scale
        # No context menus (the lanes turn theirs off anyway): pyqtgraph builds a ViewBox's
        # menu of widgets up front, a tenth of a second for five plots.
        self.marks = self.addPlot(row=0, col=0, axisItems={"top": self.t0_axis}, enableMenu=False)
        self.lanes: dict[str, pg.PlotItem] = {}
        for row, lane in enumerate(LANES, start=1):
            last = row == len(LANES)
            axes = {"bottom": pg.DateAxisItem("bottom")} if last else {}
            plot = self.addPlot(row=row, col=0, axisItems=axes, enableMenu=False)
            plot.setXLink(self.marks)
            self.lanes[lane.name] = plot
            self._style_lane(plot, lane, last)
            for param in lane.params:
                self.curves[param] = self._curve(plot, param)
        self._style_marks()
        self.mark_layer = MarkLayer(self.marks, list(self.lanes.values()))
        self.cursors = [self._cursor(p) for p in (self.marks, *self.lanes.values())]
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._on_settle_timeout)
        self.marks.sigXRangeChanged.connect(lambda *_: self._settle.start())
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)

    # -- building -----------------------------------------------------------------------
    def _plots(self) -> list[pg.PlotItem]:
        return [self.marks, *self.lanes.values()]

    def _style_lane(self, plot: pg.PlotItem, lane: Lane, last: bool) -> None:
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=True, y=False)
        plot.setClipToView(True)
        plot.vb.setBackgroundColor(theme.TILE)
        plot.setYRange(*lane.y_range, padding=0.04)
        plot.showGrid(x=True, y=True, alpha=0.18)
        left = plot.getAxis("left")
        _styled_axis(left)
        left.setWidth(theme.px(AXIS_WIDTH))
        colour = theme.PARAM_COLOURS[lane.params[0]]
        left.setLabel(lane.name, color=colour, **{"font-size": f"{theme.px(15)}px"})
        plot.setToolTip(f"{lane.name} ({lane.unit})")
        if last:
            _styled_axis(plot.getAxis("bottom"))
        else:
            plot.hideAxis("bottom")

    def _style_marks(self) -> None:
        plot = self.marks
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=True, y=False)
        plot.vb.setBackgroundColor(theme.TILE)
        plot.setYRange(-0.5, len(MARK_ROWS) - 0.5, padding=0)
        plot.invertY(True)
        plot.hideAxis("bottom")
        plot.showAxis("top")
        _styled_axis(self.t0_axis)
        left = plot.getAxis("left")
        _styled_axis(left)
        left.setWidth(theme.px(AXIS_WIDTH))
        left.setTicks([[(i, name) for i, (name, _) in enumerate(MARK_ROWS)], []])
        # Four rows of marks and the T0 axis: a fixed height, the vital lanes share the rest.
        row_px = theme.px(16)
        self.ci.layout.setRowFixedHeight(0, len(MARK_ROWS) * row_px + theme.px(30))

    def _curve(self, plot: pg.PlotItem, param: str) -> pg.PlotDataItem:
        pen = pg.mkPen(theme.PARAM_COLOURS[param], width=1 if param not in SPARSE else 2)
        if param == "DBP":
            pen.setStyle(Qt.PenStyle.DashLine)
        curve = plot.plot(pen=pen, name=param)
        if param in SPARSE:
            curve.setSymbol("o")
            curve.setSymbolSize(theme.px(5))
            curve.setSymbolBrush(theme.PARAM_COLOURS[param])
            curve.setSymbolPen(None)
        return curve

    def _cursor(self, plot: pg.PlotItem) -> pg.InfiniteLine:
        line = pg.InfiniteLine(
            angle=90,
            movable=True,
            pen=pg.mkPen(theme.FOCUS_RING, width=2),
            hoverPen=pg.mkPen(theme.HIGHLIGHTED_TEXT, width=3),
        )
        line.setZValue(50)
        line.sigPositionChanged.connect(self._on_cursor_dragged)
        plot.addItem(line, ignoreBounds=True)
        return line

    # -- what is shown ------------------------------------------------------------------
    def set_span(self, start: float, end: float) -> None:
        """The session runs from `start` to `end`: the plots can zoom within it, no further."""
        end = max(end, start + MIN_SPAN_S)
        self.span = (start, end)
        for plot in self._plots():
            plot.setLimits(xMin=start, xMax=end, minXRange=MIN_SPAN_S)
        self.show_whole()

    def show_whole(self) -> None:
        """Zoom out to the whole session."""
        self.marks.setXRange(*self.span, padding=0)

    def visible(self) -> tuple[float, float]:
        """The stretch of time now across the plots."""
        low, high = self.marks.vb.viewRange()[0]
        return float(low), float(high)

    def plot_width(self) -> int:
        """How many pixels wide the plots are: the points worth loading for a curve."""
        return max(200, int(self.lanes["HR"].vb.width()))

    def show_participant(
        self,
        t0: float | None,
        alarms: list[AlarmEpisode],
        marks: list[Marker],
        heart: str = "HR",
    ) -> None:
        """Draw a participant's alarm bands and marks (their own and the room's); the curves
        come with `set_series`. `heart` is `PR` when the HR lane shows the pulse rate."""
        self.t0_axis.t0 = t0
        self.t0_axis.picture = None
        self.t0_axis.update()
        self.t0_axis.setLabel("" if t0 is not None else "not dosed: no T0")
        left = self.lanes["HR"].getAxis("left")
        left.setLabel(heart, color=theme.PARAM_COLOURS["HR"], **{"font-size": f"{theme.px(15)}px"})
        for curve in self.curves.values():
            curve.setData([], [])
        self._draw_bands(alarms)
        self.mark_layer.draw(marks)
        self._relabel()

    def set_series(self, param: str, t: np.ndarray, value: np.ndarray) -> None:
        """Draw one curve (HR's lane takes `PR` too, drawn as HR's)."""
        curve = self.curves["HR" if param == "PR" else param]
        curve.setData(t, value, skipFiniteCheck=True)

    def _draw_bands(self, alarms: list[AlarmEpisode]) -> None:
        for band in self.bands:
            band.getViewBox().removeItem(band)
        self.bands = []
        for episode in alarms:
            end = episode.cleared_at if episode.cleared_at is not None else self.span[1]
            colour = QColor(theme.ALARM_COLOURS.get(episode.priority, theme.TEXT_DIM))
            for lane in LANES:
                own = episode.key in lane.alarm_keys
                colour.setAlpha(BAND_ALPHA[own])
                band = pg.LinearRegionItem(
                    (episode.raised_at, max(end, episode.raised_at + 1)),
                    movable=False,
                    brush=pg.mkBrush(colour),
                    pen=pg.mkPen(None),
                )
                band.episode = episode
                band.setZValue(-10)
                band.setToolTip(f"{episode.priority} alarm: {episode.text}")
                self.lanes[lane.name].addItem(band, ignoreBounds=True)
                self.bands.append(band)

    # -- the cursor ---------------------------------------------------------------------
    def set_cursor(self, t: float) -> None:
        """Stand the cursor at `t` (kept inside the session), bringing it into view."""
        t = min(max(t, self.span[0]), self.span[1])
        self._place_cursor(t)
        low, high = self.visible()
        if not low <= t <= high:
            half = (high - low) / 2
            start = min(max(t - half, self.span[0]), self.span[1] - 2 * half)
            self.marks.setXRange(start, start + 2 * half, padding=0)

    def step_cursor(self, steps: int) -> None:
        """Move the cursor by `steps` two-hundredths of the visible stretch (at least 1 s)."""
        low, high = self.visible()
        self.set_cursor(self.cursor_t + steps * max(1.0, (high - low) / 200))

    def _place_cursor(self, t: float) -> None:
        self._moving_cursor = True
        try:
            for line in self.cursors:
                line.setValue(t)
        finally:
            self._moving_cursor = False
        if t != self.cursor_t:
            self.cursor_t = t
            self.cursor_moved.emit(t)

    def _on_cursor_dragged(self, line: pg.InfiniteLine) -> None:
        if not self._moving_cursor:
            self._place_cursor(min(max(line.value(), self.span[0]), self.span[1]))

    def _on_scene_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        for plot in self._plots():
            if plot.vb.sceneBoundingRect().contains(event.scenePos()):
                self.set_cursor(plot.vb.mapSceneToView(QPointF(event.scenePos())).x())
                return

    def _relabel(self) -> None:
        hr = self.lanes["HR"].vb
        self.mark_layer.relabel(self.visible(), hr.width(), hr.height())

    def stop(self) -> None:
        """No more reloads: the window is closing."""
        self._settle.stop()
        self._settle.timeout.disconnect()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        settle = getattr(self, "_settle", None)  # pyqtgraph resizes during __init__
        if settle is not None:
            settle.start()  # wider plots are worth more points

    @property
    def painted(self) -> bool:
        """Whether the plots have been drawn on screen yet."""
        return self._painted

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def _on_settle_timeout(self) -> None:
        self._relabel()
        self.range_settled.emit(*self.visible())
