"""AA means stored: a message's Future resolves only once the heartbeat has handed its values
to the store and the store has committed them; a store that cannot write makes it AE."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from groupkap.hl7 import parse_oru
from tests.core.test_hl7_source import BED1, Room, message
from tests.core.test_hl7_source import _own_config as _own_config  # noqa: F401 (autouse)


def test_a_message_is_settled_only_after_its_values_are_committed(store, clock, settings):
    room = Room(store, clock, settings)
    room.source.assign(BED1, 1, "RN Kim")
    clock.advance(1.0)
    committed_when_settled: list[int] = []
    stored = room.source.receive(parse_oru(message(clock.now() - 0.5, {"HR": 72})), "peer")

    def count_rows(_):
        with closing(sqlite3.connect(store.path)) as conn:
            committed_when_settled.append(conn.execute("select count(*) from vitals").fetchone()[0])

    stored.add_done_callback(count_rows)
    assert not stored.done()  # received is not stored
    room.live.tick()
    store.flush()
    assert stored.result(timeout=5) is None
    assert committed_when_settled == [1]


def test_a_store_that_cannot_write_makes_the_answer_a_problem(store, clock, settings):
    room = Room(store, clock, settings)
    room.source.assign(BED1, 1, "RN Kim")
    with closing(sqlite3.connect(store.path)) as conn:  # every insert of vitals now fails
        conn.execute(
            "create trigger no_room before insert on vitals "
            "begin select raise(abort, 'database or disk is full'); end"
        )
    clock.advance(1.0)
    stored = room.source.receive(parse_oru(message(clock.now() - 0.5, {"HR": 72})), "peer")
    room.live.tick()
    problem = stored.result(timeout=5)
    assert problem.startswith("not stored: could not record vital signs")
    assert "disk is full" in problem


def test_a_message_sent_again_is_settled_with_the_beat_though_nothing_is_stored(
    store, clock, settings
):
    room = Room(store, clock, settings)
    room.source.assign(BED1, 1, "RN Kim")
    clock.advance(1.0)
    text = message(clock.now() - 0.5, {"HR": 72})
    first = room.source.receive(parse_oru(text), "peer")
    room.live.tick()
    again = room.source.receive(parse_oru(text), "peer")  # its ACK was lost: sent again
    room.live.tick()
    assert first.result(timeout=5) is None and again.result(timeout=5) is None
    assert room.rows("select count(*) from vitals") == [(1,)]


def test_a_value_measured_after_the_beat_settles_with_the_beat_that_takes_it(clock):
    from groupkap.hl7.devices import DeviceMap
    from groupkap.sources.hl7_source import Hl7Source

    source = Hl7Source([1], clock, DeviceMap({BED1: 1}))
    clock.advance(10)
    now = clock.now()
    stored = source.receive(parse_oru(message(now - 0.5, {"HR": 70})), "peer")
    readings, _ = source.generate(now - 1.0)  # this beat is older than the value
    assert readings == [] and source.receipt() is None
    readings, _ = source.generate(now)
    settle = source.receipt()
    assert [r.value for r in readings] == [70.0] and not stored.done()
    settle(None)
    assert stored.result() is None
