"""Protocol defaults from CLINICAL.md: every figure a clinic may change, none hard-coded.

Routes, dose ranges (warnings, not limits), the pre-dose blood-pressure gate, the BP check
schedule, the minimum observation time, discharge floors and the screening rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from groupkap.errors import ConfigError
from groupkap.ranges import check_range

INELIGIBLE, NEEDS_REVIEW, ELIGIBLE = "ineligible", "needs review", "eligible"
OUTCOME_RANK = {ELIGIBLE: 0, NEEDS_REVIEW: 1, INELIGIBLE: 2}


@dataclass(frozen=True)
class Route:
    """A way ketamine or esketamine is given.

    Attributes:
        code: short name used in the log (`IV`, `IM`, `SL`, `IN`).
        label: what the facilitator reads.
        per_kg: True when the range is in mg/kg (weight required), False for fixed mg.
        low, high: the usual range (a dose outside it needs explicit confirmation).
        esketamine: True for intranasal esketamine (its monitoring record is required).
        allowed: for fixed-dose products, the usual doses.
        onset_min: the tile says "dosed" until onset, then "monitoring" (CLINICAL.md: IM
            about 5 min, sublingual 15–20 min; an IV infusion runs over 40 min).
        min_observation_floor_min: monitoring after the dose no setting may shorten (the
            esketamine REMS requires at least 2 hours); 0 when the clinic decides.
    """

    code: str
    label: str
    per_kg: bool
    low: float
    high: float
    esketamine: bool = False
    allowed: tuple[float, ...] = ()
    onset_min: float = 10
    min_observation_floor_min: float = 0


ROUTES = {
    r.code: r
    for r in (
        Route("IV", "IV infusion (40 min)", True, 0.5, 0.8, onset_min=10),
        Route("IM", "IM injection", True, 0.5, 1.0, onset_min=5),
        Route("SL", "sublingual / oral lozenge", False, 25, 300, onset_min=15),
        Route(
            "IN",
            "intranasal esketamine",
            False,
            56,
            84,
            esketamine=True,
            allowed=(56, 84),
            onset_min=10,
            min_observation_floor_min=120,
        ),
    )
}


@dataclass(frozen=True)
class ScreeningRule:
    """One contraindication question and what a "yes" means.

    Attributes:
        id: stable key used in the log.
        question: what the screener is asked.
        outcome_if_yes: `ineligible` or `needs review`.
    """

    id: str
    question: str
    outcome_if_yes: str


DEFAULT_SCREENING = (
    ScreeningRule("hypertension", "Uncontrolled hypertension (above 140/90)?", NEEDS_REVIEW),
    ScreeningRule("psychosis", "Psychosis, history or active symptoms?", INELIGIBLE),
    ScreeningRule("aneurysm", "Aneurysmal vascular disease?", INELIGIBLE),
    ScreeningRule("avm", "Arteriovenous malformation?", INELIGIBLE),
    ScreeningRule("ich", "History of intracerebral haemorrhage?", INELIGIBLE),
    ScreeningRule("pregnancy", "Pregnant?", INELIGIBLE),
    ScreeningRule("sud", "Substance use disorder not in remission?", NEEDS_REVIEW),
    # Concomitant medications that may cause sedation or BP changes: one question per class,
    # as the esketamine REMS Patient Monitoring Form asks them.
    ScreeningRule("psychostimulants", "Currently taking a psychostimulant?", NEEDS_REVIEW),
    ScreeningRule("maoi", "Currently taking a monoamine oxidase inhibitor (MAOI)?", NEEDS_REVIEW),
    ScreeningRule("benzodiazepines", "Currently taking a benzodiazepine?", NEEDS_REVIEW),
    ScreeningRule(
        "sedative_hypnotics",
        "Currently taking a non-benzodiazepine sedative hypnotic?",
        NEEDS_REVIEW,
    ),
    ScreeningRule("opioids", "Currently taking an opioid?", NEEDS_REVIEW),
)


@dataclass(frozen=True)
class ProtocolConfig:
    """What a clinic lead may tune.

    Attributes:
        bp_gate_sbp, bp_gate_dbp: a pre-dose BP above either blocks "dose given" unless a
            prescriber overrides with a reason.
        first_check_min: the BP check after T0 (the peak is near 40 min).
        check_every_min: then every so often until back near baseline.
        baseline_margin_mmhg: "near baseline": SBP and DBP within this of the pre-dose BP.
        overdue_grace_min: a check this late raises the technical "check overdue" alarm.
        check_window_before_min, check_window_after_min: a BP fills a due check only when it
            was measured inside [due - before, due + after]; a check whose window closes
            without one is missed, and the schedule goes on from its due time.
        min_observation_min: minimum observation after T0 before discharge, every route.
        min_observation_by_route: a route's own minimum (route code -> minutes), overriding
            `min_observation_min`; intranasal esketamine can never go below its floor.
        discharge_spo2_floor: SpO2 at or above this to discharge.
        discharge_spo2_max_age_min: the SpO2 a discharge rests on is at most this old.
        hypotension_sbp_floor: a post-dose SBP below this blocks "near baseline" (a BP
            below the pre-dose BP is otherwise fine; only a rise above it is not).
        moaas_alarm_floor: a MOAA/S at or below this raises a medium clinical alarm, as
            does a fall of `moaas_alarm_drop` or more from the participant's baseline.
        cadss_margin: a post-dose CADSS within this of the pre-dose CADSS counts as
            dissociation resolved.
        due_horizon_min: the room's "due next" strip lists what falls due this far ahead.
        screening: the contraindication rules.
    """

    bp_gate_sbp: float = 140
    bp_gate_dbp: float = 90
    first_check_min: float = 40
    check_every_min: float = 15
    baseline_margin_mmhg: float = 10
    overdue_grace_min: float = 3
    check_window_before_min: float = 5
    check_window_after_min: float = 15
    min_observation_min: float = 120
    min_observation_by_route: dict[str, float] = field(default_factory=dict)
    discharge_spo2_floor: float = 94
    discharge_spo2_max_age_min: float = 5
    hypotension_sbp_floor: float = 90
    moaas_alarm_floor: int = 2
    moaas_alarm_drop: int = 2
    cadss_margin: float = 5
    due_horizon_min: float = 15
    screening: tuple[ScreeningRule, ...] = field(default=DEFAULT_SCREENING)

    RANGES = {
        "first_check_min": (10, 90),
        "check_every_min": (5, 30),
        "baseline_margin_mmhg": (0, 40),
        "overdue_grace_min": (0, 15),
        "check_window_before_min": (0, 15),
        "check_window_after_min": (1, 30),
        "min_observation_min": (30, 480),
        "discharge_spo2_floor": (85, 100),
        "discharge_spo2_max_age_min": (1, 15),
        "hypotension_sbp_floor": (70, 110),
        "moaas_alarm_floor": (0, 4),
        "moaas_alarm_drop": (1, 5),
        "cadss_margin": (0, 20),
        "due_horizon_min": (5, 60),
        "bp_gate_sbp": (100, 220),
        "bp_gate_dbp": (50, 130),
    }

    def __post_init__(self) -> None:
        for name, (lo, hi) in self.RANGES.items():
            check_range(f"protocol.{name}", getattr(self, name), lo, hi)
        for route, minutes in self.min_observation_by_route.items():
            if route not in ROUTES:
                raise ConfigError(
                    f"protocol.min_observation_{route}: unknown route; "
                    f"routes are {', '.join(ROUTES)}"
                )
            floor = ROUTES[route].min_observation_floor_min
            try:
                check_range(f"protocol.min_observation_{route}", minutes, max(30, floor), 480)
            except ConfigError as exc:
                if not floor:
                    raise
                raise ConfigError(
                    f"{exc}; {ROUTES[route].label} needs at least {floor:g} min "
                    "of monitoring after the dose, a floor no setting may "
                    "lower"
                ) from None

    def min_observation_for(self, route: str | None) -> float:
        """The minimum observation after T0 for `route`: its own setting, else the general
        one, never below the route's floor (intranasal esketamine: 120 min)."""
        minutes = self.min_observation_by_route.get(route, self.min_observation_min)
        floor = ROUTES[route].min_observation_floor_min if route in ROUTES else 0
        return max(minutes, floor)
