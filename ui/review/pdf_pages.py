"""What each page of the PDF report says, as layout blocks: the session summary, one page per
participant, and the session's alarms with the circle's fairness.

Only aliases appear (never names or phone numbers); every time is local clock time, with the
participant's own clock from the dose beside it where a clinician would ask "how long after?".
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from groupkap import ADJUNCT_NOTICE, __version__
from groupkap.alarms.limits import LimitSet, default_limits
from groupkap.review.compliance import DISCHARGE_SIGNED
from groupkap.review.extremes import PRIORITY_MARK, past_limit
from groupkap.review.model import (
    AlarmEpisode,
    CircleStats,
    ParticipantSummary,
    Series,
    SessionSummary,
)
from ui.review import pdf_text as fmt
from ui.review.pdf_layout import (
    ALERT,
    INK,
    MUTED,
    Block,
    Column,
    PageBreak,
    Paragraph,
    Row,
    Spacer,
    Table,
    heading,
)
from ui.review.pdf_plot import ParticipantPlot

PRIORITIES = ("high", "medium", "low")
PLOTTED = ("HR", "SpO2", "SBP", "DBP", "RR")
SeriesFor = Callable[[str, str], Series]


def status_line(summary: SessionSummary) -> Paragraph:
    """The session's state; red when the record stops short of a proper end."""
    end = fmt.clock(summary.ended_at)
    if summary.status == "interrupted":
        text = f"Interrupted: the record ends at {end}. GroupKAP stopped before the session was "
        text += "ended; what happened after that is not in this report."
        return Paragraph(text, bold=True, colour=ALERT)
    if summary.status == "running":
        text = f"Still running in another window: this report shows the record up to {end}."
        return Paragraph(text, bold=True, colour=ALERT)
    return Paragraph(f"Status: {summary.status}")


def chain_line(summary: SessionSummary) -> Paragraph:
    """Whether the log proves itself, with the head a lead compares against `groupkap verify`."""
    c = summary.chain
    head = f"head seq {c.head_seq if c.head_seq is not None else fmt.NOT_APPLICABLE}, hash "
    head += f"{fmt.short_hash(c.head_hash)}… (check with `groupkap verify`)"
    if c.intact:
        return Paragraph(f"Log chain: {c.detail}. {head}")
    where = f" at seq {c.broken_seq}" if c.broken_seq is not None else ""
    return Paragraph(f"Log chain BROKEN{where}: {c.detail}. {head}", bold=True, colour=ALERT)


def alarm_counts(p: ParticipantSummary) -> str:
    """`H 1 · M 0 · L 2`: alarms raised by priority."""
    return " · ".join(f"{k[0].upper()} {p.alarm_counts.get(k, 0)}" for k in PRIORITIES)


def compliance_word(p: ParticipantSummary) -> str:
    return {True: "✓ met", False: "✗ not met", None: "— n/a"}[p.compliant]


def alarm_overview(alarms: Sequence[AlarmEpisode]) -> str:
    """One sentence on how the room's alarms were answered."""
    if not alarms:
        return "No alarm was raised."
    by = {k: sum(1 for a in alarms if a.priority == k) for k in PRIORITIES}
    answered = [a.response_s for a in alarms if a.response_s is not None]
    text = f"{len(alarms)} alarms raised (" + ", ".join(f"{k} {v}" for k, v in by.items()) + ")"
    if answered:
        text += f"; {len(answered)} acknowledged, median response "
        text += fmt.duration(statistics.median(answered))
    missed = len(alarms) - len(answered)
    text += f"; {missed} never acknowledged." if missed else "; every one acknowledged."
    return text


def participant_row(p: ParticipantSummary, limits: LimitSet) -> Row:
    """A participant's line on page 1. Only what needs a look is red, each with a word or a
    mark too (never colour alone): a protocol not met (`✗ not met`), a discharge the protocol
    wanted and that was not signed (`✗ not signed`), a peak SBP or lowest SpO2 past an alarm
    limit in force (`***` high, `**` medium, as on the room's tiles)."""
    discharge_gap = any(c.name == DISCHARGE_SIGNED and c.met is False for c in p.compliance)
    if p.discharged_at is not None:
        discharge = fmt.clock(p.discharged_at)
    else:
        discharge = "✗ not signed" if discharge_gap else "not signed"
    cells, colours = (
        [
            str(p.seat),
            p.alias,
            fmt.dose(p.route, p.dose_mg),
            fmt.clock(p.t0) if p.t0 is not None else fmt.NOT_APPLICABLE,
            discharge,
        ],
        [None] * 5,
    )
    colours[4] = ALERT if discharge_gap and p.discharged_at is None else None
    for param, value, unit in (("SBP", p.peak_sbp, ""), ("SpO2", p.lowest_spo2, "%")):
        priority = past_limit(limits, param, value)
        text = fmt.number(value, unit)
        cells.append(f"{text} {PRIORITY_MARK[priority]}" if priority else text)
        colours.append(ALERT if priority else None)
    cells += [alarm_counts(p), compliance_word(p)]
    colours += [None, ALERT if p.compliant is False else None]
    return Row(cells, cell_colours=colours)


