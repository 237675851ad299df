"""The esketamine monitoring record of one participant, rebuilt from the session log alone."""

from __future__ import annotations

import html
import json
import sqlite3
from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime, timezone

from groupkap import ADJUNCT_NOTICE
from groupkap.clock import Clock, RealClock, utc_iso
from groupkap.errors import BadInputError
from groupkap.protocol.config import ROUTES

FORTY_MIN_S, FORTY_WINDOW_S = 40 * 60, 15 * 60  # "~40 min": the closest check within ±15 min
NORMAL_MOAAS = 5  # the baseline when no MOAA/S was scored before the dose
BREATHING_KEYS = ("SpO2", "RR")


@dataclass(frozen=True)
class Finding:
    """A yes/no item of the record, with every observation that made it "yes".

    Attributes:
        yes: True when at least one observation counts.
        times: one line per observation, e.g. `22:58 UTC (T0 +45 min): MOAA/S 3 (baseline 5)`.
    """

    yes: bool
    times: tuple[str, ...] = ()


@dataclass(frozen=True)
class EsketamineRecord:
    """What CLINICAL.md asks to keep per participant of an esketamine session.

    Attributes:
        session_id, alias, seat: whose record it is (seat as last logged).
        route, dose_mg, lot, given_by: from the dose record; t0 is the dose time, ISO UTC.
        bp_pre_dose, bp_40_min, bp_discharge: `SBP/DBP at HH:MM UTC (source)`, None if missing.
        missing: which of the three BP readings the log does not hold.
        sedation: MOAA/S after T0 below the pre-dose score (or below 5 without one).
        dissociation: any CADSS total above 0.
        respiratory_depression: any SpO2 or low-RR alarm raised after T0.
        total_monitoring_minutes: T0 to the end of monitoring (see `monitoring_end`).
        monitoring_end: what ended monitoring: discharge, removal, session end or last event.
        ready_to_leave_minute, discharged_by: from the signed discharge, None without one.
        adverse_events: one short line per adverse event.
    """

    session_id: str
    alias: str
    seat: int | None
    route: str
    dose_mg: float
    lot: str
    given_by: str
    t0: str
    bp_pre_dose: str | None
    bp_40_min: str | None
    bp_discharge: str | None
    missing: tuple[str, ...]
    sedation: Finding
    dissociation: Finding
    respiratory_depression: Finding
    total_monitoring_minutes: float
    monitoring_end: str
    ready_to_leave_minute: float | None
    discharged_by: str | None
    adverse_events: tuple[str, ...]


_Event = namedtuple("_Event", "seq t kind data")  # t: when it was logged, epoch seconds


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _hhmm(t: float, t0: float | None = None) -> str:
    """`HH:MM UTC`, and the minute from T0 when given, as the facilitators count it."""
    hhmm = datetime.fromtimestamp(t, tz=timezone.utc).strftime("%H:%M UTC")
    return hhmm if t0 is None else f"{hhmm} (T0 {round((t - t0) / 60):+d} min)"


def _bp(e: _Event | None) -> str | None:
    """`SBP/DBP at HH:MM UTC (source)`, the time the cuff measured, not when it was logged."""
    if e is None:
        return None
    d = e.data
    return f"{d['sbp']:g}/{d['dbp']:g} at {_hhmm(d['t_measured'])} ({d['source']})"


def _participant(conn: sqlite3.Connection, session_id: str, who: str) -> tuple:
    """(id, alias, seat) of `who`, an id or alias; refused with the session's aliases."""
    if conn.execute("select 1 from events where session_id = ? limit 1",
                    (session_id,)).fetchone() is None:
        raise BadInputError(f"no session {session_id!r} in this database; "
                            "`groupkap sessions` lists them")
    people = [tuple(r) for r in conn.execute(
        "select id, alias, seat from participants where session_id = ? order by seat, added_at",
        (session_id,))]
    for match in ([p for p in people if p[0] == who], [p for p in people if p[1] == who],
                  [p for p in people if p[1].casefold() == who.strip().casefold()]):
        if len(match) == 1:
            return match[0]
        if len(match) > 1:
            raise BadInputError(f"{len(match)} participants of session {session_id} are "
                                f"called {who!r}; give the participant id: "
                                + ", ".join(p[0] for p in match))
    known = ", ".join(f"{p[1]} (seat {p[2]})" for p in people) or "none"
    raise BadInputError(f"no participant {who!r} in session {session_id}; "
                        f"its participants are: {known}")


