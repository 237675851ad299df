"""The marks on the review plots: doses, checks, scales, adverse events, notes, music,
circle turns, devices and the session's own start and end.

Every mark is a tick in its row of the marks lane (hover it for its words). The marks a
clinician acts on (CARE) also cross every vital lane as a dashed line, labelled on the top
lane; labels never print over each other: marks logged together share one label, and a
label with no room left is hidden (its line and tooltip stay) until a zoom makes room.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from groupkap.review import model
from groupkap.review.model import Marker
from ui import theme
from ui.review.pdf_text import clock

# A lead reads these at a desk, half a metre away, not from the chair: 14 px is the floor
# here (the room's 18 px rule is for text read from two metres).
DESK_MIN_PX = 14

# What each kind of mark is drawn in: bright enough on the dark plots (4.5:1, tested), and
# never an alarm colour, so a mark is not read as an alarm.
MARKER_COLOURS = {
    model.DOSE: "#c59bff",
    model.CHECK: "#9ec1ff",
    model.SCALE: "#7fd6c2",
    model.ADVERSE: "#ff9f6b",
    model.NOTE: "#d8dce2",
    model.MUSIC: "#98a3b3",
    model.CIRCLE: "#f2a8d9",
    model.DEVICE: "#b8bec7",
    model.SESSION: "#e8eaee",
}
# Marks a clinician acts on cross every vital lane and carry a label on the top one; music,
# circle, device and session marks (dozens in a session) stay in their own rows of the marks lane.
CARE = (model.DOSE, model.CHECK, model.SCALE, model.ADVERSE, model.NOTE)
MARK_ROWS = (
    ("care", CARE),
    ("music", (model.MUSIC,)),
    ("circle", (model.CIRCLE,)),
    ("room", (model.DEVICE, model.SESSION)),
)
LABEL_ROWS = 4  # marks close together take the next row of labels down, at most this many
LABEL_GAP_PX = 8  # the least room between two labels on one row
LABEL_ROW_PX = 20  # one row of labels, at scale 1.0
SAME_MOMENT_S = 5.0  # care marks this close share a line and a label
LABEL_SHARE = 0.4  # labels keep to the top of the HR lane, above where heart rates lie
LABEL_FILL = QColor(theme.TILE)
LABEL_FILL.setAlpha(170)  # a curve under a label still shows through


def mark_row(category: str) -> int:
    """The marks lane's row (0 at the top) a category is drawn in."""
    for index, (_, categories) in enumerate(MARK_ROWS):
        if category in categories:
            return index
    raise KeyError(category)


def label_rows(
    spans: list[tuple[float, float]], rows: int = LABEL_ROWS, ranks: list[int] | None = None
) -> list[int | None]:
    """The label row (0 = top) of each label spanning (start, end) seconds, or None for a
    label that has no room: labels are placed in `ranks` order (lowest first; a dose
    before a note), each on the first row where it overlaps no label placed before, so
    no label is ever printed over another. A label without room keeps its line and tooltip."""
    ranks = ranks if ranks is not None else [0] * len(spans)
    taken: list[list[tuple[float, float]]] = [[] for _ in range(max(1, rows))]
    chosen: list[int | None] = [None] * len(spans)
    for i in sorted(range(len(spans)), key=lambda i: (ranks[i], spans[i][0])):
        start, end = spans[i]
        for row, placed in enumerate(taken):
            if all(end < a or start > b for a, b in placed):
                placed.append((start, end))
                chosen[i] = row
                break
    return chosen


def same_moment(marks: list[Marker], within_s: float = SAME_MOMENT_S) -> list[list[Marker]]:
    """`marks` (in time order) in groups logged within `within_s` of the group's first: a
    check's MOAA/S and CADSS entered together get one line and one label, not two on top
    of each other."""
    groups: list[list[Marker]] = []
    for mark in marks:
        if groups and mark.t - groups[-1][0].t <= within_s:
            groups[-1].append(mark)
        else:
            groups.append([mark])
    return groups


