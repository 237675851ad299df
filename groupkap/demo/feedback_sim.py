"""What the demo's participants say after a session: plausible feedback, the same for the same
person and session (seeded by both), so a demo database tells a course that can be read.

Most liked the music; sometimes it was distracting, sometimes one piece was not for them,
some were anxious at the peak or felt sick. A participant whose plan kept their seat silent
answers about the silence, not about music they did not hear.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from groupkap.course.feedback import Feedback

HELPED_WITH_MUSIC = (
    "the music in the return phase",
    "the eye mask and the music",
    "breathing with the nurse",
    "the blanket",
)
HELPED_WITHOUT_MUSIC = (
    "breathing with the nurse",
    "the blanket",
    "a hand on the shoulder",
    "the eye mask",
)


def demo_feedback(
    person_id: str,
    session_id: str,
    heard: Iterable[str],
    *,
    distracted: bool = False,
    names_a_piece: bool = False,
    had_silence: bool = False,
) -> Feedback:
    """One participant's feedback after `session_id`, seeded by person and session.

    `heard`: the titles played on their seat; `distracted`: the music got in their way (the
    demo makes sure someone in each group says so); `names_a_piece`: they name one piece to
    avoid (when they heard any, and then the music did not otherwise distract them);
    `had_silence`: their plan kept the seat silent."""
    rng = random.Random(f"{person_id}/{session_id}")
    heard = sorted(set(heard))
    anxiety = tuple(m for m, p in (("onset", 0.1), ("peak", 0.3)) if rng.random() < p)
    physical = tuple(
        e
        for e, p in (("nausea", 0.2), ("headache", 0.1), ("dizziness", 0.1), ("fatigue", 0.15))
        if rng.random() < p
    )
    if had_silence and not heard:
        return Feedback(
            openness=rng.randint(5, 9),
            silence_preferred=rng.random() < 0.8,
            anxiety=anxiety,
            physical=physical,
            helped=rng.choice(HELPED_WITHOUT_MUSIC),
        )
    distracted = distracted or (not names_a_piece and rng.random() < 0.15)
    liking = rng.randint(1, 4) if distracted else rng.randint(5, 9)
    avoid: tuple[str, ...] = ()
    if heard and not distracted and (names_a_piece or rng.random() < 0.2):
        avoid = (rng.choice(heard),)
    return Feedback(
        liking=liking,
        resonance=max(0, min(10, liking + rng.randint(-2, 1))),
        openness=rng.randint(4, 9),
        music_distracting=distracted,
        silence_preferred=distracted and rng.random() < 0.5,
        avoid_pieces=avoid,
        anxiety=anxiety,
        physical=physical,
        helped=rng.choice(HELPED_WITHOUT_MUSIC if distracted else HELPED_WITH_MUSIC),
    )
