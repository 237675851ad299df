"""Real monitors in the window: the unassigned-monitors tray, putting a monitor on a seat (by
its menu and by a drop), the tiles' SIM badges and the toolbar's word.

The room is the demo's mixed kind: a simulator for every seat beside an `Hl7Source` whose
real MLLP listener takes messages over loopback from a socket of the test; the session's
heartbeat runs on the simulated clock.
"""

from __future__ import annotations

import socket
import sqlite3
from contextlib import closing

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from groupkap.demo.plan import seat_demo_participants
from groupkap.hl7.config import LOOPBACK, Hl7Config
from groupkap.hl7.devices import DeviceMap
from groupkap.hl7.mllp import Framer, Message, frame
from groupkap.hl7.monitor_feed import device_id, pcd01_message
from groupkap.readings import Reading
from groupkap.session import LiveSession
from groupkap.sources.hl7_source import open_hl7_source
from groupkap.sources.mixed import MixedSource
from groupkap.sources.simulator import Simulator
from tests.core.hl7_builders import obx
from tests.ui.conftest import START
from ui import theme
from ui.devices.chip import device_mime
from ui.devices.words import age_text, chip_lines, source_words, values_text

SEATS = [1, 2, 3, 4, 5, 6]
STRANGER = 9  # a monitor at a bed that is no seat of this room
UNKNOWN_OBX = obx("99999^VENDOR_THING^99VND", "5", "", equipment=device_id(STRANGER))


# -- the words, at their thresholds ----------------------------------------------------
def test_the_toolbar_says_which_seats_are_simulated():
    assert source_words(SEATS, SEATS) == "SIMULATED participants"
    assert source_words(SEATS, ()) == "live monitors"
    assert source_words(SEATS, [5, 3]) == "seats 3, 5 simulated"
    assert source_words(SEATS, [4]) == "seat 4 simulated"
    assert source_words(SEATS, [*SEATS, 9]) == "SIMULATED participants"  # no such seat
    assert (
        source_words(range(1, 11), [1, 2, 4, 5, 6, 8, 9, 10]) == "seats 1, 2, 4–6, 8–10 simulated"
    )


def test_a_devices_age_and_values_in_words():
    assert [age_text(s) for s in (-3, 1.9, 2, 119.4, 120, 7199, 7200)] == [
        "now", "now", "2 s ago", "119 s ago", "2 min ago", "119 min ago", "2.0 h ago",
    ]  # fmt: skip
    assert values_text({}) == "no values yet"
    assert (
        values_text({"SpO2": 97, "DBP": 80, "RR": 14, "SBP": 121, "HR": 72, "TEMP": 36.6})
        == "HR 72 · SpO2 97 · RR 14 · BP 121/80 · Temp 36.6"
    )
    assert values_text({"SBP": 121}) == "BP 121/–"


def test_a_chip_names_the_bed_only_when_the_device_is_not_the_bed():
    by_bed = chip_lines("KAP^^9", bed="KAP^^9", peer="10.0.5.9", values={"HR": 60}, age_s=5)
    assert by_bed == ("KAP^^9 · from 10.0.5.9", "HR 60 · 5 s ago")
    eui = chip_lines(
        "0012^EUI-64", bed="KAP^ROOM^SEAT9", peer="", values={}, age_s=0, unknown_codes=("a", "b")
    )
    assert eui == ("0012^EUI-64 · bed KAP ROOM SEAT9", "no values yet · now · 2 unknown codes")


def test_the_sim_badge_has_readable_contrast_on_either_tile():
    pairs = {(p.foreground, p.background): p.ratio for p in theme.COLOUR_PAIRS}
    assert pairs[(theme.TEXT_DIM, theme.TILE)] >= theme.TEXT_CONTRAST
    assert pairs[(theme.TEXT_DIM, theme.EMPTY_TILE)] >= theme.TEXT_CONTRAST
    assert pairs[(theme.CONTROL_BORDER, theme.TILE)] >= theme.BOUNDARY_CONTRAST


