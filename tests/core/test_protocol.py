"""The session protocol on a simulated clock: screening, the ready gate, the dose record, BP
checks from each participant's own T0, overdue checks, quick entries and discharge.

The Protocol's event sink is a plain list in most tests (the protocol is under test, the sink
is what it says); the group run also writes every event to a real session store and reads
the story back from `v_events`. Figures come from shared/CLINICAL.md via ProtocolConfig.
"""

from __future__ import annotations

import json
import time
from contextlib import closing
from dataclasses import dataclass

import pytest

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import MEDIUM, default_limits
from groupkap.errors import BadInputError
from groupkap.protocol.config import DEFAULT_SCREENING, ELIGIBLE, INELIGIBLE, NEEDS_REVIEW
from groupkap.protocol.group import CHECK_OVERDUE, Protocol
from groupkap.protocol.participant import (
    DISCHARGED,
    DOSED,
    MONITORING,
    READY,
    READY_FOR_DISCHARGE,
    SCREENING,
    NeedsConfirmation,
)
from groupkap.readings import Latest

MIN = 60.0


# -- helpers ---------------------------------------------------------------------------------
@dataclass
class Event:
    kind: str
    data: dict
    pid: str | None
    actor: str
    t: float


class Log(list):
    """The protocol's (or alarm engine's) event sink: Events in the order they were recorded."""

    def __init__(self, clock) -> None:
        super().__init__()
        self.clock = clock

    def __call__(self, kind, data, pid, actor) -> None:
        self.append(Event(kind, data, pid, actor, self.clock.now()))

    def kinds(self, pid=None) -> list[str]:
        return [e.kind for e in self if pid is None or e.pid == pid]

    def of(self, kind, pid=None) -> list[Event]:
        return [e for e in self if e.kind == kind and (pid is None or e.pid == pid)]


ALL_NO = {rule.id: False for rule in DEFAULT_SCREENING}
READY_ITEMS = {
    "consent_current": True,
    "fasting_confirmed": True,
    "ride_home_name": "Sam Lee",
    "ride_home_phone": "+44 20 7946 0000",
    "intention": "to meet what comes with curiosity",
    "touch_consent": False,  # "no" is an answer, not a gap
    "music_choice": "silence",
}
MANUAL_OK = {
    "alert_oriented": True,
    "steady_gait": True,
    "escort_present": True,
    "instructions_given": True,
    "no_driving_acknowledged": True,
}


@pytest.fixture
def log(clock) -> Log:
    return Log(clock)


@pytest.fixture
def protocol(clock, log) -> Protocol:
    return Protocol(clock, log)


def make_ready(protocol, pid, bp=(122, 78)):
    """Screened eligible, ready, and (unless bp is None) a pre-dose BP by hand."""
    protocol.complete_screening(pid, ALL_NO, "Dr Reyes")
    protocol.confirm_readiness(pid, READY_ITEMS, "nurse Kim")
    if bp is not None:
        protocol.record_bp(pid, *bp)


def dose_im(protocol, pid, **kw):
    args = {
        "route": "IM",
        "dose_mg": 56,
        "weight_kg": 70,
        "lot": "KT-2291",
        "given_by": "Dr Okafor",
    } | kw
    return protocol.give_dose(pid, **args)


def refused(call, *needles):
    """`call` raises BadInputError whose message holds every needle; returns the message."""
    with pytest.raises(BadInputError) as exc:
        call()
    message = str(exc.value)
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    return message


def bp_checks(log, pid):
    """(label, minutes since T0, sbp, source) of each post-dose BP check of `pid`."""
    t0 = log.of("dose.given", pid)[0].data["t0"]
    return [
        (e.data["label"], (e.data["t_measured"] - t0) / MIN, e.data["sbp"], e.data["source"])
        for e in log.of("check.recorded", pid)
        if e.data["check"] == "BP" and e.data["t_measured"] > t0
    ]


def fresh(clock, value=97.0):
    """A SpO2 the monitor measured just now."""
    return Latest(clock.now(), value, "monitor")


def settle(protocol, pid, moaas=5, cadss=2):
    """A MOAA/S of 5 and a CADSS back near the (absent, so 0) pre-dose CADSS, scored now:
    sedation and dissociation have resolved."""
    protocol.record_moaas(pid, moaas, "nurse Kim")
    protocol.record_cadss(pid, cadss, "nurse Kim")


def run(protocol, clock, minutes, *, cuff=None, spo2=None, step=10.0, every_step=None):
    """Advance `minutes` in `step`-second steps; each step first lets `cuff(now)` give
    (pid, seat, sbp, dbp) cuff readings to `observe`, then ticks the protocol. `spo2(pid)`
    gives the newest SpO2 as a `Latest`; by default 97 % measured at that moment."""
    spo2 = spo2 or (lambda pid: fresh(clock))
    for _ in range(round(minutes * MIN / step)):
        clock.advance(step)
        now = clock.now()
        for pid, seat, sbp, dbp in cuff(now) if cuff else ():
            protocol.observe(pid, seat, "SBP", now, sbp)
            protocol.observe(pid, seat, "DBP", now, dbp)
        protocol.tick(spo2)
        if every_step:
            every_step(now)


def cuff_every_5_min(pid, seat, t0, values):
    """A monitor cuff cycling every 5 min from T0; values(minute since T0) -> (sbp, dbp)."""

    def cuff(now):
        m = (now - t0) / MIN
        if m > 0 and round(now - t0) % 300 == 0:
            return [(pid, seat, *values(m))]
        return []

    return cuff


# -- screening -------------------------------------------------------------------------------
def test_all_no_is_eligible_with_the_reviewer_named(protocol, log):
    result = protocol.complete_screening("p1", ALL_NO, "  Dr Reyes ")
    assert result["outcome"] == ELIGIBLE
    assert result["reviewer"] == "Dr Reyes"
    assert result["positive"] == []
    [event] = log
    assert (event.kind, event.pid, event.actor) == ("screening.completed", "p1", "  Dr Reyes ")
    assert event.data["answers"] == ALL_NO


def test_psychosis_makes_a_participant_ineligible_and_blocks_readiness(protocol, log, clock):
    result = protocol.complete_screening("p1", ALL_NO | {"psychosis": True}, "Dr Reyes")
    assert result["outcome"] == INELIGIBLE
    assert result["positive"] == ["psychosis"]
    assert protocol.of("p1").phase(clock.now()) == "ineligible"
    refused(lambda: protocol.confirm_readiness("p1", READY_ITEMS, "nurse Kim"), "ineligible")
    # an ineligible screening is never approved away
    refused(lambda: protocol.approve_screening("p1", "Dr Chen", "looks fine"), "needs review")
    assert log.kinds() == ["screening.completed"]


