"""The catalogue of event kinds: every state change a clinic lead or QA could ask about.

Kinds are dotted `noun.past_verb`. Each kind is listed once here with what its `data` holds,
so the log stays readable years later and a typo fails loudly instead of logging a new kind.
Later features (alarms, protocol, music, circle) add their kinds to this table.
"""

from __future__ import annotations

EVENT_KINDS: dict[str, str] = {
    "session.started": "a session began: seats, scenario or source, clock speed",
    "session.ended": "a session was ended: reason (finished, closed after interruption)",
    "session.interrupted": "on restart, a session found open without its process",
    "session.resumed": "an interrupted session was taken up again",
    "participant.added": "a participant joined: alias, full name given or not, seat",
    "participant.renamed": "alias or full name changed: old and new alias",
    "participant.seated": "a participant moved to another seat: old and new seat",
    "participant.removed": "a participant left the room: seat, reason",
    "source.lost": "a seat's vitals source stopped sending",
    "source.restored": "a seat's vitals source sent again",
}


def check_kind(kind: str) -> str:
    """Return `kind` if it is in the catalogue, else raise with the known kinds."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}; add it to groupkap.events.EVENT_KINDS")
    return kind
