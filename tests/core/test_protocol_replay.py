"""Resuming after a crash: protocol state and per-participant limits rebuilt from the log."""

from __future__ import annotations

from contextlib import closing

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import default_limits, parse_limits, to_toml
from groupkap.protocol.config import DEFAULT_SCREENING
from groupkap.protocol.replay import restore_participant_limits, restore_protocol
from groupkap.protocol.room import Protocol

MIN = 60.0
READY = {"consent_current": True, "fasting_confirmed": True, "ride_home_name": "Sam",
         "ride_home_phone": "555", "intention": "rest", "touch_consent": False,
         "music_choice": "silence"}


def test_the_protocol_and_limits_come_back_as_the_log_says(store, clock):
    session = store.start_session(seats=3, source="test")

    def sink(kind, data, pid, actor):
        store.record(session, kind, data, participant_id=pid, actor=actor)

    alarms = AlarmEngine(clock, default_limits(), sink)
    before = Protocol(clock, sink, alarms=alarms)
    before.complete_screening("p1", {r.id: False for r in DEFAULT_SCREENING}, "Dr R")
    before.confirm_readiness("p1", READY, "RN K")
    before.record_bp("p1", 124, 80)
    before.give_dose("p1", route="IN", dose_mg=84, weight_kg=None, lot="L1", given_by="RN K")
    clock.advance(40 * MIN)
    before.record_bp("p1", 140, 88, source="monitor")
    before.record_moaas("p1", 3, "RN K")
    mine = parse_limits(to_toml(default_limits()).replace('"< 92"', '"< 90"'), "p1 limits")
    alarms.set_limits(mine, "Dr R", "p1")
    store.flush()

    after = Protocol(clock, lambda *e: None, alarms=AlarmEngine(clock, default_limits(),
                                                                lambda *e: None))
    with closing(store.reader()) as conn:
        assert restore_protocol(after, conn, session) == 6
        assert restore_participant_limits(after.alarms, conn, session) == 1
    old, new = before.of("p1"), after.of("p1")
    assert (new.screening["outcome"], new.readiness, new.dose["t0"]) == (
        "eligible", old.readiness, old.dose["t0"])
    assert [(c.label, c.sbp, c.due) for c in new.bp_checks] == [
        (c.label, c.sbp, c.due) for c in old.bp_checks]
    assert new.next_check() == old.next_check() and new.last_moaas == 3
    assert new.phase(clock.now(), 97) == old.phase(clock.now(), 97) == "monitoring"
    restored = after.alarms.limits_for("p1").get("SpO2")
    assert restored.medium[0].value == 90 and after.alarms.limits_for("p2").get(
        "SpO2").medium[0].value == 92
