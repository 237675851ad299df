"""The room grid under pytest-qt offscreen: layout, live values, stale greying, a long run."""

from __future__ import annotations

from contextlib import closing

import numpy as np
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from groupkap.readings import Reading
from groupkap.store.proof import verify
from ui import theme


def _colour_pixels(widget, colour: str, tolerance: int = 40) -> int:
    """How many pixels of `widget` are close to `colour` (what a person would see)."""
    image = widget.grab().toImage()
    target = QColor(colour)
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - target.red())
                + abs(c.green() - target.green())
                + abs(c.blue() - target.blue())
            ) < tolerance:
                count += 1
    return count


def test_ten_seats_fit_1920x1080_without_scrollbars(qtbot, window):
    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    bars = (window.scroll.verticalScrollBar(), window.scroll.horizontalScrollBar())
    # Scroll bars settle after the layout pass; they must go, and stay gone.
    qtbot.waitUntil(lambda: not any(bar.isVisible() for bar in bars), timeout=3000)
    window.grid.draw_frame()
    QApplication.processEvents()  # one more layout pass with real numbers drawn
    assert not any(bar.isVisible() for bar in bars)
    viewport = window.scroll.viewport().rect()
    for tile in window.grid.tiles.values():
        geo = tile.geometry()
        assert viewport.contains(geo), f"seat {tile.seat.number} spills out: {geo}"
        assert geo.width() >= tile.minimumWidth() and geo.height() >= tile.minimumHeight()


def test_tiles_are_arranged_by_seat_position(qtbot, window):
    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    tiles = window.grid.tiles
    # 10 seats: two rows of five, seat 1 top left, seat 6 under it, seat 10 bottom right.
    assert tiles[6].geometry().top() > tiles[1].geometry().bottom()
    assert tiles[6].geometry().left() == tiles[1].geometry().left()
    assert tiles[2].geometry().left() > tiles[1].geometry().right()
    assert tiles[10].geometry().right() == max(t.geometry().right() for t in tiles.values())


def test_tile_shows_injected_readings_then_greys_them_when_stale(qtbot, window, room10, clock):
    window.resize(1920, 1080)
    window.show()
    person = room10.room.on_seat(3)
    vitals = room10.vitals[person.id]
    now = clock.now()
    for param, value in (
        ("HR", 72),
        ("SpO2", 95),
        ("RR", 14),
        ("SBP", 131),
        ("DBP", 84),
        ("MAP", 100),
    ):
        assert vitals.add_reading(Reading(3, param, now, value, "test"))
    window.grid.draw_frame()
    tile = window.grid.tiles[3]
    hr_box = tile.boxes[0]
    assert [b.value.text() for b in tile.boxes] == ["72", "95", "14"]
    assert tile.bp_value.text() == "131/84 (100)"
    assert tile.bp_age.text() == "· just now"
    assert _colour_pixels(hr_box.value, theme.PARAM_COLOURS["HR"]) > 20

    clock.advance(9)
    window.grid.draw_frame()
    assert not tile.readout.numerics[0].stale
    clock.advance(2)  # 11 s without data: past the 10 s stale limit
    window.grid.draw_frame()
    assert all(n.stale for n in tile.readout.numerics)
    assert hr_box.value.text() == "72"  # the last value stays, greyed
    assert _colour_pixels(hr_box.value, theme.PARAM_COLOURS["HR"]) == 0
    assert _colour_pixels(hr_box.value, theme.STALE) > 20
    assert tile.status.text() == "no data 11 s"
    clock.advance(180)
    window.grid.draw_frame()
    assert tile.bp_age.text() == "· 3 min ago"


def test_heart_rate_falls_back_to_pulse_rate(qtbot, window, room10, clock):
    person = room10.room.on_seat(2)
    room10.vitals[person.id].add_reading(Reading(2, "PR", clock.now(), 66, "test"))
    window.grid.draw_frame()
    box = window.grid.tiles[2].boxes[0]
    assert box.value.text() == "66"
    assert box.name.text().startswith("PR")


