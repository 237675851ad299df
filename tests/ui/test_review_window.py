"""The review window (issue 14, item 2): a past session read-only, its plots holding the stored
values at their times, the cursor reading what was stored at a moment, one alarm row per
episode with its response time, and a red banner naming the first broken row of a tampered log.

pytest-qt, offscreen, real widgets over the recorded fixture session (tests/review_fixture.py).
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextDocument
from PySide6.QtWidgets import QLabel, QTableView

from groupkap.review.model import Marker
from groupkap.review.summary import load_summary
from groupkap.review.times import duration
from ui import theme
from ui.review.banner import LIVE_ELSEWHERE, banner_words, tampered_words
from ui.review.marks import MARKER_COLOURS, SAME_MOMENT_S, label_rows, same_moment
from ui.review.readout import STALE_AFTER_S, readout_parts, readout_text
from ui.review.tables import NOT_ACKNOWLEDGED
from ui.review.window import ReviewWindow, open_review

MIN = 60.0


def stored(path, sql: str, *args) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute(sql, args).fetchall()


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def summary(review_db):
    return load_summary(*review_db)


@pytest.fixture
def open_window(qtbot, qapp, review_db):
    """open_window(path=None, width=1920, height=1080): a shown review window whose log check
    has finished (so no worker outlives the test)."""
    theme.apply_theme(qapp)

    def make(path=None, width=1920, height=1080, session_id=None):
        w = ReviewWindow(path or review_db[0], session_id or review_db[1])
        qtbot.addWidget(w)
        w.resize(width, height)
        w.show()
        qtbot.waitExposed(w)
        qtbot.waitUntil(lambda: w.chain_checked, timeout=30_000)
        return w

    return make


def seat(summary, number: int):
    return next(p for p in summary.participants if p.seat == number)


def zoom(qtbot, window, start: float, end: float) -> None:
    """Zoom the plots to [start, end] and wait for the stretch to be reloaded."""
    window.plots.marks.setXRange(start, end, padding=0)
    qtbot.waitUntil(lambda: window._loaded is not None and abs(window._loaded[1] - start) < 1)


# -- opening ------------------------------------------------------------------------------
def test_the_window_opens_read_only_and_leaves_the_file_as_it_was(open_window, review_db):
    path, sid = review_db
    before = (digest(path), path.stat().st_mtime_ns)
    w = open_window()
    assert "(read-only)" in w.windowTitle()
    assert w.banner.words.chain.startswith("✓ log checks out")
    status = w.banner.status_label
    assert status.textFormat() == Qt.TextFormat.RichText  # drawn as words, not as "&nbsp;"
    drawn = QTextDocument()
    drawn.setHtml(status.text())
    assert drawn.toPlainText().replace("\xa0", " ").startswith("Status: ended  ·  ✓ log checks")
    assert "review fixture" in w.banner.words.title
    assert w.participant.seat == 1
    assert len(w.plots.curves["HR"].getOriginalDataset()[0]) > 100
    w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)  # qtbot deletes it after
    w.close()
    assert (digest(path), path.stat().st_mtime_ns) == before


def test_plots_hold_stored_rows_at_their_times_over_the_whole_session(open_window, review_db):
    path, sid = review_db
    w = open_window()
    pid = w.participant.id
    rows = dict(
        stored(
            path,
            "select t, value from vitals where session_id = ? and participant_id = ? "
            "and param = 'HR'",
            sid,
            pid,
        )
    )
    t, v = w.plots.curves["HR"].getOriginalDataset()
    assert 100 < len(t) < len(rows)  # downsampled: bucket extremes, not every row …
    assert all(rows[ti] == vi for ti, vi in zip(t, v))  # … each one a stored row


def typo_time(path, sid: str, pid: str) -> float:
    """When seat 1's hand SpO2 of 80, struck as a typo in the fixture, was measured."""
    (t,) = stored(
        path,
        "select t from vitals where session_id = ? and participant_id = ? and param = 'SpO2' "
        "and source like 'hand:%' and value = 80",
        sid,
        pid,
    )[0]
    return t


