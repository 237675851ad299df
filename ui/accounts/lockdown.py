"""What a lock turns off in the room window, and turns back on: every control but the
alarm bar's Acknowledge (and its A key).

The room grid, the alarm bar, the due strip and the banners stay on screen as they are: a
disabled tile draws its readings exactly as before (only its ⋯ and + buttons grey out), and
nothing of the heartbeat or the alarm sound depends on the lock.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QDialog, QWidget, QWidgetAction

from ui import shortcuts

# The keys that still work while locked: acknowledge (A) and the lock key (to the PIN).
KEYS_KEPT = frozenset(
    QKeySequence(key).toString() for key in shortcuts.ALARM_ACKNOWLEDGE.keys + shortcuts.LOCK.keys
)


class Lockdown:
    """Turns the window's controls off and back on.

    Attributes:
        engaged: whether the controls are off now.
    """

    def __init__(self, window) -> None:
        self._window = window
        self.engaged = False
        self._hidden: list[QAction] = []
        self._disabled: list[QWidget | QShortcut] = []

    def engage(self) -> None:
        """Hide the toolbar's commands, turn off every other control and key, and close
        the menus, dialogs and review windows that were left open."""
        if self.engaged:
            return
        self.engaged = True
        w = self._window
        # Commands go; what the toolbar only shows (the clock, who acts, the lock panel:
        # widgets in it) stays.
        self._hidden = [
            a for a in w.toolbar.actions() if a.isVisible() and not isinstance(a, QWidgetAction)
        ]
        for action in self._hidden:
            action.setVisible(False)
        self._disabled = [x for x in self._controls() + self._keys() if x.isEnabled()]
        for control in self._disabled:
            control.setEnabled(False)
        w.shortcut_overlay.hide()
        self._close_left_open()

    def release(self) -> None:
        if not self.engaged:
            return
        self.engaged = False
        for action in self._hidden:
            action.setVisible(True)
        for control in self._disabled:
            control.setEnabled(True)
        self._hidden, self._disabled = [], []

    def _controls(self) -> list[QWidget]:
        w = self._window
        # The circle's display goes too: clicked, it takes the circle's keys.
        found = [w.grid, w.sources.tray, w.circle_dock, w.circle_view]
        if w.alarm_bar is not None:
            found += [w.alarm_bar.reset_button, w.alarm_bar.pause_button]
        return [x for x in found if x is not None]

    def _keys(self) -> list[QShortcut]:
        every = list(self._window.window_keys) + list(self._window.seat_keys.bound)
        return [s for s in every if s.key().toString() not in KEYS_KEPT]

    def _close_left_open(self) -> None:
        w = self._window
        for _ in range(8):  # a menu may have opened a submenu
            popup = QApplication.activePopupWidget()
            if popup is None:
                break
            popup.close()
        for top in QApplication.topLevelWidgets():
            if top is w or not top.isVisible() or not _opened_from(top, w):
                continue
            if isinstance(top, QDialog):
                top.reject()  # an entry left half-typed is dropped, never saved
            elif top is not w.circle_view:  # the participants' display stays
                top.close()
        if w.review_desk is not None:  # past sessions: closed, not left on screen
            for review in list(w.review_desk.windows):
                review.close()


def _opened_from(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False
