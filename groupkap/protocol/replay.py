"""Taking up an interrupted session: the protocol, the alarm limits and the alarms shown,
rebuilt from its log.

After a crash the room must come back as it was: who was dosed when (every clock runs
from that T0), which checks were done, who is discharged, each participant's own alarm
limits and the vital-sign alarms that were shown. The log is the record, so the state is
replayed from it, never guessed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import replace

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import limits_from_description
from groupkap.alarms.model import ALARM_KINDS, Alarm
from groupkap.protocol.group import Protocol
from groupkap.protocol.observations import SCALE_RANGES, ScoredEntry
from groupkap.protocol.participant import BPCheck, ParticipantProtocol
from groupkap.store import queries


def restore_protocol(
    protocol: Protocol, conn: sqlite3.Connection, session_id: str, until: float | None = None
) -> int:
    """Replay the protocol events of `session_id` into `protocol`; returns how many.

    The monitor's cuff readings after each T0 come back from the vitals table too: the
    discharge rule "BP back near baseline" reads the newest BP, checked or not. `until`
    stops at that moment (a replay shows the protocol as it stood then; None: everything).
    """
    count = 0
    for e in queries.events(conn, session_id):
        pid, t, kind, data = e.participant_id, e.t, e.kind, e.data
        if pid is None or (until is not None and t > until):
            continue
        if kind == "participant.removed":
            protocol.forget(pid)
            continue
        p = protocol.of(pid)
        count += 1
        if kind == "screening.completed":
            p.screening = {k: v for k, v in data.items() if k != "answers"}
        elif kind == "readiness.confirmed":
            p.readiness = data
        elif kind == "dose.given":
            p.dose = data
        elif kind == "check.recorded" and data.get("check") == "BP":
            check = BPCheck(
                data["t_measured"],
                data["sbp"],
                data["dbp"],
                data["source"],
                data["label"],
                data.get("due_t"),
                data.get("entry_id"),
            )
            if check.label != "extra":  # older logs filed out-of-window hand BPs as "extra"
                p.bp_checks.append(check)
            _after_dose(p, check)
        elif kind == "observation.entered" and "SBP" in data["values"]:
            if not any(k.entry_id == data["entry_id"] for k in p.bp_readings):
                _after_dose(
                    p,
                    BPCheck(
                        data["t_measured"],
                        data["values"]["SBP"],
                        data["values"]["DBP"],
                        "hand",
                        entry_id=data["entry_id"],
                    ),
                )
            if data.get("corrects"):
                protocol.drop_bp(pid, data["corrects"])
        elif kind == "check.recorded" and data.get("check") in SCALE_RANGES:
            _score(p, data, t)
        elif kind == "entry.struck":
            protocol.drop_bp(pid, data["entry_id"])
            for score in p.scores:
                if score.entry_id == data["entry_id"]:
                    score.struck = True
        elif kind == "dissociation.attested":
            p.dissociation_attested_at = t
        elif kind == "adverse_event.recorded":
            if data.get("event_id"):  # older logs gave no id: nothing can name them to resolve
                p.adverse_events[data["event_id"]] = data
        elif kind == "adverse_event.resolved":
            p.resolve_adverse_event(data)
        elif kind == "scale.scored":
            p.flags.extend(f for f in data.get("flags", []) if "PHQ-9" in f)
        elif kind == "discharge.ready":
            p.ready_to_leave_t = t
        elif kind == "discharge.ready_withdrawn":
            p.ready_to_leave_t = None
        elif kind == "discharge.signed":
            p.discharge = data
        else:
            count -= 1
    _monitor_bps(protocol, conn, session_id, until)
    return count


def _monitor_bps(
    protocol: Protocol, conn: sqlite3.Connection, session_id: str, until: float | None
) -> None:
    for pid, p in protocol.participants.items():
        if p.t0 is None:
            continue
        cuff = queries.monitor_blood_pressures(conn, session_id, pid)
        known = {round(k.t, 3) for k in p.bp_readings}
        diastolic = cuff["DBP"]
        for t, sbp in cuff["SBP"]:
            dbp = next((v for t_d, v in diastolic if abs(t_d - t) < 1), None)
            if until is not None and t > until:
                break  # in time order: the rest came later
            if dbp is not None and t >= p.t0 and round(t, 3) not in known:
                p.bp_readings.append(BPCheck(t, sbp, dbp, "monitor"))
        p.bp_readings.sort(key=lambda k: k.t)


def _after_dose(p: ParticipantProtocol, check: BPCheck) -> None:
    if p.t0 is not None and check.t >= p.t0 and check not in p.bp_readings:
        p.bp_readings.append(check)


def _score(p: ParticipantProtocol, data: dict, t: float) -> None:
    """A MOAA/S or CADSS entry; older logs had no id or measured time: the logged time."""
    p.scores.append(
        ScoredEntry(
            data.get("entry_id") or f"logged-{t}",
            data["check"],
            data["value"],
            data.get("t_measured", t),
            data.get("taken_by", ""),
        )
    )
    for e in p.scores:
        if data.get("corrects") and e.entry_id == data["corrects"]:
            e.struck = True


def restore_participant_limits(
    engine: AlarmEngine, conn: sqlite3.Connection, session_id: str
) -> int:
    """Replay per-participant `limits.changed` events onto the clinic's limits."""
    count = 0
    for e in queries.events(conn, session_id, kinds=("limits.changed",)):
        pid, data = e.participant_id, e.data
        if data.get("scope") != "participant" or pid is None:
            continue
        current = engine.participant_limits.get(pid, engine.limits)
        params = dict(current.params)
        if data.get("new") is None:
            params.pop(data["param"], None)
        else:
            params[data["param"]] = limits_from_description(data["param"], data["new"])
        engine.participant_limits[pid] = replace(
            current, params=params, source=data.get("source", "the log")
        )
        count += 1
    return count


