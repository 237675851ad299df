"""Replay in the room grid (issue 14, item 3): the live room's tiles fed by a stored session show
the values stored at that moment, the alarms the log says were shown, forwards, backwards and
at any speed; nothing on them can be pressed, nothing sounds, nothing is written.

pytest-qt, offscreen, real widgets over the recorded fixture session (tests/review_fixture.py).
"""

from __future__ import annotations

from contextlib import closing

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QContextMenuEvent
from PySide6.QtWidgets import QApplication
from replay_events import cleared_alarm, first_event, pid_on

from groupkap.errors import BadInputError
from groupkap.store.store import open_read_only
from ui import theme
from ui.review.replay_window import ReplayWindow

MIN = 60.0


@pytest.fixture
def conn(review_db):
    with closing(open_read_only(review_db[0])) as c:
        yield c


@pytest.fixture
def start(conn, review_db) -> float:
    sql = "select started_at from sessions where id = ?"
    return conn.execute(sql, (review_db[1],)).fetchone()[0]


@pytest.fixture
def window(qtbot, qapp, review_db, settings):
    theme.apply_theme(qapp)
    w = ReplayWindow(review_db[0], review_db[1], settings, speed=10)
    qtbot.addWidget(w)
    w.resize(1920, 1080)
    w.show()
    qtbot.waitExposed(w)
    return w


def stored_at(conn, pid: str, param: str, t: float) -> float | None:
    """What the store holds as the participant's newest `param` at or before `t`."""
    row = conn.execute(
        "select value from vitals where participant_id = ? and param = ? and t <= ? "
        "order by t desc limit 1",
        (pid, param, t),
    ).fetchone()
    return None if row is None else row[0]


def drawn(qtbot, window) -> None:
    """Wait for the grid's own frame timer to draw the moment the replay stands at."""
    with qtbot.waitSignal(window.grid.frame_drawn, timeout=2000):
        pass


def assert_tiles_show_the_store(conn, window, t: float) -> int:
    """Every seated tile's HR, SpO2, RR and BP are the store's newest values at `t`."""
    checked = 0
    for seat, tile in window.grid.tiles.items():
        if tile.participant is None:
            continue
        pid = tile.participant.id
        texts = {n.label: n.text for n in tile.readout.numerics}
        for param in ("HR", "SpO2", "RR"):
            want = stored_at(conn, pid, param, t)
            assert texts[param] == (f"{want:.0f}" if want is not None else "--"), (seat, param)
            checked += 1
        sbp, dbp = stored_at(conn, pid, "SBP", t), stored_at(conn, pid, "DBP", t)
        assert tile.readout.bp_text.startswith(f"{sbp:.0f}/{dbp:.0f}"), seat
    return checked


# -- the values on the tiles ---------------------------------------------------------------
@pytest.mark.parametrize("minute", [3.2, 47.5, 101.0])
def test_a_seek_shows_on_the_tiles_the_values_stored_at_that_moment(
    qtbot, window, conn, start, minute
):
    t = start + minute * MIN
    window.seek(t)
    drawn(qtbot, window)
    assert window.replay.t == t
    assert assert_tiles_show_the_store(conn, window, t) >= 9


def test_playing_on_shows_each_value_when_its_moment_comes(qtbot, window, conn, start):
    window.seek(start + 40 * MIN)
    for _ in range(6):  # a paused replay stepped on, as a trainer would, 7 s at a time
        window.step(7.0)
        drawn(qtbot, window)
        assert assert_tiles_show_the_store(conn, window, window.replay.t) >= 9
    assert window.replay.t == pytest.approx(start + 40 * MIN + 42)


def test_seeking_back_shows_the_earlier_moment(qtbot, window, conn, start, review_db):
    left = first_event(conn, review_db[1], "participant.removed", pid_on(conn, review_db[1], 4))
    window.seek(left + 5 * MIN)
    drawn(qtbot, window)
    assert window.grid.tiles[4].participant is None  # S.T. left early
    assert window.grid.tiles[4].title.text() == "4 · empty"
    t = start + 3.2 * MIN
    window.seek(t)
    drawn(qtbot, window)
    assert window.grid.tiles[4].title.text() == "4 · S.T."
    assert_tiles_show_the_store(conn, window, t)
    # The trend holds what the store held before that moment, and nothing after it.
    trend_t, _ = window.vitals[window.grid.tiles[1].participant.id].trend("HR", 0)
    assert trend_t.max() <= t and trend_t.min() >= start


# -- the alarms on the tiles ---------------------------------------------------------------
def test_an_alarm_shown_at_the_moment_is_on_its_tile_and_one_cleared_before_is_not(
    qtbot, window, conn, review_db
):
    gone = cleared_alarm(conn, review_db[1])
    window.seek(gone.raised + (gone.cleared - gone.raised) / 2)
    drawn(qtbot, window)
    tile = window.grid.tiles[gone.seat]
    assert any(a.key == gone.key for a in tile.alarms_view.ordered)
    window.seek(gone.cleared)
    drawn(qtbot, window)
    assert not any(a.key == gone.key for a in tile.alarms_view.ordered)


