"""A de-identified copy of a past session, for research and QA (`groupkap export --deidentify`).

What changes, and why a lead can still trust the figures:

- Participants appear by alias only; full names, ride-home names and phones, the person id
  that links their sessions, and every free-text field (notes, reasons, descriptions, the
  session title, what helped and the free text of their feedback, a plan's texts such as a
  trusted contact's name and phone) are withheld. Feedback's scores and chosen words
  (music liking, anxiety moments, physical effects, pieces to avoid) stay: research reads
  them.
- Every time moves by ONE offset of whole days, drawn at random per export and written
  nowhere: dates no longer say when the session was, while clock times, T0 offsets,
  response times and durations stay exactly as recorded (differences are unchanged).
- The session gets a fresh opaque id, each participant a fresh one too (ids of the
  source database would link the copy back to it).
- Staff are named by role and order of first appearance ("medical 1", "facilitator 2"),
  from the accounts table; a name without an account is "staff N". The workstation's own
  words (`system`, `facilitator` before accounts) are not people and stay as they are.
- The chain head and the seal digests are left out: they prove the original log and would
  identify it, and a shifted copy cannot be checked against it anyway.

Only values: `Deidentifier` maps a summary, an event, a vitals row or a string; the exports
(`export_data`, the PDF report) apply it.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from random import Random, SystemRandom

from groupkap.accounts import DEMO_ACCOUNT
from groupkap.review.model import ChainStatus, SessionSummary
from groupkap.review.times import iso_utc
from groupkap.store import signature_queries
from groupkap.store.queries import LoggedEvent

DEIDENTIFIED = "DE-IDENTIFIED"
MARKING = "DE-IDENTIFIED · aliases only, dates shifted, names and free text removed"
WITHHELD = "(withheld)"
DAY_S = 86_400
SHIFT_DAYS = (30, 3 * 365)  # the offset's size in days, either direction
TITLE = "de-identified session"
NOT_PEOPLE = frozenset({"system", "facilitator", ""})
# Identifying or free-text fields in an event's data, withheld whatever their kind. A
# person's id (`per-…`) is the same in every session they attend: it would link the copy to
# their other sessions, so it goes too.
PERSONAL_KEYS = frozenset(
    {"full_name", "ride_home_name", "ride_home_phone", "switched_from", "person_id"}
)
FREE_TEXT_KEYS = frozenset(
    {
        "text",
        "free_text",
        "helped",
        "note",
        "notes",
        "comment",
        "reason",
        "why",
        "title",
        "intention",
        "description",
        "intervention",
        "path",
        "digest",
        "claimed_by",
    }
)
# Texts GroupKAP itself writes (an alarm's "SpO2 87 < 88", a circle's "completed") keep them.
GENERATED_TEXT = {"alarm.": frozenset({"text", "reason"}), "music.": frozenset({"reason"})}
GENERATED_TEXT["circle."] = frozenset({"reason"})


def random_offset_s(rng: Random | None = None) -> float:
    """A whole number of days, 30 to ~3 years, earlier or later: never zero."""
    rng = rng or SystemRandom()
    days = rng.randint(*SHIFT_DAYS) * rng.choice((-1, 1))
    return float(days * DAY_S)


def staff_roles(conn: sqlite3.Connection) -> dict[str, str]:
    """Account name -> role, from the users table, and the demo's built-in user."""
    return {DEMO_ACCOUNT.name: DEMO_ACCOUNT.role, **signature_queries.staff_roles(conn)}


def staff_labels(names: Iterable[str], roles: Mapping[str, str]) -> dict[str, str]:
    """Each person's stand-in, by role and order of first appearance (`medical 1`)."""
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for name in names:
        if name in labels or name in NOT_PEOPLE or name is None:
            continue
        role = roles.get(name, "staff")
        counts[role] = counts.get(role, 0) + 1
        labels[name] = f"{role} {counts[role]}"
    return labels


