"""Seats and participants: each change is one event and one projection row; a refused change
writes nothing. Then the per-seat ring buffers the room grid reads."""

from __future__ import annotations

import json
import math
from contextlib import closing

import numpy as np
import pytest

from groupkap.errors import BadInputError
from groupkap.readings import Reading, WaveformBlock
from groupkap.room.buffers import RingBuffer, SeatVitals
from groupkap.room.model import Room, room_layout
from groupkap.room.readout import tile_readout
from groupkap.session import LiveSession


# -- helpers -------------------------------------------------------------------------------
def db_state(store) -> dict:
    """Everything the room rules can write, after the writer has caught up."""
    store.flush()
    with closing(store.reader()) as conn:
        return {
            "sessions": conn.execute("select count(*) from sessions").fetchone()[0],
            "events": [
                (r["seq"], r["kind"], r["participant_id"], json.loads(r["data"]))
                for r in conn.execute(
                    "select seq, kind, participant_id, data from events order by seq"
                )
            ],
            "participants": [
                dict(r)
                for r in conn.execute(
                    "select id, alias, full_name, seat, removed_at from participants order by id"
                )
            ],
        }


def new_events(before: dict, after: dict) -> list[tuple]:
    return after["events"][len(before["events"]) :]


def projection(store, pid: str) -> dict:
    return next(p for p in db_state(store)["participants"] if p["id"] == pid)


@pytest.fixture
def live(store, clock, source, settings):
    return LiveSession.start(
        seat_count=6, clock=clock, source=source, store=store, settings=settings
    )


@pytest.fixture
def seated(live):
    """A room with M.K. on seat 2 and A.R. on seat 5."""
    mk = live.add_participant("M.K.", 2, full_name="Mary Kay")
    ar = live.add_participant("A.R.", 5)
    return live, mk, ar


# -- seat counts -----------------------------------------------------------------------------
@pytest.mark.parametrize("count", [2, 11, 0, -1])
def test_room_layout_refuses_seat_counts_outside_3_to_10(count):
    with pytest.raises(BadInputError, match=rf"3 to 10 seats, not {count}"):
        room_layout(count)


@pytest.mark.parametrize("count", [3, 4, 7, 10])
def test_room_layout_gives_distinct_grid_places(count):
    seats = room_layout(count)
    assert [s.number for s in seats] == list(range(1, count + 1))
    assert len({(s.row, s.col) for s in seats}) == count


def test_a_room_cannot_be_built_with_too_many_seats():
    with pytest.raises(BadInputError, match="not 11"):
        Room(room_layout(10) + room_layout(3)[:1])


@pytest.mark.parametrize("count", [2, 11])
def test_live_session_start_refuses_bad_seat_counts_and_writes_nothing(
    count, store, clock, source, settings
):
    with pytest.raises(BadInputError, match=f"not {count}"):
        LiveSession.start(
            seat_count=count, clock=clock, source=source, store=store, settings=settings
        )
    assert db_state(store) == {"sessions": 0, "events": [], "participants": []}


def test_live_session_start_records_the_session(live, store):
    state = db_state(store)
    assert state["sessions"] == 1
    assert [e[1] for e in state["events"]] == ["session.started"]
    assert state["events"][0][3]["seats"] == 6


# -- adding ----------------------------------------------------------------------------------
def test_adding_writes_one_event_and_one_participant_row(live, store):
    before = db_state(store)
    person = live.add_participant("  J.L. ", 4, full_name="Jo Lee")
    after = db_state(store)
    assert person.alias == "J.L."
    assert [e[1:] for e in new_events(before, after)] == [
        ("participant.added", person.id, {"alias": "J.L.", "seat": 4, "full_name": "Jo Lee"})
    ]
    assert after["participants"] == [
        {"id": person.id, "alias": "J.L.", "full_name": "Jo Lee", "seat": 4, "removed_at": None}
    ]
    assert live.room.on_seat(4) is person
    assert live.vitals_on_seat(4) is not None
    assert 4 in live.source.seats


def test_adding_to_an_occupied_seat_names_the_seat_and_holder_and_writes_nothing(seated, store):
    live, mk, _ = seated
    before = db_state(store)
    with pytest.raises(BadInputError) as info:
        live.add_participant("S.T.", 2)
    message = str(info.value)
    assert "seat 2" in message and "M.K." in message
    assert db_state(store) == before
    assert live.room.on_seat(2) is mk
    assert len(live.room.participants) == 2


@pytest.mark.parametrize("alias", ["", "   ", None])
def test_an_empty_alias_is_refused(live, store, alias):
    before = db_state(store)
    with pytest.raises(BadInputError, match="alias"):
        live.add_participant(alias, 1)
    assert db_state(store) == before
    assert live.room.participants == {}


def test_an_over_long_alias_is_refused(live, store):
    before = db_state(store)
    with pytest.raises(BadInputError, match="longer than 24"):
        live.add_participant("x" * 25, 1)
    assert db_state(store) == before


