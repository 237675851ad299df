"""The SPRAVATO REMS Patient Monitoring Form of one participant, rebuilt from the log alone.

It follows the form's fields: the healthcare setting and the provider who monitored, the
concomitant medications by class, dose, lot and time of administration (T0), whether vital
signs were acceptable before dosing and before monitoring ended, the BP before, ~40 min
after and before the end, sedation / dissociation / respiratory depression with onset and
resolution, the total monitoring time and the ready-to-leave minute. A field the log does
not hold is None and prints "not recorded", never "No"; a record with such a field cannot
be signed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime

from groupkap.clock import utc_iso
from groupkap.errors import BadInputError
from groupkap.protocol.config import ROUTES, ProtocolConfig
from groupkap.protocol.esketamine_log import (
    BPReading,
    Event,
    Score,
    bp_readings,
    find_participant,
    load_events,
    monitoring_end,
    oximetry_gap,
    scores,
    struck_hand_values,
    when,
)
from groupkap.protocol.participant import MANUAL_DISCHARGE_ITEMS

NORMAL_MOAAS = 5  # the baseline when no MOAA/S was scored before the dose; resolution needs it
FORTY_MIN = 40
BREATHING_KEYS = ("SpO2", "RR")
SIGN_MEANINGS = ("author", "review", "approval")
# The form's concomitant medication classes, asked one by one at screening (rule ids).
MEDICATION_CLASSES = (
    ("psychostimulants", "Psychostimulants"),
    ("maoi", "Monoamine oxidase inhibitors (MAOIs)"),
    ("benzodiazepines", "Benzodiazepines"),
    ("sedative_hypnotics", "Non-benzodiazepine sedative hypnotics"),
    ("opioids", "Opioids"),
)


@dataclass(frozen=True)
class Clinic:
    """The healthcare setting and the provider who monitors (settings `[clinic]`).

    Attributes:
        name, address: the healthcare setting.
        provider, contact: the healthcare provider conducting patient monitoring, and how
            to reach them (telephone, email).
    """

    name: str | None = None
    address: str | None = None
    provider: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class Answer:
    """A yes/no field. Attributes: value (`Yes`, `No`, or None = not recorded), detail (what
    the answer rests on)."""

    value: str | None
    detail: str = ""


@dataclass(frozen=True)
class Finding:
    """Did the patient experience it? (sedation, dissociation, respiratory depression)

    Attributes:
        value: `Yes`, `No`, or None when nothing was measured after T0 (not recorded).
        onset, resolved: `HH:MM UTC (T0 +m:ss)`; None when not applicable or not recorded.
        evidence: one line per observation after T0 that the answer rests on.
        rule: how the answer was reached (the baseline and threshold used).
    """

    value: str | None
    onset: str | None = None
    resolved: str | None = None
    evidence: tuple[str, ...] = ()
    rule: str = ""


@dataclass(frozen=True)
class Signature:
    """An `esketamine_record.signed` event. Attributes: name, t (ISO UTC), meaning (author,
    review, approval), current (False when the log changed the record after signing), role
    and method (`PIN` when an account re-entered its PIN; "" for a typed name, before
    accounts)."""

    name: str
    t: str
    meaning: str
    current: bool
    role: str = ""
    method: str = ""


@dataclass(frozen=True)
class EsketamineRecord:
    """One participant's Patient Monitoring Form; None everywhere means "not recorded".

    Attributes:
        session_id, participant_id, alias, seat: whose record it is (seat as last logged).
        clinic: the healthcare setting and the monitoring provider.
        concomitant_medications: (class, `Yes`/`No`/None) per medication class.
        treatment_date: the date of T0 (UTC); route, dose_mg, lot, given_by from the dose.
        t0: the time of administration, ISO UTC.
        vitals_before_dosing: the pre-dose BP against the gate, or a prescriber override.
        vitals_before_completion: the items of the signed discharge.
        bp_pre_dose, bp_40_min, bp_before_completion: the form's three BPs as text.
        bp_readings: every BP of the participant with its T0 offset and source.
        sedation, dissociation, respiratory_depression: each a Finding.
        monitoring_ended: when and why monitoring ended; total_monitoring_minutes from T0.
        ready_to_leave_minute: minutes from T0 when every clinical criterion first held.
        discharged_by: who signed the discharge; adverse_events: one line each.
        signatures: signatures of this record found in the log.
    """

    session_id: str
    participant_id: str
    alias: str
    seat: int | None
    clinic: Clinic
    concomitant_medications: tuple[tuple[str, str | None], ...]
    treatment_date: str
    route: str
    dose_mg: float
    lot: str | None
    given_by: str | None
    t0: str
    vitals_before_dosing: Answer
    vitals_before_completion: Answer
    bp_pre_dose: str | None
    bp_40_min: str | None
    bp_before_completion: str | None
    bp_readings: tuple[str, ...]
    sedation: Finding
    dissociation: Finding
    respiratory_depression: Finding
    monitoring_ended: str
    total_monitoring_minutes: float
    ready_to_leave_minute: float | None
    discharged_by: str | None
    adverse_events: tuple[str, ...]
    signatures: tuple[Signature, ...] = field(default=())

    @property
    def missing(self) -> tuple[str, ...]:
        """The form's fields the log does not hold, in the form's order."""
        c = self.clinic
        fields = [
            ("healthcare setting name", c.name),
            ("healthcare setting address", c.address),
            ("monitoring provider", c.provider),
            ("provider contact", c.contact),
        ]
        fields += [
            (f"concomitant medication: {label}", v) for label, v in self.concomitant_medications
        ]
        fields += [
            ("lot number", self.lot),
            ("vital signs acceptable before dosing", self.vitals_before_dosing.value),
            ("vital signs acceptable before completion", self.vitals_before_completion.value),
            ("pre-dose BP", self.bp_pre_dose),
            ("~40 min BP", self.bp_40_min),
            ("BP before completion", self.bp_before_completion),
        ]
        for name, f in (
            ("sedation", self.sedation),
            ("dissociation", self.dissociation),
            ("respiratory depression", self.respiratory_depression),
        ):
            fields.append((name, f.value))
            if f.value == "Yes":
                fields += [(f"{name} onset", f.onset), (f"{name} resolution", f.resolved)]
        fields.append(("ready-to-leave minute", self.ready_to_leave_minute))
        return tuple(name for name, value in fields if value is None)

    def digest(self) -> str:
        """sha256 of everything but the signatures: a signature names what it signed."""
        content = {k: v for k, v in asdict(self).items() if k != "signatures"}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def monitoring_record(
    conn: sqlite3.Connection,
    session_id: str,
    participant: str,
    *,
    config: ProtocolConfig | None = None,
    clinic: Clinic | None = None,
) -> EsketamineRecord:
    """Build the record from the database only, so a lead can make it after the session."""
    config = config or ProtocolConfig()
    pid, alias, seat = find_participant(conn, session_id, participant)
    events = load_events(conn, session_id, pid)
    dose = next((e for e in events if e.kind == "dose.given"), None)
    if dose is None:
        raise BadInputError(
            f"{alias} has no dose recorded in session {session_id}; the "
            "monitoring record starts from the dose and its T0"
        )
    d, route = dose.data, dose.data.get("route")
    if route not in ROUTES or not ROUTES[route].esketamine:
        label = ROUTES[route].label if route in ROUTES else "an unknown route"
        raise BadInputError(
            f"the monitoring record is for esketamine sessions (intranasal "
            f"esketamine, IN); {alias} was given {label} ({route})"
        )
    t0 = float(d["t0"])
    end_t, end_why = monitoring_end(conn, session_id, events, dose)
    discharge = next((e.data for e in events if e.kind == "discharge.signed"), {})
    ready = _last_ready(events)
    bps = bp_readings(conn, session_id, pid, events)
    pre, forty, last = _form_bps(bps, d, t0, end_t, config)
    record = EsketamineRecord(
        session_id=session_id,
        participant_id=pid,
        alias=alias,
        seat=seat,
        clinic=_clean(clinic or Clinic()),
        concomitant_medications=_medications(events),
        treatment_date=datetime.fromtimestamp(t0, tz=UTC).strftime("%Y-%m-%d"),
        route=route,
        dose_mg=d["dose_mg"],
        lot=d.get("lot") or None,
        given_by=d.get("given_by") or None,
        t0=utc_iso(t0),
        vitals_before_dosing=_before_dosing(d, config),
        vitals_before_completion=_before_completion(events),
        bp_pre_dose=pre,
        bp_40_min=forty,
        bp_before_completion=last,
        bp_readings=tuple(r.text(t0) for r in bps),
        sedation=_sedation(scores(events, "MOAA/S"), t0),
        dissociation=_dissociation(scores(events, "CADSS"), events, t0, config.cadss_margin),
        respiratory_depression=_breathing(
            events,
            t0,
            oximetry_gap(conn, session_id, pid, events, t0, end_t),
            struck_hand_values(conn, session_id, pid),
        ),
        monitoring_ended=f"{when(end_t, t0)}, {end_why}",
        total_monitoring_minutes=discharge.get("minutes_since_t0", round((end_t - t0) / 60, 1)),
        ready_to_leave_minute=discharge.get(
            "ready_to_leave_minute", ready.get("ready_to_leave_minute")
        ),
        discharged_by=discharge.get("signed_by"),
        adverse_events=_adverse(events, t0),
    )
    digest = record.digest()
    signed = tuple(
        Signature(
            e.data["signed_by"],
            utc_iso(e.t),
            e.data["meaning"],
            e.data.get("record_sha256") == digest,
            e.data.get("role", ""),
            e.data.get("method", ""),
        )
        for e in events
        if e.kind == "esketamine_record.signed"
    )
    return replace(record, signatures=signed)


def signature_data(record: EsketamineRecord, name: str, meaning: str) -> dict:
    """The `esketamine_record.signed` event data; refused while any field is not recorded."""
    if meaning not in SIGN_MEANINGS:
        raise BadInputError(f"a signature means {', '.join(SIGN_MEANINGS)}, not {meaning!r}")
    if not name.strip():
        raise BadInputError("a signature needs the signer's name")
    if record.missing:
        raise BadInputError(
            f"cannot sign the record of {record.alias}: not recorded: " + ", ".join(record.missing)
        )
    return {
        "signed_by": name.strip(),
        "meaning": meaning,
        "alias": record.alias,
        "record_sha256": record.digest(),
    }


def _clean(clinic: Clinic) -> Clinic:
    return Clinic(
        *(
            (v.strip() or None) if isinstance(v, str) else None
            for v in (clinic.name, clinic.address, clinic.provider, clinic.contact)
        )
    )


def _medications(events: list[Event]) -> tuple[tuple[str, str | None], ...]:
    """Each class as answered at the last screening that holds answers (an approval of a
    review holds none); a class not asked is not recorded."""
    answers = next(
        (
            e.data["answers"]
            for e in reversed(events)
            if e.kind == "screening.completed" and "answers" in e.data
        ),
        {},
    )
    return tuple(
        (label, None if not isinstance(answers.get(key), bool) else "Yes" if answers[key] else "No")
        for key, label in MEDICATION_CLASSES
    )


def _form_bps(
    bps: list[BPReading], dose: dict, t0: float, end_t: float, config: ProtocolConfig
) -> tuple[str | None, str | None, str | None]:
    """The form's three BPs: the one the dose was checked against, the one nearest T0+40
    inside the check window, and the last one after those before monitoring ended."""
    checked = dose.get("pre_dose_bp")
    before = [r for r in bps if r.t <= t0]
    same = [r for r in before if checked and [r.sbp, r.dbp] == list(checked)]
    if same or before:
        pre = (same or before)[-1].text(t0)
    else:
        pre = f"{checked[0]:g}/{checked[1]:g} (as checked at dosing)" if checked else None
    after = [r for r in bps if t0 < r.t <= end_t]
    lo = t0 + (FORTY_MIN - config.check_window_before_min) * 60
    hi = t0 + (FORTY_MIN + config.check_window_after_min) * 60
    forty = min(
        (r for r in after if lo <= r.t <= hi),
        key=lambda r: abs(r.t - t0 - FORTY_MIN * 60),
        default=None,
    )
    later = [r for r in after if r is not forty and (forty is None or r.t > forty.t)]
    return (pre, forty.text(t0) if forty else None, later[-1].text(t0) if later else None)


def _before_dosing(dose: dict, config: ProtocolConfig) -> Answer:
    """The pre-dose BP against the clinic's gate; above it, only a prescriber override."""
    checked = dose.get("pre_dose_bp")
    if not checked:
        return Answer(None)
    bp, gate = f"{checked[0]:g}/{checked[1]:g}", f"{config.bp_gate_sbp:g}/{config.bp_gate_dbp:g}"
    override = dose.get("override")
    if override:
        return Answer(
            "Yes",
            f"prescriber override by {override.get('prescriber')}: "
            f"{override.get('reason')} (pre-dose BP {bp}, gate {gate})",
        )
    if checked[0] > config.bp_gate_sbp or checked[1] > config.bp_gate_dbp:
        return Answer("No", f"pre-dose BP {bp} above the {gate} gate, no override")
    return Answer("Yes", f"pre-dose BP {bp} within the {gate} gate")


