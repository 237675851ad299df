"""The audit view's words and rules, without widgets: what each cell says, which lines a
filter lets through, and the CSV a lead exports.

Every line is the core's `AuditLine` (`groupkap.accounts.audit`), read with the core's
`audit_rows` and filtered by who and kind with the core's `audit_lines`, so the window, the
CSV and `groupkap audit` agree on what was done, by whom, old → new and what is flagged.
The table and the CSV take their texts from the same `COLUMNS`, so an export is exactly the
rows shown.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from groupkap.accounts import ACCOUNTS_LOG, ROLE_WORDS
from groupkap.accounts.audit import AuditLine, audit_lines, format_line
from groupkap.store import account_queries as aq
from groupkap.store.store import open_read_only, reading
from ui import theme

EMERGENCY_ACTOR = "Emergency access"
ANYONE = "Everyone"
ANY_KIND = "Every kind"

FLAG_WORDS = {
    "access.emergency": "⚑ EMERGENCY ACCESS",
    "user.locked_out": "⚑ LOCKOUT",
    "action.refused": "⚑ REFUSED ACT",
}
UNDER_EMERGENCY = "⚑ under emergency access"
"""A flagged line's word: the flag is never carried by its colour alone."""

WHAT_WORDS = {
    "user.added": "account added",
    "user.disabled": "account disabled",
    "user.signed_in": "signed in",
    "user.sign_in_failed": "sign-in refused",
    "user.locked_out": "account made to wait (wrong PINs)",
    "user.unlocked": "wait lifted early by an admin",
    "user.pin_changed": "PIN changed",
    "action.refused": "act refused",
    "session.locked": "screen locked",
    "session.unlocked": "screen unlocked",
    "access.emergency": "emergency access opened",
    "limits.changed": "alarm limits changed",
    "entry.struck": "entry struck out",
    "adverse_event.recorded": "adverse event recorded",
    "adverse_event.resolved": "adverse event resolved",
    "esketamine_record.signed": "esketamine record signed",
}
"""Kinds whose plain reading (`dose.given` → "dose given") would not say it well."""


def what_words(kind: str) -> str:
    """An event kind in words: `dose.given` → "dose given", `user.locked_out` → "account
    made to wait (wrong PINs)"."""
    return WHAT_WORDS.get(kind) or kind.replace(".", " ").replace("_", " ")


def flag_words(line: AuditLine) -> str:
    """Why a line is flagged for the lead, in words (empty when it is not)."""
    if not line.flagged:
        return ""
    return FLAG_WORDS.get(line.what, UNDER_EMERGENCY)


def flag_colour(line: AuditLine) -> str | None:
    """Red for emergency access and what was done under it, amber for lockouts and refusals."""
    if not line.flagged:
        return None
    if line.what in ("user.locked_out", "action.refused"):
        return theme.WARNING_TEXT
    return theme.ALARM_COLOURS["high"]


def time_words(line: AuditLine) -> str:
    """`2027-01-15 08:00:03`: UTC, as `groupkap audit` prints it."""
    return line.t[:19].replace("T", " ")


def session_words(line: AuditLine) -> str:
    """The session's id, or "workstation" for the accounts' own log."""
    return "workstation" if line.session_id == ACCOUNTS_LOG else line.session_id


def who_words(line: AuditLine, roles: dict[str, str]) -> str:
    """`RN Kim · facilitator`; the name alone when it is no account (a name typed before
    accounts, an unknown name at sign-in), `system` for the program."""
    if line.who.startswith(EMERGENCY_ACTOR):
        return f"{line.who} · no PIN"
    role = roles.get(line.who.casefold())
    return f"{line.who} · {ROLE_WORDS.get(role, role)}" if role else line.who


def value_words(value: object) -> str:
    """An old or new value as `groupkap audit` writes it (text as it is, else its repr),
    never cut short; "—" when there was none."""
    if value is None:
        return "—"
    return value if isinstance(value, str) else repr(value)


def change_words(line: AuditLine) -> str:
    """`120 → 140`, or empty when the act changed no value."""
    if line.old is None and line.new is None:
        return ""
    return f"{value_words(line.old)} → {value_words(line.new)}"


