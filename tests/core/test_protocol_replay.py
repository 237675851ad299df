"""Resuming after a crash: protocol state and per-participant limits rebuilt from the log."""

from __future__ import annotations

from contextlib import closing

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import default_limits, parse_limits, to_toml
from groupkap.protocol.config import DEFAULT_SCREENING
from groupkap.protocol.group import Protocol
from groupkap.protocol.replay import restore_participant_limits, restore_protocol
from groupkap.readings import Latest

MIN = 60.0
READY = {
    "consent_current": True,
    "fasting_confirmed": True,
    "ride_home_name": "Sam",
    "ride_home_phone": "555",
    "intention": "rest",
    "touch_consent": False,
    "music_choice": "silence",
}


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

    after = Protocol(
        clock, lambda *e: None, alarms=AlarmEngine(clock, default_limits(), lambda *e: None)
    )
    with closing(store.reader()) as conn:
        assert restore_protocol(after, conn, session) == 6
        assert restore_participant_limits(after.alarms, conn, session) == 1
    old, new = before.of("p1"), after.of("p1")
    assert (new.screening["outcome"], new.readiness, new.dose["t0"]) == (
        "eligible",
        old.readiness,
        old.dose["t0"],
    )
    assert [(c.label, c.sbp, c.due) for c in new.bp_checks] == [
        (c.label, c.sbp, c.due) for c in old.bp_checks
    ]
    now = clock.now()
    assert new.next_check(now) == old.next_check(now) == ("+55 min", old.dose["t0"] + 55 * MIN)
    assert new.last_moaas == 3
    spo2 = Latest(now, 97.0, "monitor")
    assert new.phase(now, spo2) == old.phase(now, spo2) == "monitoring"
    restored = after.alarms.limits_for("p1").get("SpO2")
    assert (
        restored.medium[0].value == 90
        and after.alarms.limits_for("p2").get("SpO2").medium[0].value == 92
    )


def test_scores_corrections_strikes_and_the_ready_minute_come_back(store, clock):
    """Issue 9: the discharge rules read standing entries only, so a resumed room must know
    which MOAA/S and CADSS entries were corrected or struck, the attestation, and the
    ready-to-leave minute already logged."""
    session = store.start_session(seats=1, source="test")

    def sink(kind, data, pid, actor):
        store.record(session, kind, data, participant_id=pid, actor=actor)

    before = Protocol(clock, sink)
    before.complete_screening("p1", {r.id: False for r in DEFAULT_SCREENING}, "Dr R")
    before.confirm_readiness("p1", READY, "RN K")
    before.record_bp("p1", 124, 80)
    before.record_cadss("p1", 10, "RN K")  # pre-dose
    clock.advance(5 * MIN)
    before.give_dose("p1", route="IM", dose_mg=56, weight_kg=70, lot="L1", given_by="RN K")
    t0 = clock.now()
    clock.advance(40 * MIN)
    before.record_bp("p1", 128, 84, source="monitor")  # the +40 check, near baseline
    low = before.record_moaas("p1", 3, "RN K")
    before.record_moaas("p1", 4, "RN K", corrects=low, reason="misread")
    before.record_cadss("p1", 16, "RN K")  # one above the margin
    clock.advance(7 * MIN)
    before.record_moaas("p1", 5, "RN K")
    stray = before.record_moaas("p1", 2, "RN K")
    before.strike_entry("p1", stray, "wrong participant", "RN K")
    before.attest_dissociation("p1", "Dr R", "calm and oriented")
    before.tick(lambda pid: Latest(clock.now(), 97.0, "monitor"))  # ready at T0+47
    assert before.ready_to_leave_minute("p1") == 47
    store.flush()

    after = Protocol(clock, lambda *e: None)
    with closing(store.reader()) as conn:
        restore_protocol(after, conn, session)
    old, new = before.of("p1"), after.of("p1")
    assert [(e.entry_id, e.check, e.value, e.t, e.struck) for e in new.scores] == [
        (e.entry_id, e.check, e.value, e.t, e.struck) for e in old.scores
    ]
    assert [e.value for e in new.scores if e.struck] == [3, 2]
    assert new.dissociation_attested_at == old.dissociation_attested_at == clock.now()
    assert after.ready_to_leave_minute("p1") == 47 and new.t0 == t0
    now = clock.now()
    spo2 = Latest(now, 97.0, "monitor")
    assert new.clinical_criteria(now, spo2) == old.clinical_criteria(now, spo2)
    assert all(new.clinical_criteria(now, spo2).values())
    assert new.next_check(now) == old.next_check(now) == ("before discharge", t0 + 120 * MIN)