def _before_completion(events: list[Event]) -> Answer:
    """From the items the discharge was signed with; without a signed discharge, unknown."""
    signed = next((e for e in events if e.kind == "discharge.signed"), None)
    if signed is None:
        return Answer(None)
    items = signed.data.get("items") or {}
    spo2 = signed.data.get("spo2") or {}
    detail = f"discharge signed by {signed.data.get('signed_by')}: " + "; ".join(
        MANUAL_DISCHARGE_ITEMS.get(k, k) for k in items
    )
    if spo2.get("value") is not None:
        detail += f"; SpO2 {spo2['value']:g} % ({spo2.get('source', 'source not logged')})"
    unmet = [MANUAL_DISCHARGE_ITEMS.get(k, k) for k, ok in items.items() if ok is not True]
    if not items:
        return Answer(None, "the signed discharge lists no items")
    return Answer("No", "not met: " + "; ".join(unmet)) if unmet else Answer("Yes", detail)


def _sedation(moaas: list[Score], t0: float) -> Finding:
    """A post-dose MOAA/S below the pre-dose one (5 without one); resolved at the first 5
    after the last lower score."""
    pre = [s for s in moaas if s.t < t0]
    post = [s for s in moaas if s.t >= t0]
    base = pre[-1].value if pre else NORMAL_MOAAS
    rule = (
        f"a MOAA/S below the pre-dose {base}"
        if pre
        else f"no pre-dose MOAA/S, so a MOAA/S below {NORMAL_MOAAS} counts"
    )
    evidence = tuple(f"{when(s.t, t0)}: MOAA/S {s.value}" for s in post)
    low = [s for s in post if s.value < base]
    if not post or not low:
        return Finding(None if not post else "No", evidence=evidence, rule=rule)
    back = next((s for s in post if s.t > low[-1].t and s.value == NORMAL_MOAAS), None)
    return Finding("Yes", when(low[0].t, t0), back and when(back.t, t0), evidence, rule)