def test_adding_to_a_seat_the_room_does_not_have_is_refused(live, store):
    before = db_state(store)
    with pytest.raises(BadInputError, match="no seat 7"):
        live.add_participant("S.T.", 7)
    assert db_state(store) == before


# -- renaming, reseating, removing -------------------------------------------------------------
def test_rename_writes_one_event_with_old_and_new_alias(seated, store):
    live, mk, _ = seated
    before = db_state(store)
    live.rename_participant(mk.id, "Mo", full_name="Mary Kay")
    after = db_state(store)
    assert [e[1:] for e in new_events(before, after)] == [
        (
            "participant.renamed",
            mk.id,
            {"old_alias": "M.K.", "alias": "Mo", "full_name": "Mary Kay"},
        )
    ]
    assert projection(store, mk.id)["alias"] == "Mo"
    assert live.room.participants[mk.id].alias == "Mo"


def test_rename_to_an_empty_alias_is_refused(seated, store):
    live, mk, _ = seated
    before = db_state(store)
    with pytest.raises(BadInputError, match="alias"):
        live.rename_participant(mk.id, " ")
    assert db_state(store) == before
    assert live.room.participants[mk.id].alias == "M.K."


def test_reseat_writes_one_event_with_old_and_new_seat(seated, store):
    live, mk, _ = seated
    before = db_state(store)
    live.reseat_participant(mk.id, 6)
    after = db_state(store)
    assert [e[1:] for e in new_events(before, after)] == [
        ("participant.seated", mk.id, {"old_seat": 2, "seat": 6})
    ]
    assert projection(store, mk.id)["seat"] == 6
    assert live.room.on_seat(6).id == mk.id and live.room.on_seat(2) is None
    assert 6 in live.source.seats and 2 not in live.source.seats
    assert live.vitals_on_seat(6).seat == 6


def test_reseat_to_a_taken_seat_is_refused_and_writes_nothing(seated, store):
    live, mk, ar = seated
    before = db_state(store)
    with pytest.raises(BadInputError) as info:
        live.reseat_participant(mk.id, 5)
    assert "seat 5" in str(info.value) and "A.R." in str(info.value)
    assert db_state(store) == before
    assert live.room.participants[mk.id].seat == 2
    assert live.room.on_seat(5) is ar


def test_reseat_to_the_same_seat_writes_nothing(seated, store):
    live, mk, _ = seated
    before = db_state(store)
    live.reseat_participant(mk.id, 2)
    assert db_state(store) == before


def test_remove_writes_one_event_and_marks_the_row_removed(seated, store, clock):
    live, _, ar = seated
    clock.advance(90)
    before = db_state(store)
    live.remove_participant(ar.id, reason="went home early")
    after = db_state(store)
    assert [e[1:] for e in new_events(before, after)] == [
        ("participant.removed", ar.id, {"seat": 5, "reason": "went home early"})
    ]
    assert projection(store, ar.id)["removed_at"] == clock.now()
    assert ar.id not in live.room.participants
    assert live.room.on_seat(5) is None and 5 not in live.source.seats
    # The seat is free again
    live.add_participant("S.T.", 5)


def test_changes_to_an_unknown_participant_are_refused(live, store):
    before = db_state(store)
    for change in (
        lambda: live.rename_participant("ghost", "G."),
        lambda: live.reseat_participant("ghost", 1),
        lambda: live.remove_participant("ghost"),
    ):
        with pytest.raises(BadInputError, match="no participant 'ghost'"):
            change()
    assert db_state(store) == before


def test_vitals_follow_the_participant_not_the_chair(seated, store, clock):
    live, mk, _ = seated
    clock.advance(2)
    live.pump()
    live.reseat_participant(mk.id, 3)
    clock.advance(2)
    live.pump()
    store.flush()
    with closing(store.reader()) as conn:
        rows = [
            (r[0], r[1] - clock.now())
            for r in conn.execute(
                "select seat, t from vitals where participant_id = ? and param = 'HR' order by t",
                (mk.id,),
            )
        ]
    assert rows == [(2, -4.0), (2, -3.0), (3, -2.0), (3, -1.0)]


# -- ring buffers ------------------------------------------------------------------------------
def test_ring_buffer_keeps_the_newest_in_order_after_wrapping():
    buf = RingBuffer(5)
    for i in range(8):
        buf.append(float(i), float(i * 10))
    t, v = buf.ordered()
    np.testing.assert_array_equal(t, [3, 4, 5, 6, 7])
    np.testing.assert_array_equal(v, [30, 40, 50, 60, 70])
    assert len(buf) == 5
    assert buf.last() == (7.0, 70.0)


