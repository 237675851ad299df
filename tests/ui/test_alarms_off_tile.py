"""A parameter switched off in the limits is said on its tile (`SpO2 alarms OFF`, amber), and
a refused limits file is an alarm on every tile, in a full 10-seat room without widening it."""

from __future__ import annotations

from importlib import resources

import pytest
from PySide6.QtGui import QColor

from groupkap.alarms.engine import LIMITS_REFUSED, AlarmEngine
from groupkap.alarms.limits import MEDIUM, default_limits, parse_limits
from ui import theme

DEFAULTS = resources.files("groupkap.alarms").joinpath("default_limits.toml").read_text("utf-8")
SPO2_OFF = DEFAULTS.replace("[SpO2]\n", '[SpO2]\noff = true\nreason = "probe removed"\n', 1)


@pytest.fixture
def room10_alarmed(qtbot, qapp, room10, clock, settings, store):
    """(live, window): ten seats with the default limits, in the window at 1920×1080."""
    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    apply_theme(qapp)
    room10.watch_with(AlarmEngine(clock, default_limits(), room10.record_event))
    window = MainWindow(room10, settings, db_path=str(store.path))
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    return room10, window


def amber_pixels(widget) -> int:
    image = widget.grab().toImage()
    amber = QColor(theme.ALARM_COLOURS["medium"])
    return sum(
        1
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
        if abs(image.pixelColor(x, y).red() - amber.red()) < 40
        and abs(image.pixelColor(x, y).green() - amber.green()) < 40
        and image.pixelColor(x, y).blue() < 120
    )


def test_a_tile_shows_which_alarms_are_off(room10_alarmed):
    live, window = room10_alarmed
    first = live.room.on_seat(1).id
    live.alarms.set_limits(parse_limits(SPO2_OFF, "limits for seat 1"), "dr.lee", first)
    window.grid.draw_frame()

    tile, other = window.grid.tiles[1], window.grid.tiles[2]
    assert tile.alarms_off.isVisible() and tile.alarms_off.text() == "SpO2 alarms OFF"
    assert "probe removed" in tile.alarms_off.toolTip()
    assert amber_pixels(tile.alarms_off) > 20
    assert not other.alarms_off.isVisible()

    live.alarms.set_limits(default_limits(), "dr.lee", first)  # switched back on
    window.grid.draw_frame()
    assert not tile.alarms_off.isVisible()


def test_a_refused_limits_file_is_an_alarm_on_every_tile(room10_alarmed, clock):
    live, window = room10_alarmed
    for seat, person in live.room.by_seat():
        if person:
            live.alarms.observe(person.id, seat.number, "HR", clock.now(), 70)
    window.grid.draw_frame()
    widths = {n: t.width() for n, t in window.grid.tiles.items()}

    live.alarms.limits_refused("limits refused: alarm_limits.toml, line 12; old limits in force")
    window.grid.draw_frame()

    for n, tile in window.grid.tiles.items():
        if tile.participant is not None:
            assert tile.alarm.key == LIMITS_REFUSED and tile.alarm.priority == MEDIUM
            assert "limits refused" in tile.alarm_text.text()
    assert {n: t.width() for n, t in window.grid.tiles.items()} == widths
