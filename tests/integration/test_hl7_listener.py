"""The MLLP listener on a real loopback socket, fed by python-hl7's `mllp_send` in its own
process: every fixture dialect answered and stored (`v_vitals`), and bad input of every kind
answered or cut off while other connections go on being served."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections import Counter
from contextlib import closing
from dataclasses import replace

import pytest

from groupkap.clock import RealClock
from groupkap.errors import SourceError
from groupkap.hl7 import MessageNotUsable, MessageRejected, load_vendor_codes, parse_oru
from groupkap.hl7.config import Hl7Config
from groupkap.hl7.devices import DeviceMap
from groupkap.hl7.listener import MllpListener
from groupkap.hl7.monitor_feed import pcd01_message
from groupkap.options import RunOptions
from groupkap.readings import Reading
from groupkap.session_start import open_live_session
from groupkap.settings import Settings
from groupkap.sources.hl7_source import open_hl7_source
from groupkap.store import Store
from tests.core.hl7_builders import obx, oru
from tests.integration.hl7_client import (
    FIXTURES,
    acks_of,
    closed_within,
    fixture,
    framed,
    mllp_send,
    read_ack,
)

VENDOR = FIXTURES / "vendor_codes.toml"
PHILIPS = "00095CFFFE0A4B11^EUI-64"
CONFIG = Hl7Config(port=0, vendor_codes=str(VENDOR), idle_timeout_s=3, frame_timeout_s=1)


@pytest.fixture(autouse=True)
def _own_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("GROUPKAP_ALARM_LIMITS", raising=False)
    monkeypatch.setenv("GROUPKAP_HL7_DEVICES", str(tmp_path / "hl7_devices.toml"))


class Room:
    """A recording session (M.K. on seat 1 with the Philips monitor) and its listener."""

    def __init__(self, tmp_path, config: Hl7Config = CONFIG) -> None:
        self.clock = RealClock()
        self.store = Store.open(tmp_path / "room.sqlite3", self.clock)
        devices = DeviceMap({PHILIPS: 1})
        self.live = open_live_session(
            RunOptions(seats=3, plan={1: "M.K."}),
            store=self.store,
            clock=self.clock,
            settings=Settings(),
            make_source=lambda seats, start: open_hl7_source(config, self.clock, seats, devices),
        )
        self.listener = self.live.source.listener
        self.port = self.listener.port
        # The session's heartbeat, as `groupkap record` runs it: an AA waits for the beat
        # that stores the message's values.
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, daemon=True)
        self._beat.start()

    def _heartbeat(self) -> None:
        while not self._stop.wait(0.02):
            with self.lock:
                self.live.tick()

    def stored(self, sql: str = "select participant, device, param, value from v_vitals"):
        with self.lock:
            self.live.pump()
            self.store.flush()
        with closing(sqlite3.connect(self.store.path)) as conn:
            return conn.execute(sql).fetchall()

    def close(self) -> None:
        self._stop.set()
        self._beat.join()
        self.live.end("finished")
        self.store.close()


@pytest.fixture
def room(tmp_path):
    r = Room(tmp_path)
    yield r
    r.close()


def expected(name: str) -> tuple[str, list[tuple]]:
    """What the parser makes of a fixture: its answer and the values to store."""
    try:
        m = parse_oru(fixture(name), codes=load_vendor_codes(VENDOR), default_device="127.0.0.1")
    except MessageRejected:
        return "AR", []
    except MessageNotUsable:
        return "AE", []
    return "AA", [(o.device, o.param, o.value) for o in m.observations]


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.hl7")))
def test_each_fixture_is_answered_and_its_values_stored_by_device(room, tmp_path, name):
    code, values = expected(name)
    acks = mllp_send(room.port, fixture(name), tmp=tmp_path)
    if name == "garbage_bytes":  # its noise holds <FS> bytes: mllp_send cuts it in four
        assert {a[0] for a in acks} == {"AR"} and len(acks) == 4, acks
    else:
        assert [a[0] for a in acks] == [code], acks
    stored = room.stored()
    assert Counter((d, p, v) for _, d, p, v in stored) == Counter(values)
    for participant, device, _, _ in stored:  # only the assigned monitor reaches M.K.
        assert participant == ("M.K." if device == PHILIPS else None)


def test_the_answers_name_the_reason_and_the_control_id(room, tmp_path):
    acks = mllp_send(
        room.port,
        fixture("philips_intellivue_pcd01_v26"),
        fixture("wrong_type_adt_a01"),
        fixture("truncated_in_msh"),
        tmp=tmp_path,
    )
    assert acks[0][:2] == ("AA", "PHL0001")
    assert acks[1][:2] == ("AR", "ADT0042") and "is not ORU" in acks[1][2]
    assert acks[2][0] == "AR"
    assert room.listener.stats.answers == {"AA": 1, "AE": 0, "AR": 2}


def test_a_gateway_sends_many_messages_for_many_beds_on_one_connection(room, tmp_path):
    start = time.time() - 60
    messages = [
        pcd01_message(
            seat,
            f"G{seat}{s:03d}",
            start + s,
            [Reading(seat, "HR", start + s, 60.0 + seat), Reading(seat, "SpO2", start + s, 97.0)],
        )  # fmt: skip
        for s in range(50)
        for seat in (1, 2, 3)
    ]
    acks = mllp_send(room.port, *(m.encode() for m in messages), tmp=tmp_path)
    assert [a[0] for a in acks] == ["AA"] * 150
    assert [a[1] for a in acks] == [m.split("|")[9] for m in messages]  # in order
    stored = room.stored("select device, count(*), min(value) from v_vitals group by device")
    assert sorted((n, v) for _, n, v in stored) == [(100, 61.0), (100, 62.0), (100, 63.0)]
    assert room.listener.stats.connections == 1


def test_a_slow_loris_is_cut_off_while_another_monitor_is_served(room, tmp_path):
    loris = socket.create_connection(("127.0.0.1", room.port))
    loris.sendall(b"\x0bMSH|^~\\&|SLOW|||||ORU^R01|S1|P|2.6\rOBX|1|NM|147842^^MDC||7")
    t = time.monotonic()
    acks = mllp_send(room.port, fixture("philips_intellivue_pcd01_v26"), tmp=tmp_path)
    assert acks[0][0] == "AA" and time.monotonic() - t < 5  # not held up by the stalled one
    assert closed_within(loris, 5)  # frame_timeout_s = 1
    loris.close()


def test_an_idle_connection_is_closed(room):
    idle = socket.create_connection(("127.0.0.1", room.port))
    assert not closed_within(idle, 1.5)
    assert closed_within(idle, 5)  # idle_timeout_s = 3
    idle.close()


def test_a_2_mb_message_gets_ar_and_the_connection_goes_on(room):
    huge = fixture("philips_intellivue_pcd01_v26").replace(b"PHL0001", b"BIG1")
    huge += b"NTE|1||" + b"x" * (2 * 1024 * 1024) + b"\r"
    with socket.create_connection(("127.0.0.1", room.port)) as sock:
        sender = threading.Thread(target=sock.sendall, args=(framed(huge),))
        sender.start()
        code, control, text = read_ack(sock)
        sender.join(30)
        assert (code, control) == ("AR", "BIG1") and "larger than 1024 KiB" in text
        sock.sendall(framed(fixture("philips_intellivue_pcd01_v26")))
        assert read_ack(sock)[:2] == ("AA", "PHL0001")
    assert len(room.stored()) == 8  # the Philips values, once


def test_noise_between_frames_is_dropped_and_the_next_message_read(room):
    with socket.create_connection(("127.0.0.1", room.port)) as sock:
        sock.sendall(bytes(range(32, 127)) * 20 + b"\x00\xff\xfe" * 100)
        sock.sendall(fixture("garbage_bytes").replace(b"\x0b", b"").replace(b"\x1c", b""))
        sock.sendall(framed(fixture("philips_intellivue_pcd01_v26")))
        assert read_ack(sock)[:2] == ("AA", "PHL0001")
    assert room.listener.stats.noise_bytes > 2000


def test_binary_noise_in_frames_gets_ar_and_the_listener_goes_on(room, tmp_path):
    # Every byte value but the ones mllp_send cuts messages at (<VT>, <FF>, <FS>).
    noise = bytes(b for i in range(5000) if (b := (i * 37 + 11) % 256) not in (0x0B, 0x0C, 0x1C))
    acks = mllp_send(room.port, noise, fixture("non_numeric_value"), tmp=tmp_path)
    assert [a[0] for a in acks] == ["AR", "AA"]
    assert room.listener.alive


def test_a_truncated_message_and_a_connection_closed_mid_message(room, tmp_path):
    with socket.create_connection(("127.0.0.1", room.port)) as sock:
        sock.sendall(b"\x0b" + fixture("philips_intellivue_pcd01_v26")[:200])
    acks = mllp_send(room.port, fixture("truncated_in_obx"), tmp=tmp_path)
    assert acks[0][0] == expected("truncated_in_obx")[0]
    assert room.listener.alive


def test_a_peer_not_in_the_allow_list_is_closed(tmp_path):
    room = Room(tmp_path, replace(CONFIG, allow=("10.9.9.0/24",)))
    try:
        with socket.create_connection(("127.0.0.1", room.port)) as sock:
            sock.sendall(framed(fixture("philips_intellivue_pcd01_v26")))
            assert closed_within(sock, 5)
        assert room.listener.stats.refused == 1 and room.stored() == []
    finally:
        room.close()


def test_a_handler_that_fails_makes_the_answer_ae(tmp_path):
    def refuse(message, peer):
        raise RuntimeError("disk full")

    listener = MllpListener(refuse, CONFIG)
    listener.start()
    try:
        acks = mllp_send(listener.port, fixture("missing_pid"), tmp=tmp_path)
        assert acks[0][0] == "AE" and "not stored: disk full" in acks[0][2]
        assert listener.alive
    finally:
        listener.stop()


def test_answers_wait_for_the_store_and_leave_in_message_order():
    from concurrent.futures import Future

    waits: list[Future] = []

    def store_later(message, peer):
        waits.append(Future())
        return waits[-1]

    listener = MllpListener(store_later, replace(CONFIG, store_timeout_s=1))
    listener.start()
    try:
        with socket.create_connection(("127.0.0.1", listener.port)) as sock:
            sock.sendall(framed(fixture("missing_pid")) * 3)
            threading.Timer(0.05, lambda: waits[1].set_result(None)).start()  # second first
            sock.settimeout(0.3)
            with pytest.raises(TimeoutError):  # nothing is answered before the first is stored
                sock.recv(1)
            waits[0].set_result("not stored: the disk is full")
            # The third is never stored: AE after store_timeout_s, and the listener goes on.
            sock.settimeout(10)
            data = b""
            while data.count(b"\x1c") < 3:
                data += sock.recv(65536)
            assert acks_of(data) == [
                ("AE", "NOPID1", "not stored: the disk is full"),
                ("AA", "NOPID1", ""),
                ("AE", "NOPID1", "not stored within 1 s; send it again"),
            ]
        assert listener.alive and listener.stats.answers == {"AA": 1, "AE": 2, "AR": 0}
    finally:
        listener.stop()


def test_stop_returns_at_once_with_peers_still_connected(tmp_path):
    listener = MllpListener(lambda m, p: None, CONFIG)
    listener.start()
    port = listener.port
    stalled = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]
    stalled[0].sendall(b"\x0bMSH|")
    t = time.monotonic()
    listener.stop()
    assert time.monotonic() - t < 3 and not listener.alive
    assert all(closed_within(s, 2) for s in stalled)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    for s in stalled:
        s.close()


def test_a_port_in_use_is_refused_naming_it():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SourceError, match=f"HL7 port {port} is in use"):
            MllpListener(lambda m, p: None, replace(CONFIG, port=port)).start()


def test_a_fault_repeated_every_second_is_logged_once_a_minute(room, tmp_path, caplog):
    caplog.set_level("WARNING", logger="groupkap.hl7")
    mystery = oru(obx("777^MYSTERY^99ZZZ", value="5", unit="bpm")).encode()
    acks = mllp_send(room.port, *[mystery] * 5, tmp=tmp_path)
    assert [a[0] for a in acks] == ["AE"] * 5  # every one is answered
    logged = [r.getMessage() for r in caplog.records if ": AE, " in r.getMessage()]
    assert len(logged) == 1 and "is not mapped" in logged[0]
