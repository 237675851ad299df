"""Clinical truth at the exact thresholds: check windows, near baseline, current SpO2,
sedation and dissociation, the MOAA/S alarm, per-route minimum and the ready-to-leave minute.

Every test sits on a threshold from shared/CLINICAL.md (through ProtocolConfig defaults) and
the value one unit (one second, one mmHg, one point) either side, on the simulated clock, so
it fails if the threshold moves. The event sink is a plain list: the protocol is under test.
"""

from __future__ import annotations

import pytest

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import HIGH, MEDIUM, default_limits
from groupkap.errors import BadInputError, ConfigError
from groupkap.protocol.config import DEFAULT_SCREENING, ProtocolConfig
from groupkap.protocol.group import CHECK_OVERDUE, Protocol
from groupkap.readings import Latest

MIN = 60.0
ALL_NO = {rule.id: False for rule in DEFAULT_SCREENING}
READY_ITEMS = {
    "consent_current": True,
    "fasting_confirmed": True,
    "ride_home_name": "Sam Lee",
    "ride_home_phone": "+44 20 7946 0000",
    "intention": "rest",
    "touch_consent": False,
    "music_choice": "silence",
}
MANUAL_OK = {
    "alert_oriented": True,
    "steady_gait": True,
    "escort_present": True,
    "instructions_given": True,
    "no_driving_acknowledged": True,
}
DOSES = {"IM": {"dose_mg": 56, "weight_kg": 70}, "IN": {"dose_mg": 84, "weight_kg": None}}


class Log(list):
    """An event sink: (kind, data, pid, actor, clock time) in the order recorded."""

    def __init__(self, clock) -> None:
        super().__init__()
        self.clock = clock

    def __call__(self, kind, data, pid, actor) -> None:
        self.append((kind, data, pid, actor, self.clock.now()))

    def kinds(self) -> list[str]:
        return [e[0] for e in self]

    def of(self, kind) -> list[tuple]:
        return [e for e in self if e[0] == kind]


@pytest.fixture
def log(clock) -> Log:
    return Log(clock)


@pytest.fixture
def alarm_log(clock) -> Log:
    return Log(clock)


@pytest.fixture
def alarms(clock, alarm_log) -> AlarmEngine:
    return AlarmEngine(clock, default_limits(), alarm_log)


@pytest.fixture
def protocol(clock, log, alarms) -> Protocol:
    return Protocol(clock, log, alarms=alarms)


def dosed(protocol, clock, pid="p1", *, route="IM", bp=(120, 80), moaas=None, cadss=None):
    """Screened, ready, pre-dose BP (and MOAA/S, CADSS if given); dosed 5 min later."""
    protocol.complete_screening(pid, ALL_NO, "Dr Reyes")
    protocol.confirm_readiness(pid, READY_ITEMS, "RN Kim")
    protocol.record_bp(pid, *bp)
    if moaas is not None:
        protocol.record_moaas(pid, moaas, "RN Kim")
    if cadss is not None:
        protocol.record_cadss(pid, cadss, "RN Kim")
    clock.advance(5 * MIN)
    protocol.give_dose(pid, route=route, lot="KT-1", given_by="Dr Okafor", **DOSES[route])
    return protocol.of(pid)


def at(clock, t: float) -> float:
    """Move the simulated clock forward to `t`."""
    return clock.advance(t - clock.now())


def fresh(clock, value=97.0) -> Latest:
    return Latest(clock.now(), value, "monitor")


def criterion(criteria: dict[str, bool], opening: str) -> bool:
    [ok] = [ok for text, ok in criteria.items() if text.startswith(opening)]
    return ok


def bp_checks_after_dose(log, t0) -> list[str]:
    return [
        d["label"]
        for k, d, *_ in log
        if k == "check.recorded" and d["check"] == "BP" and d["t_measured"] >= t0
    ]


