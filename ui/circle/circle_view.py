"""The circle view: whose turn it is and how much time remains, calm and large.

This is what the participants see, on a screen of its own or docked beside the room grid:
the speaker's alias, the remaining time as a ring that shifts slowly from calm to amber, who
is next, and whether the circle is paused. No flashing, no red, no buttons, no error text and
never the fairness figures. The facilitators' side (commands, refusals, a care-team note)
is `CircleControls`, which the main window keeps on the facilitators' screen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from groupkap.circle.circle import CHIME, CLOSING, ENDED, OPENING, READY, Circle
from groupkap.errors import GroupKapError
from ui import shortcuts, theme
from ui.circle.controls import CircleControls
from ui.circle.ring import AMBER, CALM, TimeRing, clock_text, ring_colour

__all__ = ["AMBER", "CALM", "CircleView", "clock_text", "ring_colour"]

BACKGROUND = "#07090b"
# Sizes at a 1280 × 720 display; the view scales them to the space it has.
REFERENCE = (1280, 720)
SIZES = {"prompt": 26, "speaker": 96, "status": 24, "next_up": 30}


class _FittedLabel(QLabel):
    """A centred line whose size follows the view's and whose text is elided, never pushed
    wider: a 24-character alias must not widen the dock over the room."""

    def __init__(self, colour: str, bold: bool = False) -> None:
        super().__init__("")
        self._text, self._colour, self._bold, self._px = "", colour, bold, 0
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.set_px(theme.px(theme.MIN_READABLE_PX))

    def set_px(self, size: int) -> None:
        if size != self._px:
            self._px = size
            self.setStyleSheet(
                f"color: {self._colour}; font-size: {size}px; "
                f"font-weight: {'bold' if self._bold else 'normal'};"
            )
            self._elide()

    def show_text(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self._elide()

    def full_text(self) -> str:
        return self._text

    def _elide(self) -> None:
        font = QFont(self.font())
        font.setPixelSize(self._px)
        font.setBold(self._bold)
        shown = QFontMetrics(font).elidedText(
            self._text, Qt.TextElideMode.ElideRight, max(1, self.width() - 8)
        )
        super().setText(shown)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._elide()


class CircleView(QWidget):
    """The participants' display of one circle, and the circle's commands.

    One timer ticks the circle (its chime and its end) and redraws both this display and
    the facilitators' `controls`; the controls and the keys call the commands here.

    Attributes:
        circle: the circle it shows and commands.
        chimes: how many chimes it asked for (the chime plays on the room speakers).
        controls: the facilitators' controls for this circle (placed by the main window,
            never inside this widget).
        prompt, speaker, status, next_up: the display's lines (status says "paused").
        ring: the time ring.

    Signals:
        close_requested(): the facilitators closed the ended circle's display, or it has
            said "Thank you" for `THANK_YOU_S` of session time (the room gets its width back).
    """

    close_requested = Signal()
    THANK_YOU_S = 60.0

    def __init__(
        self,
        circle: Circle,
        chime: Callable[[], object] | None = None,
        parent=None,
        *,
        guard: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.circle = circle
        # Raises Forbidden when the signed-in role may not run the circle (`live.require`):
        # every button and key goes through it, so the refusal is said and logged once.
        self._guard = guard or (lambda: None)
        self._chime = chime or (lambda: None)
        self.chimes = 0
        self._ended_at: float | None = None
        self.setWindowTitle("GroupKAP · sharing circle")
        self.setObjectName("CircleView")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet(f"QWidget#CircleView {{ background: {BACKGROUND}; }}")
        # Clicked (or on its own screen), the display takes the circle's plain keys.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.prompt = _FittedLabel("#8a939e")
        self.speaker = _FittedLabel("#e3e6ea", bold=True)
        self.ring = TimeRing()
        self.status = _FittedLabel("#8a939e")
        self.next_up = _FittedLabel("#aab2bc")
        layout = QVBoxLayout(self)
        for w in (self.prompt, self.speaker):
            layout.addWidget(w)
        layout.addWidget(self.ring, 1)
        for w in (self.status, self.next_up):
            layout.addWidget(w)
        shortcuts.bind_widget_keys(
            self,
            [
                (shortcuts.DISPLAY_NEXT, self.next),
                (shortcuts.DISPLAY_PASS, self.pass_turn),
                (shortcuts.DISPLAY_PAUSE, self.toggle_pause),
                (shortcuts.DISPLAY_EXTEND, self.extend),
            ],
        )
        self.controls = CircleControls(self)
        self.timer = QTimer(self)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self.refresh)
        self._fit_sizes()

    def start(self) -> None:
        self.refresh()
        self.timer.start()

    def stop(self) -> None:
        """Stop ticking (a newer circle replaces this one)."""
        self.timer.stop()

    # -- drawing ----------------------------------------------------------------------
    def refresh(self) -> None:
        c = self.circle
        for cue in c.tick():
            if cue == CHIME:  # one soft chime at the limit; the pre-warning is only visual
                self.chimes += 1
                self._chime()
        current = c.current
        if current:
            self.prompt.show_text(
                f"round {c.round} · {c.prompt}" if c.prompt else f"round {c.round}"
            )
        else:
            self.prompt.show_text("")
        phase_title = {
            READY: "Sharing circle",
            OPENING: "Opening",
            CLOSING: "Closing",
            ENDED: "Thank you",
        }
        self.speaker.show_text(
            phase_title[c.phase] if c.phase in phase_title else current.alias if current else ""
        )
        share = max(1.0, c.fair_share_s if current else 1.0)
        left = c.remaining_s if c.phase != ENDED else 0.0
        self.ring.show_time(
            left / share if current else (1.0 if left > 0 else 0.0),
            "" if c.phase == ENDED else clock_text(left),
        )
        self.status.show_text("paused" if c.paused else "")
        upcoming = c.next_up
        self.next_up.show_text(f"next: {upcoming.alias}" if upcoming and current else "")
        self.controls.show_circle(c)
        if c.phase == ENDED:
            now = c.clock.now()
            self._ended_at = now if self._ended_at is None else self._ended_at
            if now - self._ended_at >= self.THANK_YOU_S:
                self.stop()
                self.close_requested.emit()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit_sizes()

    def _fit_sizes(self) -> None:
        fit = min(self.width() / REFERENCE[0], self.height() / REFERENCE[1])
        floor = theme.px(theme.MIN_READABLE_PX)
        for name, size in SIZES.items():
            # The speaker stays the largest line even in a narrow dock.
            least = floor * 2 if name == "speaker" else floor
            getattr(self, name).set_px(max(least, theme.px(size * fit)))

    # -- the commands (from the facilitators' controls and keys) ---------------------------
    def _act(self, action: Callable[[], object]) -> None:
        """Run a command; a refusal is said on the facilitators' controls, never here."""
        try:
            self._guard()
            action()
            self.controls.show_message("")
        except GroupKapError as exc:
            self.controls.show_message(str(exc))
        self.refresh()

    def write_note(self, text: str) -> None:
        """A care-team note about the current turn: the only text a circle ever logs.
        Raises GroupKapError when it cannot be written (no text, a role that may not run
        the circle)."""
        self._guard()
        current = self.circle.current
        self.circle.add_note(current.participant_id if current else None, text)
        self.refresh()

    def add_note(self, text: str) -> None:
        self._act(lambda: self.write_note(text))

    def next(self) -> None:
        c = self.circle
        self._act(c.begin_turns if c.phase == OPENING else c.next)

    def pass_turn(self) -> None:
        self._act(self.circle.pass_turn)

    def toggle_pause(self) -> None:
        c = self.circle
        self._act(c.resume if c.paused else c.pause)

    def extend(self) -> None:
        self._act(lambda: self.circle.extend(1))
