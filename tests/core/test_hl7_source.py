"""Real monitors' readings in the session, without a network: messages handed to `Hl7Source`
as the listener hands them, the session's heartbeat on a simulated clock, a real store.

A device on a seat takes the simulator's path (tile, alarms, store); a device on no seat is
recorded under its id and reaches no one; a cuff value keeps its time and is taken once; a
drifting clock is logged once per episode; a silent monitor and a stopped listener alarm."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from groupkap.alarms.engine import ROOM
from groupkap.errors import SourceError
from groupkap.hl7 import parse_oru
from groupkap.hl7.devices import DeviceMap
from groupkap.hl7.monitor_feed import hl7_time
from groupkap.options import RunOptions
from groupkap.session_start import open_live_session
from groupkap.sources import hl7_source
from groupkap.sources.hl7_source import LISTENER_DOWN, UNSEATED, Hl7Source
from groupkap.sources.mixed import MixedSource, simulated_seats
from groupkap.sources.simulator import Simulator
from tests.core.hl7_builders import CODES, obx, oru

BED1, BED2, BED9 = "KAP^^1", "KAP^^2", "KAP^^9"


@pytest.fixture(autouse=True)
def _own_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("GROUPKAP_ALARM_LIMITS", raising=False)
    monkeypatch.setenv("GROUPKAP_HL7_DEVICES", str(tmp_path / "hl7_devices.toml"))


def message(t: float, values: dict, *, bed: str = "1", cuff_t: float | None = None,
            sent: float | None = None, control: str = "C1") -> str:  # fmt: skip
    """An ORU^R01 from the monitor at bed `bed`: `values` measured at `t` (a cuff value at
    `cuff_t`), sent at `sent` (default `t`)."""
    segments = []
    for param, value in values.items():
        when = cuff_t if param in ("SBP", "DBP", "MAP") and cuff_t is not None else t
        segments.append(obx(*CODES[param][:1], value=f"{value:g}", unit=CODES[param][1],
                            time=hl7_time(when)))  # fmt: skip
    head = ("PID|||KAP-1^^^CLINIC^MR", f"PV1||O|KAP^^{bed}")
    return oru(*segments, head=head, time=hl7_time(t if sent is None else sent), control=control)


class Room:
    """A 4-seat session (M.K. on 1, A.R. on 2) fed by an Hl7Source."""

    def __init__(self, store, clock, settings, devices: DeviceMap | None = None, resume=None):
        self.clock = clock
        self.devices = devices if devices is not None else DeviceMap.load()
        self.source: Hl7Source | None = None

        def make(seats, start):
            self.source = Hl7Source(seats, clock, self.devices)
            return self.source

        options = RunOptions(seats=4, plan={} if resume else {1: "M.K.", 2: "A.R."}, resume=resume)
        self.live = open_live_session(
            options, store=store, clock=clock, settings=settings, make_source=make
        )

    def send(self, text: str, peer: str = "10.0.5.21") -> None:
        self.source.receive(parse_oru(text), peer)

    def second(self, values: dict, **kw) -> None:
        """One second passes with one message from the monitor, then a heartbeat."""
        self.clock.advance(1.0)
        self.send(message(self.clock.now() - 0.5, values, **kw))
        self.live.tick()

    def rows(self, sql: str, *args) -> list[tuple]:
        self.live.store.flush()
        with closing(sqlite3.connect(self.live.store.path)) as conn:
            return conn.execute(sql, args).fetchall()


def test_a_device_on_a_seat_fills_its_participants_tile_and_the_record(store, clock, settings):
    room = Room(store, clock, settings)
    room.source.assign(BED1, 1, "RN Kim")
    room.second({"HR": 72, "SpO2": 97})
    pid = room.live.room.on_seat(1).id
    assert room.live.vitals[pid].latest("HR")[1] == 72
    assert room.live.latest(pid, "SpO2").source == "monitor"
    assert room.rows("select participant, seat, device, param, value, source from v_vitals") == [
        ("M.K.", 1, BED1, "HR", 72.0, f"hl7:{BED1}"),
        ("M.K.", 1, BED1, "SpO2", 97.0, f"hl7:{BED1}"),
    ]


def test_an_unassigned_device_is_recorded_under_its_id_and_reaches_no_one(store, clock, settings):
    room = Room(store, clock, settings)
    room.source.assign(BED1, 1, "RN Kim")
    for _ in range(60):  # a minute of a desaturating stranger beside a well participant
        room.second({"SpO2": 80}, bed="9")
        room.send(message(clock.now() - 0.5, {"SpO2": 98}, bed="1"))
    assert not [a for a in room.live.alarms.active() if "SpO2" in a.key]
    rows = room.rows(
        "select participant, seat, device, count(*), min(value) from v_vitals group by device"
    )
    assert (None, None, BED9, 60, 80.0) in rows
    tray = room.source.unassigned()
    assert [(d.device, d.values, d.seat, d.bed, d.peer) for d in tray] == [
        (BED9, {"SpO2": 80.0}, None, BED9, "10.0.5.21")
    ]
    assert tray[0].last_seen == pytest.approx(clock.now(), abs=1.0)


def test_a_device_on_an_empty_seat_is_recorded_with_its_seat_and_no_participant(
    store, clock, settings
):
    room = Room(store, clock, settings)
    room.source.assign(BED1, 3, "RN Kim")  # nobody sits on seat 3
    room.second({"HR": 66})
    assert room.rows("select participant, seat, device, value from v_vitals") == [
        (None, 3, BED1, 66.0)
    ]


def test_assigning_moves_the_device_from_the_tray_to_the_seat_at_once(store, clock, settings):
    room = Room(store, clock, settings)
    room.second({"HR": 70}, bed="2")
    assert [d.device for d in room.source.unassigned()] == [BED2]
    room.source.assign(BED2, 2, "RN Kim")
    room.second({"HR": 71}, bed="2")
    assert room.source.unassigned() == []
    assert room.source.seen()[0].seat == 2
    assert room.rows("select participant, value from v_vitals order by t_utc") == [
        (None, 70.0),
        ("A.R.", 71.0),
    ]
    kinds = [k for (k,) in room.rows("select kind from events where kind like 'device.%'")]
    assert kinds == ["device.seen", "device.assigned"]


def test_a_cuff_value_keeps_its_time_and_a_repeat_is_taken_once(store, clock, settings):
    room = Room(store, clock, settings)
    room.source.assign(BED1, 1, "RN Kim")
    clock.advance(300)
    cuff_t = clock.now() - 150
    for _ in range(5):  # the monitor repeats the last cuff value in every message
        room.second({"HR": 72, "SBP": 131, "DBP": 84}, cuff_t=cuff_t)
    stored = room.rows("select param, t from vitals where param in ('SBP', 'DBP') order by rowid")
    assert stored == [("SBP", cuff_t), ("DBP", cuff_t)]
    assert len(room.rows("select 1 from vitals where param = 'HR'")) == 5


def test_a_message_sent_again_is_not_recorded_twice(store, clock, settings):
    room = Room(store, clock, settings)
    room.source.assign(BED1, 1, "RN Kim")
    clock.advance(1)
    text = message(clock.now(), {"HR": 72, "SpO2": 97})
    room.send(text)
    room.send(text)  # its ACK was lost: the monitor sends it again
    room.live.tick()
    assert len(room.rows("select 1 from vitals")) == 2


def test_a_clock_within_a_minute_is_believed_and_never_dated_after_receipt(store, clock, settings):
    room = Room(store, clock, settings)
    room.source.assign(BED1, 1, "RN Kim")
    clock.advance(10)
    now = clock.now()
    room.send(message(now - 60, {"HR": 70}, control="behind"))  # exactly at the limit
    room.send(message(now + 30, {"SpO2": 96}, control="ahead"))  # a clock 30 s fast
    room.live.tick()
    assert room.rows("select param, t from vitals order by param") == [
        ("HR", now - 60),
        ("SpO2", now),
    ]
    assert not room.rows("select 1 from events where kind = 'device.clock_drift'")


def test_a_drifting_clock_is_logged_once_per_episode_and_its_times_moved(store, clock, settings):
    room = Room(store, clock, settings)
    room.source.assign(BED1, 1, "RN Kim")
    clock.advance(400)
    for _ in range(3):  # 90.5 s slow, cuff 2 min before its message
        now = clock.now()
        room.send(message(now - 90.5, {"HR": 70, "SBP": 120}, cuff_t=now - 210.5))
        room.live.tick()
        clock.advance(1)
    drift = room.rows("select data from events where kind = 'device.clock_drift'")
    assert len(drift) == 1 and '"offset_s":90.5' in drift[0][0]
    times = room.rows("select param, t from vitals order by rowid")
    first = clock.now() - 3
    assert times[:2] == [("HR", first), ("SBP", first - 120)]
    clock.advance(1)
    room.send(message(clock.now(), {"HR": 71}))  # set right
    room.live.tick()
    assert room.rows("select 1 from events where kind = 'device.clock_drift_ended'") == [(1,)]
    assert room.rows("select t from vitals order by rowid desc limit 1") == [(clock.now(),)]


def test_a_silent_monitor_raises_no_data_after_ten_seconds(store, clock, settings):
    room = Room(store, clock, settings)
    room.source.assign(BED1, 1, "RN Kim")
    for _ in range(20):
        room.second({"HR": 72, "SpO2": 97, "RR": 14})
    last = clock.now() - 0.5
    clock.advance(last + 10 - clock.now())
    room.live.tick()
    seat1 = [a for a in room.live.alarms.active() if a.key.startswith("NO_DATA") and a.seat == 1]
    assert not seat1  # (the other seats have no monitor: "no data since seated")
    clock.advance(0.5)
    room.live.tick()
    [alarm] = [a for a in room.live.alarms.active() if a.key.startswith("NO_DATA") and a.seat == 1]
    assert alarm.text.startswith("no data")


def test_a_stopped_listener_is_a_high_technical_alarm_for_the_room(store, clock, settings):
    room = Room(store, clock, settings)

    class Listener:
        alive, failure = True, ""

        def stop(self) -> None:
            self.alive = False

    listener = Listener()
    room.source.listen(listener)
    room.live.tick()
    assert not room.live.alarms.active()
    listener.alive, listener.failure = False, "OSError: too many open files"
    room.live.tick()
    [alarm] = room.live.alarms.active()
    assert (alarm.participant_id, alarm.key, alarm.priority) == (ROOM, LISTENER_DOWN, "high")
    assert "too many open files" in alarm.text
    listener.alive = True
    room.live.tick()
    assert not room.live.alarms.active()
    room.live.end("finished")  # ending the session stops its listener
    assert listener.alive is False


def test_a_full_queue_refuses_the_message_so_the_sender_gets_ae(clock, monkeypatch):
    monkeypatch.setattr(hl7_source, "MAX_QUEUED", 2)
    source = Hl7Source([1, 2, 3], clock, DeviceMap())
    text = parse_oru(message(clock.now(), {"HR": 70}))
    source.receive(text, "peer")
    source.receive(text, "peer")
    with pytest.raises(SourceError, match="queue full"):
        source.receive(text, "peer")


def test_readings_measured_after_until_wait_for_the_next_beat(clock):
    source = Hl7Source([1, 2, 3], clock, DeviceMap({BED1: 1}))
    now = clock.now()
    source.receive(parse_oru(message(now, {"HR": 70})), "peer")
    assert source.generate(now - 1) == ([], [])
    readings, _ = source.generate(now)
    assert [(r.seat, r.param, r.t, r.source) for r in readings] == [(1, "HR", now, f"hl7:{BED1}")]


def test_an_unknown_code_reaches_the_tray_for_the_vendor_table(clock):
    source = Hl7Source([1, 2, 3], clock, DeviceMap())
    text = oru(obx("0002-4182^HR^MDIL", value="72", unit="bpm", time=hl7_time(clock.now())))
    with pytest.raises(Exception) as err:  # MessageNotUsable: the listener answers AE
        parse_oru(text)
    source.receive(err.value.result, "peer")
    source.generate(clock.now())
    [seen] = source.unassigned()
    assert seen.unknown_codes == ("0002-4182^HR^MDIL",) and seen.values == {}


def test_the_room_map_comes_back_on_resume_and_is_logged(store, clock, settings):
    room = Room(store, clock, settings)
    room.source.assign(BED1, 1, "RN Kim")
    session = room.live.id
    store.flush()
    store.close()
    reopened = type(store).open(store.path, clock)  # the process died; a new one resumes
    try:
        again = Room(reopened, clock, settings, resume=session)
        assert again.source.devices.seat_of(BED1) == 1
        restored = again.rows(
            "select data from events where kind = 'device.assigned' order by seq desc limit 1"
        )
        assert '"restored":true' in restored[0][0]
        again.second({"HR": 64})
        assert again.rows("select participant from v_vitals") == [("M.K.",)]
    finally:
        reopened.close()


def test_a_participant_who_moves_chairs_takes_their_monitor_along(store, clock, settings):
    room = Room(store, clock, settings)
    room.source.assign(BED1, 1, "RN Kim")
    room.second({"HR": 70})
    mk = room.live.room.on_seat(1).id
    room.live.reseat_participant(mk, 4)
    assert room.devices.seat_of(BED1) == 4
    room.live.add_participant("J.L.", 1)  # someone new sits in the chair M.K. left
    room.second({"HR": 75})
    assert room.rows("select participant, seat, value from v_vitals order by t_utc") == [
        ("M.K.", 1, 70.0),
        ("M.K.", 4, 75.0),
    ]
    moved = room.rows(
        "select actor, json_extract(data, '$.seat'), json_extract(data, '$.from_seat'), "
        "json_extract(data, '$.reason') from events where kind = 'device.assigned'"
    )
    assert moved[-1] == ("system", 4, 1, "moved with participant")
    assert DeviceMap.load().seat_of(BED1) == 4  # remembered for the room


def test_a_simulated_participant_who_moves_keeps_their_dose_time_and_stream(clock):
    moved = Simulator([1, 2], clock.now(), seed=3)
    stayed = Simulator([1, 2], clock.now(), seed=3)
    t0 = moved.dose_time(1)
    clock.advance(30)
    moved.generate(clock.now()), stayed.generate(clock.now())
    moved.move_seat(1, 5)
    assert moved.seats == (2, 5) and moved.dose_time(5) == t0
    clock.advance(30)
    after, _ = moved.generate(clock.now())
    same, _ = stayed.generate(clock.now())
    assert [(r.param, r.t, r.value) for r in after if r.seat == 5] == [
        (r.param, r.t, r.value) for r in same if r.seat == 1
    ]
    assert not [r for r in after if r.seat == 1]


# -- a room of real and simulated seats ---------------------------------------------------


def test_a_mixed_room_says_which_seats_are_simulated_and_a_device_makes_a_seat_real(clock):
    sim = Simulator([1, 2, 3], clock.now(), seed=1)
    sim.remove_seat(1)
    hl7 = Hl7Source([1, 2, 3], clock, DeviceMap({BED1: 1}))
    hl7.remove_seat(2), hl7.remove_seat(3)
    mixed = MixedSource(hl7, sim)
    assert (mixed.name, mixed.seats, simulated_seats(mixed)) == ("sim+hl7", (1, 2, 3), (2, 3))
    assert mixed.dose_time(2) == sim.dose_time(2)
    mixed.assign(BED2, 2, "RN Kim")
    assert simulated_seats(mixed) == (3,) and 2 in hl7.seats
    mixed.assign("KAP^^3", 3, "RN Kim")
    assert (mixed.name, simulated_seats(mixed), mixed.seats) == ("hl7", (), (1, 2, 3))
    mixed.unassign(BED2, "RN Kim")  # a real seat never goes back to simulated values
    assert simulated_seats(mixed) == () and 2 in mixed.seats


def test_a_mixed_room_hands_over_both_sources_readings(clock):
    sim = Simulator([1, 2], clock.now(), seed=1)
    sim.remove_seat(1)
    hl7 = Hl7Source([1], clock, DeviceMap({BED1: 1}))
    sent = []
    mixed = MixedSource(hl7, sim, before_generate=sent.append)
    clock.advance(2)
    hl7.receive(parse_oru(message(clock.now() - 1, {"HR": 70})), "peer")
    readings, blocks = mixed.generate(clock.now())
    assert sent == [clock.now()]
    assert {(r.seat, r.source) for r in readings} == {(1, f"hl7:{BED1}"), (2, "sim")}
    assert {b.seat for b in blocks} == {2}  # no pleth is made up for a real seat


def test_simulated_seats_of_a_plain_simulator_are_all_its_seats(clock):
    assert simulated_seats(Simulator([1, 2, 3], clock.now())) == (1, 2, 3)
    assert simulated_seats(Hl7Source([1, 2, 3], clock)) == ()
    assert UNSEATED == 0