# -- check windows -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "offset_s, label",
    [
        (-301, ""),
        (-300, "+40 min"),
        (900, "+40 min"),
        (901, "+55 min"),  # the +40 window has closed: it is the next check on the grid
    ],
)
def test_a_bp_fills_the_40_min_check_only_inside_its_window(protocol, clock, log, offset_s, label):
    p = dosed(protocol, clock)
    due = p.t0 + 40 * MIN
    at(clock, due + offset_s)
    check = protocol.record_bp("p1", 150, 95, source="monitor", actor="system")
    assert check.label == label
    assert bp_checks_after_dose(log, p.t0) == ([label] if label else [])
    assert p.bp_readings == [check]  # every post-dose BP still counts as a reading


@pytest.mark.parametrize(
    "offset_s, label", [(-301, ""), (-300, "before discharge"), (60 * MIN, "before discharge")]
)
def test_the_before_discharge_window_opens_5_min_before_and_never_closes(
    protocol, clock, log, offset_s, label
):
    p = dosed(protocol, clock)
    at(clock, p.t0 + 40 * MIN)
    protocol.record_bp("p1", 122, 80)  # back near baseline at the first check
    at(clock, p.t0 + 120 * MIN + offset_s)
    assert protocol.record_bp("p1", 121, 79).label == label
    assert p.next_check(clock.now()) == (None if label else ("before discharge", p.t0 + 120 * MIN))


def test_a_check_whose_window_closes_without_a_bp_is_missed(protocol, clock, log, alarms):
    p = dosed(protocol, clock)
    due = p.t0 + 40 * MIN
    spo2 = lambda pid: fresh(clock)  # noqa: E731
    at(clock, due + 3 * MIN)  # due + grace exactly: not yet late
    protocol.tick(spo2)
    assert log.of("check.overdue") == []
    at(clock, due + 3 * MIN + 1)
    protocol.tick(spo2)
    [(_, data, pid, actor, _)] = log.of("check.overdue")
    assert (data["label"], pid, actor) == ("+40 min", "p1", "system")
    assert "p1:CHECK_OVERDUE" in alarms.alarms

    at(clock, due + 15 * MIN)  # the window's last second: still the +40 check, still late
    protocol.tick(spo2)
    assert log.of("check.missed") == []
    assert p.next_check(clock.now()) == ("+40 min", due)

    at(clock, due + 15 * MIN + 1)
    protocol.tick(spo2)
    [(_, data, pid, actor, t)] = log.of("check.missed")
    assert (data, pid, actor, t) == (
        {"check": "BP", "label": "+40 min"},
        "p1",
        "system",
        clock.now(),
    )
    assert "p1:CHECK_OVERDUE" not in alarms.alarms
    assert p.next_check(clock.now()) == ("+55 min", p.t0 + 55 * MIN)  # on the grid
    assert len(log.of("check.overdue")) == 1  # +55 is not late yet


def test_a_hand_bp_two_minutes_after_t0_is_not_the_40_min_check(protocol, clock, log):
    """The bug from issue 9: a BP typed in at T0+2 was filed as the +40 check."""
    p = dosed(protocol, clock)
    at(clock, p.t0 + 2 * MIN)
    check = protocol.record_bp("p1", 150, 95, actor="RN Kim")
    assert (check.label, check.due, check.source) == ("", None, "hand")
    assert bp_checks_after_dose(log, p.t0) == []
    assert p.next_check(clock.now()) == ("+40 min", p.t0 + 40 * MIN)
    at(clock, p.t0 + 43 * MIN + 1)
    protocol.tick(lambda pid: fresh(clock))
    assert [e[1]["label"] for e in log.of("check.overdue")] == ["+40 min"]


# -- near baseline (pre-dose 120/80) ---------------------------------------------------------
@pytest.mark.parametrize(
    "sbp, dbp, near",
    [
        (130, 90, True),
        (131, 80, False),
        (120, 91, False),  # at most 10 mmHg above
        (95, 55, True),  # well below baseline is fine
        (90, 60, True),
        (89, 60, False),  # the hypotension floor: SBP 90
    ],
)
def test_near_baseline_is_at_most_10_above_and_not_under_sbp_90(protocol, clock, sbp, dbp, near):
    p = dosed(protocol, clock)
    at(clock, p.t0 + 40 * MIN)
    check = protocol.record_bp("p1", sbp, dbp, actor="RN Kim")
    assert check.label == "+40 min"
    assert p.near_baseline(check) is near
    assert criterion(p.clinical_criteria(clock.now(), fresh(clock)), "BP back near") is near
    # a check not near baseline keeps the checks going every 15 min
    expected = ("before discharge", p.t0 + 120 * MIN) if near else ("+55 min", p.t0 + 55 * MIN)
    assert p.next_check(clock.now()) == expected


