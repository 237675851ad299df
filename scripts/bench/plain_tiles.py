"""The bare baselines' tile: two plain pyqtgraph `PlotWidget`s (a three-curve trend and a
pleth) with data, axes hidden and fixed ranges, where a room tile has its plots.

One home for the start-up and circle-dock baselines. It imports only numpy, PySide6 and
pyqtgraph, so the start-up baseline's process stays as bare as its name says.
"""

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

PLETH_T = np.linspace(-10.0, 0.0, 1250)
TREND_MINUTES = np.linspace(-30.0, 0.0, 1800)


def plain_tile(i: int) -> tuple[QWidget, pg.PlotWidget]:
    """Tile `i` (its curves shifted by `i`) and its pleth plot."""
    tile = QWidget()
    box = QVBoxLayout(tile)
    trend, pleth = pg.PlotWidget(), pg.PlotWidget()
    for plot in (trend, pleth):
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.hideButtons()
        plot.disableAutoRange()
        box.addWidget(plot)
    minutes, t = TREND_MINUTES, PLETH_T
    for lane, colour in enumerate(("#e04040", "#40c0ff", "#40e040")):
        trend.plot(minutes, lane + np.sin(minutes + i) / 3, pen=colour, skipFiniteCheck=True)
    pleth.plot(t, np.sin(t * 7 + i), pen="#40e0ff", skipFiniteCheck=True)
    trend.setRange(xRange=(-30, 0), yRange=(-1, 3), padding=0)
    pleth.setRange(xRange=(-10, 0), yRange=(-1.2, 1.2), padding=0)
    return tile, pleth