def test_an_acknowledged_alarm_shows_ack_and_an_unanswered_one_flashes(
    qtbot, window, conn, review_db
):
    sid = review_db[1]
    acked = first_event(conn, sid, "alarm.acknowledged", pid_on(conn, sid, 3), "HR")
    window.seek(acked + 2)
    drawn(qtbot, window)
    three = window.grid.tiles[3]
    assert three.alarm.key == "HR" and three.alarm.acknowledged
    assert three.alarm_ack.isVisible()
    desat = first_event(conn, sid, "alarm.raised", pid_on(conn, sid, 2), "SpO2")
    window.seek(desat + 10)
    drawn(qtbot, window)
    two = window.grid.tiles[2]
    assert two.alarm.key == "SpO2" and not two.alarm.acknowledged
    assert not two.alarm_ack.isVisible()


# -- the transport -------------------------------------------------------------------------
def test_a_speed_change_keeps_the_moment_and_the_clock_runs_at_the_new_speed(qtbot, window, start):
    window.seek(start + 60 * MIN)
    window.play()
    qtbot.waitUntil(lambda: window.replay.t > start + 60 * MIN + 2, timeout=3000)
    before = window.clock.now()
    window.transport.speed_box.setCurrentIndex(window.transport.speed_box.findText("60×"))
    after = window.clock.now()
    assert window.speed == 60 and window.clock.speed == 60
    assert 0 <= after - before < 2  # no jump: the clock goes on from where it was
    qtbot.waitUntil(lambda: window.replay.t > after + 30, timeout=3000)
    window.pause()
    stopped = window.replay.t
    assert window.clock.speed == 0
    drawn(qtbot, window)
    drawn(qtbot, window)
    assert window.replay.t == stopped == window.clock.now()  # paused means paused


def test_space_plays_and_pauses(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Space)
    assert window.playing and window.transport.play_button.text().endswith("Pause")
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Space)
    assert not window.playing and window.transport.play_button.text().endswith("Play")


def test_dragging_the_scrub_bar_seeks(qtbot, window, start):
    slider = window.transport.slider
    slider.setValue(round(75 * MIN))  # what a drag does, as the handle moves
    qtbot.waitUntil(lambda: window.replay.t == start + round(75 * MIN), timeout=2000)
    label = window.transport.moment.text()
    assert label.startswith("T = ") and "(T0 +" in label and "for seat" in label


def test_playing_to_the_end_stops_there(qtbot, window):
    window.seek(window.replay.ended_at - 20)
    window.set_speed(60)
    window.play()
    qtbot.waitUntil(lambda: not window.playing, timeout=3000)
    assert window.replay.t == window.replay.ended_at
    assert window.transport.play_button.text().endswith("Play")


# -- nothing to press, nothing to hear, nothing written -------------------------------------
def test_the_tiles_offer_no_command(qtbot, window, conn, review_db, monkeypatch):
    opened = []

    class FakeMenu:
        def exec(self, *_args):
            opened.append(True)

    monkeypatch.setattr("ui.room.tile.tile_menu", lambda tile: FakeMenu())
    window.seek(
        first_event(conn, review_db[1], "participant.removed", pid_on(conn, review_db[1], 4)) + 60
    )
    drawn(qtbot, window)
    for tile in window.grid.tiles.values():
        assert tile.read_only
        assert not tile.menu_button.isVisible() and not tile.entry_button.isVisible()
        assert not tile.add_button.isVisible()  # seat 4 is empty: still nothing to add
        assert tile.music_chip.menu() is None and tile.entry_button.menu() is None
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(5, 5), QPoint(5, 5))
        QApplication.sendEvent(tile, event)
    assert opened == []
    tile = window.grid.tiles[1]
    tile.set_read_only(False)  # the same tile in a live room does open its menu
    QApplication.sendEvent(
        tile, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(5, 5), QPoint(5, 5))
    )
    assert opened == [True]


def test_the_banner_says_replay_whose_and_silent(window, start):
    text = window.banner.text()
    assert text.startswith("REPLAY — review fixture, ")
    assert "silent: no alarm sounds" in text and "read-only" in text
    assert window.windowTitle() == "GroupKAP · replay · review fixture"


def test_an_unknown_session_is_refused_before_any_window(qapp, review_db, settings):
    with pytest.raises(BadInputError, match="no session nope"):
        ReplayWindow(review_db[0], "nope", settings)


def test_the_replay_window_at_1920x1080(qtbot, window, start, tmp_path):
    """A screenshot for a person to look at (tmp_path/replay.png), checked where it can be."""
    window.seek(start + 47 * MIN)
    drawn(qtbot, window)
    window.grid.draw_frame(all_plots=True)
    image = window.grab().toImage()
    assert (image.width(), image.height()) == (1920, 1080)
    assert image.save(str(tmp_path / "replay.png"))
    banner = window.banner.geometry().center()
    assert QColor(image.pixel(5, banner.y())).name() == theme.HIGHLIGHT
    box = window.grid.tiles[1].boxes[0]  # the heart rate, drawn in its own green
    corner = box.mapTo(window, QPoint(0, 0))
    hr = QColor(theme.PARAM_COLOURS["HR"]).rgb()
    assert any(
        image.pixel(corner.x() + x, corner.y() + y) == hr
        for x in range(0, box.width(), 2)
        for y in range(0, box.height(), 2)
    )
