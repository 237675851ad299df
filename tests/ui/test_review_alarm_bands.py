"""The review window shades each alarm over its span in its priority's colour (issue 14,
item 2): on the real window over the recorded fixture, seat 2 has high SpO2 and RR alarms and a
medium MOAA/S alarm; each band covers raised → cleared, in ALARM_COLOURS of its priority,
deeper in the lane of its own parameter, and the drawn pixels show red where the high alarm
was, yellow where only the medium one was, and nothing where there was none."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage

from groupkap.review.summary import load_summary
from ui import theme
from ui.review.plots import BAND_ALPHA, LANES
from ui.review.window import ReviewWindow


@pytest.fixture
def seat_two(qtbot, qapp, review_db):
    """(the shown review window on seat 2, seat 2's summary, its alarms, the session)."""
    theme.apply_theme(qapp)
    path, sid = review_db
    summary = load_summary(path, sid)
    p = next(p for p in summary.participants if p.seat == 2)
    w = ReviewWindow(path, sid)
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.chain_checked, timeout=30_000)
    w.show_participant(p.id)
    mine = [a for a in summary.alarms if a.participant_id in (p.id, None)]
    drawn = lambda: {(b.episode.alarm_id, b.episode.raised_at) for b in w.plots.bands}  # noqa: E731
    qtbot.waitUntil(lambda: drawn() == {(a.alarm_id, a.raised_at) for a in mine})
    return w, p, mine, summary


def column_colour(image: QImage, w: ReviewWindow, lane: str, t: float) -> np.ndarray:
    """The median RGB of the lane's plot area at time `t` (a curve crossing it is outvoted)."""
    plot = w.plots.lanes[lane]
    rect = plot.vb.sceneBoundingRect()
    x = round(plot.vb.mapViewToScene(QPointF(t, 0)).x())
    ys = range(round(rect.top()) + 3, round(rect.bottom()) - 3)
    pixels = [QColor(image.pixel(x, y)) for y in ys]
    return np.median([(c.red(), c.green(), c.blue()) for c in pixels], axis=0)


def drawn_red_where_high_yellow_where_medium(w: ReviewWindow, mine, summary) -> None:
    """Red under the high SpO2 alarm, yellow under the medium one, the bare plot between."""
    high = next(a for a in mine if a.priority == "high" and a.key == "SpO2")
    medium = next(a for a in mine if a.priority == "medium")
    w.plots.marks.setXRange(summary.started_at, summary.ended_at, padding=0)
    image = w.plots.grab().toImage()
    quiet_t = high.cleared_at + (medium.raised_at - high.cleared_at) / 2  # no alarm then
    background = column_colour(image, w, "SpO2", quiet_t)
    assert background.max() < 60 and np.ptp(background) < 12  # the dark, hueless plot
    red = column_colour(image, w, "SpO2", (high.raised_at + high.cleared_at) / 2)
    assert red[0] - background[0] > 40 and red[0] > red[1] + 30 and red[0] > red[2] + 30
    yellow = column_colour(image, w, "SpO2", (medium.raised_at + medium.cleared_at) / 2)
    assert yellow[0] - background[0] > 10 and yellow[1] - background[1] > 10
    assert min(yellow[0], yellow[1]) > yellow[2] + 5  # red and green over blue: yellow


def test_alarm_bands_cover_their_spans_in_their_prioritys_colour(seat_two):
    """The bands as items, then as the pixels drawn (the window is opened once: ~5 s)."""
    w, _, mine, summary = seat_two
    assert {a.priority for a in mine} >= {"high", "medium"}
    lane_of = {id(w.plots.lanes[lane.name].vb): lane for lane in LANES}
    for band in w.plots.bands:
        a, lane = band.episode, lane_of[id(band.getViewBox())]
        assert band.getRegion() == pytest.approx((a.raised_at, max(a.cleared_at, a.raised_at + 1)))
        colour = band.brush.color()
        assert colour.name() == QColor(theme.ALARM_COLOURS[a.priority]).name(), a
        assert colour.alpha() == BAND_ALPHA[a.key in lane.alarm_keys]
    assert len(w.plots.bands) == len(mine) * len(LANES)  # every lane, for one time axis
    drawn_red_where_high_yellow_where_medium(w, mine, summary)