def restore_alarms(
    engine: AlarmEngine, conn: sqlite3.Connection, session_id: str, present: Iterable[str]
) -> list[Alarm]:
    """Show again the vital-sign alarms the log says were shown at the interruption, for
    the participants `present`; returns them. Nothing is written: it is the same alarm.

    Each comes back as it stood: its priority (escalated or not), text, when it was raised,
    latched (a high alarm whose condition had gone still waits for a person to reset it)
    and acknowledged or not. One that nobody had acknowledged sounds again at the first
    tick, and its escalation counts from the resume (nobody could see it while the room
    was down). Technical alarms are not restored: their causes are judged again (no data
    once the monitor sends, a late check by the protocol, the MOAA/S by `judge_scores`).
    """
    shown: dict[str, Alarm] = {}
    for e in queries.events(conn, session_id, kinds=ALARM_KINDS):
        data, alarm_id = e.data, e.data.get("alarm_id")
        alarm = shown.get(alarm_id)
        if e.kind == "alarm.raised":
            if alarm is None:
                alarm = Alarm(
                    alarm_id,
                    e.participant_id,
                    data["seat"],
                    data["key"],
                    data["technical"],
                    data["priority"],
                    data["text"],
                    data["value"],
                    data["limit"],
                    raised_at=e.t,
                )
                shown[alarm_id] = alarm
            alarm.condition_active, alarm.acknowledged_at = True, None
            alarm.unacknowledged_since = e.t
        if alarm is None:
            continue
        if e.kind in ("alarm.raised", "alarm.escalated"):
            alarm.priority, alarm.text = data["priority"], data["text"]
            alarm.value, alarm.limit, alarm.seat = data["value"], data["limit"], data["seat"]
            alarm.escalated = alarm.escalated or e.kind == "alarm.escalated"
        elif e.kind == "alarm.acknowledged":
            alarm.acknowledged_at, alarm.last_reminder_at = e.t, None
        elif e.kind == "alarm.reminded":
            alarm.last_reminder_at = e.t
        elif e.kind == "alarm.cleared" and data.get("latched"):
            alarm.condition_active = False
        else:  # cleared, or a latched alarm reset by a person
            del shown[alarm_id]
    now = engine.clock.now()
    wanted = set(present)
    restored = []
    for alarm in shown.values():
        if alarm.participant_id not in wanted:
            continue
        if not alarm.acknowledged:
            alarm.unacknowledged_since = now
        if engine.restore(alarm):
            restored.append(alarm)
    return restored
