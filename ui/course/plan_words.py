"""How the preparation words a person's last feedback and the team's plan: pure, no Qt.

The "last time" panel and the feedback form say the same things the same way through here. A
dose note is always labelled as a note for the prescriber that was not applied: no screen may
make it look like a dose change.
"""

from __future__ import annotations

from groupkap.course import Adjustment, Feedback

DOSE_NOTE_LABEL = "Dose note — for the prescriber — not applied"
"""How every dose note is headed: a note for the prescriber, never a change of dose."""

NOT_ANSWERED = "not answered"


def score_words(value: int | None) -> str:
    """`7 of 10`, or `not answered`."""
    return NOT_ANSWERED if value is None else f"{value} of 10"


def feedback_lines(fb: Feedback) -> list[str]:
    """The feedback as a clinician reads it, one statement a line. The free text (care team
    only) is left out: this is read in the room."""
    lines = [
        f"Music: liking {score_words(fb.liking)} · resonance {score_words(fb.resonance)} · "
        f"openness {score_words(fb.openness)}"
    ]
    if fb.music_distracting:
        lines.append("The music was distracting")
    if fb.silence_preferred:
        lines.append("Would rather have silence")
    if fb.avoid_pieces:
        lines.append("Pieces to avoid: " + ", ".join(fb.avoid_pieces))
    lines.append("Anxious at: " + ", ".join(fb.anxiety) if fb.anxiety else "No moment of anxiety")
    lines.append(
        "Physical effects: " + ", ".join(fb.physical) if fb.physical else "No physical effects"
    )
    if fb.helped:
        lines.append(f"What helped: {fb.helped}")
    lines.append(
        "Filled in with the facilitator"
        if fb.filled_by == "with facilitator"
        else "Filled in by the participant"
    )
    return lines


def adjustment_line(adj: Adjustment) -> str:
    """The adjustment as the team reads it: its own text (the core words each kind so it
    says what it is: `silence next time: the music was distracting`), a dose note headed
    DOSE_NOTE_LABEL."""
    text = adj.text.strip()
    if adj.kind != "dose_note":
        return text[:1].upper() + text[1:]
    for said in ("dose note for the prescriber:", "dose note:"):
        if text.casefold().startswith(said):
            text = text[len(said) :].strip()
            break
    return f"{DOSE_NOTE_LABEL}: {text}"
