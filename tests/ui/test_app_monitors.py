"""The app's room with real monitors (`groupkap --hl7`), in process: the composition root's
parts (RoomMonitors, the session, MainWindow, RoomRun with its heartbeat timer and the
ArrivalBridge) around a real MLLP listener on a free loopback port and a real store.

The test is the monitor: a raw socket sends PCD-01 messages and reads the answers without
blocking the GUI thread, whose event loop runs the heartbeat the way the app does.
"""

from __future__ import annotations

import math
import socket
import threading

import pytest
from PySide6.QtWidgets import QApplication

from groupkap.hl7.config import LOOPBACK, Hl7Config
from groupkap.hl7.mllp import Framer, Message, frame
from groupkap.hl7.monitor_feed import device_id, pcd01_message
from groupkap.hl7.room_monitors import RoomMonitors
from groupkap.options import Hl7Options, RunOptions
from groupkap.readings import Reading
from groupkap.session_start import open_live_session
from groupkap.sources.hl7_source import LISTENER_DOWN
from ui import theme
from ui.bridges import ArrivalBridge
from ui.devices.words import NONE_SIMULATED
from ui.room_run import EARLY_BEAT_GAP_MS, RoomRun, early_beat_wait_ms

SEATS = 6
STRANGER = 9  # a monitor at a bed that is no seat of this room
HOUR_MS = 3_600_000


class Monitor:
    """One bedside monitor on its own connection; answers are read without blocking."""

    def __init__(self, port: int, seat: int) -> None:
        self.seat = seat
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setblocking(False)
        self.framer = Framer(1 << 20)
        self.answers: list[bytes] = []
        self.sent = 0

    def send(self, clock, values: dict[str, float], count: int = 1) -> None:
        """`count` messages a second apart, each holding `values` measured half a second
        before it was sent (a monitor's same time again would be a repeat, taken once)."""
        data = b""
        for _ in range(count):
            clock.advance(1.0)
            self.sent += 1
            t = clock.now() - 0.5
            readings = [Reading(self.seat, p, t, v, "monitor") for p, v in values.items()]
            text = pcd01_message(self.seat, f"M{self.seat}-{self.sent}", clock.now(), readings)
            data += frame(text.encode())
        self.sock.setblocking(True)
        self.sock.sendall(data)
        self.sock.setblocking(False)

    def answered(self) -> int:
        """How many answers have come (reads what is there, never waits)."""
        try:
            while chunk := self.sock.recv(65536):
                self.answers += [
                    m.payload for m in self.framer.feed(chunk) if isinstance(m, Message)
                ]
        except BlockingIOError:
            pass
        return len(self.answers)

    def codes(self) -> list[str]:
        return [a.split(b"MSA|")[1][:2].decode() for a in self.answers]


class MonitorRoom:
    """`groupkap --hl7-port 0` as ui/app.py builds it, without the music and the sound."""

    def __init__(self, qtbot, store, clock, settings) -> None:
        from ui.main_window import MainWindow

        self.clock = clock
        self.arrivals = ArrivalBridge()
        config = Hl7Config(port=0, bind="127.0.0.1", allow=LOOPBACK)
        hl7 = Hl7Options(port=0)
        self.monitors = RoomMonitors(config, hl7, clock, on_arrival=self.arrivals.report)
        options = RunOptions(seats=SEATS, plan={}, title="room: monitors over HL7", hl7=hl7)
        self.live = open_live_session(
            options, store=store, clock=clock, settings=settings, make_source=self.monitors
        )
        self.window = MainWindow(self.live, settings, db_path=str(store.path))
        qtbot.addWidget(self.window)
        self.window.resize(1920, 1080)
        self.window.show()
        self.run = RoomRun(self.live, self.window, None, None)
        self.run.wake_on(self.arrivals)
        self.run.start()
        self.port = self.monitors.port

    def close(self) -> None:
        self.run.finish("test over")
        self.monitors.close()


