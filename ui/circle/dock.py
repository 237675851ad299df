"""The circle's place in the main window: its controls always, its display too when the
display has no screen of its own (`placement.place_display` decides which)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QVBoxLayout, QWidget

from ui import theme
from ui.circle.circle_view import CircleView
from ui.circle.placement import OWN_SCREEN, Placement, Rect, place_display

# The docked display's narrowest and widest, in pixels: wide enough for a ring and a name,
# narrow enough that ten tiles keep their numbers whole beside it.
DOCKED_WIDTH = (300, 400)
CONTROLS_WIDTH = 300


def _rect(r: QRect) -> Rect:
    return Rect(r.x(), r.y(), r.width(), r.height())


class CircleDock(QDockWidget):
    """A column on the right of the main window, beside the grid and never over it.

    It holds the facilitators' controls of the running circle and, with one screen, the
    participants' display above them. With a second screen the display fills that screen
    instead. It is neither closable nor floatable: a free window could cover an alarm.

    Attributes:
        view: the circle view shown, or None.
        placement: where the display went the last time it was placed.
    """

    def __init__(self, window: QMainWindow, room_width: Callable[[], int]) -> None:
        super().__init__("Sharing circle", window)
        self._window, self._room_width = window, room_width
        self.setObjectName("CircleDock")
        self.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        self.setAllowedAreas(Qt.DockWidgetArea.RightDockWidgetArea)
        self.setTitleBarWidget(QWidget())  # the controls say what they are
        column = QWidget()
        self._layout = QVBoxLayout(column)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self._rule = QFrame()  # between what participants see and what staff use
        self._rule.setFixedHeight(2)
        self._rule.setStyleSheet(f"background: {theme.TILE_BORDER};")
        self._layout.addWidget(self._rule)
        self.setWidget(column)
        self.view: CircleView | None = None
        self.placement: Placement | None = None
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self)
        self.hide()
        app = QGuiApplication.instance()
        # A projector plugged in or pulled out mid-circle: place the display again.
        app.screenAdded.connect(self._on_screen_added)
        app.screenRemoved.connect(self._on_screen_removed)

    def show_view(self, view: CircleView) -> None:
        """Show a circle's display and controls (a newer circle replaces the one shown)."""
        if self.view is not None:
            self._drop(self.view)
        self.view = view
        self._layout.addWidget(view.controls)
        view.controls.show()
        view.close_requested.connect(self.close_circle)
        self.place()

    def place(self, gone: QScreen | None = None) -> None:
        """Put the display where `place_display` says, and size the column.

        `gone` is a screen being removed: Qt still lists it while it says so.
        """
        view = self.view
        if view is None:
            return
        screens = [s for s in QGuiApplication.screens() if s is not gone]
        main = self._window.screen()
        index = next((i for i, s in enumerate(screens) if s is main), None)
        self.placement = place_display([_rect(s.geometry()) for s in screens], index)
        if self.placement.mode == OWN_SCREEN:
            self._layout.removeWidget(view)
            view.setParent(None)
            view.setWindowFlag(Qt.WindowType.FramelessWindowHint)
            # The facilitators keep the keyboard: showing the display must not take it.
            view.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
            view.setScreen(screens[self.placement.screen])
            g = self.placement.geometry
            view.setGeometry(g.x, g.y, g.width, g.height)
            view.showFullScreen()
            self._window.activateWindow()
            self._rule.hide()
            width = max(CONTROLS_WIDTH, view.controls.minimumSizeHint().width())
        else:
            if view.isWindow():
                view.hide()
            self._layout.insertWidget(0, view, 1)
            view.show()
            self._rule.show()
            spare = self._window.width() - self._room_width()
            width = max(DOCKED_WIDTH[0], min(DOCKED_WIDTH[1], spare))
        # Sized before it shows, so the room narrows once, straight to what is left: shown
        # first, the column opened at its default width and then widened, and the whole grid
        # was laid out twice (issue 17). Sized again once shown, in case Qt let it go.
        self._window.resizeDocks([self], [width], Qt.Orientation.Horizontal)
        self.show()
        self._window.resizeDocks([self], [width], Qt.Orientation.Horizontal)

    def close_circle(self) -> None:
        """Hide the display and the controls (the circle's record stays in the log)."""
        if self.view is not None:
            self._drop(self.view)
            self.view = None
        self.hide()

    def _drop(self, view: CircleView) -> None:
        view.stop()
        view.close_requested.disconnect(self.close_circle)
        for widget in (view, view.controls):
            self._layout.removeWidget(widget)
            widget.hide()
            widget.setParent(None)

    def _on_screen_added(self, _screen: QScreen) -> None:
        if self.view is not None and self.isVisible():
            self.place()

    def _on_screen_removed(self, screen: QScreen) -> None:
        # Placed now, before Qt moves a window from the lost screen onto the room's screen.
        if self.view is not None and self.isVisible():
            self.place(gone=screen)
