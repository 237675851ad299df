"""The rows of the CSV export's four tables: plain values a spreadsheet reads as they are.

Every time is given twice: ISO UTC text (`t_utc`) for a person and epoch seconds (`t`) for
a program. Yes/no columns are `1`/`0`; an empty cell means "not recorded". Participants
appear by alias and id, never by full name; the log's full names and ride-home contacts
are withheld from `events.csv` (`WITHHELD_KEYS`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping

from groupkap.review.model import SessionSummary
from groupkap.review.times import iso_utc
from groupkap.store.queries import LoggedEvent

VITAL_COLUMNS = (
    "t_utc",
    "t",
    "participant_id",
    "participant",
    "seat",
    "device",
    "param",
    "value",
    "unit",
    "source",
    "struck",
)
EVENT_COLUMNS = ("seq", "t_utc", "t", "participant_id", "participant", "kind", "actor", "data")
ALARM_COLUMNS = (
    "alarm_id",
    "participant_id",
    "participant",
    "seat",
    "key",
    "priority",
    "technical",
    "text",
    "raised_utc",
    "acknowledged_utc",
    "acknowledged_by",
    "response_s",
    "cleared_utc",
    "duration_s",
    "escalations",
    "reminders",
)
# The four requirements in `compliance.compliance` order, each with its evidence.
COMPLIANCE_COLUMNS = ("pre_dose_bp", "first_check_bp", "minimum_observation", "discharge_signed")
PARTICIPANT_COLUMNS = (
    "participant_id",
    "participant",
    "seat",
    "added_utc",
    "removed_utc",
    "route",
    "dose_mg",
    "t0_utc",
    "discharged_utc",
    "discharged_by",
    "peak_sbp",
    "lowest_spo2",
    "peak_hr",
    "alarms_high",
    "alarms_medium",
    "alarms_low",
    "vitals_rows",
    "compliant",
    *(c for name in COMPLIANCE_COLUMNS for c in (name, f"{name}_detail")),
)
WITHHELD_KEYS = frozenset({"full_name", "ride_home_name", "ride_home_phone"})
WITHHELD = "(withheld)"


def _flag(value: bool | None) -> str | int:
    return "" if value is None else int(bool(value))


def _blank(value):
    return "" if value is None else value


def vital_rows(
    cursor: Iterable[tuple], struck: Collection[tuple[str, str, float, float]]
) -> Iterator[tuple]:
    """From `review_queries.vitals_for_export`: one row per stored value, `struck` 1 for a
    hand value whose entry was struck or corrected."""
    for row in cursor:
        t, pid, param, value, source = row[1], row[2], row[6], row[7], row[9]
        gone = source.startswith("hand:") and (pid, param, t, value) in struck
        yield (*row, int(gone))


def _withheld(value):
    if isinstance(value, dict):
        return {
            k: (WITHHELD if k in WITHHELD_KEYS and v not in (None, "") else _withheld(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_withheld(v) for v in value]
    return value


def event_rows(events: Iterable[LoggedEvent], aliases: Mapping[str, str]) -> Iterator[tuple]:
    """One row per event, its data as JSON with full names and contacts withheld."""
    for e in events:
        yield (
            e.seq,
            iso_utc(e.t),
            e.t,
            _blank(e.participant_id),
            aliases.get(e.participant_id, ""),
            e.kind,
            e.actor,
            json.dumps(_withheld(e.data), sort_keys=True, ensure_ascii=False),
        )


def alarm_rows(summary: SessionSummary) -> Iterator[tuple]:
    aliases = {p.id: p.alias for p in summary.participants}
    for a in summary.alarms:
        yield (
            a.alarm_id,
            _blank(a.participant_id),
            aliases.get(a.participant_id, "room" if a.participant_id is None else ""),
            _blank(a.seat),
            a.key,
            a.priority,
            int(a.technical),
            a.text,
            iso_utc(a.raised_at),
            _blank(iso_utc(a.acknowledged_at)),
            _blank(a.acknowledged_by),
            _blank(a.response_s),
            _blank(iso_utc(a.cleared_at)),
            _blank(a.duration_s),
            a.escalations,
            a.reminders,
        )


def participant_rows(summary: SessionSummary) -> Iterator[tuple]:
    for p in summary.participants:
        items = list(p.compliance) + [None] * (len(COMPLIANCE_COLUMNS) - len(p.compliance))
        yield (
            p.id,
            p.alias,
            p.seat,
            iso_utc(p.added_at),
            _blank(iso_utc(p.removed_at)),
            _blank(p.route),
            _blank(p.dose_mg),
            _blank(iso_utc(p.t0)),
            _blank(iso_utc(p.discharged_at)),
            _blank(p.discharged_by),
            _blank(p.peak_sbp),
            _blank(p.lowest_spo2),
            _blank(p.peak_hr),
            p.alarm_counts.get("high", 0),
            p.alarm_counts.get("medium", 0),
            p.alarm_counts.get("low", 0),
            p.vitals_rows,
            _flag(p.compliant),
            *(
                v
                for item in items[: len(COMPLIANCE_COLUMNS)]
                for v in ((_flag(item.met), item.detail) if item else ("", ""))
            ),
        )