def test_ineligible_wins_over_needs_review(protocol):
    answers = ALL_NO | {"hypertension": True, "pregnancy": True}
    assert protocol.complete_screening("p1", answers, "Dr Reyes")["outcome"] == INELIGIBLE


def test_hypertension_needs_review_until_a_named_reviewer_approves_with_a_reason(
    protocol, log, clock
):
    result = protocol.complete_screening("p1", ALL_NO | {"hypertension": True}, "nurse Kim")
    assert result["outcome"] == NEEDS_REVIEW
    refused(lambda: protocol.confirm_readiness("p1", READY_ITEMS, "nurse Kim"), "needs review")
    refused(lambda: protocol.approve_screening("p1", "Dr Chen", "  "), "reason")
    refused(lambda: protocol.approve_screening("p1", "", "controlled on amlodipine"), "name")
    assert log.kinds() == ["screening.completed"]

    approved = protocol.approve_screening("p1", "Dr Chen", "controlled on amlodipine")
    assert approved["outcome"] == ELIGIBLE
    assert approved["approved_by"] == "Dr Chen"
    assert approved["approval_reason"] == "controlled on amlodipine"
    assert approved["positive"] == ["hypertension"]
    protocol.confirm_readiness("p1", READY_ITEMS, "nurse Kim")
    assert protocol.of("p1").phase(clock.now()) == READY
    assert log.kinds() == ["screening.completed", "screening.completed", "readiness.confirmed"]
    assert log[1].actor == "Dr Chen"


@pytest.mark.parametrize("rule", DEFAULT_SCREENING, ids=lambda r: r.id)
def test_a_missing_answer_is_refused_naming_the_question(protocol, log, rule):
    answers = {k: v for k, v in ALL_NO.items() if k != rule.id}
    refused(lambda: protocol.complete_screening("p1", answers, "Dr Reyes"), rule.question)
    assert log == []
    assert protocol.of("p1").screening is None


def test_an_answer_that_is_not_yes_or_no_is_refused(protocol, log):
    refused(
        lambda: protocol.complete_screening("p1", ALL_NO | {"psychosis": "no"}, "Dr Reyes"),
        "Psychosis",
    )
    refused(
        lambda: protocol.complete_screening("p1", {}, "Dr Reyes"),
        DEFAULT_SCREENING[0].question,
        f"and {len(DEFAULT_SCREENING) - 1} more",
    )
    assert log == []


@pytest.mark.parametrize("reviewer", ["", "   "])
def test_screening_without_a_reviewer_is_refused(protocol, log, reviewer):
    refused(lambda: protocol.complete_screening("p1", ALL_NO, reviewer), "reviewer")
    assert log == []
    assert protocol.of("p1").screening is None


# -- readiness -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "key, label",
    [
        ("consent_current", "consent is current"),
        ("fasting_confirmed", "fasting confirmed"),
        ("ride_home_name", "ride home: name"),
        ("ride_home_phone", "ride home: phone"),
        ("intention", "intention recorded"),
        ("touch_consent", "supportive touch"),
        ("music_choice", "music choice or silence"),
    ],
)
@pytest.mark.parametrize("how", ["absent", "blank"])
def test_each_missing_readiness_item_is_named(protocol, log, clock, key, label, how):
    protocol.complete_screening("p1", ALL_NO, "Dr Reyes")
    items = {k: v for k, v in READY_ITEMS.items() if k != key}
    if how == "blank":
        items[key] = "  "
    message = refused(lambda: protocol.confirm_readiness("p1", items, "nurse Kim"), label)
    others = [
        lbl
        for k, lbl in (("ride_home_phone", "ride home: phone"), ("music_choice", "music choice"))
        if k != key
    ]
    assert not any(other in message for other in others)  # only what is missing
    assert log.kinds() == ["screening.completed"]
    assert protocol.of("p1").phase(clock.now()) == SCREENING


def test_several_missing_items_are_all_named(protocol):
    protocol.complete_screening("p1", ALL_NO, "Dr Reyes")
    items = {
        k: v
        for k, v in READY_ITEMS.items()
        if k not in ("ride_home_phone", "touch_consent", "music_choice")
    }
    refused(
        lambda: protocol.confirm_readiness("p1", items, "nurse Kim"),
        "ride home: phone",
        "supportive touch",
        "music choice",
    )


@pytest.mark.parametrize("key", ["consent_current", "fasting_confirmed"])
def test_consent_or_fasting_answered_no_is_refused(protocol, log, key):
    protocol.complete_screening("p1", ALL_NO, "Dr Reyes")
    refused(
        lambda: protocol.confirm_readiness("p1", READY_ITEMS | {key: False}, "nurse Kim"),
        "consent and fasting",
    )
    assert log.kinds() == ["screening.completed"]
    assert protocol.of("p1").readiness is None


def test_readiness_before_screening_is_refused(protocol, log):
    refused(lambda: protocol.confirm_readiness("p1", READY_ITEMS, "nurse Kim"), "not screened")
    assert log == []


def test_a_complete_ready_checklist_makes_the_participant_ready(protocol, log, clock):
    protocol.complete_screening("p1", ALL_NO, "Dr Reyes")
    assert protocol.of("p1").phase(clock.now()) == SCREENING
    result = protocol.confirm_readiness("p1", READY_ITEMS | {"extra": "ignored"}, "nurse Kim")
    assert result == READY_ITEMS
    assert protocol.of("p1").phase(clock.now()) == READY
    assert log[-1].kind == "readiness.confirmed" and log[-1].actor == "nurse Kim"
    assert log[-1].data == READY_ITEMS
    assert protocol.of("p1").next_check(clock.now()) == ("pre-dose", -1.0)


# -- dose ------------------------------------------------------------------------------------
def test_a_dose_before_readiness_is_refused(protocol, log):
    protocol.complete_screening("p1", ALL_NO, "Dr Reyes")
    refused(lambda: dose_im(protocol, "p1"), "confirm readiness first")
    assert log.kinds() == ["screening.completed"]