@dataclass(frozen=True)
class Deidentifier:
    """One export's de-identification: the same offset, ids and stand-ins throughout.

    Attributes:
        offset_s: added to every time (whole days).
        session_id: the copy's fresh id; `original_id` the source's (never written).
        participants: source participant id -> fresh id.
        staff: a person's name -> their stand-in (`medical 1`).
    """

    offset_s: float
    session_id: str
    original_id: str
    participants: Mapping[str, str]
    staff: Mapping[str, str]

    @classmethod
    def for_session(
        cls,
        summary: SessionSummary,
        people: Iterable[str],
        roles: Mapping[str, str],
        rng: Random | None = None,
    ) -> Deidentifier:
        """For `summary`, naming by role everyone in `people` (the log's actors and the
        names its data carries), in that order."""
        return cls(
            offset_s=random_offset_s(rng),
            session_id=f"deid-{secrets.token_hex(6)}",
            original_id=summary.id,
            participants={p.id: f"p{secrets.token_hex(5)}" for p in summary.participants},
            staff=staff_labels([*summary.facilitators, *people], roles),
        )

    # -- single values -----------------------------------------------------------------
    def time(self, t: float | None) -> float | None:
        return None if t is None else t + self.offset_s

    def pid(self, pid: str | None) -> str | None:
        return None if pid is None else self.participants.get(pid, pid)

    def person(self, name: str | None) -> str | None:
        return None if name is None else self.staff.get(name, name)

    def text(self, value: str) -> str:
        """A string with every staff name, source id and participant id replaced."""
        for name in sorted(self.staff, key=len, reverse=True):  # "RN B. Demo" before "RN B."
            value = value.replace(name, self.staff[name])
        for old, new in self.participants.items():
            value = value.replace(old, new)
        return value.replace(self.original_id, self.session_id)

    def data(self, value, kind: str = ""):
        """An event's data with personal and free-text fields withheld, names and ids
        replaced and times (`t`, `*_at`, `t0`) shifted."""
        keep = next((keys for p, keys in GENERATED_TEXT.items() if kind.startswith(p)), ())
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                key = self.participants.get(key, key)  # per-participant tables
                if key in PERSONAL_KEYS or (key in FREE_TEXT_KEYS and key not in keep):
                    out[key] = WITHHELD if item not in (None, "") else item
                elif _is_time(key, item):
                    out[key] = self.time(item)
                else:
                    out[key] = self.data(item, kind)
            return out
        if isinstance(value, list):
            return [self.data(v, kind) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    # -- whole records ----------------------------------------------------------------
    def vital_row(self, row: tuple) -> tuple:
        """A `csv_tables.vital_rows` row: (t_utc, t, participant id, alias, seat, device,
        param, value, unit, source, struck) with its time shifted and ids replaced."""
        t = self.time(row[1])
        pid = self.pid(row[2]) if row[2] else row[2]
        return (iso_utc(t), t, pid, *row[3:9], self.text(str(row[9])), *row[10:])

    def event(self, e: LoggedEvent) -> LoggedEvent:
        return replace(
            e,
            participant_id=self.pid(e.participant_id),
            t=self.time(e.t),
            actor=self.person(e.actor),
            data=self.data(e.data, e.kind),
        )

    def summary(self, s: SessionSummary) -> SessionSummary:
        """The summary as the de-identified exports show it (see the module docstring)."""
        when, who, text = self.time, self.person, self.text
        participants = tuple(
            replace(
                p,
                id=self.pid(p.id),
                added_at=when(p.added_at),
                removed_at=when(p.removed_at),
                t0=when(p.t0),
                discharged_at=when(p.discharged_at),
                discharged_by=who(p.discharged_by),
                compliance=tuple(replace(c, detail=text(c.detail)) for c in p.compliance),
            )
            for p in s.participants
        )
        alarms = tuple(
            replace(
                a,
                alarm_id=text(a.alarm_id),
                participant_id=self.pid(a.participant_id),
                text=text(a.text),
                raised_at=when(a.raised_at),
                acknowledged_at=when(a.acknowledged_at),
                acknowledged_by=who(a.acknowledged_by),
                cleared_at=when(a.cleared_at),
            )
            for a in s.alarms
        )
        markers = tuple(
            replace(
                m,
                t=when(m.t),
                participant_id=self.pid(m.participant_id),
                label=FREE_TEXT_LABELS.get(m.kind) or text(m.label),
            )
            for m in s.markers
        )
        circle = s.circle
        if circle is not None:
            circle = replace(
                circle,
                started_at=when(circle.started_at),
                ended_at=when(circle.ended_at),
                speakers=tuple(
                    replace(sp, participant_id=self.pid(sp.participant_id))
                    for sp in circle.speakers
                ),
            )
        return replace(
            s,
            id=self.session_id,
            title=TITLE,
            started_at=when(s.started_at),
            ended_at=when(s.ended_at),
            facilitators=tuple(who(f) for f in s.facilitators),
            participants=participants,
            alarms=alarms,
            markers=markers,
            circle=circle,
            chain=ChainStatus(
                s.chain.intact,
                "not carried: a de-identified copy cannot be checked against the log",
                None,
                None,
                None,
            ),
        )


# Marks whose label quotes what someone typed: the copy says only what kind of mark it is.
FREE_TEXT_LABELS = {
    "note.added": "note",
    "circle.note_added": "circle note",
    "adverse_event.recorded": "adverse event",
    "adverse_event.resolved": "adverse event resolved",
    "participant.removed": "leaves",
}
EPOCH_FLOOR = 1e8  # any epoch time GroupKAP stores is later than 1973; no duration is this long


def _is_time(key: str, value) -> bool:
    """An epoch time in an event's data (`t`, `t0`, `t_measured`, `due_t`, `*_at`)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < EPOCH_FLOOR:
        return False
    return key in ("t", "t0", "at", "until") or key.startswith("t_") or key.endswith(("_t", "_at"))


# Where an event's data names a person (besides its actor).
PERSON_KEYS = frozenset(
    {"given_by", "reviewer", "signed_by", "taken_by", "by", "acknowledged_by", "actor", "name"}
)


def people_in(events: Iterable[LoggedEvent]) -> list[str]:
    """Everyone an event log names, in order: each actor and each name under PERSON_KEYS."""
    found: dict[str, None] = {}

    def walk(value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in PERSON_KEYS and isinstance(item, str) and item:
                    found.setdefault(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for e in events:
        found.setdefault(e.actor)
        walk(e.data)
    return list(found)
