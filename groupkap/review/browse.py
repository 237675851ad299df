"""The session browser's list: every past session of a database file at a glance.

One `SessionListing` per session: when and where, who sat and who acted, the alarms by
priority and how many nobody answered, how many participants have a protocol requirement
unmet, and whether the log proves itself. Built from one query per table for the whole
file (never one per session) and one walk of the chain, so a file with fifty sessions
lists at once; `load_summary` then opens the one a lead picks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from groupkap.protocol.config import ProtocolConfig
from groupkap.review.compliance import CARE_KINDS, care_records, compliance, not_followed
from groupkap.review.episodes import alarm_episodes, counts_by_priority, unanswered
from groupkap.review.model import ChainStatus
from groupkap.review.summary import AFTERWARDS, SYSTEM, chain_status, live_status
from groupkap.store import review_queries
from groupkap.store.queries import LoggedEvent
from groupkap.store.store import open_read_only, reading

# Reminders are left out: they change no count and are the most frequent alarm events.
BROWSE_KINDS = (
    "alarm.raised",
    "alarm.escalated",
    "alarm.acknowledged",
    "alarm.cleared",
    "alarm.reset",
    *CARE_KINDS,
)


@dataclass(frozen=True)
class SessionListing:
    """One row of the session browser.

    Attributes:
        id, title, seats: as in the sessions table.
        host: the workstation (room) that recorded it.
        started_at, ended_at: its span (ended_at: the end, or the last thing logged).
        status: `ended`, `interrupted` or `running`.
        participants: aliases in seat order.
        facilitators: everyone who acted (not `system`), in first-act order.
        alarm_counts: priority -> alarm episodes that reached it.
        unanswered_alarms: episodes nobody acknowledged.
        compliance_flags: participants with a protocol requirement unmet.
        chain_intact: its rows lie before any break in the file's chain.
    """

    id: str
    title: str
    host: str
    started_at: float
    ended_at: float
    status: str
    seats: int
    participants: tuple[str, ...] = ()
    facilitators: tuple[str, ...] = ()
    alarm_counts: Mapping[str, int] = field(default_factory=dict)
    unanswered_alarms: int = 0
    compliance_flags: int = 0
    chain_intact: bool = True


def _overlaps(start: float, end: float, since: float | None, until: float | None) -> bool:
    return (since is None or end >= since) and (until is None or start < until)


def list_for_review(
    path: Path | str,
    since: float | None = None,
    until: float | None = None,
    participant: str | None = None,
    *,
    config: ProtocolConfig | None = None,
    chain: ChainStatus | None = None,
) -> list[SessionListing]:
    """The sessions of the file at `path`, newest first, read-only.

    `since`/`until` (epoch seconds) keep the sessions whose span overlaps [since, until);
    `participant` keeps those with an alias containing it (any case). `config` is the
    clinic's protocol; `chain` a `chain_status` already worked out for this file.
    """
    path = Path(path).expanduser()
    config = config or ProtocolConfig()
    needle = participant.strip().casefold() if participant else None
    conn = open_read_only(path)
    try:
        with reading(path):
            rows = review_queries.all_sessions(conn)
            spans = review_queries.event_spans(conn)
            people: dict[str, list] = {}
            for sid, p in review_queries.all_participants(conn):
                people.setdefault(sid, []).append(p)
            statuses = {row["id"]: live_status(row) for row in rows}
            open_ = [row["id"] for row in rows if statuses[row["id"]] != "ended"]
            last = review_queries.last_record_times(conn, open_, AFTERWARDS)
            picked = []
            for row in rows:
                top = spans.get(row["id"], (0.0, 0.0, 0, 0))[2]
                status = statuses[row["id"]]
                end = row["ended_at"] if status == "ended" else last.get(row["id"])
                end = max(end or 0.0, row["started_at"])
                aliases = [p.alias for p in people.get(row["id"], [])]
                if not _overlaps(row["started_at"], end, since, until):
                    continue
                if needle and not any(needle in a.casefold() for a in aliases):
                    continue
                picked.append((row, status, end, top))
            ids = [row["id"] for row, *_ in picked]
            actors: dict[str, list[str]] = {}
            for sid, actor in review_queries.actors(conn):
                if actor != SYSTEM:
                    actors.setdefault(sid, []).append(actor)
            logged: dict[str, list[LoggedEvent]] = {}
            for sid, e in review_queries.events_of_kinds(conn, BROWSE_KINDS, ids):
                logged.setdefault(sid, []).append(e)
            cuffs: dict[str, list] = {}
            for sid, *value in review_queries.cuff_values(conn, ids):
                cuffs.setdefault(sid, []).append(value)
    finally:
        conn.close()
    if not picked:
        return []
    chain = chain if chain is not None else chain_status(path)
    listings = []
    for row, status, end, top in picked:
        sid = row["id"]
        episodes = alarm_episodes(logged.get(sid, []))
        why = "session ended" if status == "ended" else "last logged moment"
        records = care_records(
            logged.get(sid, []),
            cuffs.get(sid, []),
            (end, why),
            participant_ids=[p.id for p in people.get(sid, [])],
        )
        flags = sum(not_followed(compliance(r, config)) for r in records.values())
        listings.append(
            SessionListing(
                id=sid,
                title=row.get("title") or "",
                host=row.get("host") or "",
                started_at=float(row["started_at"]),
                ended_at=float(end),
                status=status,
                seats=int(row["seats"]),
                participants=tuple(p.alias for p in people.get(sid, [])),
                facilitators=tuple(dict.fromkeys(actors.get(sid, []))),
                alarm_counts=counts_by_priority(episodes),
                unanswered_alarms=sum(unanswered(e) for e in episodes),
                compliance_flags=flags,
                chain_intact=chain.intact or (chain.broken_seq or 0) > top,
            )
        )
    return listings
