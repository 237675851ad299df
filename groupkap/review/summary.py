"""A past session as one `SessionSummary`, read from its database file alone and read-only.

Everything a lead sees about a session comes from here, computed once: who was in it and
who acted, every alarm episode with its response time, every timeline mark, each
participant's dose, extremes and compliance, the circle's fairness, and whether the log
still proves itself. The file is opened with `open_read_only` (an archived 0444 copy in a
read-only folder works) and nothing is ever written to it.
"""

from __future__ import annotations

from pathlib import Path

from groupkap.errors import no_session
from groupkap.protocol.config import ProtocolConfig
from groupkap.review.circle_stats import circle_stats
from groupkap.review.compliance import care_records, compliance
from groupkap.review.episodes import alarm_episodes, counts_by_priority
from groupkap.review.markers import timeline_markers
from groupkap.review.model import ChainStatus, ParticipantSummary, SessionSummary
from groupkap.review.series import struck_hand_values
from groupkap.store import queries, review_queries
from groupkap.store.proof import current_head, verify
from groupkap.store.store import open_read_only, reading, shown_status

SYSTEM = "system"
AFTERWARDS = ("session.interrupted", "esketamine_record.signed")
"""Kinds logged after a session's own record stops (found interrupted on a later start, a
record signed days later): they do not extend the session."""


def chain_status(path: Path | str) -> ChainStatus:
    """`groupkap verify` over the file, with the chain head at the time of reading. It
    walks every row of every session (seconds on a large file), so a window may run it
    on a worker and pass the result to `load_summary(chain=...)`."""
    path = Path(path).expanduser()
    report = verify(path)
    head = current_head(path)
    seq, digest = (head.seq, head.hash) if head is not None else (None, None)
    if report.ok:
        detail = f"intact, {report.checked} events"
        return ChainStatus(True, detail, None, seq, digest)
    detail = f"broken at seq {report.broken_seq}: {report.reason}"
    return ChainStatus(False, detail, report.broken_seq, seq, digest)


def live_status(row: dict) -> str:
    """The status of a `sessions` row as a reader shows it (`store.shown_status`)."""
    return shown_status(row.get("status"), row.get("pid"), row.get("host"))


def _extremes(
    conn, session_id: str, events
) -> tuple[dict[str, dict[str, tuple[float | None, float | None]]], dict[str, int]]:
    """pid -> param -> (lowest, highest) over monitor values and the hand values that still
    count; and pid -> how many numeric rows are stored for them.

    One pass over the index gives every parameter's extremes with its hand values; only a
    parameter with a struck or corrected hand value (known from the log) is read again
    without them, its hand values that still count added back one by one."""
    per: dict[str, dict[str, tuple[float | None, float | None]]] = {}
    rows: dict[str, int] = {}
    struck = struck_hand_values(events)
    again = {(pid, param) for pid, param, _, _ in struck}
    for pid, param, n, lo, hi in review_queries.vitals_extremes(conn, session_id):
        rows[pid] = rows.get(pid, 0) + n
        if (pid, param) not in again:
            per.setdefault(pid, {})[param] = (lo, hi)
            continue
        vs = [
            v
            for v in review_queries.monitor_extremes(conn, session_id, pid, param)
            if v is not None
        ]
        vs += [
            value
            for _, _, t, value in review_queries.hand_values(conn, session_id, pid, param)
            if (pid, param, t, value) not in struck
        ]
        per.setdefault(pid, {})[param] = (min(vs), max(vs)) if vs else (None, None)
    return per, rows


def load_summary(
    path: Path | str,
    session_id: str,
    *,
    config: ProtocolConfig | None = None,
    chain: ChainStatus | None = None,
    extremes: bool = True,
) -> SessionSummary:
    """The session `session_id` of the database at `path`, read-only.

    `config` is the clinic's protocol (its check windows and minimum observation times;
    default: the built-in protocol). `chain` saves verifying the file again when the
    caller already did (`chain_status`). `extremes=False` leaves out each participant's
    peaks and count of stored rows (`peak_sbp`, `lowest_spo2`, `peak_hr` None and
    `vitals_rows` 0): finding them reads every stored value of the session (about 0.3 s for
    4 hours of 10 participants), and the review window, which shows none of them, opens
    without that wait; the reports and exports read them. Raises BadInputError for an
    unknown session and StorageError for a missing, damaged or foreign file.
    """
    path = Path(path).expanduser()
    config = config or ProtocolConfig()
    conn = open_read_only(path)
    try:
        with reading(path):
            row = queries.session_row(conn, session_id)
            if row is None:
                raise no_session(session_id, path)
            events = queries.events(conn, session_id)
            people = queries.participants(conn, session_id)
            cuff = review_queries.cuff_values(conn, [session_id])
            peaks, vitals_rows = _extremes(conn, session_id, events) if extremes else ({}, {})
            actors = review_queries.actors(conn, session_id)
            status = live_status(row)
            ended_at = row.get("ended_at")
            if ended_at is None or status != "ended":
                last = review_queries.last_record_times(conn, [session_id], AFTERWARDS)
                ended_at = last.get(session_id, row["started_at"])
    finally:
        conn.close()
    end = (ended_at, "session ended" if status == "ended" else "last logged moment")
    care = care_records(events, [c[1:] for c in cuff], end, participant_ids=[p.id for p in people])
    episodes = alarm_episodes(events)
    participants = []
    for p in people:
        record = care[p.id]
        vitals = peaks.get(p.id, {})
        hr = vitals.get("HR") or vitals.get("PR") or (None, None)
        dose = record.dose or {}
        participants.append(
            ParticipantSummary(
                id=p.id,
                alias=p.alias,
                seat=p.seat,
                added_at=p.added_at,
                removed_at=p.removed_at,
                route=dose.get("route"),
                dose_mg=dose.get("dose_mg"),
                t0=record.t0,
                discharged_at=record.discharged_at,
                discharged_by=record.discharged_by,
                peak_sbp=vitals.get("SBP", (None, None))[1],
                lowest_spo2=vitals.get("SpO2", (None, None))[0],
                peak_hr=hr[1],
                alarm_counts=counts_by_priority(e for e in episodes if e.participant_id == p.id),
                compliance=compliance(record, config),
                vitals_rows=vitals_rows.get(p.id, 0),
            )
        )
    return SessionSummary(
        id=session_id,
        title=row.get("title") or "",
        seats=int(row["seats"]),
        source=row.get("source"),
        status=status,
        started_at=float(row["started_at"]),
        ended_at=float(ended_at),
        facilitators=tuple(dict.fromkeys(a for _, a in actors if a != SYSTEM)),
        participants=tuple(participants),
        alarms=episodes,
        markers=timeline_markers(events),
        circle=circle_stats(
            events, {p.id: p.alias for p in people}, {p.id: p.seat for p in people}
        ),
        chain=chain if chain is not None else chain_status(path),
        events=len(events),
    )