def test_an_unknown_route_lists_the_routes(protocol, log):
    make_ready(protocol, "p1")
    before = len(log)
    refused(lambda: dose_im(protocol, "p1", route="oral"), "'oral'", "IV, IM, SL, IN")
    assert len(log) == before


@pytest.mark.parametrize("route", ["IM", "IV"])
@pytest.mark.parametrize("weight", [None, 0])
def test_a_per_kg_route_without_a_weight_is_refused(protocol, log, route, weight):
    make_ready(protocol, "p1")
    before = len(log)
    refused(
        lambda: dose_im(protocol, "p1", route=route, dose_mg=40, weight_kg=weight),
        "weight",
        "mg/kg",
    )
    assert len(log) == before
    assert protocol.of("p1").dose is None


def test_t0_in_the_future_is_refused(protocol, log, clock):
    make_ready(protocol, "p1")
    before = len(log)
    refused(lambda: dose_im(protocol, "p1", t0=clock.now() + 10 * MIN), "T0 is in the future")
    assert len(log) == before


@pytest.mark.parametrize(
    "change, needle",
    [
        ({"dose_mg": 0}, "above 0"),
        ({"weight_kg": 7}, "not plausible"),
        ({"lot": " "}, "lot number"),
        ({"given_by": ""}, "who gave"),
    ],
)
def test_other_incomplete_doses_are_refused(protocol, log, change, needle):
    make_ready(protocol, "p1")
    before = len(log)
    refused(lambda: dose_im(protocol, "p1", **change), needle)
    assert len(log) == before


@pytest.mark.parametrize(
    "dose_mg, weight, mg_per_kg", [(35, 70, 0.5), (56, 70, 0.8), (80, 80, 1.0)]
)
def test_an_im_dose_in_range_records_mg_per_kg(protocol, log, clock, dose_mg, weight, mg_per_kg):
    make_ready(protocol, "p1")
    dose = dose_im(protocol, "p1", dose_mg=dose_mg, weight_kg=weight)
    assert dose["mg_per_kg"] == pytest.approx(mg_per_kg)
    assert dose["warnings_confirmed"] == []
    assert dose["override"] is None
    assert dose["t0"] == clock.now()
    assert dose["pre_dose_bp"] == [122, 78]
    event = log[-1]
    assert (event.kind, event.pid, event.actor) == ("dose.given", "p1", "Dr Okafor")
    assert event.data == dose
    assert {"route", "dose_mg", "weight_kg", "mg_per_kg", "lot", "given_by", "t0"} <= set(dose)
    assert protocol.of("p1").phase(clock.now()) == DOSED


def test_an_out_of_range_dose_needs_confirmation_then_is_recorded(protocol, log):
    make_ready(protocol, "p1")
    before = len(log)
    with pytest.raises(NeedsConfirmation) as exc:
        dose_im(protocol, "p1", dose_mg=100, weight_kg=70)
    [warning] = exc.value.warnings
    assert "1.429 mg/kg" in warning and "0.5–1 mg/kg" in warning and "IM" in warning
    assert "confirm" in str(exc.value)
    assert len(log) == before
    assert protocol.of("p1").dose is None

    dose = dose_im(protocol, "p1", dose_mg=100, weight_kg=70, confirmed=True)
    assert dose["warnings_confirmed"] == [warning]
    assert log[-1].kind == "dose.given"
    assert log[-1].data["warnings_confirmed"] == [warning]


def test_an_iv_dose_above_0_8_mg_per_kg_needs_confirmation(protocol):
    make_ready(protocol, "p1")
    with pytest.raises(NeedsConfirmation, match="0.5–0.8 mg/kg"):
        protocol.give_dose(
            "p1", route="IV", dose_mg=70, weight_kg=70, lot="L", given_by="Dr Okafor"
        )
    assert (
        protocol.give_dose(
            "p1", route="IV", dose_mg=35, weight_kg=70, lot="L", given_by="Dr Okafor"
        )["mg_per_kg"]
        == 0.5
    )


@pytest.mark.parametrize("dose_mg", [56, 84])
def test_intranasal_esketamine_56_or_84_mg_is_fine(protocol, dose_mg):
    make_ready(protocol, "p1")
    dose = protocol.give_dose(
        "p1", route="IN", dose_mg=dose_mg, weight_kg=None, lot="SPR-7", given_by="nurse Kim"
    )
    assert dose["warnings_confirmed"] == [] and dose["mg_per_kg"] is None


def test_intranasal_esketamine_70_mg_needs_confirmation(protocol, log):
    make_ready(protocol, "p1")
    before = len(log)
    with pytest.raises(NeedsConfirmation) as exc:
        protocol.give_dose(
            "p1", route="IN", dose_mg=70, weight_kg=None, lot="SPR-7", given_by="nurse Kim"
        )
    assert "56 or 84 mg" in exc.value.warnings[0] and "70 mg" in exc.value.warnings[0]
    assert len(log) == before


@pytest.mark.parametrize(
    "dose_mg, ok", [(25, True), (150, True), (300, True), (20, False), (400, False)]
)
def test_sublingual_is_a_fixed_25_to_300_mg_without_weight(protocol, dose_mg, ok):
    make_ready(protocol, "p1")

    def give():
        return protocol.give_dose(
            "p1", route="SL", dose_mg=dose_mg, weight_kg=None, lot="LZ-1", given_by="Dr Okafor"
        )

    if ok:
        assert give()["warnings_confirmed"] == []
    else:
        with pytest.raises(NeedsConfirmation, match="25–300 mg"):
            give()


def test_no_pre_dose_bp_is_refused(protocol, log):
    make_ready(protocol, "p1", bp=None)
    before = len(log)
    refused(lambda: dose_im(protocol, "p1"), "pre-dose blood pressure")
    assert len(log) == before


@pytest.mark.parametrize(
    "override",
    [
        None,
        {"prescriber": "Dr Chen"},
        {"reason": "white-coat hypertension, home readings normal"},
        {"prescriber": " ", "reason": "white-coat hypertension"},
    ],
)
def test_a_high_pre_dose_bp_is_refused_without_a_full_override(protocol, log, override):
    make_ready(protocol, "p1", bp=(150, 95))
    before = len(log)
    refused(
        lambda: dose_im(protocol, "p1", override=override),
        "150/95",
        "140/90",
        "prescriber",
        "reason",
    )
    assert len(log) == before
    assert protocol.of("p1").dose is None