# -- a mixed room in the window --------------------------------------------------------
class MixedRoom:
    """Six simulated seats in the window beside a real listener on a free loopback port."""

    def __init__(self, qtbot, store, clock, settings):
        from ui.main_window import MainWindow

        self.clock = clock
        self.hl7 = open_hl7_source(
            Hl7Config(port=0, bind="127.0.0.1", allow=LOOPBACK), clock, SEATS, DeviceMap()
        )
        for seat in SEATS:
            self.hl7.remove_seat(seat)
        sim = Simulator(SEATS, START, seed=7, scenario="calm")
        self.source = MixedSource(self.hl7, sim)
        self.live = LiveSession.start(
            seat_count=len(SEATS), clock=clock, source=self.source, store=store, settings=settings
        )
        seat_demo_participants(self.live)
        self.real_now = 0.0  # the window's real-time clock (the tray refreshes on it)
        self.window = MainWindow(
            self.live, settings, db_path=str(store.path), flash_clock=lambda: self.real_now
        )
        qtbot.addWidget(self.window)
        self.window.resize(1920, 1080)
        self.window.show()
        self.sock = socket.create_connection(("127.0.0.1", self.hl7.listener.port), timeout=5)
        self.framer = Framer(1 << 20)
        self.sent = 0

    def send(self, seat: int, values: dict, extra: str = "") -> None:
        """One PCD-01 message from the monitor of `seat`, measured half a second ago, taken by
        a heartbeat; returns once the listener has answered AA (its values are stored)."""
        t = self.clock.now() - 0.5
        self.sent += 1
        readings = [Reading(seat, p, t, v, "monitor") for p, v in values.items()]
        text = pcd01_message(seat, f"T{self.sent}", self.clock.now(), readings) + extra
        self.sock.sendall(frame(text.encode()))
        assert self.hl7.wait_received(self.sent, 5)
        self.live.tick()  # the beat that stores it: only then is it answered
        answers: list = []
        while not answers:
            answers = [m for m in self.framer.feed(self.sock.recv(65536)) if isinstance(m, Message)]
        assert b"MSA|AA" in answers[0].payload

    def seconds(self, n: float) -> None:
        """`n` seconds of the session: the heartbeat, then a frame of the grid."""
        self.clock.advance(n)
        self.real_now += 1.0
        self.live.tick()
        self.window.grid.draw_frame(all_plots=True)
        self.window.sources.on_frame(self.clock.now())

    def events(self, kind: str) -> list[tuple]:
        self.live.store.flush()
        with closing(sqlite3.connect(self.live.store.path)) as conn:
            return conn.execute(
                "select json_extract(data, '$.device'), json_extract(data, '$.seat'), actor "
                "from events where kind = ?",
                (kind,),
            ).fetchall()

    def close(self) -> None:
        self.sock.close()
        self.source.close()


