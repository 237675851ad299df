"""Protocol defaults from CLINICAL.md: every figure a clinic may change, none hard-coded.

Routes, dose ranges (warnings, not limits), the pre-dose blood-pressure gate, the BP check
schedule, the minimum observation time, discharge floors and the screening rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from groupkap.errors import ConfigError

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
    """

    code: str
    label: str
    per_kg: bool
    low: float
    high: float
    esketamine: bool = False
    allowed: tuple[float, ...] = ()
    onset_min: float = 10


ROUTES = {
    r.code: r for r in (
        Route("IV", "IV infusion (40 min)", True, 0.5, 0.8, onset_min=10),
        Route("IM", "IM injection", True, 0.5, 1.0, onset_min=5),
        Route("SL", "sublingual / oral lozenge", False, 25, 300, onset_min=15),
        Route("IN", "intranasal esketamine", False, 56, 84, esketamine=True, allowed=(56, 84),
              onset_min=10),
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
    ScreeningRule("comedication",
                  "Flagged co-medication (MAOI, benzodiazepine, stimulant, opioid)?",
                  NEEDS_REVIEW),
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
        min_observation_min: minimum observation after T0 before discharge.
        discharge_spo2_floor: SpO2 at or above this to discharge.
        screening: the contraindication rules.
    """

    bp_gate_sbp: float = 140
    bp_gate_dbp: float = 90
    first_check_min: float = 40
    check_every_min: float = 15
    baseline_margin_mmhg: float = 10
    overdue_grace_min: float = 3
    min_observation_min: float = 120
    discharge_spo2_floor: float = 94
    screening: tuple[ScreeningRule, ...] = field(default=DEFAULT_SCREENING)

    def __post_init__(self) -> None:
        checks = {"first_check_min": (10, 90), "check_every_min": (5, 30),
                  "baseline_margin_mmhg": (0, 40), "overdue_grace_min": (0, 15),
                  "min_observation_min": (30, 480), "discharge_spo2_floor": (85, 100),
                  "bp_gate_sbp": (100, 220), "bp_gate_dbp": (50, 130)}
        for name, (lo, hi) in checks.items():
            if not lo <= getattr(self, name) <= hi:
                raise ConfigError(f"protocol.{name} = {getattr(self, name)} is out of range; "
                                  f"use {lo} to {hi}")