def monitoring_record(conn: sqlite3.Connection, session_id: str,
                      participant: str) -> EsketamineRecord:
    """Build the record from the database only, so a lead can make it after the session."""
    pid, alias, seat = _participant(conn, session_id, participant)
    events = [_Event(seq, _epoch(t), kind, json.loads(data)) for seq, t, kind, data in
              conn.execute("select seq, t, kind, data from events where session_id = ? and "
                           "participant_id = ? order by seq", (session_id, pid))]
    dose = next((e for e in events if e.kind == "dose.given"), None)
    if dose is None:
        raise BadInputError(f"{alias} has no dose recorded in session {session_id}; the "
                            "monitoring record starts from the dose and its T0")
    d, route = dose.data, dose.data.get("route")
    if route not in ROUTES or not ROUTES[route].esketamine:
        label = ROUTES[route].label if route in ROUTES else "an unknown route"
        raise BadInputError(f"the monitoring record is for esketamine sessions (intranasal "
                            f"esketamine, IN); {alias} was given {label} ({route})")
    t0 = d["t0"]
    discharge = next((e for e in events if e.kind == "discharge.signed"), None)
    end_t, end = _monitoring_end(conn, session_id, events, dose, discharge)
    minutes = (discharge.data["minutes_since_t0"] if discharge and "minutes_since_t0" in
               discharge.data else round((end_t - t0) / 60, 1))
    readings = _bp_readings(events, dose, end_t)
    checks = [e for e in events if e.kind == "check.recorded"]
    moaas = [e for e in checks if e.data.get("check") == "MOAA/S"]
    base = next((e.data["value"] for e in moaas if e.seq < dose.seq), NORMAL_MOAAS)
    sedated = [f"{_hhmm(e.t, t0)}: MOAA/S {e.data['value']} (baseline {base})"
               for e in moaas if e.seq > dose.seq and e.data["value"] < base]
    dissociated = [f"{_hhmm(e.t, t0)}: CADSS {e.data['value']}" for e in checks
                   if e.data.get("check") == "CADSS" and e.data["value"] > 0]
    # A high RR ("> 30") is not respiratory depression; SpO2 and RR bounds below are.
    breathing = [f"{_hhmm(e.t, t0)}: {e.data.get('text', e.data['key'])} "
                 f"({e.data.get('priority')} alarm)" for e in events
                 if e.kind == "alarm.raised" and e.t >= t0 and e.data.get("key") in BREATHING_KEYS
                 and not e.data.get("technical")
                 and not str(e.data.get("limit") or "").lstrip().startswith(">")]
    adverse = [f"{_hhmm(e.data.get('t_occurred', e.t))}, {e.data.get('severity')}: "
               f"{e.data.get('description')}; intervention: "
               f"{e.data.get('intervention') or 'none'}; outcome: {e.data.get('outcome')}"
               for e in events if e.kind == "adverse_event.recorded"]
    signed = discharge.data if discharge else {}
    return EsketamineRecord(
        session_id=session_id, alias=alias, seat=seat, route=route, dose_mg=d["dose_mg"],
        lot=d.get("lot", ""), given_by=d.get("given_by", ""), t0=utc_iso(t0),
        bp_pre_dose=readings["pre-dose BP"], bp_40_min=readings["~40 min BP"],
        bp_discharge=readings["discharge BP"],
        missing=tuple(k for k, v in readings.items() if v is None),
        sedation=Finding(bool(sedated), tuple(sedated)),
        dissociation=Finding(bool(dissociated), tuple(dissociated)),
        respiratory_depression=Finding(bool(breathing), tuple(breathing)),
        total_monitoring_minutes=minutes, monitoring_end=end,
        ready_to_leave_minute=signed.get("ready_to_leave_minute"),
        discharged_by=signed.get("signed_by"), adverse_events=tuple(adverse))


def _monitoring_end(conn, session_id: str, events: list[_Event], dose: _Event,
                    discharge: _Event | None) -> tuple[float, str]:
    """When monitoring ended: the signed discharge, else leaving the room, else session end."""
    if discharge is not None:
        return discharge.t, "discharge signed"
    removed = [e for e in events if e.kind == "participant.removed" and e.seq > dose.seq]
    if removed:
        return removed[0].t, "participant removed"
    ended = conn.execute("select t from events where session_id = ? and kind = 'session.ended' "
                         "order by seq desc limit 1", (session_id,)).fetchone()
    if ended:
        return _epoch(ended[0]), "session ended"
    last = conn.execute("select max(t) from events where session_id = ?", (session_id,))
    return _epoch(last.fetchone()[0]), "last logged event (session not ended)"