def test_a_prescriber_override_with_a_reason_is_logged_with_the_dose(protocol, log):
    make_ready(protocol, "p1", bp=(150, 95))
    override = {"prescriber": "Dr Chen", "reason": "white-coat hypertension"}
    dose = dose_im(protocol, "p1", override=override)
    assert log[-1].kind == "dose.given"
    assert log[-1].data["override"] == override
    assert log[-1].data["pre_dose_bp"] == [150, 95]
    assert dose["override"] == override


def test_a_bp_at_the_gate_is_not_above_it(protocol):
    make_ready(protocol, "p1", bp=(140, 90))
    assert dose_im(protocol, "p1")["override"] is None


def test_a_second_dose_is_refused(protocol, log):
    make_ready(protocol, "p1")
    dose_im(protocol, "p1")
    before = len(log)
    refused(lambda: dose_im(protocol, "p1", dose_mg=20), "already recorded")
    assert len(log) == before


def test_a_back_dated_t0_keeps_the_pre_dose_bp_as_baseline(protocol, log, clock):
    """The dose is entered 5 min after it was given, with the pre-dose BP typed in just
    before: that BP is still the baseline, so checks end once BP is back near it."""
    make_ready(protocol, "p1", bp=None)
    clock.advance(10 * MIN)
    protocol.record_bp("p1", 120, 80)
    t0 = clock.now() - 5 * MIN
    dose_im(protocol, "p1", t0=t0)
    p = protocol.of("p1")
    assert p.baseline == (120, 80)
    clock.advance(31 * MIN)  # T0 + 36: inside the +40 check's window (from T0+35)
    assert protocol.record_bp("p1", 124, 82).label == "+40 min"
    assert p.next_check(clock.now()) == ("before discharge", t0 + 120 * MIN)


# -- BP checks from each participant's own T0: a group of six --------------------------------
GROUP = [  # pid, seat, route, dose mg, weight kg, T0 minute, baseline SBP/DBP
    ("p1", 1, "IV", 35, 70, 0, (118, 76)),
    ("p2", 2, "IM", 60, 80, 4, (124, 80)),
    ("p3", 3, "SL", 200, None, 9, (112, 72)),
    ("p4", 4, "IN", 84, None, 13, (130, 84)),  # BP stays high until T0+100
    ("p5", 5, "IM", 60, 60, 20, (120, 78)),
    ("p6", 6, "SL", 150, None, 26, (116, 74)),
]
PERSISTENT = "p4"
LOW_SPO2 = "p3"  # SpO2 93 % (below the floor of 94) until T0+130
# Scored by the nurse: pre-dose CADSS 4; at T0+30 MOAA/S 4 and CADSS 30; at T0+90 MOAA/S 5
# and CADSS 6 (within 5 of the pre-dose 4): sedation and dissociation resolved at T0+90.
SCORES = {30: (4, 30), 90: (5, 6)}


def group_bp(pid, base, m):
    """Cuff BP at `m` min after T0 (m < 0: before the dose): +20/+12 peaking at T0+40, back
    at baseline by T0+75; the persistent one +25/+15 from T0+40 until T0+100."""
    sbp, dbp = base
    if m <= 5:
        return sbp, dbp
    if pid == PERSISTENT:
        rise = 0.0 if m >= 100 else min(1.0, (m - 5) / 35)
        return sbp + 25 * rise, dbp + 15 * rise
    rise = max(0.0, 1 - abs(m - 40) / 35)
    return sbp + 20 * rise, dbp + 12 * rise