def desk_font(size: float = DESK_MIN_PX) -> QFont:
    font = QFont(theme.FONT_FAMILY)
    font.setPixelSize(theme.px(size))
    return font


def mark_words(mark: Marker) -> str:
    """`09:42:07 · dose: IM 40 mg`: a mark's tooltip."""
    return f"{clock(mark.t, seconds=True)} · {mark.category}: {mark.label}"


class MarkLayer:
    """Every mark of one participant (and the room's) on the plots.

    Attributes:
        dots: the ticks in the marks lane (ScatterPlotItem, hover for the words).
        lines: the care marks' dashed lines in every vital lane (`line.marker`).
        labelled: the lines of the top vital lane, which carry the labels.
    """

    def __init__(self, marks_plot: pg.PlotItem, lanes: list[pg.PlotItem]) -> None:
        self.lanes = lanes
        self.lines: list[pg.InfiniteLine] = []
        self.labelled: list[pg.InfiniteLine] = []
        self.dots = pg.ScatterPlotItem(
            symbol="|", size=theme.px(16), hoverable=True, tip=lambda x, y, data: data
        )
        marks_plot.addItem(self.dots)

    def draw(self, marks: list[Marker]) -> None:
        """Replace the marks drawn with `marks` (in time order)."""
        for line in self.lines:
            line.getViewBox().removeItem(line)
        self.lines, self.labelled = [], []
        colours = [MARKER_COLOURS.get(m.category, theme.TEXT) for m in marks]
        self.dots.setData(
            x=[m.t for m in marks],
            y=[mark_row(m.category) for m in marks],
            brush=[pg.mkBrush(c) for c in colours],
            pen=[pg.mkPen(c, width=2) for c in colours],
            data=[mark_words(m) for m in marks],
        )
        for group in same_moment([m for m in marks if m.category in CARE]):
            label = " · ".join(m.label for m in group)
            tip = "\n".join(mark_words(m) for m in group)
            for index, plot in enumerate(self.lanes):
                line = _mark_line(group[0], label if index == 0 else None)
                line.setToolTip(tip)
                plot.addItem(line, ignoreBounds=True)
                self.lines.append(line)
                if index == 0:
                    self.labelled.append(line)

    def relabel(self, visible: tuple[float, float], width_px: float, height_px: float) -> None:
        """Place the labels for a top lane `width_px` × `height_px` showing `visible`: as
        many rows as fit in its top LABEL_SHARE, none over another."""
        if not self.labelled:
            return
        per_px = (visible[1] - visible[0]) / max(1.0, width_px)
        height = max(1.0, height_px)
        row_px = theme.px(LABEL_ROW_PX)
        fit = max(1, min(LABEL_ROWS, int(height * LABEL_SHARE // row_px)))
        spans = [
            (t := line.value(), t + (line.label.boundingRect().width() + LABEL_GAP_PX) * per_px)
            for line in self.labelled
        ]
        ranks = [CARE.index(line.marker.category) for line in self.labelled]
        for line, row in zip(self.labelled, label_rows(spans, fit, ranks)):
            line.label.setVisible(row is not None)
            if row is not None:
                line.label.setPosition(max(0.05, 1 - (row + 0.6) * row_px / height))


def _mark_line(mark: Marker, label: str | None) -> pg.InfiniteLine:
    colour = MARKER_COLOURS[mark.category]
    pen = pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine)
    options = {}
    if label is not None:
        options = {
            "label": label,
            "labelOpts": {
                "color": colour,
                "fill": pg.mkBrush(LABEL_FILL),
                "anchors": [(0, 0.5), (0, 0.5)],
            },
        }
    line = pg.InfiniteLine(mark.t, angle=90, movable=False, pen=pen, **options)
    if label is not None:
        line.label.setFont(desk_font())
    line.marker = mark
    return line