def test_a_zoom_reloads_every_stored_row_and_leaves_out_the_struck_typo(
    open_window, qtbot, review_db, summary
):
    path, sid = review_db
    w = open_window()
    one = seat(summary, 1)
    typo_t = typo_time(path, sid, one.id)
    start, end = typo_t - 2 * MIN, typo_t + 2 * MIN
    zoom(qtbot, w, start, end)
    t, v = w.plots.curves["SpO2"].getOriginalDataset()
    shown_from, shown_to = w._loaded[1:3]
    margin = (shown_to - shown_from) / 2  # the window loads half a view either side
    lo, hi = shown_from - margin, shown_to + margin
    rows = stored(
        path,
        "select t, value from vitals where session_id = ? and participant_id = ? "
        "and param = 'SpO2' and t >= ? and t <= ? order by t",
        sid,
        one.id,
        lo,
        hi,
    )
    without_typo = [(rt, rv) for rt, rv in rows if not (rt == typo_t and rv == 80)]
    assert len(without_typo) == len(rows) - 1
    assert list(zip(t, v)) == without_typo


def test_the_cursor_reads_the_stored_values_at_that_moment(open_window, qtbot, review_db, summary):
    path, sid = review_db
    w = open_window()
    three = seat(summary, 3)
    w.show_participant(three.id)
    at = three.t0 + 30 * MIN
    (hr_t, hr), (sp_t, spo2) = (
        stored(
            path,
            "select t, value from vitals where session_id = ? and participant_id = ? "
            "and param = ? and t <= ? order by t desc limit 1",
            sid,
            three.id,
            param,
            at,
        )[0]
        for param in ("HR", "SpO2")
    )
    w.plots.set_cursor(at)
    text = w.readout.plain
    assert f"HR {hr:.0f} " in text and f"SpO2 {spo2:.0f} %" in text
    assert "T0 +30 min" in text
    assert at - hr_t <= STALE_AFTER_S and at - sp_t <= STALE_AFTER_S
    assert text.endswith("simulated")  # the source, said once


def test_the_cursor_passes_over_a_struck_hand_value(open_window, review_db, summary):
    path, sid = review_db
    w = open_window()
    one = seat(summary, 1)
    typo_t = typo_time(path, sid, one.id)
    w.show_participant(one.id)
    w.plots.set_cursor(typo_t)
    assert "SpO2 80" not in w.readout.plain
    assert "SpO2 9" in w.readout.plain  # the monitor's value of that second


