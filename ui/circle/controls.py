"""The facilitators' side of the sharing circle: its state in words, its commands, its refusals.

These live in the main window, on the facilitators' screen: a participant must never see a
button, an error message or a note box on the circle display.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from groupkap.circle.circle import CLOSING, ENDED, OPENING, READY, TURNS, Circle
from ui import shortcuts, theme
from ui.circle.ring import clock_text
from ui.dialogs import CommandDialog, form_dialog

if TYPE_CHECKING:
    from ui.circle.circle_view import CircleView

NOTE_LABEL = "Note (care team only, never shown on the circle display)"


def circle_summary(c: Circle) -> str:
    """The circle in two lines for the facilitators: where it is, and who speaks."""
    if c.phase == READY:
        return "Sharing circle · not started"
    if c.phase == ENDED:
        return "Sharing circle · ended\nthe figures are under “Circle figures”"
    paused = " · PAUSED" if c.paused else ""
    if c.phase in (OPENING, CLOSING):
        name = "Opening" if c.phase == OPENING else "Closing"
        return f"{name} · {clock_text(c.remaining_s)} left{paused}"
    current, upcoming = c.current, c.next_up
    round_text = f"round {c.round} of {c.rounds}" + (f" · {c.prompt}" if c.prompt else "")
    who = f"{current.alias} · {clock_text(c.remaining_s)}" if current else ""
    after = f" · next {upcoming.alias}" if upcoming else ""
    return f"{round_text} · {c.turns_remaining} turns to go{paused}\n{who}{after}"


def _label(size: int, colour: str, bold: bool = False) -> QLabel:
    label = QLabel("")
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setStyleSheet(
        f"color: {colour}; font-size: {theme.px(size)}px; "
        f"font-weight: {'bold' if bold else 'normal'};"
    )
    return label


class CircleControls(QWidget):
    """Next, pass, pause, +1 min and a care-team note for one circle, with its state and any
    refusal in words.

    Attributes:
        summary: the circle's state (phase, speaker, time, who is next, paused).
        next_button, pass_button, pause_button, extend_button, note_button: the commands.
        close_button: shown once the circle has ended; closes its display.
        message: the last refusal (amber), empty when the last command went through.
    """

    def __init__(self, view: CircleView) -> None:
        super().__init__()
        self._view = view
        self.setObjectName("CircleControls")
        heading = _label(18, theme.TEXT_DIM, bold=True)
        heading.setText("Sharing circle · staff only")
        self.summary = _label(20, theme.TEXT, bold=True)
        size = theme.px(theme.MIN_READABLE_PX)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        buttons = []
        for text, key, tip, slot in (
            ("Next", shortcuts.CIRCLE_NEXT, "Next speaker; after the opening, begin", view.next),
            (
                "Pass",
                shortcuts.CIRCLE_PASS,
                "The speaker passes and speaks at the end",
                view.pass_turn,
            ),
            ("Pause", shortcuts.CIRCLE_PAUSE, "Pause or resume the circle", view.toggle_pause),
            ("+1 min", shortcuts.CIRCLE_EXTEND, "One more minute for the speaker", view.extend),
            ("Care-team note…", None, "A note for the care team about this turn", self.open_note),
            (
                "Close circle display",
                None,
                "Hide the ended circle's display",
                view.close_requested.emit,
            ),
        ):
            button = QPushButton(shortcuts.with_key(text, key) if key else text)
            button.setToolTip(shortcuts.with_key(tip, key) if key else tip)
            button.setStyleSheet(f"font-size: {size}px; padding: 6px 12px;")
            button.clicked.connect(lambda _checked=False, slot=slot: slot())
            layout.addWidget(button)
            buttons.append(button)
        (
            self.next_button,
            self.pass_button,
            self.pause_button,
            self.extend_button,
            self.note_button,
            self.close_button,
        ) = buttons
        self.close_button.hide()
        self.message = _label(18, theme.ALARM_COLOURS["medium"])
        layout.addWidget(self.message)
        layout.addStretch(1)
        self._shown: tuple | None = None

    def show_circle(self, c: Circle) -> None:
        """Redraw from the circle (called by the view's timer; cheap when nothing changed)."""
        state = (circle_summary(c), c.paused, c.phase)
        if state == self._shown:
            return
        self._shown = state
        self.summary.setText(state[0])
        self.pause_button.setText(
            shortcuts.with_key("Resume" if c.paused else "Pause", shortcuts.CIRCLE_PAUSE)
        )
        self.pass_button.setEnabled(c.phase == TURNS)
        self.extend_button.setEnabled(c.phase == TURNS)
        self.next_button.setEnabled(c.phase in (OPENING, TURNS))
        self.pause_button.setEnabled(c.phase in (OPENING, TURNS, CLOSING))
        self.close_button.setVisible(c.phase == ENDED)

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def note_dialog(self) -> CommandDialog:
        """The care-team note form, on the facilitators' screen; a refusal stays in it."""
        note = QPlainTextEdit()
        return form_dialog(
            "Care-team note",
            lambda: self._view.write_note(note.toPlainText()),
            {NOTE_LABEL: note},
            self,
        )

    def open_note(self) -> None:
        self.note_dialog().open()
