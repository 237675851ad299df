"""The arithmetic of the report's plot, with no Qt: which panel shows what, the ticks of the
time axis, the value ranges, where mark labels and alarm bars go, where a curve has a gap.

Kept apart from the drawing so each rule is tested at its edges without rendering a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from groupkap.review.model import (
    ADVERSE,
    CHECK,
    CIRCLE,
    DEVICE,
    DOSE,
    MUSIC,
    NOTE,
    SCALE,
    Marker,
)


@dataclass(frozen=True)
class Panel:
    """One strip of the plot: its title, the parameters drawn in it, unit and usual range.

    Attributes: title, params (drawn in it), unit, usual (the range shown when every value
    is inside it), step (the range widens to take the data in whole steps of this).
    """

    title: str
    params: tuple[str, ...]
    unit: str
    usual: tuple[float, float]
    step: float


PANELS = (
    Panel("HR", ("HR",), "/min", (40, 140), 10),
    Panel("SpO2", ("SpO2",), "%", (85, 100), 5),
    Panel("BP", ("SBP", "DBP"), "mmHg", (40, 180), 20),
    Panel("RR", ("RR",), "/min", (0, 30), 5),
)
SPARSE = frozenset({"SBP", "DBP"})  # cuff readings minutes apart: dots joined, never a gap
PANEL_OF = {
    "HR": "HR",
    "PR": "HR",
    "SpO2": "SpO2",
    "SBP": "BP",
    "DBP": "BP",
    "MAP": "BP",
    "RR": "RR",
}

# Lanes of marks above the plots, top to bottom: what a clinician looks for first. The
# session's own start and end are the axis's ends, so they need no mark.
LANES = (
    ("Protocol", (DOSE, CHECK, SCALE, ADVERSE, NOTE)),
    ("Music", (MUSIC,)),
    ("Room", (CIRCLE, DEVICE)),
)
# Whose label wins when two would overlap: the dose first, then what a clinician acts on.
MARK_RANK = {DOSE: 0, ADVERSE: 1, SCALE: 2, CHECK: 3, NOTE: 4, CIRCLE: 5, DEVICE: 6, MUSIC: 7}
TICK_STEPS_MIN = (1, 2, 5, 10, 15, 20, 30, 60, 120, 240)
GAP_S = 30.0  # a monitored curve with no value for longer than this is broken, not bridged


def panel_for_alarm(key: str) -> str | None:
    """The panel an alarm about `key` is shaded in (`SpO2` → SpO2, `SBP` → BP); None for an
    alarm about no plotted parameter (a sedation score, a lost monitor)."""
    if key in PANEL_OF:
        return PANEL_OF[key]
    for param, panel in PANEL_OF.items():
        if key.startswith(param):
            return panel
    return None


def time_ticks(start: float, end: float, utc_offset_s: float, most: int = 9) -> list[float]:
    """Round local clock times (09:00, 09:20 …) between `start` and `end`: the finest step of
    TICK_STEPS_MIN that gives at most `most` of them."""
    for minutes in TICK_STEPS_MIN:
        step = minutes * 60.0
        first = np.ceil((start + utc_offset_s) / step) * step - utc_offset_s
        ticks = [float(t) for t in np.arange(first, end + 1e-6, step)]
        if len(ticks) <= most:
            return ticks
    return ticks


def t0_ticks(start: float, end: float, t0: float, step: float) -> list[float]:
    """T0, T0 ± step, … that fall between `start` and `end`."""
    k0, k1 = int(np.ceil((start - t0) / step)), int(np.floor((end - t0) / step))
    return [t0 + k * step for k in range(k0, k1 + 1)]


def value_range(panel: Panel, values: Sequence[np.ndarray]) -> tuple[float, float]:
    """The panel's usual range, widened in whole steps to take every value in `values`: a
    value is never drawn off the plot."""
    low, high = panel.usual
    data = [v[np.isfinite(v)] for v in values]
    data = [v for v in data if len(v)]
    if data:
        low = min(low, np.floor(min(float(v.min()) for v in data) / panel.step) * panel.step)
        high = max(high, np.ceil(max(float(v.max()) for v in data) / panel.step) * panel.step)
    return float(low), float(high)


def place_labels(
    xs: Sequence[float],
    widths: Sequence[float],
    gap: float,
    rows: int,
    rank: Sequence[int],
    right: float = np.inf,
) -> list[tuple[int, bool] | None]:
    """Where the labels of marks at `xs`, `widths` wide, go: (row, left_of_tick) with row 0
    nearest the axis, or None where the label would overlap another in every row (the mark
    keeps its tick). Marks of a lower `rank` are placed first (a dose before the checks
    around it); a label that would run past `right` is set to the left of its tick."""
    taken: list[list[tuple[float, float]]] = [[] for _ in range(rows)]
    placed: list[tuple[int, bool] | None] = [None] * len(xs)
    for i in sorted(range(len(xs)), key=lambda i: (rank[i], xs[i])):
        left_of = xs[i] + widths[i] > right
        a, b = (xs[i] - widths[i], xs[i]) if left_of else (xs[i], xs[i] + widths[i])
        for row in range(rows):
            if all(b + gap <= lo or a >= hi + gap for lo, hi in taken[row]):
                taken[row].append((a, b))
                placed[i] = (row, left_of)
                break
    return placed


def stack(spans: Sequence[tuple[float, float]], rows: int) -> list[int]:
    """A row for each (start, end) span so that spans in one row do not overlap; spans that
    find no free row share the last one (an alarm bar is never dropped)."""
    ends = [-np.inf] * rows
    out = []
    for a, b in spans:
        row = next((r for r in range(rows) if a >= ends[r]), rows - 1)
        ends[row] = max(ends[row], b)
        out.append(row)
    return out


def lanes_for(
    markers: Sequence[Marker], start: float, end: float
) -> list[tuple[str, list[Marker]]]:
    """The lanes that have marks between `start` and `end`, each with its marks in time order."""
    out = []
    for name, categories in LANES:
        inside = (m for m in markers if m.category in categories and start <= m.t <= end)
        marks = sorted(inside, key=lambda m: m.t)
        if marks:
            out.append((name, marks))
    return out


def runs(t: np.ndarray) -> list[slice]:
    """The stretches of a monitored curve without a gap: a lost signal is left blank, not
    bridged by a straight line that looks like data. Values closer than GAP_S, or than five
    times the usual spacing (a sparse or downsampled series), belong to one stretch."""
    if len(t) < 2:
        return [slice(0, len(t))]
    dt = np.diff(t)
    gap = max(GAP_S, 5.0 * float(np.median(dt)))
    cuts = (np.nonzero(dt > gap)[0] + 1).tolist()
    bounds = [0, *cuts, len(t)]
    return [slice(a, b) for a, b in zip(bounds, bounds[1:])]
