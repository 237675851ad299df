"""One participant's protocol: screening, readiness, dose, checks from their own T0, discharge.

Every step validates first and raises `BadInputError` with what is missing or wrong, so a
refused step leaves nothing half-saved. The room-level `Protocol` records the events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from groupkap.errors import BadInputError
from groupkap.protocol.config import (
    ELIGIBLE,
    INELIGIBLE,
    NEEDS_REVIEW,
    OUTCOME_RANK,
    ROUTES,
    ProtocolConfig,
)
from groupkap.protocol.observations import (
    MOAAS,
    ScoredEntry,
    after_dose,
    dissociation_resolved,
    sedation_resolved,
)
from groupkap.readings import Latest

SCREENING, READY, DOSED, MONITORING, READY_FOR_DISCHARGE, DISCHARGED = (
    "screening",
    "ready",
    "dosed",
    "monitoring",
    "ready for discharge",
    "discharged",
)
PRE_DOSE, BEFORE_DISCHARGE = "pre-dose", "before discharge"

READINESS_ITEMS = {
    "consent_current": "consent is current",
    "fasting_confirmed": "fasting confirmed",
    "ride_home_name": "ride home: name",
    "ride_home_phone": "ride home: phone",
    "intention": "intention recorded",
    "touch_consent": "supportive touch: yes or no",
    "music_choice": "music choice or silence",
}
MANUAL_DISCHARGE_ITEMS = {
    "alert_oriented": "alert and oriented",
    "steady_gait": "steady gait",
    "escort_present": "escort present",
    "instructions_given": "instructions given",
    "no_driving_acknowledged": "no driving acknowledged",
}


class NeedsConfirmation(BadInputError):
    """A dose outside its usual range: allowed only when confirmed explicitly.

    Attributes:
        warnings: what is unusual, in words.
    """

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings
        super().__init__("; ".join(warnings) + "; confirm to record this dose anyway")


@dataclass
class BPCheck:
    """A blood pressure reading. Attributes: t (measured), sbp, dbp, source (monitor or
    hand), label (the check it filled, or "" when it fell in no check's window), due (the
    due time of that check, or None), entry_id (a hand entry's id, for a strike)."""

    t: float
    sbp: float
    dbp: float
    source: str
    label: str = ""
    due: float | None = None
    entry_id: str | None = None


@dataclass
class ParticipantProtocol:
    """Where one participant is in the protocol.

    Attributes:
        pid: participant id.
        screening, readiness, dose, discharge: the recorded steps (plain dicts) or None.
        bp_checks: every BP that filled a check, in the order recorded.
        bp_readings: every BP after the dose, monitor or hand, in the order received.
        scores: every MOAA/S and CADSS entry (struck ones marked).
        dissociation_attested_at: when a clinician attested dissociation had resolved.
        baseline: the last pre-dose (SBP, DBP), the reference for "near baseline".
        ready_to_leave_t: when every clinical discharge criterion was first met (the
            minimum observation time left out, as the REMS form asks).
        overdue_label: the label of the check now overdue, or None.
        flags: hard flags staff must see (PHQ-9 item 9 positive).
        last_moaas: the latest standing MOAA/S after T0 (sedation has resolved at 5).
        adverse_events: the open adverse events (their recorded data) by event_id.
        resolved_adverse_events: the resolution of each resolved adverse event by event_id.
    """

    pid: str
    config: ProtocolConfig
    screening: dict | None = None
    readiness: dict | None = None
    dose: dict | None = None
    discharge: dict | None = None
    bp_checks: list[BPCheck] = field(default_factory=list)
    bp_readings: list[BPCheck] = field(default_factory=list)
    scores: list[ScoredEntry] = field(default_factory=list)
    dissociation_attested_at: float | None = None
    ready_to_leave_t: float | None = None
    overdue_label: str | None = None
    flags: list[str] = field(default_factory=list)
    adverse_events: dict[str, dict] = field(default_factory=dict)
    resolved_adverse_events: dict[str, dict] = field(default_factory=dict)

    # -- steps ----------------------------------------------------------------------
    def screen(self, answers: dict[str, bool], reviewer: str) -> dict:
        if self.dose is not None:
            raise BadInputError("a dose is already recorded; screening cannot change now")
        rules = self.config.screening
        missing = [r.question for r in rules if not isinstance(answers.get(r.id), bool)]
        if missing:
            raise BadInputError(
                f"screening is incomplete: answer {missing[0]!r}"
                + (f" and {len(missing) - 1} more" if len(missing) > 1 else "")
            )
        if not reviewer.strip():
            raise BadInputError("screening needs the reviewer's name")
        hits = [r for r in rules if answers[r.id]]
        outcome = max((r.outcome_if_yes for r in hits), key=OUTCOME_RANK.get, default=ELIGIBLE)
        self.screening = {
            "outcome": outcome,
            "reviewer": reviewer.strip(),
            "positive": [r.id for r in hits],
        }
        if outcome != ELIGIBLE:
            self.readiness = None  # a ready gate confirmed before no longer stands
        return self.screening

    def approve_review(self, reviewer: str, reason: str) -> dict:
        """A clinician clears a `needs review` screening (never an `ineligible` one)."""
        if not self.screening or self.screening["outcome"] != NEEDS_REVIEW:
            raise BadInputError("only a screening that needs review can be approved")
        if not reviewer.strip() or not reason.strip():
            raise BadInputError("an approval needs the reviewer's name and a reason")
        self.screening = {
            **self.screening,
            "outcome": ELIGIBLE,
            "approved_by": reviewer.strip(),
            "approval_reason": reason.strip(),
        }
        return self.screening

    def confirm_ready(self, items: dict) -> dict:
        if not self.screening or self.screening["outcome"] != ELIGIBLE:
            state = self.screening["outcome"] if self.screening else "not screened"
            raise BadInputError(f"readiness needs an eligible screening first ({state})")
        missing = [label for key, label in READINESS_ITEMS.items() if not _given(items.get(key))]
        if missing:
            raise BadInputError("not ready yet: " + ", ".join(missing))
        if items.get("consent_current") is not True or items.get("fasting_confirmed") is not True:
            raise BadInputError("not ready: consent and fasting must both be confirmed (yes)")
        self.readiness = {k: items[k] for k in READINESS_ITEMS}
        return self.readiness

    def validate_dose(
        self,
        route: str,
        dose_mg: float,
        weight_kg: float | None,
        lot: str,
        given_by: str,
        t0: float,
        now: float,
        confirmed: bool,
        override: dict | None,
    ) -> dict:
        """Check a dose entry whole; returns the record to save, or raises with the reason."""
        if not self.screening or self.screening["outcome"] != ELIGIBLE:
            state = self.screening["outcome"] if self.screening else "not screened"
            raise BadInputError(f"no dose without an eligible screening ({state})")
        if self.readiness is None:
            raise BadInputError("the ready checklist is not complete: confirm readiness first")
        if self.dose is not None:
            raise BadInputError("a dose is already recorded for this participant")
        if route not in ROUTES:
            raise BadInputError(f"unknown route {route!r}; choose {', '.join(ROUTES)}")
        r = ROUTES[route]
        if not dose_mg or dose_mg <= 0:
            raise BadInputError("the dose must be a number of mg above 0")
        if r.per_kg and not weight_kg:
            raise BadInputError(f"weight in kg is needed to work out mg/kg for {r.label}")
        if weight_kg is not None and not 25 <= weight_kg <= 300:
            raise BadInputError(f"weight {weight_kg} kg is not plausible (25–300 kg)")
        if not lot.strip() or not given_by.strip():
            raise BadInputError("record the lot number and who gave the dose")
        if t0 > now + 60:
            raise BadInputError("T0 is in the future; enter the time the dose was given")
        mg_per_kg = round(dose_mg / weight_kg, 3) if weight_kg else None
        warnings = _range_warnings(r, dose_mg, mg_per_kg)
        if warnings and not confirmed:
            raise NeedsConfirmation(warnings)
        pre = self.baseline
        if pre is None:
            raise BadInputError("record a pre-dose blood pressure first")
        gate = pre[0] > self.config.bp_gate_sbp or pre[1] > self.config.bp_gate_dbp
        if gate and not (
            override
            and str(override.get("prescriber", "")).strip()
            and str(override.get("reason", "")).strip()
        ):
            raise BadInputError(
                f"pre-dose BP {pre[0]:.0f}/{pre[1]:.0f} is above {self.config.bp_gate_sbp:.0f}/"
                f"{self.config.bp_gate_dbp:.0f}: a prescriber must override with a reason"
            )
        return {
            "route": route,
            "dose_mg": dose_mg,
            "weight_kg": weight_kg,
            "mg_per_kg": mg_per_kg,
            "lot": lot.strip(),
            "given_by": given_by.strip(),
            "t0": t0,
            "warnings_confirmed": warnings,
            "override": override if gate else None,
            "pre_dose_bp": list(pre),
        }

    def resolve_adverse_event(self, resolution: dict) -> None:
        """Move an adverse event from open to resolved (validated by the room's Protocol)."""
        self.adverse_events.pop(resolution["event_id"], None)
        self.resolved_adverse_events[resolution["event_id"]] = resolution

    # -- blood pressure schedule ----------------------------------------------------
    @property
    def t0(self) -> float | None:
        return self.dose["t0"] if self.dose else None

    @property
    def route(self) -> str | None:
        return self.dose["route"] if self.dose else None

    @property
    def min_observation_s(self) -> float:
        return self.config.min_observation_for(self.route) * 60

    @property
    def baseline(self) -> tuple[float, float] | None:
        if self.dose is not None:  # the BP the dose was checked against, even if it was
            sbp, dbp = self.dose["pre_dose_bp"]  # entered after a back-dated T0
            return (sbp, dbp)
        pre = self.bp_checks
        return (pre[-1].sbp, pre[-1].dbp) if pre else None

    @property
    def last_moaas(self) -> int | None:
        post = after_dose(self.scores, MOAAS, self.t0)
        return post[-1].value if post else None

    def near_baseline(self, check: BPCheck) -> bool:
        """Back near the pre-dose BP: no more than the margin above it (a BP below the
        pre-dose one is fine), and the systolic not under the hypotension floor."""
        base, c = self.baseline, self.config
        return (
            base is not None
            and check.sbp - base[0] <= c.baseline_margin_mmhg
            and check.dbp - base[1] <= c.baseline_margin_mmhg
            and check.sbp >= c.hypotension_sbp_floor
        )

    def _filled(self, due: float) -> BPCheck | None:
        return next((k for k in self.bp_checks if k.due is not None and abs(k.due - due) < 1), None)

    def next_check(self, now: float) -> tuple[str, float] | None:
        """(label, due time) of the BP check due at `now`, or None when none is due.

        The checks sit on a grid from T0: the first at +40 min, then every 15 min until a
        check is back near baseline, then one before discharge. A check whose window
        closes without a reading is missed and the grid goes on, so one late cuff never
        shifts every later check.
        """
        if self.discharge:
            return None
        if self.t0 is None:
            return (PRE_DOSE, -1.0) if self.readiness and self.baseline is None else None
        c = self.config
        after_s = c.check_window_after_min * 60
        due = self.t0 + c.first_check_min * 60
        while True:
            check = self._filled(due)
            if check is not None and self.near_baseline(check):
                break
            if check is None and now <= due + after_s:
                return ("+%.0f min" % ((due - self.t0) / 60), due)
            due += c.check_every_min * 60
        discharge_due = self.t0 + self.min_observation_s
        done = [
            k
            for k in self.bp_checks
            if k.label == BEFORE_DISCHARGE or (k.due is not None and abs(k.due - due) < 1)
        ]
        if any(k.t >= discharge_due - c.check_window_before_min * 60 for k in done):
            return None
        return (BEFORE_DISCHARGE, discharge_due)

    def check_for_reading(self, t: float) -> tuple[str, float] | None:
        """The check a BP measured at `t` fills: the one due then, if `t` is inside its
        window (due − 5 to due + 15 min by default; "before discharge" has no end)."""
        due = self.next_check(t)
        if due is None or due[1] < 0:
            return due
        c = self.config
        if t < due[1] - c.check_window_before_min * 60:
            return None
        if due[0] != BEFORE_DISCHARGE and t > due[1] + c.check_window_after_min * 60:
            return None
        return due

    def observation_fraction(self, now: float) -> float:
        if self.t0 is None:
            return 0.0
        return max(0.0, min(1.0, (now - self.t0) / self.min_observation_s))

    # -- discharge ------------------------------------------------------------------
    def clinical_criteria(
        self, now: float, spo2: Latest | None, fresh_spo2: bool = True
    ) -> dict[str, bool]:
        """The criteria a person's state must meet, the time minimum left out: the first
        minute they all hold is the ready-to-leave minute the REMS form asks for.

        `fresh_spo2=False` judges the last SpO2 by its value alone: a reading that has
        merely aged says nothing new about the person (it cannot make them unready).
        """
        c = self.config
        bp = max(self.bp_readings, key=lambda k: k.t) if self.bp_readings else None
        age = c.discharge_spo2_max_age_min if fresh_spo2 else float("inf")
        return {
            f"BP back near baseline (at most {c.baseline_margin_mmhg:g} mmHg above, SBP at "
            f"least {c.hypotension_sbp_floor:g})": bp is not None
            and self.t0 is not None
            and bp.t >= self.t0
            and self.near_baseline(bp),
            f"SpO2 at or above {c.discharge_spo2_floor:g} % in the last "
            f"{c.discharge_spo2_max_age_min:g} min": spo2 is not None
            and now - spo2.t <= age * 60
            and spo2.value >= c.discharge_spo2_floor,
            "sedation resolved (MOAA/S 5 after the dose and any lower score)": sedation_resolved(
                self.scores, self.t0
            ),
            f"dissociation resolved (CADSS within {c.cadss_margin:g} of baseline, or attested)": (
                dissociation_resolved(
                    self.scores, self.t0, c.cadss_margin, self.dissociation_attested_at
                )
            ),
        }

    def automatic_criteria(self, now: float, spo2: Latest | None) -> dict[str, bool]:
        """Everything the program can check before discharge: the clinical criteria plus
        the minimum observation time and the BP check before discharge."""
        minutes = self.min_observation_s / 60
        return {
            f"minimum observation time met ({minutes:g} min)": self.t0 is not None
            and now - self.t0 >= self.min_observation_s,
            **self.clinical_criteria(now, spo2),
            "BP checks done": self.t0 is not None and self.next_check(now) is None,
        }

    def phase(self, now: float, spo2: Latest | None = None) -> str:
        if self.discharge:
            return DISCHARGED
        if self.dose is None:
            if self.screening and self.screening["outcome"] == INELIGIBLE:
                return "ineligible"
            return READY if self.readiness else SCREENING
        if now - self.t0 < ROUTES[self.dose["route"]].onset_min * 60:
            return DOSED
        if now - self.t0 < self.min_observation_s:  # not ready, whatever else holds
            return MONITORING  # (and cheap: every tile asks every frame, issue 17)
        return (
            READY_FOR_DISCHARGE if all(self.automatic_criteria(now, spo2).values()) else MONITORING
        )


def _given(value: object) -> bool:
    return isinstance(value, bool) or (isinstance(value, str) and value.strip() != "")


def _range_warnings(route, dose_mg: float, mg_per_kg: float | None) -> list[str]:
    if route.allowed and dose_mg not in route.allowed:
        doses = " or ".join(f"{d:g}" for d in route.allowed)
        return [f"{route.label} is usually {doses} mg, not {dose_mg:g} mg"]
    value, unit = (mg_per_kg, "mg/kg") if route.per_kg else (dose_mg, "mg")
    if not route.low <= value <= route.high:
        return [
            f"{value:g} {unit} is outside the usual {route.low:g}–{route.high:g} {unit} "
            f"for {route.label}"
        ]
    return []
