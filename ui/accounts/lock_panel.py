"""The lock panel: what takes the toolbar's place while the window is locked.

It sits where the toolbar's commands were, never over the room grid or the alarm bar: a
facilitator across the room still reads every tile and every alarm while it shows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QWidget

from ui import theme
from ui.accounts.dialogs import pin_field


class LockPanel(QWidget):
    """The locked window's only controls besides the alarm bar's Acknowledge.

    Attributes:
        title: "LOCKED · RN Kim" (whose PIN unlocks).
        pin: the PIN box (hidden when no one's PIN can unlock: after an emergency unlock).
        unlock_button, switch_button, emergency_button: the panel's commands.
        message: a refusal or a wait, in the warning colour.
        pin_unlocks: whether a PIN can unlock (no: after an emergency unlock).

    Signals:
        unlock_requested(str): the PIN typed, Enter or Unlock pressed.
        switch_requested(): someone else signs in.
        emergency_requested(): break-glass, with a stated reason.
    """

    unlock_requested = Signal(str)
    switch_requested = Signal()
    emergency_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("LockPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        # As wide as what it holds: the clock and the source word keep their place beside it.
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        size = theme.px(theme.MIN_READABLE_PX)
        self.setStyleSheet(
            f"QWidget#LockPanel {{ background: {theme.BACKGROUND}; }}"
            f"QWidget#LockPanel QLabel, QWidget#LockPanel QPushButton, "
            f"QWidget#LockPanel QLineEdit {{ font-size: {size}px; }}"
        )
        self.title = QLabel("")
        self.title.setStyleSheet(f"color: {theme.TEXT}; font-weight: bold;")
        self.pin = pin_field("PIN")
        self.pin.setToolTip("Type the PIN and press Enter (Ctrl+L comes here)")
        self.pin.setMinimumWidth(theme.px(140))
        self.pin.setMaximumWidth(theme.px(200))
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setToolTip("Unlock with the PIN of the person named")
        self.switch_button = QPushButton("Switch user…")
        self.switch_button.setToolTip("Someone else signs in with their own name and PIN")
        self.emergency_button = QPushButton("Emergency access…")
        self.emergency_button.setToolTip(
            "Open without a PIN, with a stated reason: logged and flagged for the clinic lead"
        )
        self.pin_unlocks = True
        self.message = QLabel("")
        self.message.setStyleSheet(f"color: {theme.WARNING_TEXT};")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(theme.px(4), 0, theme.px(4), 0)
        layout.setSpacing(theme.px(10))
        for widget in (
            self.title,
            self.pin,
            self.unlock_button,
            self.switch_button,
            self.emergency_button,
            self.message,
        ):
            layout.addWidget(widget)
        self.pin.returnPressed.connect(self._on_unlock)
        self.unlock_button.clicked.connect(self._on_unlock)
        self.switch_button.clicked.connect(self.switch_requested)
        self.emergency_button.clicked.connect(self.emergency_requested)

    def show_locked(self, title: str, pin_unlocks: bool, whose: str = "") -> None:
        """Show the panel for a fresh lock: the title, the PIN box if a PIN can unlock."""
        self.title.setText(title)
        self.pin.setPlaceholderText(f"{whose}'s PIN" if whose else "PIN")
        self.pin.clear()
        self.pin_unlocks = pin_unlocks
        self.pin.setVisible(pin_unlocks)
        self.unlock_button.setVisible(pin_unlocks)
        self.unlock_button.setEnabled(True)
        self.message.setText("")

    def show_refusal(self, text: str, waiting: bool = False) -> None:
        """A wrong PIN or a wait; while the account waits, Unlock is off."""
        self.pin.clear()
        self.message.setText(text)
        self.unlock_button.setEnabled(not waiting)

    def wait_over(self) -> None:
        self.unlock_button.setEnabled(True)
        self.message.setText("")

    def _on_unlock(self) -> None:
        if self.unlock_button.isEnabled():
            self.unlock_requested.emit(self.pin.text())

    def focus_pin(self) -> None:
        target: QLineEdit | QPushButton = self.pin if self.pin_unlocks else self.switch_button
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