def _dissociation(cadss: list[Score], events: list[Event], t0: float, margin: float) -> Finding:
    """A post-dose CADSS above the pre-dose one by more than the margin; resolved at the
    first CADSS back within the margin, or a clinician's attestation, after the last high."""
    pre = [s for s in cadss if s.t < t0]
    post = [s for s in cadss if s.t >= t0]
    limit = (pre[-1].value if pre else 0) + margin
    rule = (
        f"a CADSS above the pre-dose {pre[-1].value} by more than {margin:g}"
        if pre
        else f"no pre-dose CADSS, so any CADSS above {margin:g} counts"
    )
    evidence = tuple(f"{when(s.t, t0)}: CADSS {s.value}" for s in post)
    high = [s for s in post if s.value > limit]
    if not post or not high:
        return Finding(None if not post else "No", evidence=evidence, rule=rule)
    ends = [(s.t, "") for s in post if s.t > high[-1].t and s.value <= limit]
    ends += [
        (e.t, f", attested by {e.data.get('attested_by')}: {e.data.get('reason')}")
        for e in events
        if e.kind == "dissociation.attested" and e.t > high[-1].t
    ]
    end = min(ends, default=None)
    return Finding("Yes", when(high[0].t, t0), end and when(end[0], t0) + end[1], evidence, rule)