# -- SpO2 for discharge ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, age_s, met",
    [
        (94.0, 0, True),
        (93.9, 0, False),  # the floor: 94 %
        (97.0, 300, True),
        (97.0, 301, False),  # current: from the last 5 min
    ],
)
def test_discharge_spo2_is_at_least_94_and_at_most_5_min_old(protocol, clock, value, age_s, met):
    p = dosed(protocol, clock)
    at(clock, p.t0 + 60 * MIN)
    spo2 = Latest(clock.now() - age_s, value, "monitor")
    assert criterion(p.clinical_criteria(clock.now(), spo2), "SpO2 at or above 94 %") is met


def test_no_spo2_is_not_met(protocol, clock):
    p = dosed(protocol, clock)
    assert criterion(p.clinical_criteria(clock.now(), None), "SpO2") is False


def ready_but_for_spo2(protocol, clock):
    """p1 at T0+125: BP checks done and near baseline, sedation and dissociation resolved."""
    p = dosed(protocol, clock)
    at(clock, p.t0 + 40 * MIN)
    protocol.record_bp("p1", 124, 82, actor="RN Kim")
    at(clock, p.t0 + 60 * MIN)
    protocol.record_moaas("p1", 5, "RN Kim")
    protocol.record_cadss("p1", 2, "RN Kim")
    at(clock, p.t0 + 118 * MIN)
    protocol.record_bp("p1", 121, 80, actor="RN Kim")
    at(clock, p.t0 + 125 * MIN)
    return p


@pytest.mark.parametrize("stale", [True, False], ids=["an-hour-old", "none"])
def test_no_spo2_for_the_last_hour_refuses_discharge(protocol, clock, log, stale):
    p = ready_but_for_spo2(protocol, clock)
    spo2 = Latest(clock.now() - 60 * MIN, 98.0, "monitor") if stale else None
    before = list(log)
    with pytest.raises(BadInputError) as exc:
        protocol.sign_discharge("p1", "Dr Reyes", MANUAL_OK, spo2)
    message = str(exc.value)
    assert "SpO2 at or above 94 % in the last 5 min" in message
    assert "take a SpO2 reading" in message
    assert "minimum observation" not in message and "sedation" not in message
    assert log == before and p.discharge is None and p.ready_to_leave_t is None
    record = protocol.sign_discharge("p1", "Dr Reyes", MANUAL_OK, fresh(clock, 96.0))
    assert record["spo2"] == {"value": 96.0, "t": clock.now(), "source": "monitor"}


# -- sedation (MOAA/S) -----------------------------------------------------------------------
def sedation(p, clock) -> bool:
    return criterion(p.clinical_criteria(clock.now(), fresh(clock)), "sedation resolved")


@pytest.mark.parametrize(
    "scores, resolved",
    [
        ((), False),  # no post-dose MOAA/S: not resolved (the pre-dose 5 does not count)
        ((3, 5), True),
        ((5, 3), False),
        ((5, 4, 5), True),
        ((4,), False),
    ],
)
def test_sedation_resolves_with_a_5_after_the_dose_and_any_lower_score(
    protocol, clock, scores, resolved
):
    p = dosed(protocol, clock, moaas=5)
    for score in scores:
        clock.advance(MIN)
        protocol.record_moaas("p1", score, "RN Kim")
    assert sedation(p, clock) is resolved


def test_a_struck_lower_score_no_longer_holds_sedation(protocol, clock, log):
    p = dosed(protocol, clock)
    clock.advance(MIN)
    protocol.record_moaas("p1", 5, "RN Kim")
    clock.advance(MIN)
    wrong = protocol.record_moaas("p1", 3, "RN Kim")
    assert sedation(p, clock) is False
    with pytest.raises(BadInputError, match="reason"):
        protocol.strike_entry("p1", wrong, " ", "RN Kim")
    protocol.strike_entry("p1", wrong, "scored the wrong participant", "RN Kim")
    assert sedation(p, clock) is True
    assert log[-1][:4] == (
        "entry.struck",
        {"entry_id": wrong, "check": "MOAA/S", "reason": "scored the wrong participant"},
        "p1",
        "RN Kim",
    )
    with pytest.raises(BadInputError, match="already struck"):
        protocol.strike_entry("p1", wrong, "again", "RN Kim")