def test_a_group_of_six_gets_its_bp_checks_from_each_own_t0(clock, store):
    start = clock.now()
    session_id = store.start_session(seats=6, source="test")
    log = Log(clock)

    def sink(kind, data, pid, actor):
        log(kind, data, pid, actor)
        store.record(session_id, kind, data, participant_id=pid, actor=actor)

    alarm_log = Log(clock)
    alarms = AlarmEngine(clock, default_limits(), alarm_log)
    protocol = Protocol(clock, sink, alarms=alarms)
    for pid, seat, *_ in GROUP:
        store.record(
            session_id,
            "participant.added",
            {"alias": pid.upper(), "seat": seat},
            participant_id=pid,
            projections=[
                (
                    "insert into participants (id, session_id, alias, seat, added_at) "
                    "values (?, ?, ?, ?, ?)",
                    (pid, session_id, pid.upper(), seat, start),
                )
            ],
        )

    t0s = {pid: start + d * MIN for pid, _, _, _, _, d, _ in GROUP}
    base = {pid: b for pid, *_, b in GROUP}
    phases = {pid: [] for pid, *_ in GROUP}
    ready_minute_seen = {}  # from the ticks: first minute each was ready for discharge
    early_refusals = {}

    def spo2(pid):
        m = (clock.now() - t0s[pid]) / MIN
        return fresh(clock, 93.0 if pid == LOW_SPO2 and m < 130 else 97.0)

    def note_phases(now):
        for pid in phases:
            phase = protocol.of(pid).phase(now, spo2(pid))
            if not phases[pid] or phases[pid][-1] != phase:
                phases[pid].append(phase)
            if phase == READY_FOR_DISCHARGE and pid not in ready_minute_seen:
                ready_minute_seen[pid] = round((now - t0s[pid]) / MIN)

    note_phases(start)
    for pid, *_ in GROUP:
        protocol.complete_screening(pid, ALL_NO, "Dr Reyes")
        protocol.confirm_readiness(pid, READY_ITEMS, "nurse Kim")
        # the pre-dose CADSS, scored 5 min ago (p1's dose is now: its T0 is `start`)
        protocol.record_cadss(pid, 4, "nurse Kim", t=start - 5 * MIN)
    protocol.record_bp("p1", *base["p1"])  # the others' pre-dose BP comes from the monitor
    note_phases(start)

    began = time.perf_counter()
    for step in range(3 * 60 * 6 + 1):  # 3 hours in 10-second steps
        if step:
            clock.advance(10)
        now = clock.now()
        for pid, seat, route, mg, kg, d, _ in GROUP:
            if protocol.of(pid).dose is None and now >= t0s[pid]:
                protocol.give_dose(
                    pid, route=route, dose_mg=mg, weight_kg=kg, lot="LOT-1", given_by="Dr Okafor"
                )
        for pid, seat, *_ in GROUP:  # each seat's cuff cycles every 5 min, seat-staggered
            if step and (step * 10 - 30 * seat) % 300 == 0:
                sbp, dbp = group_bp(pid, base[pid], (now - t0s[pid]) / MIN)
                protocol.observe(pid, seat, "SBP", now, sbp)
                protocol.observe(pid, seat, "DBP", now, dbp)
                protocol.observe(pid, seat, "MAP", now, (sbp + 2 * dbp) / 3)  # ignored
            if round(now - t0s[pid]) in {m * 60 for m in SCORES}:
                moaas, cadss = SCORES[round(now - t0s[pid]) // 60]
                protocol.record_moaas(pid, moaas, "nurse Kim")
                protocol.record_cadss(pid, cadss, "nurse Kim")
        protocol.tick(spo2)
        for pid, *_ in GROUP:
            p = protocol.of(pid)
            m = (now - t0s[pid]) / MIN
            if p.discharge is None and m >= 100 and pid not in early_refusals:
                early_refusals[pid] = refused(
                    lambda pid=pid: protocol.sign_discharge(pid, "Dr Reyes", MANUAL_OK, spo2(pid)),
                    "minimum observation time met",
                )
            if p.discharge is None and m >= 140:
                assert p.next_check(now) is None
                protocol.sign_discharge(pid, "Dr Reyes", MANUAL_OK, spo2(pid))
        note_phases(now)
    elapsed = time.perf_counter() - began
    assert elapsed < 3.0, f"3 simulated hours took {elapsed:.1f} s"

    for pid, seat, *_ in GROUP:
        t0 = t0s[pid]
        checks = bp_checks(log, pid)
        labels = [c[0] for c in checks]
        minutes = [c[1] for c in checks]
        # the cuff's readings of this seat, in minutes since this participant's T0
        readings = [(k * 300 + 30 * seat - (t0 - start)) / MIN for k in range(1, 40)]
        # the first check is the first cuff reading within 5 min before T0+40
        assert minutes[0] == min(r for r in readings if r >= 35), pid
        assert labels[0] == "+40 min"
        # every check is a cuff reading, within 5 min before its due minute
        assert all(m in readings for m in minutes)
        assert all(source == "monitor" for *_, source in checks)
        for label, m, *_ in checks:
            due = 120 if label == "before discharge" else int(label.strip("+ min"))
            assert due - 5 <= m <= due, (pid, label, m)
        if pid == PERSISTENT:
            # still high at +55, +70, +85 and +100: a check every 15 min, on the grid;
            # back near baseline at the +115 check (its reading at +114 is before the
            # before-discharge check's window opens at +115), then before discharge
            assert labels == [
                "+40 min",
                "+55 min",
                "+70 min",
                "+85 min",
                "+100 min",
                "+115 min",
                "before discharge",
            ]
            assert [c[2] > base[pid][0] + 10 for c in checks] == [True] * 5 + [False] * 2
        else:
            # high at the peak and at +55, back near baseline at +70, then before discharge
            assert labels == ["+40 min", "+55 min", "+70 min", "before discharge"], pid
        assert 110 <= minutes[-1] <= 120
        # the pre-dose check and its source
        pre = [
            e.data
            for e in log.of("check.recorded", pid)
            if e.data["check"] == "BP" and e.data["t_measured"] <= t0
        ]
        assert [d["label"] for d in pre] == ["pre-dose"]
        assert pre[0]["source"] == ("hand" if pid == "p1" else "monitor")
        assert log.of("dose.given", pid)[0].data["pre_dose_bp"] == list(base[pid])
        assert log.of("check.overdue", pid) == []
        # phases, each from this participant's own T0
        assert phases[pid] == [
            SCREENING,
            READY,
            DOSED,
            MONITORING,
            READY_FOR_DISCHARGE,
            DISCHARGED,
        ], pid
        # ready for discharge (the 120-min minimum and the checks included) at T0+120, or
        # T0+130 for the one whose SpO2 was low until then
        assert ready_minute_seen[pid] == (130 if pid == LOW_SPO2 else 120)
        # the ready-to-leave minute leaves the minimum out: sedation and dissociation
        # resolved at T0+90; the persistent one's BP was back near baseline only at +104
        # (its first cuff reading from T0+100); the low SpO2 one's SpO2 came up at +130
        ready_to_leave = {PERSISTENT: 104, LOW_SPO2: 130}.get(pid, 90)
        [ready] = log.of("discharge.ready", pid)
        assert ready.data == {"ready_to_leave_minute": ready_to_leave}
        assert ready.t == t0 + ready_to_leave * MIN and ready.actor == "system"
        # discharge: refused at T0+100, signed at T0+140 with the ready-to-leave minute
        assert "minimum observation time met (120 min)" in early_refusals[pid]
        [signed] = log.of("discharge.signed", pid)
        assert signed.data["minutes_since_t0"] == 140.0
        assert signed.data["ready_to_leave_minute"] == ready_to_leave
        assert signed.data["spo2"] == {"value": 97.0, "t": t0 + 140 * MIN, "source": "monitor"}
        assert protocol.of(pid).next_check(clock.now()) is None
    bp_counts = {pid: len(bp_checks(log, pid)) for pid, *_ in GROUP}
    assert all(bp_counts[PERSISTENT] > n for pid, n in bp_counts.items() if pid != PERSISTENT)
    assert not any(a["key"] == CHECK_OVERDUE for a in (e.data for e in alarm_log))

    # the log tells the same story, per participant, in order
    store.flush()
    with closing(store.reader()) as conn:
        rows = conn.execute(
            "select participant, seat, kind, actor, data from v_events where session_id = ?",
            (session_id,),
        ).fetchall()
        seqs = [
            r[0]
            for r in conn.execute(
                "select participant_id from events where session_id = ? order by seq", (session_id,)
            )
        ]
    assert [r["participant"] for r in rows] == [s.upper() if s else None for s in seqs]
    for pid, seat, route, mg, *_ in GROUP:
        story = [r for r in rows if r["participant"] == pid.upper()]
        assert {r["seat"] for r in story} == {seat}
        kinds = [r["kind"] for r in story]
        data = [json.loads(r["data"]) for r in story]
        mine = [e for e in log if e.pid == pid]
        assert kinds == ["participant.added"] + [e.kind for e in mine], pid
        assert data[1:] == [json.loads(json.dumps(e.data)) for e in mine], pid
        assert kinds[:6] == [
            "participant.added",
            "screening.completed",
            "readiness.confirmed",
            "check.recorded",
            "check.recorded",
            "dose.given",
        ], pid
        assert (data[3]["check"], data[3]["value"]) == ("CADSS", 4)
        assert (data[4]["check"], data[4]["label"]) == ("BP", "pre-dose")
        assert (data[5]["route"], data[5]["dose_mg"]) == (route, mg)
        bp = [(r, d) for r, d in zip(story, data) if d.get("check") == "BP"][1:]
        assert [d["label"] for _, d in bp] == [c[0] for c in bp_checks(log, pid)]
        assert len(bp) == bp_counts[pid] and {r["actor"] for r, _ in bp} == {"system"}
        scored = [
            (d["check"], d["value"]) for d in data[6:] if d.get("check") in ("MOAA/S", "CADSS")
        ]
        assert scored == [("MOAA/S", 4), ("CADSS", 30), ("MOAA/S", 5), ("CADSS", 6)]
        assert kinds.count("discharge.ready") == 1 and kinds[-1] == "discharge.signed"
        ready = data[kinds.index("discharge.ready")]
        assert ready["ready_to_leave_minute"] == data[-1]["ready_to_leave_minute"]
        assert data[-1]["signed_by"] == "Dr Reyes"
        assert story[-1]["actor"] == "Dr Reyes"


# -- overdue checks --------------------------------------------------------------------------
def test_an_overdue_check_is_recorded_once_and_alarms_until_a_bp_is_entered(clock, log):
    alarm_log = Log(clock)
    alarms = AlarmEngine(clock, default_limits(), alarm_log)
    protocol = Protocol(clock, log, alarms=alarms)
    make_ready(protocol, "p1", bp=(120, 80))
    make_ready(protocol, "p2", bp=(120, 80))
    dose_im(protocol, "p1")
    dose_im(protocol, "p2")
    t0 = clock.now()
    high = lambda m: (150, 95)  # noqa: E731 - never near baseline: a check every 15 min
    cuff_p1 = cuff_every_5_min("p1", 1, t0, high)
    cuff_p2 = cuff_every_5_min("p2", 2, t0, high)
    # p1's cuff works until T0+45 (so the +40 check fills), then sends nothing more;
    # p2's keeps going and never falls due
    run(protocol, clock, 45, cuff=lambda now: cuff_p1(now) + cuff_p2(now))
    assert [c[:2] for c in bp_checks(log, "p1")] == [("+40 min", 35.0)]
    p1 = protocol.of("p1")
    assert p1.next_check(clock.now()) == ("+55 min", t0 + 55 * MIN)

    run(protocol, clock, 13, cuff=cuff_p2)  # T0+58: due + grace exactly, not yet late
    assert log.of("check.overdue") == []
    assert "p1:CHECK_OVERDUE" not in alarms.alarms

    run(protocol, clock, 1 / 6, cuff=cuff_p2)  # T0+58:10
    [overdue] = log.of("check.overdue")
    assert overdue.pid == "p1" and overdue.actor == "system"
    assert overdue.data == {"check": "BP", "label": "+55 min", "minutes_late": 3}
    alarm = alarms.alarms["p1:CHECK_OVERDUE"]
    assert (alarm.technical, alarm.priority, alarm.key) == (True, MEDIUM, CHECK_OVERDUE)
    assert alarm.condition_active and "+55 min" in alarm.text
    assert not any(a.participant_id == "p2" for a in alarms.alarms.values())

    run(protocol, clock, 5, cuff=cuff_p2)  # still late: recorded once, one alarm
    assert len(log.of("check.overdue")) == 1
    assert [e.data["key"] for e in alarm_log.of("alarm.raised")] == [CHECK_OVERDUE]

    # by hand at T0+63:10, inside the +55 check's window (until T0+70)
    check = protocol.record_bp("p1", 138, 86, actor="nurse Kim")
    assert (check.label, check.source) == ("+55 min", "hand")
    assert "p1:CHECK_OVERDUE" not in alarms.alarms
    [cleared] = alarm_log.of("alarm.cleared")
    assert cleared.data["key"] == CHECK_OVERDUE and cleared.pid == "p1"
    assert log[-1].kind == "check.recorded" and log[-1].actor == "nurse Kim"
    # the next check stays on the grid from T0 (a late entry shifts nothing); it too
    # falls overdue (a new label) later
    assert p1.next_check(clock.now()) == ("+70 min", t0 + 70 * MIN)
    run(protocol, clock, 19, cuff=cuff_p2)
    assert [e.data["label"] for e in log.of("check.overdue")] == ["+55 min", "+70 min"]
    assert alarms.alarms["p1:CHECK_OVERDUE"].priority == MEDIUM
    assert log.of("check.overdue", "p2") == []


def test_a_late_monitor_reading_fills_an_overdue_check_and_clears_the_alarm(clock, log):
    alarms = AlarmEngine(clock, default_limits(), Log(clock))
    protocol = Protocol(clock, log, alarms=alarms)
    make_ready(protocol, "p1")
    dose_im(protocol, "p1")
    t0 = clock.now()
    run(protocol, clock, 45)  # no cuff at all: the +40 check falls overdue at T0+43
    assert [e.data["label"] for e in log.of("check.overdue")] == ["+40 min"]
    assert "p1:CHECK_OVERDUE" in alarms.alarms
    protocol.observe("p1", 1, "SBP", clock.now(), 124)
    protocol.observe("p1", 1, "DBP", clock.now(), 80)
    assert bp_checks(log, "p1") == [("+40 min", 45.0, 124, "monitor")]
    assert "p1:CHECK_OVERDUE" not in alarms.alarms
    assert protocol.of("p1").next_check(clock.now()) == ("before discharge", t0 + 120 * MIN)


def test_no_check_falls_due_before_the_dose(protocol, log, clock):
    make_ready(protocol, "p1", bp=None)
    run(protocol, clock, 60)
    assert log.of("check.overdue") == []


# -- discharge -------------------------------------------------------------------------------
def dosed_and_watched(protocol, clock, minutes, spo2=None):
    """p1 dosed now, BP +20 at the 40-min check, back at baseline from +55, sedation and
    dissociation resolved at +60 (MOAA/S 5, CADSS 2); run `minutes`."""
    make_ready(protocol, "p1", bp=(120, 80))
    dose_im(protocol, "p1")
    t0 = clock.now()
    cuff = cuff_every_5_min("p1", 1, t0, lambda m: (140, 90) if m < 50 else (122, 80))
    run(protocol, clock, min(minutes, 60), cuff=cuff, spo2=spo2)
    if minutes >= 60:
        settle(protocol, "p1")
        run(protocol, clock, minutes - 60, cuff=cuff, spo2=spo2)
    return t0


def test_discharge_before_the_minimum_time_is_refused(protocol, log, clock):
    dosed_and_watched(protocol, clock, 90)
    before = len(log)
    message = refused(
        lambda: protocol.sign_discharge("p1", "Dr Reyes", MANUAL_OK, fresh(clock)),
        "discharge refused",
        "minimum observation time met (120 min)",
    )
    assert "alert and oriented" not in message
    assert len(log) == before
    assert protocol.of("p1").discharge is None
    assert protocol.of("p1").phase(clock.now(), fresh(clock)) == MONITORING


def test_discharge_with_manual_items_open_lists_them(protocol, log, clock):
    dosed_and_watched(protocol, clock, 125)
    before = len(log)
    manual = MANUAL_OK | {"escort_present": False, "no_driving_acknowledged": None}
    del manual["steady_gait"]
    message = refused(
        lambda: protocol.sign_discharge("p1", "Dr Reyes", manual, fresh(clock)),
        "escort present",
        "steady gait",
        "no driving acknowledged",
    )
    assert "minimum observation" not in message and "alert and oriented" not in message
    assert len(log) == before


@pytest.mark.parametrize("signer", ["", "  "])
def test_discharge_without_a_signer_is_refused(protocol, log, clock, signer):
    dosed_and_watched(protocol, clock, 125)
    before = len(log)
    refused(lambda: protocol.sign_discharge("p1", signer, MANUAL_OK, fresh(clock)), "named person")
    assert len(log) == before


def test_discharge_without_a_dose_is_refused(protocol, log, clock):
    make_ready(protocol, "p1")
    before = len(log)
    refused(lambda: protocol.sign_discharge("p1", "Dr Reyes", MANUAL_OK, fresh(clock)), "no dose")
    assert len(log) == before


@pytest.mark.parametrize("spo2", [93.9, None])
def test_spo2_below_the_floor_blocks_discharge(protocol, log, clock, spo2):
    dosed_and_watched(protocol, clock, 125)
    latest = None if spo2 is None else fresh(clock, spo2)
    before = len(log)
    refused(
        lambda: protocol.sign_discharge("p1", "Dr Reyes", MANUAL_OK, latest),
        "SpO2 at or above 94 % in the last 5 min",
        "take a SpO2 reading",
    )
    assert len(log) == before
    assert protocol.of("p1").phase(clock.now(), latest) == MONITORING


def test_a_complete_discharge_is_signed_with_the_ready_to_leave_minute(protocol, log, clock):
    # SpO2 93 % until T0+127, so the automatic criteria are first all met at T0+127
    t0 = clock.now()
    ready_at = []

    def spo2(pid):
        return fresh(clock, 93.0 if clock.now() - t0 < 127 * MIN else 96.0)

    def watch(now):
        if not ready_at and protocol.of("p1").phase(now, spo2("p1")) == READY_FOR_DISCHARGE:
            ready_at.append(now)

    make_ready(protocol, "p1", bp=(120, 80))
    dose_im(protocol, "p1")
    cuff = cuff_every_5_min("p1", 1, t0, lambda m: (140, 90) if m < 50 else (122, 80))
    run(protocol, clock, 60, cuff=cuff, spo2=spo2, every_step=watch)
    settle(protocol, "p1")
    run(protocol, clock, 90, cuff=cuff, spo2=spo2, every_step=watch)
    assert [c[0] for c in bp_checks(log, "p1")] == ["+40 min", "+55 min", "before discharge"]
    assert ready_at == [t0 + 127 * MIN]
    assert protocol.ready_to_leave_minute("p1") == 127
    [ready] = log.of("discharge.ready", "p1")
    assert ready.data == {"ready_to_leave_minute": 127} and ready.t == t0 + 127 * MIN

    record = protocol.sign_discharge("p1", " Dr Reyes ", MANUAL_OK, spo2("p1"))
    assert record["ready_to_leave_minute"] == 127
    assert record["minutes_since_t0"] == 150.0
    assert record["signed_by"] == "Dr Reyes" and record["meaning"] == "approval"
    assert record["spo2"] == {"value": 96.0, "t": clock.now(), "source": "monitor"}
    assert all(record["items"].values())
    assert set(MANUAL_OK) <= set(record["items"])
    assert "minimum observation time met (120 min)" in record["items"]
    assert "sedation resolved (MOAA/S 5 after the dose and any lower score)" in record["items"]
    event = log[-1]
    assert (event.kind, event.pid, event.data) == ("discharge.signed", "p1", record)
    p = protocol.of("p1")
    assert p.phase(clock.now(), spo2("p1")) == DISCHARGED
    assert p.next_check(clock.now()) is None
    # once discharged, nothing falls due and nothing more is signed
    run(protocol, clock, 60)
    assert log[-1] is event


# -- phases over time ------------------------------------------------------------------------
def test_phases_run_from_screening_to_discharged(protocol, clock):
    p = protocol.of("p1")
    seen = [p.phase(clock.now(), fresh(clock))]
    protocol.complete_screening("p1", ALL_NO, "Dr Reyes")
    seen.append(p.phase(clock.now(), fresh(clock)))
    protocol.confirm_readiness("p1", READY_ITEMS, "nurse Kim")
    seen.append(p.phase(clock.now(), fresh(clock)))
    protocol.record_bp("p1", 120, 80)
    dose_im(protocol, "p1")
    t0 = clock.now()
    by_minute = {}

    def watch(now):
        by_minute[round((now - t0) / MIN, 2)] = p.phase(now, fresh(clock))

    cuff = cuff_every_5_min("p1", 1, t0, lambda m: (138, 88) if m < 50 else (121, 80))
    run(protocol, clock, 60, cuff=cuff, every_step=watch)
    settle(protocol, "p1")
    run(protocol, clock, 70, cuff=cuff, every_step=watch)
    protocol.sign_discharge("p1", "Dr Reyes", MANUAL_OK, fresh(clock))
    assert seen == [SCREENING, SCREENING, READY]
    # IM: "dosed" until its onset (5 min), then "monitoring".
    assert by_minute[0.17] == DOSED and by_minute[4.83] == DOSED
    assert by_minute[5.0] == MONITORING and by_minute[119.83] == MONITORING
    assert by_minute[120.0] == READY_FOR_DISCHARGE
    assert p.phase(clock.now(), fresh(clock)) == DISCHARGED
    assert p.observation_fraction(t0 + 60 * MIN) == 0.5
    assert p.observation_fraction(clock.now()) == 1.0


# -- quick entries ---------------------------------------------------------------------------
@pytest.mark.parametrize("score", [0, 3, 5])
def test_moaas_0_to_5_is_recorded(protocol, log, clock, score):
    entry_id = protocol.record_moaas("p1", score, "nurse Kim")
    [event] = log
    assert (event.kind, event.actor) == ("check.recorded", "nurse Kim")
    assert event.data == {
        "check": "MOAA/S",
        "value": score,
        "entry_id": entry_id,
        "t_measured": clock.now(),
        "taken_by": "nurse Kim",
        "corrects": None,
        "reason": None,
    }


@pytest.mark.parametrize("score", [6, -1, 2.5, True, "4", None])
def test_moaas_out_of_range_is_refused(protocol, log, score):
    refused(lambda: protocol.record_moaas("p1", score, "nurse Kim"), "MOAA/S", "is 0 to 5")
    assert log == []


@pytest.mark.parametrize("total", [0, 23, 92])
def test_cadss_total_0_to_92_is_recorded(protocol, log, clock, total):
    entry_id = protocol.record_cadss("p1", total, "nurse Kim", t=clock.now() - 2 * MIN)
    assert log[0].data == {
        "check": "CADSS",
        "value": total,
        "entry_id": entry_id,
        "t_measured": clock.now() - 2 * MIN,
        "taken_by": "nurse Kim",
        "corrects": None,
        "reason": None,
    }


@pytest.mark.parametrize("total", [93, -1, 40.5, False])
def test_cadss_out_of_range_is_refused(protocol, log, total):
    refused(lambda: protocol.record_cadss("p1", total, "nurse Kim"), "0 to 92")
    assert log == []


@pytest.mark.parametrize("severity", ["mild", "moderate", "severe"])
def test_an_adverse_event_is_recorded(protocol, log, clock, severity):
    protocol.record_adverse_event(
        "p1",
        description=" nausea ",
        severity=severity,
        intervention="ondansetron 4 mg",
        outcome="resolved",
        actor="nurse Kim",
        t=clock.now() - 120,
    )
    [event] = log
    assert event.kind == "adverse_event.recorded" and event.actor == "nurse Kim"
    assert event.data == {
        "event_id": event.data["event_id"],
        "description": "nausea",
        "severity": severity,
        "intervention": "ondansetron 4 mg",
        "outcome": "resolved",
        "t_occurred": clock.now() - 120,
    }


@pytest.mark.parametrize(
    "change, needle",
    [
        ({"severity": "bad"}, "mild, moderate, severe"),
        ({"severity": ""}, "mild, moderate, severe"),
        ({"description": "  "}, "what happened"),
        ({"outcome": ""}, "outcome"),
    ],
)
def test_an_incomplete_adverse_event_is_refused(protocol, log, change, needle):
    args = {
        "description": "nausea",
        "severity": "mild",
        "intervention": "",
        "outcome": "resolved",
        "actor": "nurse Kim",
    } | change
    refused(lambda: protocol.record_adverse_event("p1", **args), needle)
    assert log == []


def test_a_note_is_care_team_only_and_an_empty_one_is_refused(protocol, log):
    refused(lambda: protocol.add_note("p1", "   ", "Dr Reyes"), "empty")
    assert log == []
    protocol.add_note("p1", " tearful at +50, settled with music ", "Dr Reyes")
    [event] = log
    assert event.kind == "note.added" and event.pid == "p1" and event.actor == "Dr Reyes"
    assert event.data == {"text": "tearful at +50, settled with music", "care_team_only": True}


def test_an_implausible_bp_entry_is_refused(protocol, log):
    make_ready(protocol, "p1", bp=None)
    refused(lambda: protocol.record_bp("p1", 80, 120), "not plausible")
    refused(lambda: protocol.record_bp("p1", 400, 90), "not plausible")
    assert log.kinds() == ["screening.completed", "readiness.confirmed"]


def test_a_moaas_below_5_holds_discharge_until_sedation_resolves(protocol, log, clock):
    p = protocol.of("p1")
    protocol.complete_screening("p1", ALL_NO, "Dr Reyes")
    protocol.confirm_readiness("p1", READY_ITEMS, "nurse Kim")
    protocol.record_bp("p1", 120, 80)
    dose_im(protocol, "p1")
    protocol.record_moaas("p1", 3, "nurse Kim")
    protocol.record_cadss("p1", 0, "nurse Kim")
    t0 = p.t0
    cuff = cuff_every_5_min("p1", 1, t0, lambda m: (121, 80))
    run(protocol, clock, 125, cuff=cuff)
    criteria = p.automatic_criteria(clock.now(), fresh(clock))
    assert [k for k, ok in criteria.items() if not ok] == [
        "sedation resolved (MOAA/S 5 after the dose and any lower score)"
    ]
    before = len(log)
    refused(
        lambda: protocol.sign_discharge("p1", "Dr Reyes", MANUAL_OK, fresh(clock)),
        "sedation resolved",
    )
    assert len(log) == before and log.of("discharge.ready") == []
    protocol.record_moaas("p1", 5, "nurse Kim")
    record = protocol.sign_discharge("p1", "Dr Reyes", MANUAL_OK, fresh(clock))
    assert record["signed_by"] == "Dr Reyes" and record["ready_to_leave_minute"] == 125
    assert log.kinds()[-2:] == ["discharge.ready", "discharge.signed"]


def test_a_bp_well_below_baseline_is_near_baseline_above_the_hypotension_floor(protocol):
    """CLINICAL.md: only a rise above the pre-dose BP keeps a BP from "near baseline"; a
    BP below it blocks only under the hypotension floor (SBP 90)."""
    p = protocol.of("p1")
    protocol.complete_screening("p1", ALL_NO, "Dr Reyes")
    protocol.confirm_readiness("p1", READY_ITEMS, "nurse Kim")
    protocol.record_bp("p1", 130, 85)
    dose_im(protocol, "p1")
    assert p.near_baseline(protocol.record_bp("p1", 100, 60))
    assert not p.near_baseline(protocol.record_bp("p1", 85, 55))
