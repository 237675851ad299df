"""The post-session feedback form: how the music felt, the pieces to avoid (from what that
seat heard), moments of anxiety, physical effects, what helped, free text for the care team.

The facilitator fills it with the participant, or the participant on the workstation ("Filled
by"). OK hands it to `groupkap.course.record_feedback`; a refusal (not attended, not linked to
a person, a value out of range, a role that may not) is the core's sentence in the form, which
stays open, and nothing is written. Opened again for the same session, the form starts from
the feedback that counts and records a correction of it (`corrects`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import closing

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from groupkap.accounts.permissions import refusal
from groupkap.course import (
    ANXIETY_MOMENTS,
    FILLED_BY,
    PHYSICAL_EFFECTS,
    Feedback,
    record_feedback,
)
from groupkap.errors import BadInputError
from groupkap.store import people_queries as pq
from ui import theme
from ui.course.plan_words import NOT_ANSWERED
from ui.dialogs import CommandDialog, form_dialog

SCORE_LABELS = {
    "liking": "Liking of the music (0–10)",
    "resonance": "Resonance (0–10)",
    "openness": "Openness (0–10)",
}
DISTRACTING = "Music was distracting"
SILENCE = "Silence preferred"
AVOID = "Pieces to avoid"
ANXIETY = "Anxious at"
PHYSICAL = "Physical effects"
HELPED = "What helped"
FREE_TEXT = "Free text (care team only)"
FILLED = "Filled by"
NO_PIECES = "No piece was played at this seat."
TIPS = {
    SCORE_LABELS["liking"]: "How much they liked the music: 0 not at all, 10 very much",
    SCORE_LABELS["resonance"]: "How much the music matched what they went through (0–10)",
    SCORE_LABELS["openness"]: "How open they felt during the session (0–10)",
    AVOID: "Tick the pieces they do not want to hear again; their next playlist leaves them out",
    FREE_TEXT: "For the care team only: never on a shared screen or in a de-identified export",
    FILLED: "Filled in with the facilitator, or by the participant on the workstation",
}


class ScoreBox(QSpinBox):
    """A 0–10 score with the number shown, or "not answered" (below 0)."""

    def __init__(self, value: int | None = None) -> None:
        super().__init__()
        self.setRange(-1, 10)
        self.setSpecialValueText(NOT_ANSWERED)
        self.set_score(value)

    def score(self) -> int | None:
        return None if self.value() < 0 else self.value()

    def set_score(self, value: int | None) -> None:
        self.setValue(-1 if value is None else value)


class Choices(QWidget):
    """Checkboxes, one per choice, in `columns` columns.

    Attributes:
        boxes: choice → its checkbox.
    """

    def __init__(self, choices: Iterable[str], ticked: Iterable[str] = (), columns: int = 3):
        super().__init__()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        ticked = set(ticked)
        self.boxes: dict[str, QCheckBox] = {}
        for i, choice in enumerate(choices):
            box = QCheckBox(choice)
            box.setChecked(choice in ticked)
            self.boxes[choice] = box
            grid.addWidget(box, i // columns, i % columns)

    def checked(self) -> tuple[str, ...]:
        return tuple(c for c, box in self.boxes.items() if box.isChecked())


class PieceList(QScrollArea):
    """The pieces that seat heard, in play order, each with a tick for "avoid" (a column
    that scrolls past a few pieces).

    Attributes:
        boxes: title → its checkbox.
    """

    def __init__(self, pieces: Sequence[str], ticked: Iterable[str] = ()) -> None:
        super().__init__()
        inside = QWidget()
        column = QVBoxLayout(inside)
        column.setContentsMargins(0, 0, 0, 0)
        ticked = set(ticked)
        self.boxes: dict[str, QCheckBox] = {}
        for title in pieces:
            box = QCheckBox(title)
            box.setChecked(title in ticked)
            self.boxes[title] = box
            column.addWidget(box)
        column.addStretch(1)
        self.setWidget(inside)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        rows = min(len(self.boxes), 5)
        self.setMinimumHeight(rows * (theme.px(28) + column.spacing()))

    def checked(self) -> tuple[str, ...]:
        return tuple(t for t, box in self.boxes.items() if box.isChecked())


def earlier_feedback(store, participant_id: str) -> tuple[int, Feedback] | None:
    """(seq, feedback) of the participant's feedback that counts, or None."""
    with closing(store.reader()) as conn:
        event = pq.latest_feedback_event(conn, participant_id)
    return None if event is None else (event.seq, Feedback.from_data(event.data))