def test_keys_move_the_cursor(open_window, qtbot):
    w = open_window()
    start, end = w.plots.span
    qtbot.keyClick(w, Qt.Key.Key_Home)
    assert w.plots.cursor_t == start
    low, high = w.plots.visible()
    qtbot.keyClick(w, Qt.Key.Key_Right)
    assert w.plots.cursor_t == pytest.approx(start + (high - low) / 200)
    qtbot.keyClick(w, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert w.plots.cursor_t == pytest.approx(start + 11 * (high - low) / 200)
    qtbot.keyClick(w, Qt.Key.Key_End)
    assert w.plots.cursor_t == end
    with qtbot.waitSignal(w.plots.cursor_moved):
        qtbot.keyClick(w, Qt.Key.Key_Left)
    assert w.plots.cursor_t < end


# -- alarms, compliance, circle -------------------------------------------------------------
def test_one_alarm_row_per_episode_with_the_summarys_response_times(open_window, summary):
    w = open_window()
    model = w.alarm_model
    assert model.rowCount() == len(summary.alarms) > 0
    response = [c.title for c in model.columns].index("Response")
    shown = {
        (e.alarm_id, e.raised_at): model.data(model.index(row, response))
        for row, e in enumerate(model.rows)
    }
    for e in summary.alarms:
        words = NOT_ACKNOWLEDGED if e.response_s is None else duration(e.response_s)
        assert shown[(e.alarm_id, e.raised_at)] == words
    assert NOT_ACKNOWLEDGED in shown.values()  # the desaturation nobody answered
    acked = [e for e in summary.alarms if e.key == "HR" and e.acknowledged_by]
    assert acked and 20 <= acked[0].response_s <= 24  # the script acknowledges after ~20 s


def test_selecting_an_alarm_shows_its_participant_and_moves_the_cursor(open_window, summary):
    w = open_window()
    w.alarm_view.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # the latest first
    w.select_alarm(0)
    latest = max(summary.alarms, key=lambda e: e.raised_at)
    assert w.plots.cursor_t == latest.raised_at
    if latest.participant_id is not None:
        assert w.participant.id == latest.participant_id
    low, high = w.plots.visible()
    assert low <= latest.raised_at <= high


def test_compliance_and_circle_tabs_say_what_the_summary_says(open_window, summary):
    w = open_window()
    model = w.compliance_model
    assert model.rowCount() == len(summary.participants)
    four = seat(summary, 4)  # left early, undischarged
    row = [p.id for p in model.rows].index(four.id)  # the window's summary has no peaks
    gap = next(c for c in four.compliance if c.met is False)
    column = [c.title for c in model.columns].index(gap.name)
    index = model.index(row, column)
    assert model.data(index).startswith("✗")
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == gap.detail
    assert w.circle_model.rowCount() == len(summary.circle.speakers) > 0


def test_the_log_s_check_waits_for_the_first_frame_and_tabs_for_their_first_show(
    qtbot, qapp, review_db, monkeypatch
):
    """Opening sooner, showing the same: the check (seconds of the interpreter on a big file)
    starts once the plots are drawn, the banner saying so meanwhile; a tab nobody has looked
    at yet holds no table, and shown it holds the model's rows (its title said the gist)."""
    import ui.review.window as window_module

    started = []
    real = window_module.check_in_background
    monkeypatch.setattr(
        window_module,
        "check_in_background",
        lambda *a: started.append(a[0]) or real(*a),
    )
    w = ReviewWindow(*review_db)
    qtbot.addWidget(w)
    qapp.processEvents()
    assert started == [] and not w.plots.painted and not w.chain_checked
    assert w.banner.words.chain == "Checking the log…"
    w.resize(1600, 1000)
    w.show()
    qtbot.waitUntil(lambda: w.plots.painted)
    qtbot.waitUntil(lambda: started == [review_db[0]])
    page = w.tabs.widget(1)
    assert page.findChildren(QTableView) == [] and "with a gap" in w.tabs.tabText(1)
    w.tabs.setCurrentIndex(1)
    (view,) = page.findChildren(QTableView)
    assert view is w.tabs.compliance_view and view.isVisible()
    assert view.model().rowCount() == w.compliance_model.rowCount() == len(w.summary.participants)
    w.tabs.setCurrentIndex(2)
    assert w.tabs.widget(2).findChildren(QTableView) == [w.tabs.circle_view]
    qtbot.waitUntil(lambda: w.chain_checked, timeout=30_000)
    assert w.banner.words.chain.startswith("✓ log checks out") and started == [review_db[0]]


def test_replay_and_export_ask_the_caller_with_the_session_id(open_window, qtbot, review_db):
    w = open_window()
    with qtbot.waitSignal(w.replay_requested) as replay:
        w.replay_action.trigger()
    assert replay.args == [review_db[1]]
    with qtbot.waitSignal(w.export_requested) as export:
        w.export_actions["pdf"].trigger()
    assert export.args == ["pdf", review_db[1]]


# -- the banner ---------------------------------------------------------------------------
def test_a_tampered_copy_turns_the_banner_red_naming_the_broken_row(
    open_window, review_db, tmp_path
):
    from review_fixture import copy_db

    path = copy_db(review_db[0], tmp_path)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("drop trigger events_no_update")
        conn.execute("update events set data = json_set(data, '$.x', 1) where seq = 40")
    w = open_window(path)
    words = w.banner.words.chain
    assert words.startswith("The log fails its check at event 40: ")
    assert words.endswith("Figures below may not be true.")
    assert w.banner.chain_label.isVisible() and w.banner.chain_label.text() == words
    image = w.banner.grab().toImage()
    assert image.pixelColor(3, image.height() // 2) == QColor(theme.ALARM_COLOURS["high"])


def test_banner_words_for_interrupted_and_live_sessions(summary):
    interrupted = banner_words(replace(summary, status="interrupted"))
    assert interrupted.status.startswith("interrupted") and interrupted.status_level == "caution"
    live = banner_words(replace(summary, status="running"))
    assert live.status == LIVE_ELSEWHERE == "live in another window: read-only here"
    assert banner_words(summary).status_level == "quiet"
    assert tampered_words(7, "broken at seq 7: hash mismatch.") == (
        "The log fails its check at event 7: hash mismatch. Figures below may not be true."
    )


def test_a_session_live_in_another_window_opens_read_only_here(qtbot, qapp, room10, store, clock):
    clock.advance(30)
    room10.pump()
    store.flush()
    w = ReviewWindow(store.path, room10.id)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.chain_checked, timeout=30_000)
    assert w.banner.words.status == LIVE_ELSEWHERE
    assert LIVE_ELSEWHERE in w.banner.status_label.text()
    assert len(w.plots.curves["HR"].getOriginalDataset()[0]) > 0


# -- words and sizes ----------------------------------------------------------------------
def test_a_stale_value_is_not_read_as_current_at_the_exact_limit():
    t = 1_000.0
    fresh = readout_parts(t, {"HR": (t - STALE_AFTER_S, 71.0, "sim")})[0]
    stale = readout_parts(t, {"HR": (t - STALE_AFTER_S - 0.001, 71.0, "sim")})[0]
    assert (fresh.label, fresh.text) == ("HR", "71")
    assert stale.text == "--" and stale.note.startswith("last ")
    pulse = readout_parts(t, {"HR": (t - 60, 71.0, "sim"), "PR": (t - 1, 73.0, "sim")})[0]
    assert (pulse.label, pulse.text) == ("PR", "73")
    by_hand = readout_text(
        t, None, {"HR": (t, 70.0, "sim"), "SBP": (t, 120.0, "hand:RN Kim"), "DBP": (t, 80, "")}
    )
    assert "BP 120/80 (now, ✎ RN Kim)" in by_hand and by_hand.endswith("simulated")


def test_labels_never_print_over_each_other():
    assert label_rows([(0, 10), (5, 15), (8, 20), (100, 110)], rows=3) == [0, 1, 2, 0]
    assert label_rows([(0, 10), (10.001, 20)], rows=1) == [0, 0]  # after its end: same row
    assert label_rows([(0, 10), (10, 20)], rows=2) == [0, 1]  # touching: the next row
    assert label_rows([(0, 10), (5, 15)], rows=1) == [0, None]  # no room: no label
    # A dose (rank 0) keeps its label over an earlier note (rank 4) it would overlap.
    assert label_rows([(0, 10), (5, 15)], rows=1, ranks=[4, 0]) == [None, 0]


def test_marks_logged_together_share_one_line_and_label(open_window, summary):
    marks = [
        Marker(100.0, None, "check", "check.recorded", "MOAA/S 5", 1),
        Marker(100.0, None, "scale", "check.recorded", "CADSS 3", 2),
        Marker(100.0 + SAME_MOMENT_S + 0.001, None, "dose", "dose.given", "IM 40 mg", 3),
    ]
    assert [[m.seq for m in g] for g in same_moment(marks)] == [[1, 2], [3]]
    w = open_window()
    labels = [line.label.format for line in w.plots.mark_layer.labelled]
    assert any("MOAA/S" in text and "CADSS" in text for text in labels)


def test_mark_colours_are_readable_on_the_plots():
    for category, colour in MARKER_COLOURS.items():
        assert theme.contrast_ratio(colour, theme.TILE) >= theme.TEXT_CONTRAST, category
    assert theme.contrast_ratio(theme.WARNING_TEXT, theme.TILE) >= theme.TEXT_CONTRAST


def test_no_text_smaller_than_a_desk_reads(open_window):
    w = open_window()
    labels = w.findChildren(QLabel)
    assert labels
    for widget in [*labels, w.alarm_view, w.people, w.readout]:
        widget.ensurePolished()
        size = widget.font().pixelSize()
        if size < 0:  # a point size: convert at 96 dpi
            size = widget.font().pointSizeF() * 96 / 72
        assert size >= theme.px(14), (widget, size)


def test_open_review_gives_the_browser_without_a_session(qtbot, qapp, review_db):
    from ui.review.browser import SessionBrowser

    browser = open_review(review_db[0], None)
    qtbot.addWidget(browser)
    assert isinstance(browser, SessionBrowser)
    with qtbot.waitSignal(browser.opened):
        browser.open_selected()
    (window,) = browser.windows
    qtbot.waitUntil(lambda: window.chain_checked, timeout=30_000)
    assert window.session_id == review_db[1]
    window.close()


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)])
def test_screenshots_show_every_lane_with_its_curve(open_window, tmp_path, size):
    w = open_window(width=size[0], height=size[1])
    image = w.grab().toImage()
    image.save(str(tmp_path / f"review-{size[0]}.png"))
    for name, plot in w.plots.lanes.items():
        rect = plot.vb.sceneBoundingRect().toRect()
        assert rect.height() >= 40, (name, rect)  # every lane keeps room to read a trend
    hr = QColor(theme.PARAM_COLOURS["HR"])
    box = w.plots.lanes["HR"].vb.sceneBoundingRect().toRect()
    origin = w.plots.mapTo(w, box.topLeft())
    seen = {
        image.pixelColor(origin.x() + x, origin.y() + y).name()
        for x in range(0, box.width(), 3)
        for y in range(box.height())
    }
    assert hr.name() in seen
