"""The esketamine monitoring record as one printable HTML page, in the REMS form's order."""

from __future__ import annotations

import html
from datetime import date, timedelta

from groupkap import ADJUNCT_NOTICE
from groupkap.clock import Clock, RealClock, utc_iso
from groupkap.protocol.esketamine import Answer, EsketamineRecord, Finding

NOT_RECORDED = "<em>not recorded</em>"
REMS_DUE_DAYS = 7  # the form is due to the REMS within 7 days of the treatment session

_CSS = """
body { font: 11pt/1.4 Georgia, serif; color: #000; background: #fff; max-width: 48em;
  margin: 2em auto; padding: 0 1em; } h1 { font-size: 17pt; } h2 { font-size: 12.5pt; }
table { width: 100%; border-collapse: collapse; } ul { margin: 0; padding-left: 1.2em; }
th, td { border: 1px solid #000; padding: .3em .5em; text-align: left; vertical-align: top; }
th { width: 38%; } .sign th { width: auto; } .sign td { height: 2.4em; }
.missing { border: 2px solid #000; padding: .5em .7em; font-weight: bold; }
.note { font-size: 9.5pt; }
footer { margin-top: 2em; font-size: 9pt; border-top: 1px solid #000; padding-top: .5em; }
@page { margin: 18mm; } @media print { body { margin: 0; max-width: none; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _val(v, none: str = NOT_RECORDED) -> str:
    if v is None:
        return none
    return _e(f"{v:g}" if isinstance(v, float) else v)


def _list(items) -> str:
    return "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


def _note(text: str) -> str:
    return f'<div class="note">{_e(text)}</div>' if text else ""


def _answer(a: Answer) -> str:
    return _val(a.value) + _note(a.detail)


def _finding(f: Finding) -> str:
    if f.value is None:
        return NOT_RECORDED + _note(f.rule)
    if f.value == "No":
        return "No" + _note(f.rule) + (_list(f.evidence) if f.evidence else "")
    return (
        "<strong>Yes</strong>" + f"<br>Onset: {_val(f.onset)}<br>Resolved: "
        f"{_val(f.resolved)}" + _note(f.rule) + _list(f.evidence)
    )


def _table(*rows) -> str:
    return (
        "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"
    )


def to_html(record: EsketamineRecord, clock: Clock | None = None) -> str:
    """A standalone printable document (no external assets), so it can be filed and signed."""
    r, c = record, record.clinic
    due = date.fromisoformat(r.treatment_date) + timedelta(days=REMS_DUE_DAYS)
    missing = (
        f'<p class="missing">Not recorded: {_e(", ".join(r.missing))}. The session log '
        "holds no such entry; complete the form by hand and note why, or correct the "
        "log, before signing.</p>"
        if r.missing
        else ""
    )
    adverse = _list(r.adverse_events) if r.adverse_events else "None recorded"
    sections = [
        (
            "Patient",
            _table(
                (
                    "Participant (alias)",
                    f"<strong>{_e(r.alias)}</strong>, seat {_val(r.seat)}, "
                    f"session {_e(r.session_id)}",
                ),
                (
                    "Name, birthdate, sex",
                    "from the clinic's patient record (GroupKAP keeps the alias only)",
                ),
            ),
        ),
        (
            "Concomitant medication (may cause sedation or blood pressure changes)",
            _table(*((label, _val(v)) for label, v in r.concomitant_medications)),
        ),
        (
            "Healthcare provider conducting patient monitoring",
            _table(("Name", _val(c.provider)), ("Telephone / email", _val(c.contact))),
        ),
        ("Healthcare setting", _table(("Name", _val(c.name)), ("Address", _val(c.address)))),
        (
            "Treatment session (administration and monitoring)",
            _table(
                ("Treatment date", _e(r.treatment_date)),
                ("Dose administered", _e(f"{r.dose_mg:g} mg") + " intranasal esketamine"),
                ("Lot number", _val(r.lot)),
                ("Time of administration (T0)", _e(f"{r.t0[11:16]} UTC ({r.t0})")),
                ("Given by", _val(r.given_by)),
                ("Monitoring ended", _e(r.monitoring_ended)),
                (
                    "Total monitoring time (T0 to completion of monitoring)",
                    _e(f"{r.total_monitoring_minutes:g} minutes"),
                ),
                (
                    "Without the 2-hour minimum, ready to leave at (minutes from T0)",
                    _val(r.ready_to_leave_minute),
                ),
                ("Discharge signed by", _val(r.discharged_by)),
            ),
        ),
        (
            "Vital signs in acceptable range prior to",
            _table(
                ("Administration", _answer(r.vitals_before_dosing)),
                ("Treatment session completion", _answer(r.vitals_before_completion)),
            ),
        ),
        (
            "Blood pressure",
            _table(
                ("Prior to administration", _val(r.bp_pre_dose)),
                ("~40 min post-administration", _val(r.bp_40_min, "<em>not taken</em>")),
                ("Prior to treatment session completion", _val(r.bp_before_completion)),
                ("Every BP recorded", _list(r.bp_readings) if r.bp_readings else NOT_RECORDED),
            ),
        ),
        (
            "Did the patient experience",
            _table(
                ("Sedation (MOAA/S)", _finding(r.sedation)),
                ("Dissociation (CADSS)", _finding(r.dissociation)),
                ("Respiratory depression (SpO2 / RR alarm)", _finding(r.respiratory_depression)),
                ("Adverse events", adverse),
            ),
        ),
    ]
    body = "\n".join(f"<h2>{_e(title)}</h2>{content}" for title, content in sections)
    signed = "".join(
        f"<tr><td>{_e(s.name)}</td><td>{_e(s.t)}</td><td>{_e(s.meaning)}</td><td>"
        f"{_e(_how(s))}{'' if s.current else ' (for an earlier version of this record)'}"
        "</td></tr>"
        for s in r.signatures
    )
    blank = "<tr><td></td><td></td><td></td><td></td></tr>" * (1 if r.signatures else 3)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Esketamine monitoring record: {_e(r.alias)}, session {_e(r.session_id)}</title>
<style>{_CSS}</style></head><body>
<h1>Esketamine monitoring record</h1>
<p>SPRAVATO REMS Patient Monitoring Form fields, from the GroupKAP session log. Due to the
REMS within {REMS_DUE_DAYS} days of treatment: by {due.isoformat()}.</p>
{missing}{body}
<h2>Signatures</h2><table class="sign"><tr><th>Name</th><th>Date and time</th>
<th>Meaning (author, review, approval)</th><th>Signature</th></tr>{signed}{blank}</table>
<footer><p>Generated {_e(utc_iso((clock or RealClock()).now()))} from the GroupKAP session log.
Times are UTC; T0 offsets are minutes:seconds after the dose.</p>
<p>{_e(ADJUNCT_NOTICE)}</p></footer>
</body></html>
"""


def _how(s) -> str:
    """How a signature was made: an account's PIN (with its role), a demo, or a typed name."""
    if s.method == "PIN":
        return f"electronic signature, PIN re-entered ({s.role}), in the session log"
    if s.method == "demo":
        return "demo user, no PIN (demo mode)"
    return "signed in the session log"