@pytest.fixture
def room(qtbot, qapp, store, clock, settings, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("GROUPKAP_HL7_DEVICES", str(tmp_path / "hl7_devices.toml"))
    monkeypatch.delenv("GROUPKAP_ALARM_LIMITS", raising=False)
    theme.apply_theme(qapp)
    r = MonitorRoom(qtbot, store, clock, settings)
    yield r
    r.close()


def tile_values(room: MonitorRoom, seat: int) -> list[str]:
    return [n.text for n in room.window.grid.tiles[seat].readout.numerics[:2]]


def test_a_monitor_waits_in_the_tray_then_feeds_the_seat_it_is_put_on(room, qtbot):
    # The room opens empty of simulated values: no one seated, nothing simulated.
    assert room.live.room.participants == {}
    assert room.window.source_label.text() == NONE_SIMULATED
    assert not any(t.sim_badge.isVisible() for t in room.window.grid.tiles.values())
    tray = room.window.sources.tray
    assert tray is not None and tray.isHidden()

    stranger = Monitor(room.port, STRANGER)
    stranger.send(room.clock, {"HR": 88, "SpO2": 95})
    qtbot.waitUntil(lambda: stranger.answered() == 1)
    assert stranger.codes() == ["AA"]
    qtbot.waitUntil(lambda: tray.chip_for(device_id(STRANGER)) is not None)
    assert tray.isVisible()
    assert tray.chip_for(device_id(STRANGER)).lines[1].startswith("HR 88 · SpO2 95")

    person = room.live.add_participant("M.K.", 2)
    assert room.window.sources.assign(device_id(STRANGER), 2)
    assert room.live.source.devices.seat_of(device_id(STRANGER)) == 2
    stranger.send(room.clock, {"HR": 91, "SpO2": 97})
    qtbot.waitUntil(lambda: stranger.answered() == 2)
    qtbot.waitUntil(lambda: tile_values(room, 2) == ["91", "97"])
    qtbot.waitUntil(lambda: tray.isHidden())
    assert room.live.latest(person.id, "HR").value == 91
    assert not room.window.grid.tiles[2].sim_badge.isVisible()
    assert room.window.source_label.text() == NONE_SIMULATED


def test_a_messages_aa_comes_from_the_beat_its_arrival_runs(room, qtbot):
    # The regular heartbeat is an hour away: only the arrival's early beat can store the
    # message, and the AA waits for that storing.
    room.run.pump_timer.start(HOUR_MS)
    beats = room.run.beats
    monitor = Monitor(room.port, 3)
    monitor.send(room.clock, {"HR": 70})
    qtbot.waitUntil(lambda: monitor.answered() == 1, timeout=5000)
    assert monitor.codes() == ["AA"]
    assert room.run.early_beats >= 1 and room.run.beats > beats

    # A burst on one connection: every message answered AA, by far fewer beats than
    # messages (one early beat takes all that waits).
    before = room.run.early_beats
    monitor.send(room.clock, {"HR": 71}, count=40)
    qtbot.waitUntil(lambda: monitor.answered() == 41, timeout=10000)
    assert set(monitor.codes()) == {"AA"}
    assert 1 <= room.run.early_beats - before < 40


def test_many_arrivals_queue_one_signal_until_it_is_taken_up(qtbot, qapp):
    bridge = ArrivalBridge()
    heard: list[int] = []
    bridge.arrived.connect(lambda: heard.append(1))
    listener = threading.Thread(target=lambda: [bridge.report() for _ in range(200)])
    listener.start()
    listener.join()
    qtbot.waitUntil(lambda: heard == [1])
    QApplication.processEvents()  # every emit of the thread has been posted by now
    assert heard == [1]
    bridge.taken()
    bridge.report()
    qtbot.waitUntil(lambda: heard == [1, 1])


def test_an_early_beat_keeps_its_distance_from_the_last_beat():
    assert early_beat_wait_ms(float("inf")) == 0
    assert early_beat_wait_ms(EARLY_BEAT_GAP_MS) == 0
    assert early_beat_wait_ms(EARLY_BEAT_GAP_MS - 0.4) == 1  # rounded up, never sooner
    assert early_beat_wait_ms(0) == EARLY_BEAT_GAP_MS
    assert 10 <= EARLY_BEAT_GAP_MS <= 20


def test_at_most_one_early_beat_waits(room, qtbot):
    fake_now = [100.0]
    room.run._real_clock = lambda: fake_now[0]
    room.run.pump_timer.start(HOUR_MS)
    room.run.beat_soon()
    qtbot.waitUntil(lambda: room.run.early_beats == 1)
    fake_now[0] += 0.0078125  # 7.8125 ms after that beat: the next waits out the gap
    for _ in range(50):
        room.run.beat_soon()
    assert room.run.early_timer.isActive()
    assert room.run.early_timer.interval() == math.ceil(EARLY_BEAT_GAP_MS - 7.8125)
    qtbot.waitUntil(lambda: room.run.early_beats == 2)
    assert not room.run.early_timer.isActive()


def test_the_listener_dying_mid_session_is_the_rooms_technical_alarm(room, qtbot):
    listener = room.live.source.listener

    def broken_turn() -> None:
        raise OSError("the network card went away")

    listener._turn = broken_turn  # the loop's next turn fails, as a dead socket would
    listener._wake()
    qtbot.waitUntil(lambda: not listener.alive)
    qtbot.waitUntil(lambda: len(room.live.alarms.active()) == 1)
    alarm = room.live.alarms.active()[0]
    assert alarm.key == LISTENER_DOWN and alarm.priority == "high"
    assert "HL7 listener stopped (OSError: the network card went away)" in alarm.text
    rows = room.window.alarm_bar.alarm_list
    qtbot.waitUntil(lambda: rows.count() == 1)
    assert "the room" in rows.item(0).text()
