"""Was the protocol followed? Each participant's requirements, judged from the log afterwards.

Four requirements a clinic lead checks (CLINICAL.md): a BP before dosing, a BP near the
40-minute peak, the minimum observation after T0, and a signed discharge. The figures are
the clinic's own protocol settings (`ProtocolConfig`): the first check's minute and its
window (due − `check_window_before_min` to due + `check_window_after_min`, both ends
counting, as `ParticipantProtocol.check_for_reading` fills a check), the route's minimum
observation (`min_observation_for`, never below the esketamine floor) and the BP gate.

Only entries that still count are read: a hand BP that was struck or corrected is gone, as
in the esketamine record (`esketamine_log`). Monitor cuff BPs come from the vitals table (an
SBP and a DBP within a second); hand BPs from their `observation.entered` events.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from groupkap.protocol.config import ProtocolConfig
from groupkap.protocol.esketamine_log import ENTRY_KINDS, SAME_CUFF_S, BPReading, measured
from groupkap.review.model import ComplianceItem
from groupkap.review.times import clock, since_t0, when
from groupkap.store.queries import LoggedEvent

PRE_DOSE_BP = "pre-dose BP"
DISCHARGE_SIGNED = "discharge signed"
CARE_KINDS = (
    "dose.given",
    "check.recorded",
    "observation.entered",
    "entry.struck",
    "discharge.signed",
    "participant.removed",
)
"""The event kinds a compliance judgement reads (with the session's end)."""


@dataclass(frozen=True)
class CareRecord:
    """What the log says of one participant's care, as compliance reads it.

    Attributes:
        dose: the `dose.given` data (route, dose_mg, t0, pre_dose_bp, override), or None.
        bps: every BP that still counts, monitor and hand, in the order measured.
        discharged_at, discharged_by: the signed discharge (None when not signed).
        end_t, end_why: when and why monitoring ended (discharge signed, left the room,
            session ended, or the last logged moment of a session that did not end).
    """

    dose: dict | None
    bps: tuple[BPReading, ...]
    discharged_at: float | None
    discharged_by: str | None
    end_t: float
    end_why: str

    @property
    def t0(self) -> float | None:
        return float(self.dose["t0"]) if self.dose else None


def standing(events: Iterable[LoggedEvent]) -> list[LoggedEvent]:
    """The events without the hand entries, MOAA/S and CADSS that were struck or corrected."""
    events = list(events)
    gone = {e.data.get("entry_id") for e in events if e.kind == "entry.struck"}
    gone |= {e.data.get("corrects") for e in events if e.kind in ENTRY_KINDS}
    gone.discard(None)
    return [e for e in events if e.kind not in ENTRY_KINDS or e.data.get("entry_id") not in gone]


def _cuff_pairs(sbp: list[tuple[float, float]], dbp: list[tuple[float, float]]) -> list[BPReading]:
    """A monitor's SBP with the DBP nearest it within a second: one cuff reading."""
    times = [t for t, _ in dbp]
    pairs = []
    for t, value in sbp:
        i = bisect_left(times, t - SAME_CUFF_S)
        near = [j for j in (i, i + 1) if j < len(times) and abs(times[j] - t) <= SAME_CUFF_S]
        if near:
            j = min(near, key=lambda k: abs(times[k] - t))
            pairs.append(BPReading(t, value, dbp[j][1], "monitor"))
    return pairs


def _hand_bps(events: Sequence[LoggedEvent]) -> list[BPReading]:
    readings = []
    for e in events:
        values = e.data.get("values") or {}
        if e.kind == "observation.entered" and "SBP" in values and "DBP" in values:
            who = e.data.get("taken_by") or e.actor
            readings.append(
                BPReading(measured(e), float(values["SBP"]), float(values["DBP"]), f"hand, {who}")
            )
        elif (  # older logs kept a hand BP only as its check, without an entry id
            e.kind == "check.recorded"
            and e.data.get("check") == "BP"
            and e.data.get("source") == "hand"
            and not e.data.get("entry_id")
        ):
            d = e.data
            readings.append(
                BPReading(measured(e), float(d["sbp"]), float(d["dbp"]), f"hand, {e.actor}")
            )
    return readings


def care_records(
    events: Iterable[LoggedEvent],
    cuff: Iterable[tuple[str, str, float, float]],
    session_end: tuple[float, str],
    participant_ids: Iterable[str] = (),
) -> dict[str, CareRecord]:
    """Each participant's care record from the session's events (log order; other kinds
    are passed over), the monitor's cuff values as (participant id, param, t, value) in
    time order, and when and why the session's record ends. Everyone in
    `participant_ids` has a record, with or without events."""
    by_pid: dict[str, list[LoggedEvent]] = {pid: [] for pid in participant_ids}
    for e in events:
        if e.participant_id is not None and e.kind in CARE_KINDS:
            by_pid.setdefault(e.participant_id, []).append(e)
    cuffs: dict[str, dict[str, list]] = {}
    for pid, param, t, value in cuff:
        cuffs.setdefault(pid, {"SBP": [], "DBP": []})[param].append((t, value))
    records = {}
    for pid, mine in by_pid.items():
        mine = standing(mine)
        dose_event = next((e for e in mine if e.kind == "dose.given"), None)
        signed = next((e for e in mine if e.kind == "discharge.signed"), None)
        left = next(
            (
                e
                for e in mine
                if e.kind == "participant.removed"
                and (dose_event is None or e.seq > dose_event.seq)
            ),
            None,
        )
        if signed is not None:
            end = (signed.t, "discharge signed")
        elif left is not None:
            end = (left.t, "left the room")
        else:
            end = session_end
        c = cuffs.get(pid, {"SBP": [], "DBP": []})
        bps = sorted([*_cuff_pairs(c["SBP"], c["DBP"]), *_hand_bps(mine)], key=lambda r: r.t)
        records[pid] = CareRecord(
            dose=dose_event.data if dose_event else None,
            bps=tuple(bps),
            discharged_at=signed.t if signed else None,
            discharged_by=(signed.data.get("signed_by") or signed.actor) if signed else None,
            end_t=end[0],
            end_why=end[1],
        )
    return records


def _reading(r: BPReading, t0: float) -> str:
    return f"{r.sbp:g}/{r.dbp:g} at {when(r.t, t0)}, {r.source}"


def pre_dose_bp(record: CareRecord, config: ProtocolConfig) -> ComplianceItem:
    """The BP the dose was checked against (before T0), within the gate or overridden."""
    if record.dose is None:
        return ComplianceItem(PRE_DOSE_BP, None, "not dosed")
    t0, checked = record.t0, record.dose.get("pre_dose_bp")
    before = [r for r in record.bps if r.t <= t0]
    same = [r for r in before if checked and [r.sbp, r.dbp] == [float(v) for v in checked]]
    shown = (same or before)[-1] if (same or before) else None
    if not checked and shown is None:
        return ComplianceItem(PRE_DOSE_BP, False, "no BP before T0")
    sbp, dbp = (checked[0], checked[1]) if checked else (shown.sbp, shown.dbp)
    detail = _reading(shown, t0) if shown else f"{sbp:g}/{dbp:g} (as checked at dosing)"
    gate = f"{config.bp_gate_sbp:g}/{config.bp_gate_dbp:g}"
    if sbp > config.bp_gate_sbp or dbp > config.bp_gate_dbp:
        override = record.dose.get("override")
        if not override:
            return ComplianceItem(PRE_DOSE_BP, False, f"{detail}: above the {gate} gate")
        return ComplianceItem(
            PRE_DOSE_BP,
            True,
            f"{detail}: above the {gate} gate, prescriber override by "
            f"{override.get('prescriber')} ({override.get('reason')})",
        )
    return ComplianceItem(PRE_DOSE_BP, True, detail)


def first_check_window(t0: float, config: ProtocolConfig) -> tuple[float, float, float]:
    """(opens, due, closes) of the first BP check after T0 (40 min by default); a BP
    measured at either end still fills it."""
    due = t0 + config.first_check_min * 60
    return (
        due - config.check_window_before_min * 60,
        due,
        due + config.check_window_after_min * 60,
    )


def first_check_bp(record: CareRecord, config: ProtocolConfig) -> ComplianceItem:
    """A BP inside the first check's window; the nearest to its due time is the evidence.
    When monitoring ended before the window closed without one, the check was never missed
    (it does not apply: the other requirements say whether leaving then was right)."""
    name = f"BP at {config.first_check_min:g} min"
    if record.dose is None:
        return ComplianceItem(name, None, "not dosed")
    t0 = record.t0
    opens, due, closes = first_check_window(t0, config)
    inside = [r for r in record.bps if opens <= r.t <= closes]
    if inside:
        nearest = min(inside, key=lambda r: abs(r.t - due))
        return ComplianceItem(name, True, _reading(nearest, t0))
    if record.end_t < closes:  # still open when monitoring ended: not yet missed
        return ComplianceItem(
            name,
            None,
            f"monitoring ended at {when(record.end_t, t0)}, before the check's window closed",
        )
    return ComplianceItem(
        name, False, f"no BP between {since_t0(opens, t0)} and {since_t0(closes, t0)}"
    )


def minimum_observation(record: CareRecord, config: ProtocolConfig) -> ComplianceItem:
    """Monitored at least the route's minimum after T0, up to the discharge (or the end)."""
    if record.dose is None:
        return ComplianceItem("minimum observation", None, "not dosed")
    minutes = config.min_observation_for(record.dose.get("route"))
    name = f"minimum observation ({minutes:g} min)"
    observed = record.end_t - record.t0
    detail = f"{observed / 60:.0f} min, to {clock(record.end_t)} ({record.end_why})"
    if observed >= minutes * 60:
        return ComplianceItem(name, True, detail)
    return ComplianceItem(name, False, f"only {detail}")


def discharge_signed(record: CareRecord) -> ComplianceItem:
    if record.dose is None:
        return ComplianceItem(DISCHARGE_SIGNED, None, "not dosed: nothing to discharge from")
    if record.discharged_at is None:
        return ComplianceItem(
            DISCHARGE_SIGNED,
            False,
            f"not signed; monitoring ended at {when(record.end_t, record.t0)} ({record.end_why})",
        )
    return ComplianceItem(
        DISCHARGE_SIGNED,
        True,
        f"by {record.discharged_by} at {when(record.discharged_at, record.t0)}",
    )


def compliance(record: CareRecord, config: ProtocolConfig) -> tuple[ComplianceItem, ...]:
    """The four requirements, in the order a lead reads them."""
    return (
        pre_dose_bp(record, config),
        first_check_bp(record, config),
        minimum_observation(record, config),
        discharge_signed(record),
    )


def not_followed(items: Iterable[ComplianceItem]) -> bool:
    """True when any requirement that applies is unmet (a compliance flag)."""
    return any(item.met is False for item in items)
