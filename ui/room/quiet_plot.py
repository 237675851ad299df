"""The tiles' plot widget: one pyqtgraph ViewBox filling a GraphicsView, and nothing else.

A tile's plots show no axes, menus, buttons, title or mouse interaction, yet pyqtgraph's
`PlotWidget` builds all of them for every plot: four axes, the view's context menu and the
plot's whole control panel (Qt Designer forms of some forty widgets). For the room's twenty
plots that was half a second of start-up before the first frame (issue 17, measured with
py-spy and scripts/bench/startup.py); this widget makes only what is drawn, about a tenth of
the time. It answers the few calls the tiles and their tests make of a PlotWidget.
"""

from __future__ import annotations

import pyqtgraph as pg


class QuietPlot(pg.GraphicsView):
    """A fixed-range plot: a ViewBox without mouse, menu or auto-range.

    Attributes:
        view: the ViewBox the items are drawn in.
    """

    def __init__(self, background: str) -> None:
        super().__init__(background=background)
        self.enableMouse(False)  # as PlotWidget: the scene is not panned or zoomed
        self.view = pg.ViewBox(enableMenu=False)
        self.view.setMouseEnabled(x=False, y=False)
        self.view.disableAutoRange()
        self.setCentralItem(self.view)
        self._data: list = []

    def setXRange(self, low: float, high: float, padding: float = 0.0) -> None:  # noqa: N802
        self.view.setXRange(low, high, padding=padding)

    def setYRange(self, low: float, high: float, padding: float = 0.0) -> None:  # noqa: N802
        self.view.setYRange(low, high, padding=padding)

    def viewRange(self) -> list[list[float]]:  # noqa: N802 (pyqtgraph's name)
        return self.view.viewRange()

    def addItem(self, item) -> None:  # noqa: N802
        """Draw `item` in the view; a curve is also listed in `listDataItems`."""
        self.view.addItem(item)
        implements = getattr(item, "implements", None)
        if implements is not None and implements("plotData"):
            self._data.append(item)

    def listDataItems(self) -> list:  # noqa: N802
        return list(self._data)

    def getViewBox(self) -> pg.ViewBox:  # noqa: N802
        return self.view

    def getPlotItem(self) -> QuietPlot:  # noqa: N802
        """Itself: it holds the view and the curves a PlotWidget's plot item would."""
        return self