def test_two_hour_session_runs_in_seconds(qtbot, window, room10, clock, store):
    window.show()
    for second in range(0, 7200, 10):
        clock.advance(10)
        room10.pump()
        if second % 300 == 0:
            window.grid.draw_frame()
    window.grid.draw_frame(all_plots=True)
    room10.end()
    store.flush()
    with closing(store.reader()) as conn:
        counts = dict(
            conn.execute(
                "select participant, count(*) from v_vitals where param = 'HR' group by participant"
            ).fetchall()
        )
    assert len(counts) == 10
    assert all(7190 <= n <= 7200 for n in counts.values()), counts
    assert verify(store.path).ok
    tile = window.grid.tiles[1]
    assert tile.readout.numerics[0].text != "--"
    x, _ = tile.trend.curves["HR"].getData()
    assert x is not None and np.isclose(x.min(), -30, atol=0.1)  # a full 30-min trend


def test_empty_seat_offers_add_and_the_dialog_refuses_a_taken_seat(qtbot, window, room10, store):
    from ui.course import seat_person
    from ui.room import participant_dialogs as dialogs

    person = room10.room.on_seat(4)
    room10.remove_participant(person.id, "left early")
    tile = window.grid.tiles[4]
    assert tile.participant is None and tile.title.text() == "4 · empty"
    assert not tile.add_button.isHidden()

    store.flush()
    with closing(store.reader()) as conn:
        before = conn.execute("select count(*) from events").fetchone()[0]
    dialog = seat_person.add_dialog(room10, 4, window)
    qtbot.addWidget(dialog)
    dialog.alias.setText("N.B.")
    dialog.birth_year.setText("1985")  # someone new is registered as a person (issue 16)
    dialog.try_accept()
    assert window.grid.tiles[4].title.text() == "4 · N.B."

    rename = dialogs.rename_dialog(room10, room10.room.on_seat(4).id, window)
    qtbot.addWidget(rename)
    rename.alias.setText("")
    rename.try_accept()
    assert "alias" in rename.error.text()
    assert window.grid.tiles[4].title.text() == "4 · N.B."
    store.flush()
    with closing(store.reader()) as conn:
        after = conn.execute("select count(*) from events").fetchone()[0]
    assert after == before + 2  # the person and the add; the refused rename wrote nothing


def test_reseat_moves_the_tile_content(qtbot, window, room10):
    from ui.room import participant_dialogs as dialogs

    leaving = room10.room.on_seat(9)
    room10.remove_participant(leaving.id)
    mover = room10.room.on_seat(2)
    dialog = dialogs.reseat_dialog(room10, mover.id, window)
    qtbot.addWidget(dialog)
    assert dialog.seats.currentData() == 9
    dialog.try_accept()
    assert window.grid.tiles[9].participant is mover
    assert window.grid.tiles[2].participant is None


def test_trends_redraw_a_few_times_a_second_and_the_pleth_every_frame(
    qtbot, window, room10, clock, settings
):
    tile = window.grid.tiles[1]
    clock.advance(120)
    room10.pump()
    window.grid.draw_frame()  # frame 0 draws everything
    trend_x = tile.trend.curves["HR"].getData()[0].copy()
    pleth_y = tile.pleth.curve.getData()[1].copy()
    clock.advance(5)
    room10.pump()
    window.grid.draw_frame()  # frame 1: pleth only
    assert not np.array_equal(tile.pleth.curve.getData()[1], pleth_y)
    assert np.array_equal(tile.trend.curves["HR"].getData()[0], trend_x)
    for _ in range(round(settings.frame_rate_hz / 2) - 1):
        window.grid.draw_frame()
    assert not np.array_equal(tile.trend.curves["HR"].getData()[0], trend_x)


def test_an_emptied_seat_shows_no_music_or_protocol_of_its_last_occupant(qtbot, window, room10):
    tile = window.grid.tiles[7]
    tile.show_music("♪ Still Water · calm")
    assert not tile.music_chip.isHidden()
    room10.remove_participant(room10.room.on_seat(7).id)
    assert tile.music_chip.isHidden() and tile.music_chip.menu() is None
    assert tile.next_due.text() == ""