def test_ring_buffer_extend_across_the_end_and_larger_than_capacity():
    buf = RingBuffer(4)
    buf.extend(np.array([0.0, 1.0, 2.0]), np.array([0, 1, 2], dtype=np.float32))
    buf.extend(np.array([3.0, 4.0]), np.array([3, 4], dtype=np.float32))  # wraps
    np.testing.assert_array_equal(buf.ordered()[0], [1, 2, 3, 4])
    buf.extend(np.arange(5.0, 15.0), np.arange(5, 15, dtype=np.float32))  # > capacity
    np.testing.assert_array_equal(buf.ordered()[0], [11, 12, 13, 14])
    np.testing.assert_array_equal(buf.ordered()[1], [11, 12, 13, 14])


def test_ring_buffer_since_and_last():
    buf = RingBuffer(6)
    assert buf.last() is None
    assert [len(a) for a in buf.since(0)] == [0, 0]
    for i in range(10):
        buf.append(100.0 + i, float(i))
    t, v = buf.since(106.0)
    np.testing.assert_array_equal(t, [106, 107, 108, 109])
    np.testing.assert_array_equal(v, [6, 7, 8, 9])
    t, _ = buf.since(0)
    np.testing.assert_array_equal(t, [104, 105, 106, 107, 108, 109])
    assert len(buf.since(200.0)[0]) == 0
    assert buf.last() == (109.0, 9.0)


def test_ring_buffer_returns_copies():
    buf = RingBuffer(3)
    buf.append(1.0, 1.0)
    t, v = buf.ordered()
    t[0], v[0] = 99, 99
    assert buf.last() == (1.0, 1.0)


def test_ring_buffer_needs_two_slots():
    with pytest.raises(ValueError):
        RingBuffer(1)


@pytest.mark.parametrize(
    "param, value",
    [
        ("HR", math.nan),
        ("HR", math.inf),
        ("HR", 0.0),
        ("HR", 400.0),
        ("SpO2", 127.0),
        ("SpO2", -1.0),
        ("SBP", 0.0),
        ("TEMP", 60.0),
        ("PLETH", 0.5),
        ("XYZ", 1.0),
    ],
)
def test_seat_vitals_drops_artefacts_and_unknown_params(param, value, t0):
    vitals = SeatVitals(1)
    assert vitals.add_reading(Reading(1, param, t0, value)) is False
    assert vitals.last_data_t is None
    assert all(vitals.latest(p) is None for p in ("HR", "SpO2", "SBP", "TEMP"))


def test_seat_vitals_keeps_valid_readings(t0):
    vitals = SeatVitals(1)
    assert vitals.add_reading(Reading(1, "SpO2", t0, 96.0))
    assert vitals.add_reading(Reading(1, "SpO2", t0 + 1, 95.0))
    assert vitals.latest("SpO2") == (t0 + 1, 95.0)
    t, v = vitals.trend("SpO2", t0)
    np.testing.assert_array_equal(v, [96, 95])


def test_heart_rate_falls_back_to_pulse_rate(t0):
    vitals = SeatVitals(1)

    def shown(now):
        return tile_readout(vitals, now, stale_after_s=10, nibp_interval_s=300).numerics[0]

    assert shown(t0).text == "--"
    vitals.add_reading(Reading(1, "PR", t0, 72.0))
    assert (shown(t0).label, shown(t0).text) == ("PR", "72")
    vitals.add_reading(Reading(1, "HR", t0 + 1, 80.0))
    vitals.add_reading(Reading(1, "PR", t0 + 2, 75.0))
    assert (shown(t0 + 2).label, shown(t0 + 2).text) == ("HR", "80")  # the ECG's HR wins


def test_staleness_follows_the_simulated_clock(clock):
    vitals = SeatVitals(1)
    assert vitals.is_stale(clock.now(), 10)  # nothing ever arrived
    vitals.add_reading(Reading(1, "HR", clock.now(), 70.0))
    assert not vitals.is_stale(clock.now(), 10)
    clock.advance(10)
    assert not vitals.is_stale(clock.now(), 10)
    clock.advance(0.5)
    assert vitals.is_stale(clock.now(), 10)
    block = WaveformBlock(1, "PLETH", clock.now(), 125, np.zeros(125, dtype=np.float32))
    vitals.add_block(block)  # a waveform counts as data too; it ends 1 s after it starts
    clock.advance(10.5)
    assert not vitals.is_stale(clock.now(), 10)
    clock.advance(1)
    assert vitals.is_stale(clock.now(), 10)


def test_pleth_since_returns_the_recent_samples(t0):
    vitals = SeatVitals(1)
    for s in range(20):  # more than the 16 s the buffer holds
        vitals.add_block(WaveformBlock(1, "PLETH", t0 + s, 125, np.full(125, s, dtype=np.float32)))
    t, v = vitals.pleth(t0 + 10)
    assert len(t) == 10 * 125
    assert t[0] == t0 + 10 and v[0] == 10 and v[-1] == 19
    assert len(vitals.pleth(0)[0]) == 16 * 125
