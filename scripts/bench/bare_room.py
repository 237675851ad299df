"""The baselines of scripts/bench/room_frame.py: bare pyqtgraph plots where the room's plots
are, drawing the same curves in each frame and nothing else."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtWidgets import QApplication, QWidget

from groupkap.params import PLETH_RATE_HZ
from ui import theme
from ui.room.plots import TREND_PARAMS, lane_y


class BoundedCurve(pg.PlotCurveItem):
    """A PlotCurveItem whose bounds are the plot's range, given rather than computed."""

    def __init__(self, pen, x_range, y_range) -> None:
        super().__init__(pen=pen, skipFiniteCheck=True)
        self.bounds = (tuple(x_range), tuple(y_range))
        self.rect = QRectF(x_range[0], y_range[0], x_range[1] - x_range[0], y_range[1] - y_range[0])

    def dataBounds(self, ax, frac=1.0, orthoRange=None):  # noqa: N802, N803
        return self.bounds[ax]

    def boundingRect(self):  # noqa: N802
        return self.rect


class Bare:
    """Bare PlotWidgets where the tiles' plots are, with their sizes and ranges, drawing the
    same curves (pens, SBP's dots) from arrays, and nothing else: each tile's pleth every
    frame, its trend on the frames the room redraws that tile's trend.

    `tuned=False` is pyqtgraph as its examples use it for live data (PlotSpeedTest):
    `PlotWidget.plot()` items, `setData(..., skipFiniteCheck=True)`, fixed ranges. `tuned`
    draws the same with bare `PlotCurveItem`s whose bounds are given (and pyqtgraph's
    ScatterPlotItem for the dots). Both views are opaque, as the room's are, so neither
    repaints what is behind its plots.
    """

    def __init__(self, room, tuned: bool) -> None:
        window, live = room.window, room.live
        grid = window.grid
        self.host = QWidget()
        self.host.resize(window.size())
        self.pleth: list[tuple] = []  # (curve, x, y twice over, samples per frame)
        self.trend: dict[int, list[tuple]] = {}  # seat -> [(curve, x, y)]
        self.schedule = self.schedule_of(room)
        self.frames = 0
        now = live.clock.now()
        step = max(1, round(room.speed * room.period_s * PLETH_RATE_HZ))
        for seat, tile in grid.tiles.items():
            vitals = live.vitals_on_seat(seat)
            plot = self._plot(window, tile.pleth.widget)
            (curve,) = self._curve(plot, theme.PARAM_COLOURS["PLETH"], False, tuned)
            t, v = vitals.pleth(now - tile.pleth.shown_seconds)
            self.pleth.append((curve, t - t[-1], np.concatenate([v, v]), step))
            plot = self._plot(window, tile.trend.widget)
            self.trend[seat] = []
            for name in TREND_PARAMS:
                t, v = vitals.trend(name, now - room.settings.trend_minutes * 60)
                lane = len(TREND_PARAMS) - 1 - TREND_PARAMS.index(name)
                y = lane_y(lane, v, name)
                for curve in self._curve(plot, theme.PARAM_COLOURS[name], name == "SBP", tuned):
                    self.trend[seat].append((curve, (t - now) / 60.0, y))
        self.host.show()

    @staticmethod
    def schedule_of(room) -> list[list[int]]:
        """The seats whose trends the room redraws in each frame of its cycle."""
        grid = room.window.grid
        due = getattr(grid, "trends_due", None)  # the tiles take turns (since issue 17)
        every = grid._trend_every
        return [due(f) if due else (list(grid.tiles) if f == 0 else []) for f in range(every)]

    def _plot(self, window: QWidget, widget: pg.PlotWidget) -> pg.PlotWidget:
        plot = pg.PlotWidget(self.host, background=theme.TILE)
        plot.setGeometry(QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()))
        for axis in ("left", "bottom"):
            plot.hideAxis(axis)
        plot.hideButtons()
        plot.disableAutoRange()
        plot.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        x, y = widget.viewRange()
        plot.setRange(xRange=x, yRange=y, padding=0)
        return plot

    @staticmethod
    def _curve(plot: pg.PlotWidget, colour: str, dots: bool, tuned: bool):
        pen = pg.mkPen(colour, width=1)
        if not tuned:
            item = plot.plot(
                pen=pen,
                symbol="o" if dots else None,
                symbolSize=4,
                symbolBrush=colour,
                symbolPen=None,
            )
            return [item]
        x, y = plot.viewRange()
        curve = BoundedCurve(pen, x, y)
        plot.addItem(curve)
        if not dots:
            return [curve]
        scatter = pg.ScatterPlotItem(size=4, brush=pg.mkBrush(colour), pen=None)
        plot.getPlotItem().getViewBox().addItem(scatter)
        return [curve, scatter]

    def frame(self) -> None:
        for curve, x, y2, step in self.pleth:
            n = len(x)
            at = (self.frames * step) % n
            curve.setData(x, y2[at : at + n], skipFiniteCheck=True)
        for seat in self.schedule[self.frames % len(self.schedule)]:
            for curve, x, y in self.trend[seat]:
                if isinstance(curve, pg.ScatterPlotItem):
                    curve.setData(x, y)
                else:
                    curve.setData(x, y, skipFiniteCheck=True)
        self.frames += 1
        QApplication.processEvents()

    def close(self) -> None:
        self.host.close()