def played_pieces(db_path, session_id: str, participant_id: str) -> list[str]:
    """The titles that seat heard, in play order (`groupkap.course.history.pieces_played`)."""
    from groupkap.course.history import pieces_played

    return pieces_played(db_path, session_id, participant_id)


def feedback_dialog(
    store,
    clock,
    session_id: str,
    participant_id: str,
    alias: str,
    *,
    account=None,
    pieces: Sequence[str] | None = None,
    linked: bool = True,
    parent=None,
) -> CommandDialog:
    """The form for one participant of `session_id`. `pieces`: what their seat heard (read
    from the store when not given); `linked`: False warns at once that the participant is
    not linked to a person (the core refuses their feedback until they are).

    The fields are `dialog.fields` by label; `dialog.recorded` is the seq once saved.
    """
    earlier = earlier_feedback(store, participant_id)
    start = earlier[1] if earlier else Feedback()
    if pieces is None:
        pieces = played_pieces(store.path, session_id, participant_id)
    # A piece ticked earlier stays listed even if the read of what was played missed it.
    pieces = list(dict.fromkeys([*pieces, *start.avoid_pieces]))
    scores = {name: ScoreBox(getattr(start, name)) for name in SCORE_LABELS}
    fields: dict[str, QWidget] = {SCORE_LABELS[n]: box for n, box in scores.items()}
    distracting, silence = QCheckBox(), QCheckBox()
    distracting.setChecked(start.music_distracting)
    silence.setChecked(start.silence_preferred)
    fields[DISTRACTING], fields[SILENCE] = distracting, silence
    avoid = PieceList(pieces, start.avoid_pieces)
    fields[AVOID] = avoid if pieces else QLabel(NO_PIECES)
    anxiety = Choices(ANXIETY_MOMENTS, start.anxiety)
    physical = Choices(PHYSICAL_EFFECTS, start.physical)
    fields[ANXIETY], fields[PHYSICAL] = anxiety, physical
    helped = QLineEdit(start.helped)
    helped.setPlaceholderText("in their words, e.g. the blanket, holding a hand")
    free_text = QPlainTextEdit(start.free_text)
    free_text.setMaximumHeight(theme.px(90))
    filled_by = QComboBox()
    filled_by.addItems(list(FILLED_BY))
    filled_by.setCurrentText(start.filled_by)
    fields[HELPED], fields[FREE_TEXT], fields[FILLED] = helped, free_text, filled_by
    if earlier is not None:
        fields["Correcting"] = QLabel("this replaces the feedback recorded earlier")

    def read() -> Feedback:
        return Feedback(
            liking=scores["liking"].score(),
            resonance=scores["resonance"].score(),
            openness=scores["openness"].score(),
            music_distracting=distracting.isChecked(),
            silence_preferred=silence.isChecked(),
            avoid_pieces=avoid.checked(),
            anxiety=anxiety.checked(),
            physical=physical.checked(),
            helped=helped.text(),
            free_text=free_text.toPlainText(),
            filled_by=filled_by.currentText(),
        )

    def submit() -> None:
        dialog.recorded = record_feedback(
            store,
            session_id,
            participant_id,
            read(),
            by=account,
            clock=clock,
            corrects=earlier[0] if earlier else None,
        )

    dialog = form_dialog(f"Feedback after the session · {alias}", submit, fields, parent, TIPS)
    dialog.recorded = None
    dialog.read_feedback = read
    # Never narrower than its fields: every tick's label whole (the theme's min-width alone
    # would let the form squeeze them).
    dialog.layout().setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
    why_not = refusal(account, "feedback.record") if account is not None else None
    if why_not is not None:  # said at once; trying anyway is refused (and logged) by the core
        dialog.error.setText(why_not)
    elif not linked:
        dialog.error.setText(
            f"{alias} is not linked to a person: link them first (choose or register the "
            "person when adding them), then record their feedback"
        )
    return dialog


def feedback_for(live, pid: str, parent=None) -> CommandDialog:
    """The form for a participant of the running session, once dosed (feedback is about a
    session they had); before the dose it is refused with a sentence."""
    person = live.room.participants.get(pid)
    if person is None:
        raise BadInputError(f"no participant {pid!r} in this room")
    protocol = live.protocol
    if protocol is None or protocol.of(pid).t0 is None:
        raise BadInputError(
            f"{person.alias} has not been dosed in this session: feedback is asked after "
            "the session"
        )
    return feedback_dialog(
        live.store,
        live.clock,
        live.id,
        pid,
        person.alias,
        account=live.account,
        linked=person.person_id is not None,
        parent=parent,
    )
