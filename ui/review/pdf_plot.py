"""One participant's whole session drawn with QPainter for the PDF: HR, SpO2, BP and RR on one
time axis, their alarms shaded behind them, every alarm as a bar in its own strip, and lanes
of marks (doses, checks, scales, music, circle) above.

Print first: dark curves on white, light bands whose priority is also written in them (a grey
print keeps it), labels that are dropped rather than drawn over each other (the tick stays).
Where things go is worked out in `pdf_axes`; this only draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from groupkap.review.model import (
    ADVERSE,
    CHECK,
    CIRCLE,
    DEVICE,
    DOSE,
    MUSIC,
    NOTE,
    SCALE,
    AlarmEpisode,
    Marker,
    ParticipantSummary,
    Series,
)
from ui.review import pdf_text
from ui.review.pdf_axes import (
    MARK_RANK,
    PANELS,
    SPARSE,
    Panel,
    lanes_for,
    panel_for_alarm,
    place_labels,
    runs,
    stack,
    t0_ticks,
    time_ticks,
    value_range,
)
from ui.review.pdf_layout import ALERT, INK, MUTED, RULE, Context

CURVE_COLOURS = {
    "HR": "#17692f",
    "PR": "#17692f",
    "SpO2": "#1f57a0",
    "SBP": "#a8231b",
    "DBP": "#a8231b",
    "RR": "#7a4f00",
}
BAND_COLOURS = {"low": "#d3ecf3", "medium": "#fbe7ad", "high": "#f7cdc9"}
BAR_EDGES = {"low": "#2f7f95", "medium": "#8a6a00", "high": "#b3261e"}  # an alarm bar's edge
PRIORITY_LETTER = {"low": "L", "medium": "M", "high": "H"}
PRIORITY_ORDER = {"low": 0, "medium": 1, "high": 2}
# Marks in ink and greys (the lane names say what they are), so no mark is mistaken for a
# curve; only a scale (sedation, dissociation) and an adverse event stand out.
MARK_COLOURS = {
    DOSE: INK,
    CHECK: "#3d3d3d",
    SCALE: "#5b2c83",
    ADVERSE: ALERT,
    NOTE: MUTED,
    MUSIC: MUTED,
    CIRCLE: MUTED,
    DEVICE: MUTED,
}
LABEL_PT = 8.0  # annotations inside the drawing; tables and text stay at 9 pt
CURVE_PT = 1.0  # a curve's width: thin enough for a 4-hour trace, solid enough to print
LABEL_ROWS = 2  # rows of labels per lane before a label is dropped
BAR_ROWS = 2  # rows of the alarm strip (overlapping alarms stack)


@dataclass
class ParticipantPlot:
    """The plot block of a participant's page (a `pdf_layout` block).

    Attributes:
        participant: whose plot it is (their T0 draws the dose line and the T0 axis).
        start, end: the session's span: every participant's plot shares it.
        series: parameter → Series (HR, PR, SpO2, SBP, DBP, RR; missing ones draw empty).
        alarms: this participant's alarm episodes (bars in the strip; vital signs' also
            shaded in their panel).
        markers: their marks and the room's.
    """

    participant: ParticipantSummary
    start: float
    end: float
    series: Mapping[str, Series]
    alarms: Sequence[AlarmEpisode]
    markers: Sequence[Marker]
    keep_with_next: bool = False

    PANEL_PT = 54.0
    PANEL_GAP_PT = 4.0
    LANE_ROW_PT = 10.5
    TICK_PT = 3.5  # the strip under a lane's labels where every mark has its tick
    LANE_GAP_PT = 3.0
    BAR_PT = 9.0
    GUTTER_PT = 54.0
    AXIS_PT = 30.0
    LEGEND_PT = 13.0

    def _lane_pt(self) -> float:
        return LABEL_ROWS * self.LANE_ROW_PT + self.TICK_PT

    def height(self, ctx: Context, width: float) -> float:
        lanes = len(lanes_for(self.markers, self.start, self.end))
        points = self.LEGEND_PT + lanes * (self._lane_pt() + self.LANE_GAP_PT)
        points += BAR_ROWS * self.BAR_PT + self.LANE_GAP_PT
        points += len(PANELS) * (self.PANEL_PT + self.PANEL_GAP_PT) + self.AXIS_PT
        return ctx.pt(points + 6)

    def _x(self, t, left: float, width: float):
        span = max(self.end - self.start, 60.0)
        return left + (np.asarray(t, dtype=float) - self.start) / span * width

    def draw(self, ctx: Context, painter: QPainter, rect: QRectF) -> None:
        pt = ctx.pt
        left = rect.left() + pt(self.GUTTER_PT)
        width = rect.right() - left - pt(2)
        y = rect.top()
        self._legend(ctx, painter, QRectF(left, y, width, pt(self.LEGEND_PT)))
        y += pt(self.LEGEND_PT)
        for name, marks in lanes_for(self.markers, self.start, self.end):
            lane = QRectF(left, y, width, pt(self._lane_pt()))
            self._lane(ctx, painter, name, marks, lane, rect.left())
            y += lane.height() + pt(self.LANE_GAP_PT)
        strip = QRectF(left, y, width, pt(BAR_ROWS * self.BAR_PT))
        self._alarm_strip(ctx, painter, strip, rect.left())
        y += strip.height() + pt(self.LANE_GAP_PT)
        top = y
        for panel in PANELS:
            box = QRectF(left, y, width, pt(self.PANEL_PT))
            self._panel(ctx, painter, panel, box, rect.left())
            y += box.height() + pt(self.PANEL_GAP_PT)
        self._dose_lines(ctx, painter, left, width, top, y - pt(self.PANEL_GAP_PT))
        self._axis(ctx, painter, left, width, y, rect.left())

    def _text(self, ctx, painter, rect, text, colour=INK, align=Qt.AlignmentFlag.AlignLeft):
        painter.setFont(ctx.font(LABEL_PT))
        painter.setPen(QColor(colour))
        painter.drawText(rect, int(align) | int(Qt.AlignmentFlag.AlignVCenter), text)

    def _gutter(self, ctx, painter, gutter: float, top: float, text: str) -> None:
        box = QRectF(gutter, top, ctx.pt(self.GUTTER_PT - 4), ctx.pt(self.LANE_ROW_PT))
        self._text(ctx, painter, box, text)

    def _legend(self, ctx, painter, rect: QRectF) -> None:
        metrics = ctx.metrics(ctx.font(LABEL_PT))
        x, size = rect.left(), ctx.pt(8)
        self._text(ctx, painter, QRectF(x, rect.top(), rect.width(), rect.height()), "Alarms:")
        x += metrics.horizontalAdvance("Alarms: ")
        for priority in ("high", "medium", "low"):
            swatch = QRectF(x, rect.center().y() - size / 2, size * 1.6, size)
            painter.fillRect(swatch, QColor(BAND_COLOURS[priority]))
            self._text(ctx, painter, swatch, PRIORITY_LETTER[priority], INK, Qt.AlignHCenter)
            x += swatch.width() + ctx.pt(2)
            self._text(ctx, painter, QRectF(x, rect.top(), size * 8, rect.height()), priority)
            x += metrics.horizontalAdvance(priority) + ctx.pt(8)
        legend = "│ dashed line: dose (T0)   BP: ● systolic  ○ diastolic"
        self._text(ctx, painter, QRectF(x, rect.top(), rect.right() - x, rect.height()), legend)

    def _lane(self, ctx, painter, name: str, marks: list[Marker], lane: QRectF, gutter: float):
        pt = ctx.pt
        self._gutter(ctx, painter, gutter, lane.top(), name)
        painter.setPen(QPen(QColor(RULE), pt(0.3)))
        painter.drawLine(QPointF(lane.left(), lane.bottom()), QPointF(lane.right(), lane.bottom()))
        metrics = ctx.metrics(ctx.font(LABEL_PT))
        xs = [float(self._x(m.t, lane.left(), lane.width())) for m in marks]
        widths = [metrics.horizontalAdvance(m.label) + pt(3) for m in marks]
        rank = [MARK_RANK.get(m.category, len(MARK_RANK)) for m in marks]
        places = place_labels(xs, widths, pt(3), LABEL_ROWS, rank, lane.right() + pt(2))
        row_h = pt(self.LANE_ROW_PT)
        for mark, x, w, place in zip(marks, xs, widths, places):
            colour = MARK_COLOURS.get(mark.category, INK)
            painter.setPen(QPen(QColor(colour), pt(1.2 if mark.category == DOSE else 0.7)))
            painter.drawLine(
                QPointF(x, lane.bottom() - pt(self.TICK_PT)), QPointF(x, lane.bottom())
            )
            if place is None:
                continue
            # Each label stands in its own row with a bar at its moment: no line crosses it.
            row, left_of = place
            top = lane.bottom() - pt(self.TICK_PT) - (row + 1) * row_h
            painter.drawLine(QPointF(x, top + pt(1.5)), QPointF(x, top + row_h - pt(1)))
            box = QRectF(x - w if left_of else x + pt(1.5), top, w - pt(1.5), row_h)
            align = Qt.AlignmentFlag.AlignRight if left_of else Qt.AlignmentFlag.AlignLeft
            self._text(ctx, painter, box, mark.label, colour, align)

    def _alarm_strip(self, ctx, painter, strip: QRectF, gutter: float) -> None:
        """Every alarm of the participant as a bar from raised to cleared, its priority in
        its fill, its edge and its letter; an unanswered one edged in red and dashed."""
        pt = ctx.pt
        self._gutter(ctx, painter, gutter, strip.top(), "Alarms")
        painter.setPen(QPen(QColor(RULE), pt(0.3)))
        painter.drawLine(
            QPointF(strip.left(), strip.bottom()), QPointF(strip.right(), strip.bottom())
        )
        spans = [(a.raised_at, a.cleared_at or self.end) for a in self.alarms]
        row_h = pt(self.BAR_PT)
        for alarm, (a, b), row in zip(self.alarms, spans, stack(spans, BAR_ROWS)):
            x0, x1 = self._x([a, b], strip.left(), strip.width())
            bar = QRectF(
                x0, strip.top() + row * row_h + pt(0.8), max(x1 - x0, pt(2)), row_h - pt(1.6)
            )
            painter.fillRect(bar, QColor(BAND_COLOURS.get(alarm.priority, BAND_COLOURS["low"])))
            unanswered = alarm.acknowledged_at is None
            edge = QPen(
                QColor(ALERT if unanswered else BAR_EDGES.get(alarm.priority, MUTED)), pt(0.6)
            )
            if unanswered:
                edge.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(edge)
            painter.drawRect(bar)
            letter = PRIORITY_LETTER.get(alarm.priority, "")
            if bar.width() >= pt(7):
                self._text(ctx, painter, bar, letter, INK, Qt.AlignmentFlag.AlignHCenter)

    def _panel(self, ctx, painter, panel: Panel, box: QRectF, gutter: float) -> None:
        pt = ctx.pt
        params = self._params(panel)
        low, high = value_range(panel, [self.series[p].value for p in params if p in self.series])

        def y_of(v):
            return box.bottom() - (np.asarray(v, dtype=float) - low) / (high - low) * box.height()

        painter.save()
        painter.setClipRect(box)
        self._bands(ctx, painter, panel, box)
        painter.setPen(QPen(QColor("#d0d0d0"), pt(0.3)))
        for v in (low, (low + high) / 2, high):
            painter.drawLine(QPointF(box.left(), y_of(v)), QPointF(box.right(), y_of(v)))
        for param in params:
            if param in self.series:
                self._curve(ctx, painter, self.series[param], box, y_of)
        painter.restore()
        painter.setPen(QPen(QColor(RULE), pt(0.5)))
        painter.drawRect(box)
        painter.setFont(ctx.font(9.0, bold=True))
        painter.setPen(QColor(CURVE_COLOURS[params[0]]))
        title = params[0] if panel.title == "HR" else panel.title
        painter.drawText(QRectF(gutter, box.top(), pt(30), pt(12)), int(Qt.AlignLeft), title)
        self._text(
            ctx, painter, QRectF(gutter, box.top() + pt(12), pt(30), pt(11)), panel.unit, MUTED
        )
        for v, edge in ((low, box.bottom() - pt(10)), (high, box.top())):
            tick = QRectF(box.left() - pt(26), edge, pt(23), pt(10))
            self._text(ctx, painter, tick, f"{v:.0f}", MUTED, Qt.AlignmentFlag.AlignRight)

    def _params(self, panel: Panel) -> tuple[str, ...]:
        """HR falls back to the pulse rate when no ECG heart rate was stored (as on a tile)."""
        if panel.title == "HR" and not self._has("HR") and self._has("PR"):
            return ("PR",)
        return panel.params

    def _has(self, param: str) -> bool:
        return param in self.series and len(self.series[param].t) > 0

    def _bands(self, ctx, painter, panel: Panel, box: QRectF) -> None:
        """The panel's own alarms behind its curve, the higher priority on top."""
        mine = [a for a in self.alarms if panel_for_alarm(a.key) == panel.title]
        for alarm in sorted(mine, key=lambda a: PRIORITY_ORDER.get(a.priority, 0)):
            x0, x1 = self._x(
                [alarm.raised_at, alarm.cleared_at or self.end], box.left(), box.width()
            )
            band = QRectF(x0, box.top(), max(x1 - x0, ctx.pt(1.5)), box.height())
            painter.fillRect(band, QColor(BAND_COLOURS.get(alarm.priority, BAND_COLOURS["low"])))

    def _curve(self, ctx, painter, series: Series, box: QRectF, y_of) -> None:
        if len(series.t) == 0:
            return
        colour = QColor(CURVE_COLOURS.get(series.param, INK))
        xs, ys = self._x(series.t, box.left(), box.width()), y_of(series.value)
        painter.setPen(QPen(colour, ctx.pt(CURVE_PT)))
        if series.param in SPARSE:
            painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in zip(xs, ys)]))
            r = ctx.pt(1.6)
            painter.setBrush(colour if series.param == "SBP" else QColor("white"))
            for x, y in zip(xs, ys):
                painter.drawEllipse(QPointF(x, y), r, r)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            return
        for part in runs(series.t):
            painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in zip(xs[part], ys[part])]))

    def _dose_lines(self, ctx, painter, left, width, top, bottom) -> None:
        pen = QPen(QColor(INK), ctx.pt(0.8), Qt.PenStyle.DashLine)
        for mark in self.markers:
            if mark.category == DOSE and mark.participant_id == self.participant.id:
                x = float(self._x(mark.t, left, width))
                painter.setPen(pen)
                painter.drawLine(QPointF(x, top), QPointF(x, bottom))

    def _axis(self, ctx, painter, left: float, width: float, y: float, gutter: float) -> None:
        pt = ctx.pt
        offset = pdf_text.local(self.start).utcoffset().total_seconds()
        ticks = time_ticks(self.start, self.end, offset)
        step = ticks[1] - ticks[0] if len(ticks) > 1 else 600.0
        painter.setPen(QPen(QColor(INK), pt(0.5)))
        painter.drawLine(QPointF(left, y), QPointF(left + width, y))
        self._text(ctx, painter, QRectF(gutter, y, pt(50), pt(12)), "local time", MUTED)
        for t in ticks:
            x = float(self._x(t, left, width))
            painter.setPen(QPen(QColor(INK), pt(0.5)))
            painter.drawLine(QPointF(x, y), QPointF(x, y + pt(3)))
            label = QRectF(x - pt(20), y + pt(2), pt(40), pt(12))
            self._text(ctx, painter, label, pdf_text.clock(t), INK, Qt.AlignmentFlag.AlignHCenter)
        t0 = self.participant.t0
        if t0 is None:
            return
        row = y + pt(15)
        self._text(ctx, painter, QRectF(gutter, row, pt(50), pt(12)), "from dose", MUTED)
        for t in t0_ticks(self.start, self.end, t0, step):
            x = float(self._x(t, left, width))
            painter.setPen(QPen(QColor(MUTED), pt(0.5)))
            painter.drawLine(QPointF(x, row), QPointF(x, row + pt(2)))
            text = "T0" if t == t0 else pdf_text.t0_offset(t, t0).replace(" min", "")
            label = QRectF(x - pt(22), row + pt(1), pt(44), pt(12))
            self._text(ctx, painter, label, text, MUTED, Qt.AlignmentFlag.AlignHCenter)