def _bp_readings(events: list[_Event], dose: _Event, end_t: float) -> dict[str, str | None]:
    """The BP the dose was checked against, the one near T0+40, the one before discharge."""
    t0 = dose.data["t0"]
    bps = [e for e in events if e.kind == "check.recorded" and e.data.get("check") == "BP"]
    before = [e for e in bps if e.seq < dose.seq]  # by log order, as T0 may be back-dated
    same = [e for e in before if [e.data["sbp"], e.data["dbp"]] == dose.data.get("pre_dose_bp")]
    after = [e for e in bps if e.seq > dose.seq and e.data["t_measured"] >= t0]

    def off_40(e: _Event) -> float:
        return abs(e.data["t_measured"] - t0 - FORTY_MIN_S)
    forty = next((e for e in after if e.data.get("label") == "+40 min"), None) or min(
        (e for e in after if off_40(e) <= FORTY_WINDOW_S), key=off_40, default=None)
    labelled = [e for e in after if e.data.get("label") == "before discharge"]
    later = [e for e in after if e is not forty and e.data["t_measured"] <= end_t
             and (forty is None or e.data["t_measured"] > forty.data["t_measured"])]
    return {"pre-dose BP": _bp((same or before or [None])[-1]), "~40 min BP": _bp(forty),
            "discharge BP": _bp((labelled or later or [None])[-1])}


_CSS = """
body { font: 11pt/1.4 Georgia, serif; color: #000; background: #fff; max-width: 48em;
  margin: 2em auto; padding: 0 1em; } h1 { font-size: 17pt; } h2 { font-size: 12.5pt; }
table { width: 100%; border-collapse: collapse; } ul { margin: 0; padding-left: 1.2em; }
th, td { border: 1px solid #000; padding: .3em .5em; text-align: left; vertical-align: top; }
th { width: 34%; } .sign th { width: auto; } .sign td { height: 2.4em; }
.missing { border: 2px solid #000; padding: .5em .7em; font-weight: bold; }
footer { margin-top: 2em; font-size: 9pt; border-top: 1px solid #000; padding-top: .5em; }
@page { margin: 18mm; } @media print { body { margin: 0; max-width: none; } }
"""


def _list(items) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def to_html(record: EsketamineRecord, clock: Clock | None = None) -> str:
    """A standalone printable document (no external assets), so it can be filed and signed."""
    r, e = record, html.escape

    def val(v) -> str:
        return "<em>not recorded</em>" if v is None else e(f"{v:g}" if isinstance(v, float)
                                                          else str(v))

    def yes_no(f: Finding) -> str:
        return "<strong>Yes</strong>" + _list(f.times) if f.yes else "No"

    def table(*items) -> str:
        return "<table>" + "".join(f"<tr><th>{e(k)}</th><td>{v}</td></tr>"
                                   for k, v in items) + "</table>"

    missing = (f'<p class="missing">Missing: {e(", ".join(r.missing))}. The session log holds '
               "no such reading; note why beside the signatures.</p>" if r.missing else "")
    adverse = _list(r.adverse_events) if r.adverse_events else "None recorded"
    sections = [
        ("Dose", table(("Route", val(r.route) + " (intranasal esketamine)"),
                       ("Dose", e(f"{r.dose_mg:g} mg")), ("Lot", val(r.lot)),
                       ("Given by", val(r.given_by)), ("T0 (dose time)", val(r.t0)))),
        ("Blood pressure", table(("Pre-dose", val(r.bp_pre_dose)),
                                 ("~40 min after T0", val(r.bp_40_min)),
                                 ("Before discharge", val(r.bp_discharge)))),
        ("Observations", table(
            ("Sedation (MOAA/S below baseline)", yes_no(r.sedation)),
            ("Dissociation (CADSS total above 0)", yes_no(r.dissociation)),
            ("Respiratory depression (SpO2 or low RR alarm)", yes_no(r.respiratory_depression)))),
        ("Monitoring and discharge", table(
            ("Total monitoring",
             e(f"{r.total_monitoring_minutes:g} min, T0 to {r.monitoring_end}")),
            ("Ready to leave (minute after T0)", val(r.ready_to_leave_minute)),
            ("Discharge signed by", val(r.discharged_by)), ("Adverse events", adverse))),
    ]
    body = "\n".join(f"<h2>{e(title)}</h2>{content}" for title, content in sections)
    blank = "<tr><td></td><td></td><td></td><td></td></tr>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Esketamine monitoring record: {e(r.alias)}, session {e(r.session_id)}</title>
<style>{_CSS}</style></head><body>
<h1>Esketamine monitoring record</h1>
<p>Participant <strong>{e(r.alias)}</strong>, seat {val(r.seat)}, session {e(r.session_id)}</p>
{missing}{body}
<h2>Signatures</h2><table class="sign"><tr><th>Name</th><th>Date and time</th>
<th>Meaning (author, review, approval)</th><th>Signature</th></tr>{blank * 3}</table>
<footer><p>Generated {e(utc_iso((clock or RealClock()).now()))} from the GroupKAP session log.</p>
<p>{e(ADJUNCT_NOTICE)}</p></footer>
</body></html>
"""
