"""The tile by keyboard: it takes focus (Tab or a click anywhere on it) and shows a blue ring
that an alarm border does not hide; Tab goes tile → its buttons → the next tile, never into a
plot or a text; every button says what it does."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from ui import theme
from ui.room.tile_parts import FOCUS


def colour_count(widget, colour: str, tolerance: int = 30) -> int:
    image = widget.grab().toImage()
    target = QColor(colour)
    return sum(
        1
        for y in range(image.height())
        for x in range(0, image.width(), 2)
        if abs(image.pixelColor(x, y).red() - target.red())
        + abs(image.pixelColor(x, y).green() - target.green())
        + abs(image.pixelColor(x, y).blue() - target.blue())
        < tolerance
    )


def test_the_tile_api_for_keyboard_commands(room):
    live, window = room
    tile = window.grid.tiles[2]
    assert tile.participant_id == live.room.on_seat(2).id
    assert tile.focusPolicy() == Qt.FocusPolicy.StrongFocus
    live.remove_participant(tile.participant_id)
    assert tile.participant_id is None


def test_only_the_tile_and_its_buttons_take_focus_and_every_button_has_a_tooltip(room):
    _, window = room
    tile = window.grid.tiles[1]
    chain = tile.focus_chain()
    for widget in tile.findChildren(QWidget):
        if widget.focusPolicy() != Qt.FocusPolicy.NoFocus and widget.isVisibleTo(tile):
            assert widget in chain, f"{type(widget).__name__} would take Tab focus"
    assert tile.trend.widget.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert tile.pleth.widget.focusPolicy() == Qt.FocusPolicy.NoFocus
    for button in tile.findChildren(QAbstractButton):
        assert button.toolTip(), f"{button.text()!r} has no tooltip"


def test_tab_goes_tile_then_its_buttons_then_the_next_tile(qtbot, room):
    _, window = room
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    tiles = window.grid.tiles
    tiles[1].setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(tiles[1].hasFocus)
    visited = [tiles[1]]
    for _ in range(6):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    # No music in this room, so the chip is hidden and skipped.
    assert visited == [
        tiles[1],
        tiles[1].menu_button,
        tiles[1].entry_button,
        tiles[2],
        tiles[2].menu_button,
        tiles[2].entry_button,
        tiles[3],
    ]


def test_a_click_on_a_plot_or_a_number_focuses_the_tile(qtbot, room):
    _, window = room
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    tile = window.grid.tiles[3]
    qtbot.mouseClick(tile.trend.widget.viewport(), Qt.MouseButton.LeftButton)
    assert tile.hasFocus()
    other = window.grid.tiles[4]
    qtbot.mouseClick(other.boxes[1].value, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert other.hasFocus() and not tile.hasFocus()


def across_left_edge(tile) -> list[str]:
    """The colours of the first 12 pixels in from the tile's left edge, half way down."""
    image = tile.grab().toImage()
    return [image.pixelColor(x, image.height() // 2).name() for x in range(12)]


def near(colour: str, target: str, tolerance: int = 30) -> bool:
    a, b = QColor(colour), QColor(target)
    return (
        abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < tolerance
    )


def test_the_focus_ring_shows_and_stays_visible_with_an_alarm_border(qtbot, room, clock):
    live, window = room
    tile = window.grid.tiles[2]
    assert colour_count(tile, FOCUS) == 0
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    tile.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(tile.hasFocus)
    # Three pixels all round the tile, whatever its size.
    assert colour_count(tile, FOCUS) > 2 * (tile.width() + tile.height()) * 0.8
    assert sum(near(c, FOCUS) for c in across_left_edge(tile)[5:11]) >= 3

    pid = tile.participant_id
    live.alarms.raise_technical(pid, "CHECK_OVERDUE", "low", "BP check overdue", seat=2)
    window.grid.draw_frame()
    assert tile.border_colour() == theme.ALARM_COLOURS["low"]
    edge = across_left_edge(tile)
    # Outside in: the alarm border, a dark gap, then the blue ring.
    assert all(near(c, theme.ALARM_COLOURS["low"]) for c in edge[:3])
    assert sum(near(c, theme.TILE) for c in edge[4:7]) >= 1
    assert sum(near(c, FOCUS) for c in edge[5:11]) >= 3

    tile.entry_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(tile.entry_button.hasFocus)
    assert tile.has_focus_ring()  # focus inside the tile keeps its ring
    assert sum(near(c, FOCUS) for c in across_left_edge(tile)[5:11]) >= 3
    window.grid.tiles[3].setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: not tile.has_focus_ring())
    assert not any(near(c, FOCUS) for c in across_left_edge(tile))