def _last_ready(events: list[Event]) -> dict:
    """The ready-to-leave minute of the last stretch in which every clinical criterion held
    (a `discharge.ready_withdrawn` ends a stretch)."""
    ready: dict = {}
    for e in events:
        if e.kind == "discharge.ready":
            ready = e.data
        elif e.kind == "discharge.ready_withdrawn":
            ready = {}
    return ready


def _breathing(
    events: list[Event],
    t0: float,
    gap: tuple[float, float] | None,
    struck: set[tuple[str, float]] = frozenset(),
) -> Finding:
    """A non-technical SpO2 or low-RR alarm raised after T0 (a high RR is not respiratory
    depression); each episode resolved at its alarm.cleared or alarm.reset."""
    episodes: list[list] = []
    open_ = {}
    for e in events:
        key = e.data.get("key")
        if (
            e.kind == "alarm.raised"
            and e.t >= t0
            and key in BREATHING_KEYS
            and not e.data.get("technical")
            and not (
                str(e.data.get("text", "")).endswith("(hand)")
                and (key, e.data.get("value")) in struck
            )
            and not str(e.data.get("limit") or "").lstrip().startswith(">")
            and e.data.get("alarm_id") not in open_
        ):
            open_[e.data.get("alarm_id")] = episode = [e.t, None, e.data]
            episodes.append(episode)
        elif e.kind in ("alarm.cleared", "alarm.reset") and e.data.get("alarm_id") in open_:
            open_.pop(e.data.get("alarm_id"))[1] = e.t
    evidence = tuple(
        f"{when(start, t0)}: {d.get('text', d.get('key'))} ({d.get('priority')} "
        f"alarm), " + (f"cleared {when(end, t0)}" if end else "not cleared")
        for start, end, d in episodes
    )
    rule = "an SpO2 or low-RR alarm after T0"
    if not episodes:
        if gap is None:
            return Finding("No", rule=rule)
        return Finding(
            None,
            rule=f"pulse oximetry was not continuous: no SpO2 from "
            f"{when(gap[0], t0)} to {when(gap[1], t0)}",
        )
    resolved = None if open_ else when(max(end for _, end, _ in episodes), t0)
    return Finding("Yes", when(episodes[0][0], t0), resolved, evidence, rule)


def _adverse(events: list[Event], t0: float) -> tuple[str, ...]:
    resolved = {
        e.data.get("event_id"): e.data for e in events if e.kind == "adverse_event.resolved"
    }
    lines = []
    for e in events:
        if e.kind != "adverse_event.recorded":
            continue
        d = e.data
        end = resolved.get(d.get("event_id")) if d.get("event_id") else None
        lines.append(
            f"{when(d.get('t_occurred', e.t), t0)}, {d.get('severity')}: "
            f"{d.get('description')}; intervention: {d.get('intervention') or 'none'}; "
            f"outcome: {d.get('outcome')}"
            + (f"; resolved {when(end['t_resolved'], t0)}: {end['outcome']}" if end else "")
        )
    return tuple(lines)
