"""The marks on a past session's timeline, from its log: a few words each, at the right time.

One `Marker` per moment a lead looks for: doses, checks (BP, hand observations, overdue and
missed checks, discharge), scales (MOAA/S, CADSS, outcome scales), adverse events, notes and
the participant's feedback after the session, music pieces and moves, circle turns, devices
and the session's own milestones. An entry made by hand stands at the time it was measured;
a struck or corrected one still shows, marked as such, so a lead sees the whole story.
Labels hold aliases' facts only, never a name or a phone number. Kinds not listed here
(alarm transitions, seals) make no mark: alarms are drawn as bands from their episodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from groupkap.review.compliance import standing
from groupkap.review.model import (
    ADVERSE,
    CHECK,
    CIRCLE,
    DEVICE,
    DOSE,
    MUSIC,
    NOTE,
    SCALE,
    SESSION,
    Marker,
)
from groupkap.review.times import duration
from groupkap.store.queries import LoggedEvent

LABEL_MAX = 40
NOTE_KINDS = ("note.added", "circle.note_added")


def short(text: object, limit: int = LABEL_MAX) -> str:
    """One line of at most `limit` characters, cut with an ellipsis."""
    line = " ".join(str(text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _values(values: dict, leave_out: Iterable[str] = ()) -> str:
    shown = {k: v for k, v in values.items() if k not in leave_out}
    if "SBP" in shown and "DBP" in shown:
        rest = ", ".join(f"{k} {v:g}" for k, v in shown.items() if k not in ("SBP", "DBP"))
        return f"BP {shown['SBP']:g}/{shown['DBP']:g}" + (f", {rest}" if rest else "")
    return ", ".join(f"{k} {v:g}" for k, v in shown.items())


def _check(d: dict) -> str | None:
    if d.get("check") == "BP":
        label = d.get("label") or ""
        suffix = f" · {label}" if label and label != "extra" else ""
        return f"BP {d['sbp']:g}/{d['dbp']:g}{suffix}"
    return f"{d.get('check')} {d.get('value')}"


def _music(kind: str, d: dict) -> str | None:
    piece = d.get("piece") or "a piece"
    if kind == "music.track_started":
        return f"♪ {piece}"
    if kind == "music.skipped":
        return f"♪ skipped {piece}"
    if kind == "music.silenced":
        return "♪ ended at discharge" if d.get("reason") == "discharged" else "♪ silenced"
    if kind == "music.ducked":
        return "♪ ducked" if d.get("on") else "♪ duck restored"
    if kind == "music.volume_changed":
        return f"♪ volume {d.get('old', '?')}→{d.get('volume', d.get('new', '?'))}"
    return None


FEEDBACK_WORDS = (
    ("music_distracting", "music distracting"),
    ("silence_preferred", "prefers silence"),
)


def _feedback(d: dict) -> str:
    """`feedback: music distracting, liked 2/10`: what the form says of the music, never
    what anyone typed (the course window shows that to the care team)."""
    said = [words for key, words in FEEDBACK_WORDS if d.get(key)]
    if d.get("liking") is not None:
        said.append(f"liked {d['liking']}/10")
    label = "feedback corrected" if d.get("corrects") else "feedback"
    return short(f"{label}: {', '.join(said)}" if said else label)


# kind -> (category, label from data); None from the label function: no mark.
_SIMPLE: dict[str, tuple[str, Callable[[dict], str | None]]] = {
    "dose.given": (DOSE, lambda d: f"{d.get('route')} {d.get('dose_mg', 0):g} mg"),
    "check.overdue": (CHECK, lambda d: f"BP {d.get('label')} overdue"),
    "check.missed": (CHECK, lambda d: f"BP {d.get('label')} missed"),
    "screening.completed": (CHECK, lambda d: f"screening: {d.get('outcome')}"),
    "readiness.confirmed": (CHECK, lambda d: "ready checklist done"),
    "discharge.ready": (CHECK, lambda d: "ready to leave"),
    "discharge.ready_withdrawn": (CHECK, lambda d: "no longer ready"),
    "discharge.signed": (CHECK, lambda d: "discharge signed"),
    "scale.scored": (SCALE, lambda d: f"{d.get('scale')} {d.get('total')}"),
    "dissociation.attested": (SCALE, lambda d: "dissociation resolved (attested)"),
    "adverse_event.recorded": (
        ADVERSE,
        lambda d: short(f"{d.get('description')} ({d.get('severity')})"),
    ),
    "adverse_event.resolved": (ADVERSE, lambda d: short(f"resolved: {d.get('description')}")),
    "note.added": (NOTE, lambda d: short(f"note: {d.get('text')}")),
    "feedback.recorded": (NOTE, _feedback),
    "circle.note_added": (NOTE, lambda d: short(f"circle note: {d.get('text')}")),
    "circle.started": (CIRCLE, lambda d: f"circle opens ({d.get('speakers')} speakers)"),
    "circle.paused": (CIRCLE, lambda d: "circle paused"),
    "circle.resumed": (CIRCLE, lambda d: "circle resumed"),
    "circle.extended": (CIRCLE, lambda d: f"turn +{duration(d.get('added_s', 0))}"),
    "circle.ended": (CIRCLE, lambda d: f"circle ends ({d.get('reason')})"),
    "device.assigned": (DEVICE, lambda d: f"{d.get('role', 'device')} on seat {d.get('seat')}"),
    "device.unassigned": (DEVICE, lambda d: f"{d.get('role', 'device')} off seat {d.get('seat')}"),
    "device.clock_drift": (DEVICE, lambda d: "monitor clock drifts"),
    "music.device_lost": (DEVICE, lambda d: "headphones lost"),
    "source.lost": (DEVICE, lambda d: "monitor lost"),
    "source.restored": (DEVICE, lambda d: "monitor back"),
    "session.started": (SESSION, lambda d: "session starts"),
    "session.ended": (SESSION, lambda d: "session ends"),
    "session.interrupted": (SESSION, lambda d: "session interrupted"),
    "session.resumed": (SESSION, lambda d: "session resumed"),
    "participant.added": (SESSION, lambda d: f"joins, seat {d.get('seat')}"),
    "participant.seated": (SESSION, lambda d: f"moves to seat {d.get('seat')}"),
    "participant.removed": (SESSION, lambda d: short(f"leaves: {d.get('reason') or 'removed'}")),
    "limits.changed": (
        SESSION,
        lambda d: short(f"limits {d.get('param')}: {d.get('old')} → {d.get('new')}"),
    ),
}


def _when(e: LoggedEvent) -> float:
    """When it happened: measured, given or occurred, else when it was logged."""
    d = e.data
    for key in ("t_measured", "t0", "t_occurred", "t_resolved"):
        value = d.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return e.t


def _turns(events: list[LoggedEvent]) -> dict[int, str]:
    """seq of each `circle.turn_started` -> its label, from how the turn ended."""
    labels, open_turn = {}, {}
    for e in events:
        if e.kind == "circle.turn_started":
            open_turn[e.participant_id] = e.seq
            labels[e.seq] = "turn"
        elif e.kind in ("circle.turn_ended", "circle.passed") and e.participant_id in open_turn:
            seq = open_turn.pop(e.participant_id)
            labels[seq] = (
                "passed"
                if e.kind == "circle.passed"
                else f"turn {duration(e.data.get('duration_s', 0))}"
            )
    return labels


def timeline_markers(events: Iterable[LoggedEvent]) -> tuple[Marker, ...]:
    """Every mark of the events (one session's, log order), in time order."""
    events = list(events)
    counting = {id(e) for e in standing(events)}
    turns = _turns(events)
    filled = {  # hand BPs that filled a check show once, as that check
        e.data.get("entry_id")
        for e in events
        if e.kind == "check.recorded" and e.data.get("check") == "BP" and e.data.get("entry_id")
    }
    marks = []
    for e in events:
        d, label, category = e.data, None, None
        if e.kind in _SIMPLE:
            category, make = _SIMPLE[e.kind]
            label = make(d)
        elif e.kind == "check.recorded":
            category = CHECK if d.get("check") == "BP" else SCALE
            label = _check(d)
        elif e.kind == "observation.entered":
            bp = ("SBP", "DBP") if d.get("entry_id") in filled else ()
            values = _values(d.get("values") or {}, bp)
            category, label = CHECK, f"hand {values}" if values else None
        elif e.kind.startswith("music."):
            category, label = MUSIC, _music(e.kind, d)
        elif e.kind == "circle.turn_started":
            category, label = CIRCLE, turns.get(e.seq)
        if label is None:
            continue
        if e.kind in ("check.recorded", "observation.entered") and id(e) not in counting:
            label += " (struck)"
        marks.append(Marker(_when(e), e.participant_id, category, e.kind, label, e.seq))
    return tuple(sorted(marks, key=lambda m: (m.t, m.seq)))
