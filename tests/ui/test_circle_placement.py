"""Where the circle's display goes: the rule on screen lists, then the real window with one
screen (docked beside the room, never over an alarm) and, in a subprocess, with two."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication

from groupkap.circle.circle import Circle
from ui.circle.placement import DOCKED, OWN_SCREEN, Placement, Rect, place_display

ROOT = Path(__file__).resolve().parents[2]
WORKSTATION = Rect(0, 0, 1920, 1080)
PROJECTOR = Rect(1920, 0, 1280, 720)


# -- the rule --------------------------------------------------------------------------
def test_one_screen_docks_the_display():
    assert place_display([WORKSTATION], 0) == Placement(DOCKED)


def test_a_second_screen_gets_the_display_full_screen():
    assert place_display([WORKSTATION, PROJECTOR], 0) == Placement(OWN_SCREEN, 1, PROJECTOR)
    # The main window may be on either screen: the display takes the other one.
    assert place_display([WORKSTATION, PROJECTOR], 1) == Placement(OWN_SCREEN, 0, WORKSTATION)


def test_a_mirrored_screen_is_not_another_screen():
    mirror = Rect(0, 0, 1920, 1080)
    assert place_display([WORKSTATION, mirror], 0) == Placement(DOCKED)
    overlapping = Rect(1919, 0, 1280, 720)  # one pixel over the workstation
    assert place_display([WORKSTATION, overlapping], 0) == Placement(DOCKED)
    touching = Rect(1920, 0, 1280, 720)  # edge to edge: a separate screen
    assert place_display([WORKSTATION, touching], 0).mode == OWN_SCREEN


def test_of_several_other_screens_the_largest_takes_the_display():
    side = Rect(-1080, 0, 1080, 1920)  # a portrait side panel, larger than the projector
    small = Rect(0, 1080, 800, 480)
    assert place_display([WORKSTATION, small, PROJECTOR], 0).screen == 2
    assert place_display([WORKSTATION, PROJECTOR, side], 0).screen == 2
    twin = Rect(3200, 0, 1280, 720)  # equal areas: the first
    assert place_display([WORKSTATION, PROJECTOR, twin], 0).screen == 1


def test_without_knowing_the_main_windows_screen_the_display_docks():
    assert place_display([WORKSTATION, PROJECTOR], None) == Placement(DOCKED)
    assert place_display([WORKSTATION, PROJECTOR], 5) == Placement(DOCKED)
    assert place_display([], 0) == Placement(DOCKED)


# -- one real (offscreen) screen --------------------------------------------------------
def _global(widget) -> QRect:
    return QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size())


@pytest.mark.parametrize("seats", [10, 6])
def test_on_one_screen_the_display_is_beside_the_room_never_over_an_alarm(
    qtbot, qapp, clock, settings, store, new_session, seats
):
    from groupkap.alarms.engine import AlarmEngine
    from groupkap.alarms.limits import default_limits
    from ui.circle.circle_view import CircleView
    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    assert len(QGuiApplication.screens()) == 1
    apply_theme(qapp)
    live = new_session(seats)
    live.watch_with(AlarmEngine(clock, default_limits(), live.record_event))
    alarmed = [1, seats // 2, seats]  # the right-hand column too, nearest the display
    for seat in alarmed:
        person = live.room.on_seat(seat)
        live.alarms.raise_technical(person.id, "CHECK_OVERDUE", "high", "check", seat=seat)
    window = MainWindow(live, settings, db_path=str(store.path), open_circle=CircleView)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    people = [(p.id, p.alias, p.seat) for _, p in live.room.by_seat() if p]
    circle = Circle(clock, people, total_s=1800, record=live.record_event)
    circle.start()
    window.circle_started(circle)
    window.grid.draw_frame()
    window.alarm_bar.refresh()
    view = window.circle_view
    assert window.circle_dock.placement.mode == DOCKED
    assert not view.isWindow() and window.isAncestorOf(view)
    # Once the window has laid out the dock: still a display, not a sliver.
    qtbot.waitUntil(lambda: view.width() >= 300 and view.height() >= 400)
    display = _global(view)
    assert not display.intersects(_global(window.alarm_bar))
    for seat in alarmed:
        tile = window.grid.tiles[seat]
        assert tile.alarm is not None
        assert not display.intersects(_global(tile))
        # Not pushed out of sight either: the whole tile shows in the scroll area.
        assert tile.visibleRegion().boundingRect() == tile.rect()
    # The controls are in the same window, on the facilitators' side, outside the display.
    assert window.isAncestorOf(view.controls) and not view.isAncestorOf(view.controls)


# -- two screens, in a process of its own ---------------------------------------------
TWO_SCREENS = {
    "screens": [
        {"name": "Workstation", "x": 0, "y": 0, "width": 1920, "height": 1080, "dpr": 1},
        {"name": "Projector", "x": 1920, "y": 0, "width": 1280, "height": 720, "dpr": 1},
    ]
}

SCRIPT = """
import json, sys
sys.path.insert(0, "tests/ui")
from PySide6.QtWidgets import QAbstractButton, QApplication
app = QApplication([])
from conftest import make_session
from groupkap.circle.circle import Circle
from groupkap.clock import SimulatedClock
from groupkap.settings import Settings
from groupkap.store import Store
from ui.circle.circle_view import CircleView
from ui.main_window import MainWindow
from ui.theme import apply_theme

