"""The readable tables kept in step with the event log, changed in each event's transaction."""

from __future__ import annotations

Projection = tuple[str, tuple]
"""(sql, params): one change that `Store.record(projections=...)` commits with its event."""


def participant_projection(
    session_id: str, kind: str, data: dict, pid: str | None, now: float
) -> list[Projection]:
    """The change to the `participants` table that goes with a participant event (added,
    renamed, seated, removed), so leads can read who sat where without replaying the log;
    none for any other kind. `now` is the event's time, UTC epoch seconds."""
    if kind == "participant.added":
        return [
            (
                "insert into participants (id, session_id, alias, full_name, seat, added_at) "
                "values (?, ?, ?, ?, ?, ?)",
                (pid, session_id, data["alias"], data.get("full_name"), data["seat"], now),
            )
        ]
    if kind == "participant.renamed":
        return [
            (
                "update participants set alias = ?, full_name = ? where id = ?",
                (data["alias"], data.get("full_name"), pid),
            )
        ]
    if kind == "participant.seated":
        return [("update participants set seat = ? where id = ?", (data["seat"], pid))]
    if kind == "participant.removed":
        return [("update participants set removed_at = ? where id = ?", (now, pid))]
    return []