@pytest.mark.parametrize("first, corrected, resolved", [(3, 5, True), (5, 3, False)])
def test_a_correction_replaces_the_old_entry(protocol, clock, log, first, corrected, resolved):
    p = dosed(protocol, clock)
    clock.advance(MIN)
    old = protocol.record_moaas("p1", first, "RN Kim")
    scored_at = clock.now()
    clock.advance(MIN)
    new = protocol.record_moaas(
        "p1", corrected, "RN Kim", t=scored_at, corrects=old, reason="misread my note"
    )
    assert sedation(p, clock) is resolved
    assert [e.value for e in p.scores if not e.struck] == [corrected]
    assert log[-1][1] | {"entry_id": None} == {
        "check": "MOAA/S",
        "value": corrected,
        "entry_id": None,
        "t_measured": scored_at,
        "taken_by": "RN Kim",
        "corrects": old,
        "reason": "misread my note",
    }
    assert log[-1][1]["entry_id"] == new != old


# -- dissociation (CADSS, pre-dose 10, margin 5) ---------------------------------------------
def dissociation(p, clock) -> bool:
    return criterion(p.clinical_criteria(clock.now(), fresh(clock)), "dissociation resolved")


@pytest.mark.parametrize("post, resolved", [(None, False), (30, False), (15, True), (16, False)])
def test_dissociation_resolves_within_5_of_the_pre_dose_cadss(protocol, clock, post, resolved):
    p = dosed(protocol, clock, cadss=10)
    if post is not None:
        clock.advance(60 * MIN)
        protocol.record_cadss("p1", post, "RN Kim")
    assert dissociation(p, clock) is resolved


def test_an_attestation_resolves_dissociation(protocol, clock, log):
    p = dosed(protocol, clock, cadss=10)
    clock.advance(60 * MIN)
    protocol.record_cadss("p1", 16, "RN Kim")
    for who, why in (("", "calm, oriented"), ("Dr Reyes", "  ")):
        with pytest.raises(BadInputError, match="name and what they saw"):
            protocol.attest_dissociation("p1", who, why)
    assert dissociation(p, clock) is False
    protocol.attest_dissociation("p1", " Dr Reyes ", " calm, oriented, talking clearly ")
    assert dissociation(p, clock) is True
    assert log[-1][:4] == (
        "dissociation.attested",
        {"attested_by": "Dr Reyes", "reason": "calm, oriented, talking clearly"},
        "p1",
        "Dr Reyes",
    )


def test_a_cadss_above_the_margin_after_an_attestation_outweighs_it(protocol, clock):
    p = dosed(protocol, clock, cadss=10)
    clock.advance(30 * MIN)
    protocol.record_cadss("p1", 30, "RN Kim")
    clock.advance(5 * MIN)
    protocol.attest_dissociation("p1", "Dr Reyes", "calm, oriented")
    assert dissociation(p, clock) is True
    clock.advance(25 * MIN)
    protocol.record_cadss("p1", 40, "RN Kim")  # dissociated again, after the attestation
    assert dissociation(p, clock) is False
    clock.advance(10 * MIN)
    protocol.attest_dissociation("p1", "Dr Reyes", "settled again")
    assert dissociation(p, clock) is True


def test_an_attestation_before_the_dose_is_refused(protocol, clock, log):
    protocol.complete_screening("p1", ALL_NO, "Dr Reyes")
    before = list(log)
    with pytest.raises(BadInputError, match="no dose"):
        protocol.attest_dissociation("p1", "Dr Reyes", "calm")
    assert log == before and protocol.of("p1").dissociation_attested_at is None


# -- the MOAA/S alarm (floor 2, a drop of 2 from baseline) -----------------------------------
def moaas_alarm(alarms):
    return alarms.alarms.get("p1:MOAA/S")


