"""The course's outcome trend: one lane per scale scored (PHQ-9, GAD-7, PCL-5), its totals
over the weeks as points joined by a line, on the scale's severity bands.

The bands come from the scale's own cut-offs (`groupkap.protocol.scales`): shaded deeper the
more severe, and named on the right-hand axis, so the shade is never the only cue. A point
that raised a flag (PHQ-9 item 9) is ringed in the high-alarm colour, carries "⚑" beside its
total, and the flag is said in words under the lanes with the date it was scored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from groupkap.protocol.scales import SCALES, Scale
from ui import theme
from ui.course import course_words as words

ORDER = ("PHQ-9", "GAD-7", "PCL-5")  # the usual order; any other scale follows by name
FLAG_MARK = "\u2691"  # ⚑
AXIS_WIDTH = 64  # every lane's left axis is as wide, so the lanes line up
BAND_AXIS_WIDTH = 150  # "moderately severe" at the desk's size
MOST_SEVERE_ALPHA = 55  # the most severe band's shade; the least severe is unshaded
DAY_S = 86_400.0
FONT_PX = 15  # read at a desk, half a metre away (the review's floor there is 14 px)


def lane_order(names: Sequence[str]) -> list[str]:
    """PHQ-9, GAD-7, PCL-5 first (those scored), then any other scale by name."""
    known = [n for n in ORDER if n in names]
    return known + sorted(n for n in names if n not in ORDER)


def band_spans(scale: Scale) -> list[tuple[float, float, str]]:
    """(bottom, top, label) of each band, between whole totals: PHQ-9's "mild" is 5–9, so it
    spans 4.5 to 9.5 and a total of 5 sits inside it, not on its edge."""
    lows = [low for low, _ in scale.bands]
    tops = [*lows[1:], scale.highest + 1]
    return [
        (low - 0.5, top - 0.5, label) for (low, label), top in zip(scale.bands, tops, strict=True)
    ]


def x_span(times: Sequence[float]) -> tuple[float, float]:
    """The stretch of days the lanes show: every point, with a margin for its label."""
    first, last = min(times), max(times)
    margin = max((last - first) * 0.08, 3 * DAY_S)
    return first - margin, last + margin


class DateTicks(pg.AxisItem):
    """The bottom axis: one tick at each day an outcome was scored (`14 Jan`)."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.days: list[float] = []

    def tickValues(self, minVal, maxVal, size):  # noqa: N802 (Qt override)
        return [(DAY_S, [t for t in self.days if minVal <= t <= maxVal])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (Qt override)
        return [words.short_date(v) for v in values]


def desk_font(size: float = FONT_PX) -> QFont:
    font = QFont(theme.FONT_FAMILY)
    font.setPixelSize(theme.px(size))
    return font


def _styled(axis: pg.AxisItem) -> None:
    axis.setStyle(tickFont=desk_font(FONT_PX), tickTextOffset=theme.px(4))
    axis.setTextPen(theme.TEXT)
    axis.setPen(theme.CONTROL_BORDER)


class OutcomePlot(QWidget):
    """Outcome totals over the course, a lane per scale scored, and their flags in words.

    Attributes:
        graphics: the lanes (pg.GraphicsLayoutWidget).
        lanes: scale name -> its PlotItem; curves: scale name -> its points joined by a line.
        flag_marks: scale name -> the rings on flagged points (a ScatterPlotItem).
        labels: scale name -> the total written above each point (TextItems).
        flags_label: every flag in words, with the date; hidden when there are none.
        empty_label: says no scale has been scored yet (shown instead of the lanes).
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(theme.BACKGROUND)
        self.graphics.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lanes: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.flag_marks: dict[str, pg.ScatterPlotItem] = {}
        self.labels: dict[str, list[pg.TextItem]] = {}
        self.flags_label = QLabel()
        self.flags_label.setWordWrap(True)
        self.flags_label.setStyleSheet(
            f"color: {theme.ALARM_COLOURS['high']}; font-size: {theme.px(16)}px;"
        )
        self.empty_label = QLabel("No PHQ-9, GAD-7 or PCL-5 has been scored for this person yet.")
        self.empty_label.setStyleSheet(f"color: {theme.TEXT_DIM}; font-size: {theme.px(16)}px;")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.graphics, 1)
        box.addWidget(self.empty_label, 1)
        box.addWidget(self.flags_label)
        self.show_outcomes({})

    def point_count(self) -> int:
        """How many totals are drawn, across every lane."""
        counts = (curve.getData()[0] for curve in self.curves.values())
        return sum(0 if x is None else len(x) for x in counts)

    def show_outcomes(self, outcomes: Mapping[str, Sequence]) -> None:
        """Draw `outcomes` (scale name -> its OutcomePoints, oldest first): a lane per scale
        with at least one point; read once per course, so the lanes are built afresh."""
        self.graphics.clear()
        self.lanes, self.curves, self.flag_marks, self.labels = {}, {}, {}, {}
        names = lane_order([name for name, points in outcomes.items() if points])
        self.graphics.setVisible(bool(names))
        self.empty_label.setVisible(not names)
        flags = words.flag_lines({n: outcomes[n] for n in names})
        self.flags_label.setText("\n".join(f"{FLAG_MARK} {line}" for line in flags))
        self.flags_label.setVisible(bool(flags))
        if not names:
            return
        times = [p.t for n in names for p in outcomes[n]]
        dates = DateTicks()
        first = None
        for row, name in enumerate(names):
            last = row == len(names) - 1
            plot = self.graphics.addPlot(
                row=row, col=0, axisItems={"bottom": dates} if last else {}
            )
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            self.lanes[name] = plot
            self._draw_lane(plot, name, list(outcomes[name]), last)
        dates.days = sorted({p.t for n in names for p in outcomes[n]})
        first.setXRange(*x_span(times), padding=0)

    # -- one lane -------------------------------------------------------------------------
    def _draw_lane(self, plot: pg.PlotItem, name: str, points: list, last: bool) -> None:
        scale = SCALES.get(name)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=False, y=False)
        plot.vb.setBackgroundColor(theme.TILE)
        left = plot.getAxis("left")
        _styled(left)
        left.setWidth(theme.px(AXIS_WIDTH))
        left.setLabel(name, color=theme.TEXT, **{"font-size": f"{theme.px(FONT_PX)}px"})
        if last:
            _styled(plot.getAxis("bottom"))
        else:
            plot.hideAxis("bottom")
        if scale is not None:
            plot.setYRange(scale.lowest - 0.5, scale.highest + 0.5, padding=0)
            self._draw_bands(plot, scale)
        else:
            plot.setYRange(0, max(p.total for p in points) * 1.2 + 1, padding=0)
        plot.setToolTip(f"{name} totals over the course, on its severity bands")
        pen = pg.mkPen(theme.TEXT, width=2)
        curve = plot.plot(
            [p.t for p in points],
            [p.total for p in points],
            pen=pen,
            symbol="o",
            symbolSize=theme.px(9),
            symbolBrush=theme.TEXT,
            symbolPen=None,
        )
        self.curves[name] = curve
        flagged = [p for p in points if p.flags]
        rings = pg.ScatterPlotItem(
            [p.t for p in flagged],
            [p.total for p in flagged],
            symbol="o",
            size=theme.px(20),
            brush=None,
            pen=pg.mkPen(theme.ALARM_COLOURS["high"], width=3),
        )
        plot.addItem(rings)
        self.flag_marks[name] = rings
        self.labels[name] = [self._label(plot, p) for p in points]

    def _label(self, plot: pg.PlotItem, point) -> pg.TextItem:
        colour = theme.ALARM_COLOURS["high"] if point.flags else theme.TEXT
        text = f"{point.total} {FLAG_MARK}" if point.flags else str(point.total)
        label = pg.TextItem(text, color=colour, anchor=(0.5, 1.15))
        label.setFont(desk_font(FONT_PX))
        label.setPos(point.t, point.total)
        tip = f"{point.scale} {point.total}: {point.band}, {words.date(point.t)}"
        label.setToolTip("\n".join([tip, *point.flags]))
        plot.addItem(label)
        return label

    def _draw_bands(self, plot: pg.PlotItem, scale: Scale) -> None:
        spans = band_spans(scale)
        right = plot.getAxis("right")
        plot.showAxis("right")
        _styled(right)
        right.setTextPen(theme.TEXT_DIM)
        right.setWidth(theme.px(BAND_AXIS_WIDTH))
        right.setTicks([[((low + top) / 2, label) for low, top, label in spans], []])
        left = plot.getAxis("left")
        cuts = sorted({low for low, _ in scale.bands} | {scale.highest})
        left.setTicks([[(c, str(c)) for c in cuts], []])
        for i, (low, top, label) in enumerate(spans):
            colour = QColor(theme.ALARM_COLOURS["high"])
            colour.setAlpha(round(MOST_SEVERE_ALPHA * i / max(1, len(spans) - 1)))
            band = pg.LinearRegionItem(
                (low, top),
                orientation="horizontal",
                movable=False,
                brush=pg.mkBrush(colour),
                pen=pg.mkPen(theme.TILE_BORDER),
            )
            band.setZValue(-10)
            band.setToolTip(f"{scale.name} {label}")
            plot.addItem(band, ignoreBounds=True)
