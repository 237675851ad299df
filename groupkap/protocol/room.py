"""The protocol for the whole room: every participant's steps, checks and due times.

Driven by the clock like the alarm engine: `observe` takes the monitor's cuff readings,
`tick` finds overdue checks (raising the alarm engine's technical "check overdue" alarm)
and notes the minute each participant would have been ready to leave. Every step is an
event, recorded only after the step has been validated whole.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import MEDIUM
from groupkap.clock import Clock
from groupkap.errors import BadInputError
from groupkap.protocol.config import ProtocolConfig
from groupkap.protocol.scales import ScaleResult, score
from groupkap.protocol.participant import (CHECK_WINDOW_S, MANUAL_DISCHARGE_ITEMS, BPCheck,
                                           ParticipantProtocol)

log = logging.getLogger("groupkap.protocol")
ProtocolSink = Callable[[str, dict, "str | None", str], None]
CHECK_OVERDUE = "CHECK_OVERDUE"
SEVERITIES = ("mild", "moderate", "severe")


class Protocol:
    """Protocol state for every participant in the room.

    Attributes:
        participants: ParticipantProtocol by participant id.
        config: the clinic's protocol settings.
    """

    def __init__(self, clock: Clock, record: ProtocolSink, config: ProtocolConfig | None = None,
                 alarms: AlarmEngine | None = None) -> None:
        self.clock = clock
        self.config = config or ProtocolConfig()
        self.alarms = alarms
        self._record = record
        self.participants: dict[str, ParticipantProtocol] = {}
        self._pending_bp: dict[str, dict[str, tuple[float, float]]] = {}
        self._seats: dict[str, int] = {}

    def of(self, pid: str) -> ParticipantProtocol:
        return self.participants.setdefault(pid, ParticipantProtocol(pid, self.config))

    # -- steps (each validated whole, then one event) --------------------------------
    def complete_screening(self, pid: str, answers: dict[str, bool], reviewer: str) -> dict:
        result = self.of(pid).screen(answers, reviewer)
        self._record("screening.completed", {**result, "answers": answers}, pid, reviewer)
        return result

    def approve_screening(self, pid: str, reviewer: str, reason: str) -> dict:
        result = self.of(pid).approve_review(reviewer, reason)
        self._record("screening.completed", result, pid, reviewer)
        return result

    def confirm_readiness(self, pid: str, items: dict, actor: str) -> dict:
        result = self.of(pid).confirm_ready(items)
        self._record("readiness.confirmed", result, pid, actor)
        return result

    def give_dose(self, pid: str, *, route: str, dose_mg: float, weight_kg: float | None,
                  lot: str, given_by: str, t0: float | None = None, confirmed: bool = False,
                  override: dict | None = None) -> dict:
        now = self.clock.now()
        p = self.of(pid)
        dose = p.validate_dose(route, dose_mg, weight_kg, lot, given_by,
                               now if t0 is None else t0, now, confirmed, override)
        self._record("dose.given", dose, pid, given_by)
        p.dose = dose
        return dose

    def record_bp(self, pid: str, sbp: float, dbp: float, *, t: float | None = None,
                  source: str = "hand", actor: str = "facilitator") -> BPCheck:
        """A BP check entered by hand (or taken from the monitor by `observe`)."""
        if not (40 <= sbp <= 300 and 15 <= dbp <= 250 and dbp < sbp):
            raise BadInputError(f"BP {sbp:g}/{dbp:g} is not plausible; check the numbers")
        p = self.of(pid)
        due = p.next_check()
        label = due[0] if due else "extra"
        check = BPCheck(self.clock.now() if t is None else t, sbp, dbp, source, label,
                        due[1] if due and due[1] > 0 else None)
        self._record("check.recorded", {"check": "BP", "label": label, "sbp": sbp, "dbp": dbp,
                                        "source": source, "t_measured": check.t,
                                        "due_t": check.due}, pid, actor)
        p.bp_checks.append(check)
        if p.overdue_label is not None:
            p.overdue_label = None
            if self.alarms:
                self.alarms.clear_technical(pid, CHECK_OVERDUE)
        return check

    def record_moaas(self, pid: str, score: int, actor: str) -> None:
        if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 5:
            raise BadInputError(f"MOAA/S is 0 to 5 (5 = responds readily to name), not {score}")
        self._record("check.recorded", {"check": "MOAA/S", "value": score}, pid, actor)
        p = self.of(pid)
        if p.t0 is not None:
            p.last_moaas = score

    def record_cadss(self, pid: str, total: int, actor: str) -> None:
        if not isinstance(total, int) or isinstance(total, bool) or not 0 <= total <= 92:
            raise BadInputError(f"CADSS total is 0 to 92, not {total}")
        self._record("check.recorded", {"check": "CADSS", "value": total}, pid, actor)

    def record_adverse_event(self, pid: str, *, description: str, severity: str,
                             intervention: str, outcome: str, actor: str,
                             t: float | None = None) -> None:
        if severity not in SEVERITIES:
            raise BadInputError(f"severity is {', '.join(SEVERITIES)}, not {severity!r}")
        if not description.strip() or not outcome.strip():
            raise BadInputError("an adverse event needs what happened and its outcome")
        self._record("adverse_event.recorded", {
            "description": description.strip(), "severity": severity,
            "intervention": intervention.strip(), "outcome": outcome.strip(),
            "t_occurred": self.clock.now() if t is None else t}, pid, actor)

    def record_scale(self, pid: str, scale: str, answers, actor: str) -> ScaleResult:
        """Score an outcome scale (between sessions); a hard flag stays on the tile."""
        result = score(scale, answers)
        self._record("scale.scored", result.event_data(), pid, actor)
        self.of(pid).flags.extend(f for f in result.flags if "PHQ-9" in f)
        return result

    def add_note(self, pid: str, text: str, actor: str) -> None:
        if not text.strip():
            raise BadInputError("the note is empty")
        self._record("note.added", {"text": text.strip(), "care_team_only": True}, pid, actor)

    def sign_discharge(self, pid: str, signed_by: str, manual: dict[str, bool],
                       spo2: float | None) -> dict:
        p = self.of(pid)
        now = self.clock.now()
        if p.t0 is None:
            raise BadInputError("no dose is recorded, so there is nothing to discharge from")
        if not signed_by.strip():
            raise BadInputError("discharge must be signed by a named person")
        auto = p.automatic_criteria(now, spo2)
        open_items = [k for k, ok in auto.items() if not ok] + [
            label for key, label in MANUAL_DISCHARGE_ITEMS.items() if manual.get(key) is not True]
        if open_items:
            raise BadInputError("discharge refused, still open: " + ", ".join(open_items))
        if p.ready_to_leave_t is None:  # criteria met now, though no tick saw it before
            p.ready_to_leave_t = now
        record = {"signed_by": signed_by.strip(), "meaning": "approval",
                  "minutes_since_t0": round((now - p.t0) / 60, 1),
                  "ready_to_leave_minute": self.ready_to_leave_minute(pid),
                  "items": {**{k: True for k in auto}, **manual}}
        self._record("discharge.signed", record, pid, signed_by)
        p.discharge = record
        return record

    def ready_to_leave_minute(self, pid: str) -> float | None:
        p = self.of(pid)
        if p.ready_to_leave_t is None or p.t0 is None:
            return None
        return round((p.ready_to_leave_t - p.t0) / 60)

    # -- the clock ------------------------------------------------------------------
    def observe(self, pid: str, seat: int, param: str, t: float, value: float) -> None:
        """Cuff readings from the monitor fill a due BP check on their own."""
        self._seats[pid] = seat
        if param not in ("SBP", "DBP"):
            return
        pending = self._pending_bp.setdefault(pid, {})
        pending[param] = (t, value)
        if "SBP" in pending and "DBP" in pending and \
                abs(pending["SBP"][0] - pending["DBP"][0]) < 1:
            (t_s, sbp), (_, dbp) = pending["SBP"], pending["DBP"]
            self._pending_bp.pop(pid)
            due = self.of(pid).next_check()
            if due is not None and t_s >= due[1] - CHECK_WINDOW_S:
                try:
                    self.record_bp(pid, sbp, dbp, t=t_s, source="monitor", actor="system")
                except BadInputError as exc:  # an implausible cuff pair: not a check
                    log.warning("cuff reading for %s not used as a check: %s", pid, exc)

    def tick(self, latest_spo2: Callable[[str], float | None]) -> None:
        now = self.clock.now()
        for pid, p in self.participants.items():
            if p.discharge or p.t0 is None:
                continue
            due = p.next_check()
            late = due is not None and due[1] > 0 and \
                now > due[1] + self.config.overdue_grace_min * 60
            if late and p.overdue_label != due[0]:
                p.overdue_label = due[0]
                minutes = round((now - due[1]) / 60)
                self._record("check.overdue", {"check": "BP", "label": due[0],
                                               "minutes_late": minutes}, pid, "system")
                if self.alarms:
                    self.alarms.raise_technical(pid, CHECK_OVERDUE, MEDIUM,
                                                f"BP check overdue ({due[0]})",
                                                self._seats.get(pid))
            if p.ready_to_leave_t is None and all(
                    p.automatic_criteria(now, latest_spo2(pid)).values()):
                p.ready_to_leave_t = now
                # Logged when it happens, so the minute survives a crash or no discharge.
                self._record("discharge.ready", {"ready_to_leave_minute":
                                                 self.ready_to_leave_minute(pid)}, pid, "system")

    def forget(self, pid: str) -> None:
        self.participants.pop(pid, None)
        self._pending_bp.pop(pid, None)
