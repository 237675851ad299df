"""The audit trail as a lead reads it: who did what, when, old → new, why, from the event log.

Pure functions over the rows `groupkap.store.account_queries.audit_rows` reads; the command line
(`groupkap audit`) and any window show the same lines.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

FLAGGED_KINDS = frozenset({"access.emergency", "user.locked_out", "action.refused"})
"""Events a lead should look at: break-glass access, an account made to wait, a refused act."""

HIDDEN = frozenset({"full_name", "pin_digest"})
"""Never shown in the trail: a participant's full name (aliases only) and PIN digests."""

OLD_NEW: dict[str, tuple[str, str]] = {
    "participant.renamed": ("old_alias", "alias"),
    "participant.seated": ("old_seat", "seat"),
    "alarm.escalated": ("from_priority", "priority"),
}
"""Where an event keeps its old and new value, when not under `old` and `new`."""


@dataclass(frozen=True)
class AuditLine:
    """One act in the trail.

    Attributes:
        seq: its place in the hash chain.
        t: when, ISO UTC.
        session_id: the session's log (or the workstation's accounts log).
        who: the actor (an account's name; "system" for the program itself).
        what: the event kind (`groupkap.events`).
        participant: the participant's alias, if it concerns one.
        old, new: the value before and after, when the act changed one.
        why: the reason given, when there was one.
        detail: the rest of what was recorded, short, as `key=value`.
        flagged: for the lead's attention (emergency access, lockouts, refusals, acts done
            under emergency access).
    """

    seq: int
    t: str
    session_id: str
    who: str
    what: str
    participant: str | None
    old: object
    new: object
    why: str | None
    detail: str
    flagged: bool

    def to_json(self) -> dict:
        return asdict(self)


def _short(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def audit_line(row: dict) -> AuditLine:
    """One `audit_rows` row as an audit line."""
    kind, data = row["kind"], {k: v for k, v in row["data"].items() if k not in HIDDEN}
    old_key, new_key = OLD_NEW.get(kind, ("old", "new"))
    has_change = old_key in data and new_key in data
    old = data.pop(old_key) if has_change else None
    new = data.pop(new_key) if has_change else None
    why = data.pop("reason", None) or data.pop("why", None)
    detail = " ".join(
        f"{k}={_short(v)}"
        for k, v in data.items()
        if v not in (None, "", [], {}) and k not in ("flag", "user_id")
    )
    return AuditLine(
        seq=row["seq"],
        t=row["t"],
        session_id=row["session_id"],
        who=row["actor"],
        what=kind,
        participant=row["participant"],
        old=old,
        new=new,
        why=str(why) if why else None,
        detail=detail,
        flagged=kind in FLAGGED_KINDS or row["actor"].startswith("Emergency access"),
    )


def audit_lines(
    rows: list[dict], *, who: str | None = None, kind: str | None = None
) -> list[AuditLine]:
    """The trail, filtered: `who` an actor's name (any case), `kind` an event kind or its
    noun (`user`, `dose.given`)."""
    lines = [audit_line(r) for r in rows]
    if who is not None:
        lines = [x for x in lines if x.who.casefold() == who.strip().casefold()]
    if kind is not None:
        lines = [x for x in lines if x.what == kind or x.what.split(".")[0] == kind]
    return lines


def format_line(line: AuditLine) -> str:
    """One line of `groupkap audit`: time, flag, who, what, participant, old → new, why."""
    parts = [line.t[:19].replace("T", " "), "!" if line.flagged else " ", line.who, line.what]
    if line.participant:
        parts.append(f"[{line.participant}]")
    if line.old is not None or line.new is not None:
        parts.append(f"{_short(line.old)} → {_short(line.new)}")
    if line.why:
        parts.append(f"why: {line.why}")
    if line.detail:
        parts.append(f"({line.detail})")
    return " ".join(parts)