@pytest.mark.parametrize(
    "baseline, score, raised",
    [
        (3, 2, True),
        (4, 3, False),  # the floor: a 2 alarms even one below a baseline of 3
        (5, 4, False),
        (5, 3, True),  # a drop of 2 from the baseline
    ],
)
def test_a_moaas_at_the_floor_or_2_below_baseline_raises_a_medium_clinical_alarm(
    protocol, clock, alarms, baseline, score, raised
):
    dosed(protocol, clock, moaas=baseline)
    assert moaas_alarm(alarms) is None
    clock.advance(30 * MIN)
    protocol.record_moaas("p1", score, "RN Kim")
    alarm = moaas_alarm(alarms)
    if not raised:
        assert alarm is None
        return
    assert (alarm.priority, alarm.technical, alarm.key) == (MEDIUM, False, "MOAA/S")
    assert alarm.text.startswith(f"MOAA/S {score}")
    clock.advance(5 * MIN)
    protocol.record_moaas("p1", 5, "RN Kim")
    assert moaas_alarm(alarms) is None


# -- minimum observation per route -----------------------------------------------------------
def test_intranasal_esketamine_cannot_go_below_120_min():
    with pytest.raises(ConfigError) as exc:
        ProtocolConfig(min_observation_by_route={"IN": 119})
    assert "119" in str(exc.value) and "120" in str(exc.value) and "floor" in str(exc.value)
    assert ProtocolConfig(min_observation_by_route={"IN": 120}).min_observation_for("IN") == 120


def test_a_shorter_general_minimum_leaves_the_esketamine_floor(clock, log):
    config = ProtocolConfig(min_observation_min=60)
    assert (config.min_observation_for("IM"), config.min_observation_for("IN")) == (60, 120)
    protocol = Protocol(clock, log, config)
    im, es = dosed(protocol, clock, "p1"), dosed(protocol, clock, "p2", route="IN")
    for p, minutes in ((im, 60), (es, 120)):
        for offset, met in ((-1, False), (0, True)):
            now = p.t0 + minutes * MIN + offset
            criteria = p.automatic_criteria(now, Latest(now, 97.0, "monitor"))
            assert criterion(criteria, f"minimum observation time met ({minutes} min)") is met


# -- the ready-to-leave minute ---------------------------------------------------------------
@pytest.mark.parametrize("settled_s, minute", [(46 * 60, 46), (46 * 60 + 1, 47), (47 * 60, 47)])
def test_the_ready_to_leave_minute_leaves_the_minimum_out(protocol, clock, log, settled_s, minute):
    p = dosed(protocol, clock)
    spo2 = lambda pid: fresh(clock)  # noqa: E731
    at(clock, p.t0 + 40 * MIN)
    protocol.record_bp("p1", 124, 82, source="monitor", actor="system")
    protocol.tick(spo2)
    assert log.of("discharge.ready") == []
    at(clock, p.t0 + settled_s)
    protocol.record_moaas("p1", 5, "RN Kim")
    protocol.record_cadss("p1", 2, "RN Kim")
    protocol.tick(spo2)
    [(_, data, pid, actor, t)] = log.of("discharge.ready")
    assert (data, pid, actor, t) == (
        {"ready_to_leave_minute": minute},
        "p1",
        "system",
        p.t0 + settled_s,
    )
    assert protocol.ready_to_leave_minute("p1") == minute < 120
    at(clock, p.t0 + 118 * MIN)
    protocol.record_bp("p1", 121, 80, source="monitor", actor="system")
    at(clock, p.t0 + 120 * MIN)
    protocol.tick(spo2)
    record = protocol.sign_discharge("p1", "Dr Reyes", MANUAL_OK, fresh(clock))
    assert record["ready_to_leave_minute"] == minute
    assert len(log.of("discharge.ready")) == 1


def test_a_discharge_no_tick_saw_ready_still_logs_ready_first(protocol, clock, log):
    ready_but_for_spo2(protocol, clock)  # no tick ever ran
    assert log.of("discharge.ready") == []
    protocol.sign_discharge("p1", "Dr Reyes", MANUAL_OK, fresh(clock))
    assert log.kinds()[-2:] == ["discharge.ready", "discharge.signed"]
    assert log[-2][1] == {"ready_to_leave_minute": 125}
    assert log[-1][1]["ready_to_leave_minute"] == 125


