"""The plan carried to a person's next session: what the last feedback proposes, what the team
decided, and the music preferences that pre-fill their playlist.

Proposals are pure rules on the last feedback (`propose`); nothing changes until the team
accepts them or writes its own (`adjust_plan`: `plan.adjusted` in the courses log). A dose
change is only ever a note for the prescriber: no rule here touches a dose. Adjustments made
after a session carry to the next one (`carried_plan`); the session after that starts from its
own feedback.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING

from groupkap.course.config import course_config
from groupkap.course.feedback import Feedback
from groupkap.course.people import COURSES_LOG, guard
from groupkap.errors import BadInputError
from groupkap.store import people_queries as pq
from groupkap.store.queries import LoggedEvent

if TYPE_CHECKING:
    from groupkap.accounts import Account
    from groupkap.clock import Clock
    from groupkap.store import Store

PLAN_KINDS: dict[str, str] = {
    "silence": "silence instead of music",
    "avoid_pieces": "leave out pieces from their playlist",
    "grounding": "more grounding",
    "premedicate": "pre-medicate for nausea",
    "dose_note": "a dose note for the prescriber (never applied to a dose)",
    "comfort": "comfort items such as a blanket or an eye mask",
    "trusted_contact": "a trusted person's contact",
    "other": "another change",
}
"""Each kind of adjustment, in the order a plan lists them, with what it means."""
SOURCES = ("proposal", "team")
TEXT_MAX = 300


@dataclass(frozen=True)
class Adjustment:
    """One change for the next session.

    Attributes:
        kind: one of PLAN_KINDS.
        text: what to do, in words the team reads ("silence next time: the music was
            distracting").
        pieces: the titles to leave out (kind "avoid_pieces" only).
    """

    kind: str
    text: str
    pieces: tuple[str, ...] = ()

    def as_data(self) -> dict:
        return {"kind": self.kind, "text": self.text, "pieces": list(self.pieces)}

    @classmethod
    def from_data(cls, d: dict) -> Adjustment:
        return cls(d["kind"], d.get("text", ""), tuple(d.get("pieces") or ()))


@dataclass(frozen=True)
class MusicPrefs:
    """What the person's next playlist honours.

    Attributes:
        silence: their seat plays silence (the team accepted "silence").
        avoid: titles left out of their list (the team's avoid list, else the pieces the last
            feedback asked to avoid).
    """

    silence: bool = False
    avoid: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CarriedPlan:
    """What the next session's preparation shows for one person.

    Attributes:
        person_id: the kept person.
        last_session_id: their last session before this one (None: none yet).
        last_feedback: the feedback that counts from that session, or None.
        adjustments: the team's accepted adjustments after that session, the latest of each
            kind, in PLAN_KINDS order.
        proposals: what the last feedback proposes, for kinds not yet adjusted.
        music: the music preferences for their next playlist.
    """

    person_id: str
    last_session_id: str | None
    last_feedback: Feedback | None
    adjustments: tuple[Adjustment, ...]
    proposals: tuple[Adjustment, ...]
    music: MusicPrefs


def _listed(items: tuple[str, ...]) -> str:
    return ", ".join(items)


def propose(fb: Feedback | None, settings: object = None) -> list[Adjustment]:
    """The adjustments `fb` suggests, in PLAN_KINDS order (`settings`: Settings, its
    CourseConfig, or None for the defaults):

    - the music was distracting, liked at or below `dislike_at_or_below`, or silence was
      preferred: "silence";
    - pieces to avoid: "avoid_pieces" with those pieces;
    - any moment of anxiety: "grounding";
    - nausea or vomiting: "premedicate" and a "dose_note" for the prescriber (never applied).
    """
    if fb is None:
        return []
    config = course_config(settings)
    out: list[Adjustment] = []
    why = []
    if fb.music_distracting:
        why.append("the music was distracting")
    if fb.liking is not None and fb.liking <= config.dislike_at_or_below:
        why.append(f"they liked the music {fb.liking} of 10")
    if fb.silence_preferred:
        why.append("they preferred silence")
    if why:
        out.append(Adjustment("silence", "silence next time: " + "; ".join(why)))
    if fb.avoid_pieces:
        pieces = tuple(fb.avoid_pieces)
        out.append(Adjustment("avoid_pieces", f"leave out: {_listed(pieces)}", pieces))
    if fb.anxiety:
        out.append(Adjustment("grounding", f"more grounding: anxious at {_listed(fb.anxiety)}"))
    sick = tuple(e for e in fb.physical if e in ("nausea", "vomiting"))
    if sick:
        out.append(Adjustment("premedicate", "pre-medicate for nausea"))
        out.append(
            Adjustment(
                "dose_note",
                f"dose note for the prescriber: {' and '.join(sick)} last session "
                "(a note only; no dose is changed)",
            )
        )
    return out


def check_adjustment(adj: Adjustment) -> Adjustment:
    """`adj` with its kind known, its text one line of at most TEXT_MAX characters (the
    kind's words when empty) and pieces only for "avoid_pieces"."""
    if not isinstance(adj, Adjustment):
        raise BadInputError(f"an adjustment must be an Adjustment, not {type(adj).__name__}")
    if adj.kind not in PLAN_KINDS:
        raise BadInputError(f"adjustment kind {adj.kind!r} is not one of: {', '.join(PLAN_KINDS)}")
    text = " ".join(str(adj.text or "").split()) or PLAN_KINDS[adj.kind]
    if len(text) > TEXT_MAX:
        raise BadInputError(f"an adjustment's text is at most {TEXT_MAX} characters")
    pieces = tuple(dict.fromkeys(" ".join(str(p).split()) for p in adj.pieces))
    if adj.kind != "avoid_pieces" and pieces:
        raise BadInputError("only an avoid_pieces adjustment lists pieces")
    if any(not p for p in pieces):
        raise BadInputError("a piece to avoid needs its title")
    return Adjustment(adj.kind, text, pieces)


def adjust_plan(
    store: Store,
    person_id: str,
    adjustments: list[Adjustment],
    *,
    after_session: str | None,
    source: str,
    by: Account | None,
    clock: Clock,
) -> int:
    """Record the team's adjustments for a person's next session (`plan.adjusted` in the
    courses log): accepted proposals (`source` "proposal") or the team's own ("team"),
    made after `after_session` (a session the person attended; None before their first).
    Returns the seq. Refused, nothing written, for an unknown person or session, an empty
    or unknown adjustment; with `action.refused` logged when `by` may not (`plan.adjust`)."""
    actor = guard(store, COURSES_LOG, by, "plan.adjust", clock.now())
    if source not in SOURCES:
        raise BadInputError(f"source {source!r} is not one of: {', '.join(SOURCES)}")
    if isinstance(adjustments, Adjustment) or not adjustments:
        raise BadInputError("give at least one adjustment (a list of them)")
    clean = [check_adjustment(a) for a in adjustments]
    with closing(store.reader()) as conn:
        kept = pq.kept_id(conn, str(person_id))
        if kept is None:
            raise BadInputError(f"no person {person_id}; `groupkap course` lists them")
        if after_session is not None:
            ids = pq.person_ids(conn, kept)
            if after_session not in {a.session_id for a in pq.attended(conn, ids)}:
                raise BadInputError(
                    f"that person did not attend session {after_session}; adjust the plan "
                    "after a session they attended"
                )
    data = {
        "person_id": kept,
        "after_session": after_session,
        "adjustments": [a.as_data() for a in clean],
        "source": source,
    }
    return store.record(COURSES_LOG, "plan.adjusted", data, actor=actor, at=clock.now()).result(10)


def carried_plan(
    conn: sqlite3.Connection,
    person_id: str,
    *,
    settings: object = None,
    before: str | None = None,
) -> CarriedPlan:
    """The plan carried to the person's next session.

    Their last session is the latest they attended that is not running now (the session
    being prepared is left out, and so is `before` when given). The adjustments are those
    recorded after it (`after_session` it, or none and recorded after it began), the latest
    of each kind; the proposals come from its feedback, for kinds the team has not adjusted.
    The avoid list is kept over the whole course, not one session: every piece asked in any
    session's feedback joins it, and a list the team sets replaces it (the team may take a
    piece off); nobody should hear again what they asked not to.
    """
    kept = pq.kept_id(conn, str(person_id))
    if kept is None:
        raise BadInputError(f"no person {person_id}; `groupkap course` lists them")
    ids = pq.person_ids(conn, kept)
    past = [a for a in pq.attended(conn, ids) if a.status != "running" and a.session_id != before]
    last = past[-1].session_id if past else None
    since = past[-1].started_at if past else None
    feedback = None
    # The avoid list over the whole course, in log order: a piece asked in any feedback is
    # added; a list the team sets replaces what came before (they may take a piece off).
    avoid_steps: list[tuple[int, bool, tuple[str, ...]]] = []  # (seq, set by team, pieces)
    for a in past:
        said = pq.latest_feedback_event(conn, a.participant_id)
        if said is not None:
            avoid_steps.append((said.seq, False, Feedback.from_data(said.data).avoid_pieces))
            if a.session_id == last:
                feedback = Feedback.from_data(said.data)

    def after_last(event: LoggedEvent) -> bool:
        after = event.data.get("after_session")
        if after is not None:
            return after == last
        return since is None or event.t >= since

    latest: dict[str, Adjustment] = {}
    for event in pq.course_events(conn, COURSES_LOG, ("plan.adjusted",), ids):
        for d in event.data.get("adjustments", []):
            adj = Adjustment.from_data(d)
            if adj.kind == "avoid_pieces":
                avoid_steps.append((event.seq, True, adj.pieces))
            if after_last(event):
                latest[adj.kind] = adj
    adjustments = tuple(latest[k] for k in PLAN_KINDS if k in latest)
    proposals = tuple(p for p in propose(feedback, settings) if p.kind not in latest)
    avoided: set[str] = set()
    for _seq, by_team, pieces in sorted(avoid_steps):
        avoided = set(pieces) if by_team else avoided | set(pieces)
    music = MusicPrefs(silence="silence" in latest, avoid=frozenset(avoided))
    return CarriedPlan(kept, last, feedback, adjustments, proposals, music)