apply_theme(app)
clock = SimulatedClock(start=1_800_000_000.0, speed=0)
store = Store.open(sys.argv[1], clock)
settings = Settings()
live = make_session(store, clock, settings, 6)
window = MainWindow(live, settings, db_path=sys.argv[1], open_circle=CircleView)
workstation = next(s for s in app.screens() if s.name() == "Workstation")
window.setScreen(workstation)
window.setGeometry(workstation.availableGeometry())
window.show()
people = [(p.id, p.alias, p.seat) for _, p in live.room.by_seat() if p]
circle = Circle(clock, people, total_s=1800, record=live.record_event)
circle.start()
window.circle_started(circle)
app.processEvents()
view = window.circle_view
g = view.geometry()
print(json.dumps({
    "mode": window.circle_dock.placement.mode,
    "window": view.isWindow(),
    "screen": view.screen().name(),
    "geometry": [g.x(), g.y(), g.width(), g.height()],
    "full_screen": view.isFullScreen(),
    "visible": view.isVisible(),
    "controls_in_main_window": window.isAncestorOf(view.controls),
    "display_has_buttons": bool(view.findChildren(QAbstractButton)),
}))
projector = view.screen()
window.circle_dock._on_screen_removed(projector)  # the projector is unplugged
app.processEvents()
print(json.dumps({
    "mode": window.circle_dock.placement.mode,
    "window": view.isWindow(),
    "beside_the_room": window.isAncestorOf(view),
}))
window.close()
print(json.dumps({"display_closed_with_the_room": not view.isVisible()}))
store.close()
"""


def test_with_two_screens_the_display_fills_the_other_one_and_docks_when_it_goes(tmp_path):
    config = tmp_path / "screens.json"
    config.write_text(json.dumps(TWO_SCREENS))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "two.sqlite3")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    placed, unplugged, closed = [json.loads(line) for line in done.stdout.strip().splitlines()[-3:]]
    assert placed == {
        "mode": OWN_SCREEN,
        "window": True,
        "screen": "Projector",
        "geometry": [1920, 0, 1280, 720],
        "full_screen": True,
        "visible": True,
        "controls_in_main_window": True,
        "display_has_buttons": False,
    }
    assert unplugged == {"mode": DOCKED, "window": False, "beside_the_room": True}
    assert closed == {"display_closed_with_the_room": True}
