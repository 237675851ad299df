"""Post-session feedback: what a participant says after a session (how the music felt, the
pieces to avoid, moments of anxiety, physical effects, what helped), so the next session can
change what did not work.

It is recorded as `feedback.recorded` in the session's own log, against that session's
participant, and only for someone who attended it and is a known person (the feedback follows
the person to their next session). A correction is a later `feedback.recorded` naming the one
it replaces (`corrects`); the latest counts. Every value is checked before anything is written.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from groupkap.course.people import guard
from groupkap.errors import BadInputError, no_session
from groupkap.store import people_queries as pq

if TYPE_CHECKING:
    from groupkap.accounts import Account
    from groupkap.clock import Clock
    from groupkap.store import Store

ANXIETY_MOMENTS = ("before dosing", "onset", "peak", "coming back", "circle")
"""When in the session the participant felt anxious."""
PHYSICAL_EFFECTS = (
    "nausea",
    "vomiting",
    "headache",
    "dizziness",
    "blurred vision",
    "numbness",
    "fatigue",
)
"""The physical effects the form asks about (esketamine's common ones)."""
FILLED_BY = ("with facilitator", "participant")
SCORES = ("liking", "resonance", "openness")
SCORE_MAX = 10
TEXT_MAX = 2000
PIECE_MAX = 200


@dataclass(frozen=True)
class Feedback:
    """A participant's answers after one session.

    Attributes:
        liking, resonance, openness: how the music felt, 0–10 (None: not answered).
        music_distracting: the music got in the way.
        silence_preferred: they would rather have silence.
        avoid_pieces: titles of pieces not to play them again.
        anxiety: the moments they felt anxious (from ANXIETY_MOMENTS).
        physical: physical effects they had (from PHYSICAL_EFFECTS).
        helped: what helped, in their words.
        free_text: anything else; care team only (never on a shared screen or export).
        filled_by: "with facilitator" or "participant" (on the workstation).
    """

    liking: int | None = None
    resonance: int | None = None
    openness: int | None = None
    music_distracting: bool = False
    silence_preferred: bool = False
    avoid_pieces: tuple[str, ...] = ()
    anxiety: tuple[str, ...] = ()
    physical: tuple[str, ...] = ()
    helped: str = ""
    free_text: str = ""
    filled_by: str = "with facilitator"

    def as_data(self) -> dict:
        """The event's fields (lists for the tuples)."""
        data = asdict(self)
        for key in ("avoid_pieces", "anxiety", "physical"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_data(cls, d: dict) -> Feedback:
        """Feedback from an event's data (unknown keys such as person_id left out)."""
        known = cls.__dataclass_fields__
        values = {k: v for k, v in d.items() if k in known}
        for key in ("avoid_pieces", "anxiety", "physical"):
            if key in values:
                values[key] = tuple(values[key] or ())
        return cls(**values)


MUSIC_SCORES = ("liking", "resonance", "openness")


def score_phrases(fb: Feedback) -> list[str]:
    """The music scores given, in words: `["liking 2/10", "openness 5/10"]`."""
    return [
        f"{name} {value}/10" for name in MUSIC_SCORES if (value := getattr(fb, name)) is not None
    ]


def said_phrases(fb: Feedback, *, helped: bool = True) -> list[str]:
    """What someone said besides the scores, as short phrases in one order (the one wording
    of feedback the course window, the readiness lines and the command line share):
    `music distracting`, `silence preferred`, `avoid Tide`, `anxiety: peak`, `nausea`,
    `helped: breathing`. The free text (care team only) is never among them."""
    parts = []
    if fb.music_distracting:
        parts.append("music distracting")
    if fb.silence_preferred:
        parts.append("silence preferred")
    if fb.avoid_pieces:
        parts.append("avoid " + ", ".join(fb.avoid_pieces))
    if fb.anxiety:
        parts.append("anxiety: " + ", ".join(fb.anxiety))
    if fb.physical:
        parts.append(", ".join(fb.physical))
    if helped and fb.helped:
        parts.append(f"helped: {fb.helped}")
    return parts


def _score(name: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SCORE_MAX:
        raise BadInputError(
            f"{name} must be a whole number from 0 to {SCORE_MAX} (or left empty), not {value!r}"
        )
    return value


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise BadInputError(f"{name} is yes or no (true or false), not {value!r}")
    return value


def _text(name: str, value: object, longest: int) -> str:
    if not isinstance(value, str):
        raise BadInputError(f"{name} is text, not {value!r}")
    clean = value.strip()
    if len(clean) > longest:
        raise BadInputError(f"{name} is at most {longest} characters, not {len(clean)}")
    return clean


def _choices(name: str, values: object, allowed: tuple[str, ...] | None) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, (list, tuple, set, frozenset)):
        raise BadInputError(f"{name} is a list, not {values!r}")
    out: list[str] = []
    for value in values:
        if allowed is None:
            item = " ".join(_text(f"a piece in {name}", value, PIECE_MAX).split())
            if not item:
                raise BadInputError(f"a piece in {name} needs its title")
        else:
            item = value
            if item not in allowed:
                raise BadInputError(f"{name} {value!r} is not one of: {', '.join(allowed)}")
        if item not in out:
            out.append(item)
    return tuple(out)


def check_feedback(fb: Feedback) -> Feedback:
    """`fb` with every value in range (texts trimmed, repeats dropped); else one
    BadInputError sentence naming the field and what it may be."""
    if not isinstance(fb, Feedback):
        raise BadInputError(f"feedback must be a Feedback, not {type(fb).__name__}")
    if fb.filled_by not in FILLED_BY:
        raise BadInputError(f"filled_by {fb.filled_by!r} is not one of: {', '.join(FILLED_BY)}")
    return Feedback(
        liking=_score("liking", fb.liking),
        resonance=_score("resonance", fb.resonance),
        openness=_score("openness", fb.openness),
        music_distracting=_flag("music_distracting", fb.music_distracting),
        silence_preferred=_flag("silence_preferred", fb.silence_preferred),
        avoid_pieces=_choices("avoid_pieces", fb.avoid_pieces, None),
        anxiety=_choices("anxiety", fb.anxiety, ANXIETY_MOMENTS),
        physical=_choices("physical", fb.physical, PHYSICAL_EFFECTS),
        helped=_text("helped", fb.helped, TEXT_MAX),
        free_text=_text("free_text", fb.free_text, TEXT_MAX),
        filled_by=fb.filled_by,
    )


def _attendee(conn: sqlite3.Connection, session_id: str, participant_id: str) -> tuple[str, str]:
    """(alias, person_id) of a participant of `session_id`, or the refusal to raise."""
    link = pq.participant_link(conn, participant_id)
    if link is None or link[0] != session_id:
        who = f"{link[1]} ({participant_id})" if link is not None else participant_id
        elsewhere = f"; they were in session {link[0]}" if link is not None else ""
        raise BadInputError(
            f"{who} did not attend session {session_id}{elsewhere}: feedback belongs to a "
            "session the participant attended"
        )
    _, alias, person_id = link
    if person_id is None:
        raise BadInputError(
            f"{alias} is not linked to a person: link them first (choose or register the "
            "person when adding them), then record their feedback"
        )
    return alias, person_id


def _check_corrects(
    conn: sqlite3.Connection, corrects: object, session_id: str, participant_id: str
) -> int | None:
    if corrects is None:
        return None
    at = pq.event_at(conn, corrects) if isinstance(corrects, int) else None
    if at != (session_id, participant_id, "feedback.recorded"):
        raise BadInputError(
            f"corrects {corrects!r} is not an earlier feedback of this participant in "
            f"session {session_id}"
        )
    return corrects


def record_feedback(
    store: Store,
    session_id: str,
    participant_id: str,
    fb: Feedback,
    *,
    by: Account | None,
    clock: Clock,
    corrects: int | None = None,
) -> int:
    """Record a participant's feedback after `session_id` (`feedback.recorded` in that
    session's log) and return its seq. Refused, nothing written, for an unknown session, a
    participant who did not attend it or is not linked to a person, a value out of range or
    a `corrects` that is not their earlier feedback there; refused with `action.refused`
    logged when `by` may not record feedback (`feedback.record`)."""
    with closing(store.reader()) as conn:
        if pq.session_status(conn, session_id) is None:
            raise no_session(session_id)
    actor = guard(store, session_id, by, "feedback.record", clock.now())
    with closing(store.reader()) as conn:
        _, person_id = _attendee(conn, session_id, participant_id)
        clean = check_feedback(fb)
        corrects = _check_corrects(conn, corrects, session_id, participant_id)
    data = {"person_id": person_id, **clean.as_data(), "corrects": corrects}
    return store.record(
        session_id,
        "feedback.recorded",
        data,
        participant_id=participant_id,
        actor=actor,
        at=clock.now(),
    ).result(10)


def latest_feedback(conn: sqlite3.Connection, participant_id: str) -> Feedback | None:
    """The participant's feedback that counts (the latest recorded), or None."""
    event = pq.latest_feedback_event(conn, participant_id)
    return None if event is None else Feedback.from_data(event.data)