@pytest.fixture
def mixed(qtbot, qapp, store, clock, settings, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    theme.apply_theme(qapp)
    room = MixedRoom(qtbot, store, clock, settings)
    room.seconds(5)
    yield room
    room.close()


def badges(window) -> dict[int, bool]:
    return {n: not t.sim_badge.isHidden() for n, t in window.grid.tiles.items()}


def test_a_simulated_room_badges_every_tile_and_says_so(window):
    assert window.source_label.text() == "SIMULATED participants"
    assert set(badges(window).values()) == {True}
    badge = window.grid.tiles[1].sim_badge
    assert badge.text() == "SIM" and badge.font().pixelSize() >= theme.MIN_READABLE_PX
    assert window.sources.tray is None  # a simulator has no monitors to put anywhere


def test_the_tray_shows_a_monitor_on_no_seat_with_its_values(mixed):
    tray = mixed.window.sources.tray
    assert tray.isHidden()  # nothing sends yet
    mixed.send(STRANGER, {"HR": 172, "SpO2": 97, "RR": 14}, extra=UNKNOWN_OBX + "\r")
    mixed.seconds(1)
    assert tray.isVisible()
    chip = tray.chip_for(device_id(STRANGER))
    who, what = chip.lines
    assert who == f"{device_id(STRANGER)} · bed KAP ROOM SEAT9 · from 127.0.0.1"
    assert what == "HR 172 · SpO2 97 · RR 14 · now · 1 unknown code"
    assert "99999^VENDOR_THING^99VND" in chip.toolTip()
    assert chip.font().pixelSize() >= theme.MIN_READABLE_PX
    mixed.seconds(30)
    assert chip.lines[1].endswith("31 s ago · 1 unknown code")  # heard 1 + 30 s ago
    # the stranger's racing heart reaches no tile
    assert {t.readout.numerics[0].text for t in mixed.window.grid.tiles.values()} <= {
        str(hr) for hr in range(40, 120)
    }


def test_the_menu_puts_a_monitor_on_a_seat_and_its_tile_shows_it_without_sim(mixed):
    mixed.send(STRANGER, {"HR": 72})
    mixed.seconds(1)
    tile = mixed.window.grid.tiles[4]
    assert badges(mixed.window)[4] and tile.readout.numerics[0].text != "123"
    chip = mixed.window.sources.tray.chip_for(device_id(STRANGER))
    seats_menu = chip.build_menu().actions()[0].menu()
    names = [a.text() for a in seats_menu.actions()]
    assert names[3] == "Seat 4 · S.T. (simulated)" and len(names) == 6
    seats_menu.actions()[3].trigger()
    assert mixed.events("device.assigned") == [(device_id(STRANGER), 4, "facilitator")]
    assert mixed.window.sources.tray.isHidden()
    assert mixed.window.source_label.text() == "seats 1–3, 5, 6 simulated"
    assert badges(mixed.window) == {1: True, 2: True, 3: True, 4: False, 5: True, 6: True}
    mixed.send(STRANGER, {"HR": 123, "SpO2": 91})
    mixed.seconds(1)
    assert [n.text for n in tile.readout.numerics[:2]] == ["123", "91"]
    # seat 4 is taken now: another monitor is offered the other five
    mixed.send(8, {"HR": 60})
    mixed.seconds(1)
    other = mixed.window.sources.tray.chip_for(device_id(8))
    offered = [a.text() for a in other.build_menu().actions()[0].menu().actions()]
    assert [n.split(" · ")[0] for n in offered] == [
        "Seat 1",
        "Seat 2",
        "Seat 3",
        "Seat 5",
        "Seat 6",
    ]


def _drop(target, mime: QMimeData) -> tuple[bool, bool]:
    """Drag `mime` over `target` and drop it: (entered, dropped) as the widget answered."""
    at = QPointF(target.rect().center())
    enter = QDragEnterEvent(
        at.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(target, enter)
    drop = QDropEvent(
        at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    drop.setAccepted(False)
    QApplication.sendEvent(target, drop)
    return enter.isAccepted(), drop.isAccepted()


def test_dropping_a_monitor_on_a_seat_assigns_it_and_a_taken_seat_refuses(mixed):
    mixed.send(STRANGER, {"HR": 72})
    mixed.send(8, {"HR": 60})
    mixed.seconds(1)
    tiles = mixed.window.grid.tiles
    trend_view = tiles[5].trend.widget.viewport()  # a plot takes drops of its own
    assert _drop(trend_view, device_mime(device_id(STRANGER))) == (True, True)
    assert mixed.events("device.assigned") == [(device_id(STRANGER), 5, "facilitator")]
    assert not badges(mixed.window)[5]
    assert mixed.window.source_label.text() == "seats 1–4, 6 simulated"
    # seat 5 has its monitor now: the other one is refused there, and plain text is no monitor
    assert _drop(tiles[5], device_mime(device_id(8))) == (False, False)
    text = QMimeData()
    text.setText(device_id(8))
    _drop(tiles[6], text)
    assert len(mixed.events("device.assigned")) == 1
    assert [c.device for c in mixed.window.sources.tray.chips if c.isVisible()] == [device_id(8)]


def test_a_refused_assignment_shows_in_the_window_and_changes_nothing(mixed):
    mixed.send(STRANGER, {"HR": 72})
    mixed.seconds(1)
    assert not mixed.window.sources.assign(device_id(STRANGER), 11)
    assert "not put on seat 11" in mixed.window.statusBar().currentMessage()
    assert mixed.events("device.assigned") == []
    assert mixed.window.source_label.text() == "SIMULATED participants"


def test_every_seat_on_a_monitor_says_live_monitors(mixed):
    for seat in SEATS:
        mixed.send(seat, {"HR": 60 + seat})
    mixed.seconds(1)
    for seat in SEATS:
        assert mixed.window.sources.assign(device_id(seat), seat)
    assert mixed.window.source_label.text() == "live monitors"
    assert not any(badges(mixed.window).values())


# An offscreen menu cannot raise itself or grab the keyboard; it takes keys all the same.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_the_keyboard_opens_the_menu_and_assigns(mixed, qtbot):
    mixed.send(STRANGER, {"HR": 72})
    mixed.seconds(1)
    chip = mixed.window.sources.tray.chip_for(device_id(STRANGER))
    chip.setFocus()
    steps = [Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Return]

    def press_next() -> None:  # the menu runs its own loop: keys go to the open popup
        popup = QApplication.activePopupWidget()
        if popup is not None and steps:
            qtbot.keyClick(popup, steps.pop(0))
        if steps:
            QTimer.singleShot(20, press_next)
        elif popup is not None:  # a step went astray: close it, so the test fails, not hangs
            QTimer.singleShot(1000, lambda: (p := QApplication.activePopupWidget()) and p.close())

    QTimer.singleShot(20, press_next)

    QTimer.singleShot(20, press_next)
    qtbot.keyClick(chip, Qt.Key.Key_Return)  # returns when the menu has closed
    assert mixed.events("device.assigned") == [(device_id(STRANGER), 3, "facilitator")]


def test_screenshot_with_an_unassigned_monitor(mixed, tmp_path):
    """For a person to look at: the window with a monitor in the tray and one seat real,
    saved as device_tray.png under the test's tmp_path."""
    mixed.send(1, {"HR": 64, "SpO2": 98, "RR": 12, "SBP": 118, "DBP": 76, "MAP": 90})
    mixed.seconds(1)
    mixed.window.sources.assign(device_id(1), 1)
    for _ in range(20):
        mixed.send(1, {"HR": 64, "SpO2": 98, "RR": 12})
        mixed.send(STRANGER, {"HR": 88, "SpO2": 95, "RR": 16, "SBP": 131, "DBP": 84})
        mixed.seconds(1)
    QApplication.processEvents()  # the toolbar lays out its new word
    path = tmp_path / "device_tray.png"
    image = mixed.window.grab()
    assert image.save(str(path)) and path.stat().st_size > 0