def summary_blocks(
    summary: SessionSummary,
    generated_at: float | None,
    limits_for: Callable[[str], LimitSet] | None = None,
) -> list[Block]:
    """Page 1: the session at a glance. `generated_at` None: a de-identified copy, which
    says so instead of when it was made (that date would date the session). `limits_for`
    (participant id -> the alarm limits in force for them) judges the extremes; the
    built-in defaults without it."""
    s = summary
    span = f"{fmt.day(s.started_at)}, {fmt.clock(s.started_at)}–{fmt.clock(s.ended_at)}"
    if fmt.day(s.ended_at) != fmt.day(s.started_at):
        span += f" on {fmt.day(s.ended_at)}"
    span += f" ({fmt.duration(s.ended_at - s.started_at)})"
    people = ", ".join(s.facilitators) if s.facilitators else "none recorded"
    defaults = default_limits()
    rows = [
        participant_row(p, limits_for(p.id) if limits_for else defaults) for p in s.participants
    ]
    columns = [
        Column("Seat", 0.5, "right"),
        Column("Alias", 1.1),
        Column("Dose", 1.0),
        Column("T0", 0.7),
        Column("Discharge", 1.2),
        Column("Peak SBP", 0.7, "right"),
        Column("Lowest SpO2", 0.8, "right"),
        Column("Alarms", 1.3),
        Column("Protocol", 1.0),
    ]
    circle = "No sharing circle was held."
    if s.circle:
        circle = f"Sharing circle: {circle_span(s.circle)}, {len(s.circle.speakers)} speakers, "
        circle += f"Gini {gini_text(s.circle)} (details on the alarms page)."
    if generated_at is None:
        made = (
            f"Generated by GroupKAP {__version__} from the session log, read-only. "
            "De-identified: participants by alias only, staff by role, free text withheld, "
            "and every date shifted by the same number of days (clock times, T0 offsets and "
            "response times are as recorded)."
        )
    else:
        generated = datetime.fromtimestamp(generated_at).astimezone().strftime("%Y-%m-%d %H:%M")
        made = f"Generated {generated} by GroupKAP {__version__} from the session log, "
        made += "read-only. Participants appear by alias only."
    return [
        Paragraph("GroupKAP session report", size=18, bold=True, space_after=2),
        Paragraph(s.title or "(untitled session)", size=13, space_after=8),
        Paragraph(f"{span}. Times are local ({fmt.zone(s.started_at)})."),
        status_line(s),
        Paragraph(
            f"Room: {s.seats} seats, {len(s.participants)} participants"
            + (f", vitals from {s.source}" if s.source else "")
            + f". Session {s.id}, {s.events} events logged."
        ),
        Paragraph(f"Facilitators: {people}."),
        Spacer(6),
        heading("Participants"),
        Table(columns, rows, empty="nobody was seated"),
        Paragraph(
            "Red, with ✗ or a mark, is what needs a look; *** or ** after a value: past the "
            "high or medium alarm limit in force. Alarms: H high, M medium, L low priority. "
            "Protocol: the requirements on each participant's page (pre-dose BP, BP at 40 "
            "min, minimum observation, discharge).",
            colour=MUTED,
            space_after=8,
        ),
        heading("Alarms"),
        Paragraph(alarm_overview(s.alarms), space_after=8),
        heading("Sharing circle"),
        Paragraph(circle, space_after=8),
        heading("Record"),
        chain_line(s),
        Paragraph(made, colour=MUTED, space_after=10),
        Paragraph(ADJUNCT_NOTICE, bold=True),
    ]


def gini_text(circle: CircleStats) -> str:
    return fmt.NOT_APPLICABLE if circle.gini is None else f"{circle.gini:.2f}"


def circle_span(circle: CircleStats) -> str:
    if circle.ended_at is None:
        return f"from {fmt.clock(circle.started_at)}, cut short"
    return f"{fmt.clock(circle.started_at)}–{fmt.clock(circle.ended_at)}"


def alarm_row(a: AlarmEpisode, t0: float | None, who: str | None = None) -> Row:
    """One alarm episode as a table row; an unanswered alarm in red, and said in words.
    With `who` (the whole session's table) the T0 offset goes under the time."""
    raised = fmt.clock(a.raised_at, seconds=True)
    if t0 is not None:
        raised += ("\n" if who is not None else " · ") + fmt.t0_offset(a.raised_at, t0)
    what = a.text + (" (technical)" if a.technical else "")
    priority = a.priority + (f" ↑{a.escalations}" if a.escalations else "")
    response = fmt.duration(a.response_s) if a.response_s is not None else "✗ unanswered"
    lasted = fmt.duration(a.duration_s) if a.duration_s is not None else "active at end"
    cells = [raised, what, priority, response, a.acknowledged_by or fmt.NOT_APPLICABLE, lasted]
    if who is not None:
        cells.insert(1, who)
    return Row(cells, colour=ALERT if a.response_s is None else INK)