# -- technical alarms never go above medium --------------------------------------------------
def test_a_late_check_alarm_stays_medium_while_a_clinical_medium_escalates(
    protocol, clock, alarms, alarm_log
):
    p = dosed(protocol, clock)
    at(clock, p.t0 + 43 * MIN + 1)
    protocol.tick(lambda pid: fresh(clock))
    protocol.record_moaas("p1", 3, "RN Kim")  # a drop of 2: a medium clinical alarm
    overdue, moaas = alarms.alarms["p1:" + CHECK_OVERDUE], moaas_alarm(alarms)
    assert (overdue.technical, overdue.priority) == (True, MEDIUM)
    assert (moaas.technical, moaas.priority) == (False, MEDIUM)
    wait = alarms.config.escalate_after_s
    alarms.tick(clock.advance(wait - 1))
    assert (overdue.priority, moaas.priority) == (MEDIUM, MEDIUM)
    alarms.tick(clock.advance(1))
    assert (overdue.priority, moaas.priority) == (MEDIUM, HIGH)
    alarms.tick(clock.advance(10 * MIN))
    assert overdue.priority == MEDIUM and overdue.condition_active
    assert [e[1]["key"] for e in alarm_log.of("alarm.escalated")] == ["MOAA/S"]


def test_a_new_fact_withdraws_the_ready_minute_and_the_last_stretch_counts(protocol, clock, log):
    """MOAA/S 5 and a quiet CADSS just after the dose make the criteria hold at +2; a
    MOAA/S 2 at +20 withdraws that, and the minute becomes +90, when a 5 comes back."""
    p = dosed(protocol, clock, moaas=5, cadss=3)
    t0 = p.t0
    protocol.observe("p1", 1, "SBP", clock.now(), 122)
    protocol.observe("p1", 1, "DBP", clock.now(), 80)
    clock.advance(2 * MIN)
    protocol.record_moaas("p1", 5, "RN Kim")
    protocol.record_cadss("p1", 4, "RN Kim")
    protocol.tick(lambda pid: fresh(clock))
    assert protocol.ready_to_leave_minute("p1") == 2
    at(clock, t0 + 20 * MIN)
    protocol.record_moaas("p1", 2, "RN Kim")
    protocol.tick(lambda pid: fresh(clock))
    assert protocol.ready_to_leave_minute("p1") is None
    withdrawn = log.of("discharge.ready_withdrawn")
    assert [d["open"] for _, d, *_ in withdrawn] == [
        ["sedation resolved (MOAA/S 5 after the dose and any lower score)"]
    ]
    at(clock, t0 + 90 * MIN)
    protocol.record_moaas("p1", 5, "RN Kim")
    protocol.tick(lambda pid: fresh(clock))
    assert protocol.ready_to_leave_minute("p1") == 90
    assert [d for k, d, *_ in log if k == "discharge.ready"] == [
        {"ready_to_leave_minute": 2},
        {"ready_to_leave_minute": 90},
    ]


def test_an_aged_spo2_does_not_withdraw_the_ready_minute(protocol, clock, log):
    p = dosed(protocol, clock, moaas=5, cadss=3)
    protocol.observe("p1", 1, "SBP", clock.now(), 122)
    protocol.observe("p1", 1, "DBP", clock.now(), 80)
    clock.advance(30 * MIN)
    protocol.record_moaas("p1", 5, "RN Kim")
    protocol.record_cadss("p1", 4, "RN Kim")
    last = fresh(clock)
    protocol.tick(lambda pid: last)
    assert protocol.ready_to_leave_minute("p1") == 30
    clock.advance(20 * MIN)  # the probe fell off: the SpO2 only ages
    protocol.tick(lambda pid: last)
    assert protocol.ready_to_leave_minute("p1") == 30 and log.of("discharge.ready_withdrawn") == []
    assert p.clinical_criteria(clock.now(), last) != p.clinical_criteria(
        clock.now(), last, fresh_spo2=False
    )  # though discharge itself needs a fresh one
