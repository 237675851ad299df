"""What a seat may hear by its participant's carried plan (issue 16): silence when the team
decided on silence, and never a piece on their avoid list.

The plan is what the team accepted after the person's last session
(`groupkap.course.plan.carried_plan(...).music`, a `MusicPrefs`). The director applies it to
every list a seat is given, in every session, not only the demo's, so nobody has to
remember to take "that piece" out by hand. Pieces are matched by title, ignoring case and
spacing: the feedback form names pieces by the titles the participant heard.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing

from groupkap.errors import GroupKapError

log = logging.getLogger("groupkap.music")

PLAN_REASON = "their plan"
PLAN_SILENCE_CHIP = "♪ silence — their plan"


def title_key(title: str) -> str:
    """A piece's title as the avoid list compares it: case and spacing do not count."""
    return " ".join(str(title).split()).casefold()


def avoided_titles(avoid: Iterable[str]) -> frozenset[str]:
    return frozenset(k for k in (title_key(t) for t in avoid) if k)


def split_avoided(tracks: Sequence, avoid: Iterable[str]) -> tuple[list, list]:
    """(the pieces the seat may hear, the pieces on the avoid list), each in list order."""
    keys = avoided_titles(avoid)
    kept, left_out = [], []
    for track in tracks:
        (left_out if title_key(getattr(track, "title", "")) in keys else kept).append(track)
    return kept, left_out


def read_music_prefs(store, person_id: str | None, session_id: str | None = None):
    """The person's carried music preferences (`MusicPrefs`) for `session_id` (the session
    being run, left out of "their last session"), or None for someone who is not a known
    person. A plan that cannot be read is logged and the seat
    plays as for anyone: music must never stop because a record could not be read."""
    if not person_id:
        return None
    try:
        from groupkap.course.plan import carried_plan

        with closing(store.reader()) as conn:
            return carried_plan(conn, person_id, before=session_id).music
    except (GroupKapError, ImportError, LookupError, sqlite3.Error) as exc:
        log.warning("the music plan of %s cannot be read: %s", person_id, exc)
        return None
