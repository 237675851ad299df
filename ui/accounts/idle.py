"""When the window locks itself: after `lock_after_s` of no key or mouse input.

`IdleWatch` is the rule, without Qt, so it is tested at its threshold on a stepped clock;
`InputWatcher` is the Qt side that tells it about each key press and mouse move.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

# The kinds of event that mean a person is at the workstation. Paint, timer and focus
# events are the program's own doing and must not keep an unattended screen open.
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatch:
    """How long the workstation has been left alone, and whether that is long enough to lock.

    Attributes:
        lock_after_s: idle seconds after which the window locks (`[security] lock_after_min`).
        last_input: clock time of the last key or mouse input (or of the start).
    """

    def __init__(self, lock_after_s: float, clock: Callable[[], float]) -> None:
        self.lock_after_s = lock_after_s
        self._clock = clock
        self.last_input = clock()

    def touch(self) -> None:
        """Someone pressed a key or moved the mouse: the idle time starts again."""
        self.last_input = self._clock()

    def idle_s(self) -> float:
        return self._clock() - self.last_input

    def due(self) -> bool:
        """True once the workstation has been idle for `lock_after_s` (not a moment before)."""
        return self.idle_s() >= self.lock_after_s


class InputWatcher(QObject):
    """Tells an `IdleWatch` about every key or mouse input to one window or its dialogs.

    It filters the application's events (a dialog, a menu or a tile's button is its own
    receiver, so filtering the window alone would miss them) and only looks at input.
    """

    def __init__(self, window: QWidget, watch: IdleWatch) -> None:
        super().__init__(window)
        self._window, self._watch = window, watch
        QApplication.instance().installEventFilter(self)

    def stop(self) -> None:
        QApplication.instance().removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in INPUT_EVENTS and self._belongs(watched):
            self._watch.touch()
        return False

    def _belongs(self, watched: QObject) -> bool:
        if not isinstance(watched, QWidget):
            return False
        top = watched.window()
        # A dialog or menu opened from the window is parented to it: its input counts too.
        while top is not None and top is not self._window:
            parent = top.parentWidget()
            top = parent.window() if parent is not None else None
        return top is self._window