@dataclass(frozen=True)
class AuditColumn:
    """One column of the view and of the CSV: its title and its text of a line."""

    title: str
    text: Callable[[AuditLine, dict[str, str]], str]
    sort: Callable[[AuditLine], object] | None = None


COLUMNS: tuple[AuditColumn, ...] = (
    AuditColumn("Time (UTC)", lambda x, _r: time_words(x), lambda x: x.seq),
    AuditColumn("Flag", lambda x, _r: flag_words(x)),
    AuditColumn("Session", lambda x, _r: session_words(x)),
    AuditColumn("Who", who_words),
    AuditColumn("What", lambda x, _r: what_words(x.what)),
    AuditColumn("Participant", lambda x, _r: x.participant or ""),
    AuditColumn("Old → new", lambda x, _r: change_words(x)),
    AuditColumn("Why", lambda x, _r: x.why or ""),
)
"""What the table shows and the CSV starts with; Flag second, so it stays in sight however
wide the reasons are."""
FLAG_COLUMN = 1
CSV_EXTRA = ("Seq", "Kind", "Detail", "As groupkap audit prints it")
"""The CSV's columns after the shown ones: enough to find the event in the log again."""


@dataclass(frozen=True)
class Trail:
    """The audit trail read from one database.

    Attributes:
        rows: the core's `audit_rows` (the log's acts of people, refusals, sign-ins, locks).
        roles: each account's role by its name, folded to lower case.
        session_id: the session read, or None for every log in the file.
    """

    rows: list[dict]
    roles: dict[str, str]
    session_id: str | None = None

    @property
    def lines(self) -> list[AuditLine]:
        return audit_lines(self.rows)


def read_trail(db_path: Path, session_id: str | None = None) -> Trail:
    """Read the trail of `session_id` (every log when None) without writing to the file."""
    with closing(open_read_only(db_path)) as conn, reading(db_path):
        rows = aq.audit_rows(conn, session_id)
        roles = {u.name.casefold(): u.role for u in aq.users(conn)}
    return Trail(rows, roles, session_id)


@dataclass(frozen=True)
class TrailFilter:
    """What the lead narrowed the trail to; None lets everything through.

    Attributes:
        who: an actor's name (any case).
        kind: an event kind (`user.locked_out`).
        first_day, last_day: UTC days, inclusive (the days the Time column shows).
        flagged_only: only emergency access, lockouts, refusals and acts under emergency access.
    """

    who: str | None = None
    kind: str | None = None
    first_day: date | None = None
    last_day: date | None = None
    flagged_only: bool = False


def filter_trail(trail: Trail, f: TrailFilter) -> list[AuditLine]:
    """The lines `f` lets through, in the log's order; who and kind by the core's rule."""
    lines = audit_lines(trail.rows, who=f.who, kind=f.kind)
    if f.first_day is not None:
        lines = [x for x in lines if x.t[:10] >= f.first_day.isoformat()]
    if f.last_day is not None:
        lines = [x for x in lines if x.t[:10] <= f.last_day.isoformat()]
    if f.flagged_only:
        lines = [x for x in lines if x.flagged]
    return lines


def people(lines: Iterable[AuditLine]) -> list[str]:
    """Everyone who acted, by name (the who filter's choices)."""
    return sorted({x.who for x in lines}, key=str.casefold)


def kinds(lines: Iterable[AuditLine]) -> list[str]:
    """Every kind present, by its words (the kind filter's choices)."""
    return sorted({x.what for x in lines}, key=what_words)


def days(lines: Sequence[AuditLine]) -> tuple[date, date] | None:
    """The first and last UTC day of `lines`, or None when there are none."""
    if not lines:
        return None
    found = sorted(x.t[:10] for x in lines)
    return date.fromisoformat(found[0]), date.fromisoformat(found[-1])


def shown_cells(line: AuditLine, roles: dict[str, str]) -> list[str]:
    """A line's cells as the table shows them."""
    return [c.text(line, roles) for c in COLUMNS]


def csv_text(lines: Iterable[AuditLine], roles: dict[str, str]) -> str:
    """The lines as CSV: the shown columns, then seq, kind, detail and the command line's
    own line for each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.title for c in COLUMNS] + list(CSV_EXTRA))
    for line in lines:
        extra = [str(line.seq), line.what, line.detail, format_line(line)]
        writer.writerow(shown_cells(line, roles) + extra)
    return out.getvalue()
