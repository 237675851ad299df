"""The protocol for the whole room: every participant's steps, checks and due times.

Driven by the clock like the alarm engine: `observe` takes the monitor's cuff readings,
`tick` finds overdue checks (raising the alarm engine's technical "check overdue" alarm)
and notes the minute each participant would have been ready to leave. Every step is an
event, recorded only after the step has been validated whole.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import MEDIUM
from groupkap.clock import Clock
from groupkap.errors import BadInputError
from groupkap.protocol.config import ProtocolConfig
from groupkap.protocol.observations import CADSS, MOAAS, SCALE_RANGES, ScoredEntry, moaas_concern
from groupkap.protocol.participant import (
    MANUAL_DISCHARGE_ITEMS,
    PRE_DOSE,
    BPCheck,
    ParticipantProtocol,
)
from groupkap.protocol.scales import ScaleResult, score
from groupkap.readings import Latest

log = logging.getLogger("groupkap.protocol")
ProtocolSink = Callable[[str, dict, "str | None", str], None]
CHECK_OVERDUE = "CHECK_OVERDUE"
SEVERITIES = ("mild", "moderate", "severe")


def _anyone(action: str) -> None:
    """No account is signed in (tests, the headless recorder): every act is allowed."""


class Protocol:
    """Protocol state for every participant in the room.

    Attributes:
        participants: ParticipantProtocol by participant id.
        config: the clinic's protocol settings.
        guard: refuses an act the signed-in account may not do (Forbidden).
    """

    def __init__(
        self,
        clock: Clock,
        record: ProtocolSink,
        config: ProtocolConfig | None = None,
        alarms: AlarmEngine | None = None,
    ) -> None:
        self.clock = clock
        self.config = config or ProtocolConfig()
        self.alarms = alarms
        self._record = record
        self.participants: dict[str, ParticipantProtocol] = {}
        # Called with an action (`groupkap.accounts.ACTIONS`) before each act a person does;
        # it raises when the signed-in account may not (LiveSession.follow_protocol sets it).
        self.guard: Callable[[str], None] = _anyone
        # Signs a discharge or a note as the signed-in account, after its PIN
        # (`groupkap.accounts.signatures.SessionSigning`; LiveSession.follow_protocol sets it).
        self.signing = None
        self._pending_bp: dict[str, dict[str, tuple[float, float]]] = {}
        self._seats: dict[str, int] = {}

    def of(self, pid: str) -> ParticipantProtocol:
        return self.participants.setdefault(pid, ParticipantProtocol(pid, self.config))

    # -- steps (each validated whole, then one event) --------------------------------
    def complete_screening(self, pid: str, answers: dict[str, bool], reviewer: str) -> dict:
        self.guard("check.record")
        result = self.of(pid).screen(answers, reviewer)
        self._record("screening.completed", {**result, "answers": answers}, pid, reviewer)
        return result

    def approve_screening(self, pid: str, reviewer: str, reason: str) -> dict:
        self.guard("check.record")
        result = self.of(pid).approve_review(reviewer, reason)
        self._record("screening.completed", result, pid, reviewer)
        return result

    def confirm_readiness(self, pid: str, items: dict, actor: str) -> dict:
        self.guard("check.record")
        result = self.of(pid).confirm_ready(items)
        self._record("readiness.confirmed", result, pid, actor)
        return result

    def give_dose(
        self,
        pid: str,
        *,
        route: str,
        dose_mg: float,
        weight_kg: float | None,
        lot: str,
        given_by: str,
        t0: float | None = None,
        confirmed: bool = False,
        override: dict | None = None,
    ) -> dict:
        self.guard("dose.record")
        now = self.clock.now()
        p = self.of(pid)
        dose = p.validate_dose(
            route,
            dose_mg,
            weight_kg,
            lot,
            given_by,
            now if t0 is None else t0,
            now,
            confirmed,
            override,
        )
        self._record("dose.given", dose, pid, given_by)
        p.dose = dose
        return dose

    def record_bp(
        self,
        pid: str,
        sbp: float,
        dbp: float,
        *,
        t: float | None = None,
        source: str = "hand",
        actor: str = "facilitator",
        entry_id: str | None = None,
    ) -> BPCheck:
        """A BP pair, from the monitor's cuff (`observe`) or typed in by hand (through the
        session's `enter_reading`, so it also reaches the tile, the alarms and the store).

        It fills a due check only when measured inside that check's window; before the
        dose a hand BP is always a pre-dose check (a retake replaces the baseline).
        """
        if not (40 <= sbp <= 300 and 15 <= dbp <= 250 and dbp < sbp):
            raise BadInputError(f"BP {sbp:g}/{dbp:g} is not plausible; check the numbers")
        p = self.of(pid)
        t = self.clock.now() if t is None else t
        reading = BPCheck(t, sbp, dbp, source, entry_id=entry_id)
        if p.t0 is None:
            due = p.next_check(t) or ((PRE_DOSE, -1.0) if source == "hand" else None)
        else:
            due = p.check_for_reading(t)
        if due is not None:
            reading.label, reading.due = due[0], (due[1] if due[1] > 0 else None)
            self._record(
                "check.recorded",
                {
                    "check": "BP",
                    "label": reading.label,
                    "sbp": sbp,
                    "dbp": dbp,
                    "source": source,
                    "t_measured": t,
                    "due_t": reading.due,
                    "entry_id": entry_id,
                },
                pid,
                actor,
            )
            p.bp_checks.append(reading)
            if p.overdue_label is not None:
                p.overdue_label = None
                if self.alarms:
                    self.alarms.clear_technical(pid, CHECK_OVERDUE)
        if p.t0 is not None and t >= p.t0:
            p.bp_readings.append(reading)
        return reading

    def record_moaas(
        self,
        pid: str,
        score: int,
        actor: str,
        *,
        t: float | None = None,
        corrects: str | None = None,
        reason: str | None = None,
    ) -> str:
        """A MOAA/S score (returns its entry id). At or below the floor, or a fall of 2 or
        more from the participant's baseline, raises a medium clinical alarm."""
        self.guard("check.record")
        return self._score(pid, MOAAS, score, actor, t, corrects, reason)

    def record_cadss(
        self,
        pid: str,
        total: int,
        actor: str,
        *,
        t: float | None = None,
        corrects: str | None = None,
        reason: str | None = None,
    ) -> str:
        """A CADSS total (returns its entry id), read against the pre-dose CADSS."""
        self.guard("check.record")
        return self._score(pid, CADSS, total, actor, t, corrects, reason)

    def _score(
        self,
        pid: str,
        check: str,
        value: int,
        actor: str,
        t: float | None,
        corrects: str | None,
        reason: str | None,
    ) -> str:
        lo, hi = SCALE_RANGES[check]
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            what = " (5 = responds readily to name)" if check == MOAAS else " total"
            raise BadInputError(f"{check}{what} is {lo} to {hi}, not {value}")
        if not str(actor).strip():
            raise BadInputError(f"say who scored the {check}")
        now = self.clock.now()
        p = self.of(pid)
        old = self._standing_score(p, corrects, reason) if corrects else None
        # A correction keeps the time the score was taken, unless a new time is given.
        t = (old.t if old is not None else now) if t is None else t
        if t > now + 60:
            raise BadInputError(f"the {check} time is in the future; enter when it was scored")
        if old is not None and old.check != check:
            raise BadInputError(f"entry {corrects} is a {old.check}, not a {check}")
        entry = ScoredEntry(uuid.uuid4().hex[:12], check, value, t, actor.strip())
        self._record(
            "check.recorded",
            {
                "check": check,
                "value": value,
                "entry_id": entry.entry_id,
                "t_measured": t,
                "taken_by": entry.taken_by,
                "corrects": corrects,
                "reason": reason.strip() if reason else None,
            },
            pid,
            actor,
        )
        if old is not None:
            old.struck = True
        p.scores.append(entry)
        self._judge_moaas(pid)
        return entry.entry_id

    @staticmethod
    def _standing_score(p: ParticipantProtocol, entry_id: str, reason: str | None):
        if not reason or not reason.strip():
            raise BadInputError("a correction or a strike needs its reason")
        entry = next((e for e in p.scores if e.entry_id == entry_id), None)
        if entry is None:
            raise BadInputError(f"no MOAA/S or CADSS entry {entry_id!r} for this participant")
        if entry.struck:
            raise BadInputError(f"entry {entry_id} is already struck or corrected")
        return entry

    def owns_entry(self, pid: str, entry_id: str) -> bool:
        p = self.participants.get(pid)
        return p is not None and any(e.entry_id == entry_id for e in p.scores)

    def strike_entry(self, pid: str, entry_id: str, reason: str, actor: str) -> None:
        """Strike a MOAA/S or CADSS entry: a new event that points at it, never an UPDATE;
        the tile, the alarms and the discharge rules stop counting it."""
        self.guard("check.record")
        entry = self._standing_score(self.of(pid), entry_id, reason)
        self._record(
            "entry.struck",
            {"entry_id": entry_id, "check": entry.check, "reason": reason.strip()},
            pid,
            actor,
        )
        entry.struck = True
        self._judge_moaas(pid)

    def judge_scores(self) -> None:
        """Raise (or end) every participant's MOAA/S alarm from the scores that stand:
        after a resume, an alarm the log's last MOAA/S called for is raised again."""
        for pid in self.participants:
            self._judge_moaas(pid)

    def drop_bp(self, pid: str, entry_id: str) -> None:
        """A hand BP was struck (the session logged it): it no longer fills a check."""
        p = self.of(pid)
        p.bp_checks = [k for k in p.bp_checks if k.entry_id != entry_id]
        p.bp_readings = [k for k in p.bp_readings if k.entry_id != entry_id]

    def _judge_moaas(self, pid: str) -> None:
        if self.alarms is None:
            return
        p, c = self.of(pid), self.config
        concern = moaas_concern(p.scores, p.t0, c.moaas_alarm_floor, c.moaas_alarm_drop)
        if concern is None:
            self.alarms.clinical_condition_gone(pid, MOAAS)
        else:
            score, why = concern
            self.alarms.clinical_condition(
                pid, MOAAS, MEDIUM, f"MOAA/S {score} {why}", float(score), why, self._seats.get(pid)
            )

    def attest_dissociation(self, pid: str, attested_by: str, reason: str) -> None:
        """A clinician attests that dissociation has resolved (when no CADSS shows it)."""
        self.guard("check.record")
        p = self.of(pid)
        if p.t0 is None:
            raise BadInputError("no dose is recorded: there is no dissociation to resolve")
        if not attested_by.strip() or not reason.strip():
            raise BadInputError("an attestation needs the clinician's name and what they saw")
        self._record(
            "dissociation.attested",
            {"attested_by": attested_by.strip(), "reason": reason.strip()},
            pid,
            attested_by.strip(),
        )
        p.dissociation_attested_at = self.clock.now()

    def record_adverse_event(
        self,
        pid: str,
        *,
        description: str,
        severity: str,
        intervention: str,
        outcome: str,
        actor: str,
        t: float | None = None,
    ) -> dict:
        """An adverse event, open until `resolve_adverse_event` records how it ended; its
        `event_id` is how the resolution names it."""
        self.guard("check.record")
        if severity not in SEVERITIES:
            raise BadInputError(f"severity is {', '.join(SEVERITIES)}, not {severity!r}")
        if not description.strip() or not outcome.strip():
            raise BadInputError("an adverse event needs what happened and its outcome")
        record = {
            "event_id": uuid.uuid4().hex[:12],
            "description": description.strip(),
            "severity": severity,
            "intervention": intervention.strip(),
            "outcome": outcome.strip(),
            "t_occurred": self.clock.now() if t is None else t,
        }
        self._record("adverse_event.recorded", record, pid, actor)
        self.of(pid).adverse_events[record["event_id"]] = record
        return record

    def resolve_adverse_event(
        self, pid: str, event_id: str, *, outcome: str, t_resolved: float | None = None, actor: str
    ) -> dict:
        """How and when an open adverse event ended (the monitoring record asks for both)."""
        self.guard("check.record")
        p, now = self.of(pid), self.clock.now()
        if event_id in p.resolved_adverse_events:
            raise BadInputError(f"adverse event {event_id} is already resolved")
        event = p.adverse_events.get(event_id)
        if event is None:
            raise BadInputError(f"no open adverse event {event_id!r} for this participant")
        if not isinstance(outcome, str) or not outcome.strip():
            raise BadInputError("a resolution needs its outcome (how the adverse event ended)")
        t = now if t_resolved is None else t_resolved
        if t < event["t_occurred"]:
            raise BadInputError("the resolution time is before the adverse event occurred")
        if t > now:
            raise BadInputError("the resolution time is in the future; enter when it resolved")
        record = {
            "event_id": event_id,
            "outcome": outcome.strip(),
            "t_resolved": t,
            "description": event["description"],
        }
        self._record("adverse_event.resolved", record, pid, actor)
        p.resolve_adverse_event(record)
        return record

    def record_scale(self, pid: str, scale: str, answers, actor: str) -> ScaleResult:
        """Score an outcome scale (between sessions); a hard flag stays on the tile."""
        self.guard("check.record")
        result = score(scale, answers)
        self._record("scale.scored", result.event_data(), pid, actor)
        self.of(pid).flags.extend(f for f in result.flags if "PHQ-9" in f)
        return result

    def add_note(self, pid: str, text: str, actor: str, *, pin: str | None = None) -> None:
        """A note; with an account signed in, signed as its author with the PIN (a note by
        someone not a lead then waits for a lead's co-signature)."""
        self.guard("note.add")
        if not text.strip():
            raise BadInputError("the note is empty")
        data = {"text": text.strip(), "care_team_only": True}
        if self.signing is not None and self.signing.active:
            self.signing.record_signed("note", "author", pin, data, pid)
            return
        self._record("note.added", data, pid, actor)

    def sign_discharge(
        self,
        pid: str,
        signed_by: str,
        manual: dict[str, bool],
        spo2: Latest | None,
        *,
        pin: str | None = None,
    ) -> dict:
        """Sign a discharge; every criterion is checked on current facts (`spo2` is the
        newest SpO2 with its time and source, from the session's buffers). With an account
        signed in, it signs (approval) after its PIN, and `signed_by` is that account."""
        self.guard("discharge.sign")
        p = self.of(pid)
        now = self.clock.now()
        if p.t0 is None:
            raise BadInputError("no dose is recorded, so there is nothing to discharge from")
        if not signed_by.strip():
            raise BadInputError("discharge must be signed by a named person")
        auto = p.automatic_criteria(now, spo2)
        open_items = [k for k, ok in auto.items() if not ok] + [
            label for key, label in MANUAL_DISCHARGE_ITEMS.items() if manual.get(key) is not True
        ]
        if open_items:
            hint = (
                "; take a SpO2 reading"
                if any(k.startswith("SpO2") for k in open_items if not auto.get(k, True))
                else ""
            )
            raise BadInputError("discharge refused, still open: " + ", ".join(open_items) + hint)
        if p.ready_to_leave_t is None:  # criteria met now, though no tick saw it before
            self._ready(pid, p, now)
        record = {
            "signed_by": signed_by.strip(),
            "meaning": "approval",
            "minutes_since_t0": round((now - p.t0) / 60, 1),
            "ready_to_leave_minute": self.ready_to_leave_minute(pid),
            "items": {**{k: True for k in auto}, **manual},
            "spo2": {"value": spo2.value, "t": spo2.t, "source": spo2.source},
        }
        if self.signing is not None and self.signing.active:
            record, _ = self.signing.record_signed("discharge", "approval", pin, record, pid)
        else:
            self._record("discharge.signed", record, pid, signed_by)
        p.discharge = record
        return record

    def ready_to_leave_minute(self, pid: str) -> int | None:
        """The first whole minute after T0 at which every clinical criterion held."""
        p = self.of(pid)
        if p.ready_to_leave_t is None or p.t0 is None:
            return None
        return math.ceil(round(p.ready_to_leave_t - p.t0, 6) / 60)

    def _ready(self, pid: str, p: ParticipantProtocol, now: float) -> None:
        p.ready_to_leave_t = now
        # Logged when it happens, so the minute survives a crash or no discharge.
        self._record(
            "discharge.ready",
            {"ready_to_leave_minute": self.ready_to_leave_minute(pid)},
            pid,
            "system",
        )

    # -- the clock ------------------------------------------------------------------
    def observe(self, pid: str, seat: int, param: str, t: float, value: float) -> None:
        """Cuff readings from the monitor fill a due BP check on their own."""
        self._seats[pid] = seat
        if param not in ("SBP", "DBP"):
            return
        pending = self._pending_bp.setdefault(pid, {})
        pending[param] = (t, value)
        if "SBP" in pending and "DBP" in pending and abs(pending["SBP"][0] - pending["DBP"][0]) < 1:
            (t_s, sbp), (_, dbp) = pending["SBP"], pending["DBP"]
            self._pending_bp.pop(pid)
            try:
                self.record_bp(pid, sbp, dbp, t=t_s, source="monitor", actor="system")
            except BadInputError as exc:  # an implausible cuff pair: not a check
                log.warning("cuff reading for %s not used as a check: %s", pid, exc)

    def tick(self, latest_spo2: Callable[[str], Latest | None]) -> None:
        now = self.clock.now()
        for pid, p in self.participants.items():
            if p.discharge or p.t0 is None:
                continue
            due = p.next_check(now)
            if p.overdue_label is not None and (due is None or due[0] != p.overdue_label):
                # The overdue check's window closed without a reading: it was missed.
                self._record(
                    "check.missed", {"check": "BP", "label": p.overdue_label}, pid, "system"
                )
                p.overdue_label = None
                if self.alarms:
                    self.alarms.clear_technical(pid, CHECK_OVERDUE)
            late = (
                due is not None and due[1] > 0 and now > due[1] + self.config.overdue_grace_min * 60
            )
            if late and p.overdue_label != due[0]:
                p.overdue_label = due[0]
                minutes = round((now - due[1]) / 60)
                self._record(
                    "check.overdue",
                    {"check": "BP", "label": due[0], "minutes_late": minutes},
                    pid,
                    "system",
                )
                if self.alarms:
                    self.alarms.raise_technical(
                        pid,
                        CHECK_OVERDUE,
                        MEDIUM,
                        f"BP check overdue ({due[0]})",
                        self._seats.get(pid),
                    )
            spo2 = latest_spo2(pid)
            if p.ready_to_leave_t is None:
                if all(p.clinical_criteria(now, spo2).values()):
                    self._ready(pid, p, now)
                continue
            still = p.clinical_criteria(now, spo2, fresh_spo2=False)
            if not all(still.values()):
                # A new fact (a lower MOAA/S, a higher CADSS or BP) says they are not ready
                # after all: the minute they were ready is the start of the last stretch.
                p.ready_to_leave_t = None
                self._record(
                    "discharge.ready_withdrawn",
                    {"open": [k for k, ok in still.items() if not ok]},
                    pid,
                    "system",
                )

    def forget(self, pid: str) -> None:
        self.participants.pop(pid, None)
        self._pending_bp.pop(pid, None)