def alarm_columns(with_who: bool) -> list[Column]:
    """Widths in points of the 510 pt line, measured on the longest usual entry."""
    columns = [
        Column("Raised", 66 if with_who else 118),
        Column("What", 100 if with_who else 118),
        Column("Priority", 62),
        Column("Response", 74),
        Column("Acknowledged by", 82),
        Column("Lasted", 60 if with_who else 56),
    ]
    if with_who:
        columns.insert(1, Column("Seat · alias", 70))
    return columns


def load_plot_series(series_for: SeriesFor, pid: str) -> dict[str, Series]:
    """The parameters a participant's plot draws; the pulse rate only when no ECG HR."""
    series = {param: series_for(pid, param) for param in PLOTTED}
    if len(series["HR"].t) == 0:
        series["PR"] = series_for(pid, "PR")
    return series


def dose_fact(p: ParticipantSummary) -> str:
    if p.route is None and p.dose_mg is None:
        return "Not dosed"
    return f"Dose {fmt.dose(p.route, p.dose_mg)}" + (
        f" at {fmt.clock(p.t0)} (T0)" if p.t0 is not None else ""
    )


def discharge_fact(p: ParticipantSummary) -> str:
    if p.discharged_at is None:
        return "discharge not signed"
    when = f"{fmt.clock(p.discharged_at)} ({fmt.t0_offset(p.discharged_at, p.t0)})"
    if p.t0 is None:
        when = fmt.clock(p.discharged_at)
    return f"discharge signed {when}" + (f" by {p.discharged_by}" if p.discharged_by else "")


def participant_blocks(
    summary: SessionSummary, p: ParticipantSummary, series: Mapping[str, Series]
) -> list[Block]:
    """A participant's page: their plot over the whole session, protocol, and alarms."""
    facts = [dose_fact(p), discharge_fact(p)]
    facts.append(
        f"peak SBP {fmt.number(p.peak_sbp)}, lowest SpO2 {fmt.number(p.lowest_spo2, '%')}, "
        f"peak HR {fmt.number(p.peak_hr)}"
    )
    if p.removed_at is not None:
        facts.append(f"left the room {fmt.clock(p.removed_at)}")
    mine = [a for a in summary.alarms if a.participant_id == p.id]
    marks = [m for m in summary.markers if m.participant_id in (p.id, None)]
    plot = ParticipantPlot(p, summary.started_at, summary.ended_at, series, mine, marks)
    compliance = [
        Row(
            [item.name, fmt.flag(item.met) + " " + _met_word(item.met), item.detail],
            colour=ALERT if item.met is False else INK,
        )
        for item in p.compliance
    ]
    compliance_columns = [Column("Requirement", 175), Column("Met", 60), Column("Detail", 275)]
    return [
        PageBreak(),
        Paragraph(f"Seat {p.seat} · {p.alias}", size=16, bold=True, space_after=2),
        Paragraph(" · ".join(facts) + ".", space_after=6),
        plot,
        heading("Protocol"),
        Table(compliance_columns, compliance, empty="no requirement applies"),
        heading("Alarms"),
        Table(
            alarm_columns(False),
            [alarm_row(a, p.t0) for a in mine],
            empty="no alarm",
            continued=f"Seat {p.seat} · {p.alias}: alarms",
        ),
    ]


def _met_word(met: bool | None) -> str:
    return {True: "met", False: "not met", None: "n/a"}[met]


def session_alarm_blocks(summary: SessionSummary) -> list[Block]:
    """All the session's alarms in the order raised, the unanswered ones marked."""
    by_id = {p.id: p for p in summary.participants}
    rows = []
    for a in summary.alarms:
        p = by_id.get(a.participant_id)
        who = f"{p.seat} · {p.alias}" if p else "room"
        rows.append(alarm_row(a, p.t0 if p else None, who))
    return [
        PageBreak(),
        Paragraph("All alarms", size=16, bold=True, space_after=2),
        Paragraph(alarm_overview(summary.alarms), space_after=6),
        Table(alarm_columns(True), rows, empty="no alarm was raised", continued="All alarms"),
    ]


def circle_blocks(circle: CircleStats | None) -> list[Block]:
    """The sharing circle's fairness: spoken time only, never what was said."""
    if circle is None:
        return []
    rows = [
        Row(
            [
                s.alias,
                fmt.duration(s.spoken_s),
                f"{s.share * 100:.0f} %",
                str(s.turns),
                str(s.passes),
                fmt.duration(s.overtime_s) if s.overtime_s > 0 else fmt.NOT_APPLICABLE,
            ]
        )
        for s in circle.speakers
    ]
    columns = [
        Column("Speaker", 1.4),
        Column("Spoken", 1.1, "right"),
        Column("Share", 0.8, "right"),
        Column("Turns", 0.7, "right"),
        Column("Passes", 0.7, "right"),
        Column("Overtime", 1.1, "right"),
    ]
    return [
        Spacer(10),
        heading("Sharing circle: fairness", 14),
        Paragraph(
            f"{circle_span(circle)}; fair share {fmt.duration(circle.fair_share_s)} each; "
            f"Gini {gini_text(circle)} (0: everyone spoke equally, 1: one speaker had all the "
            "time). Only times are recorded, never what was said.",
            space_after=6,
        ),
        Table(columns, rows, empty="nobody spoke"),
    ]
