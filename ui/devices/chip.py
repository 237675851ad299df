"""One unassigned monitor in the tray: a chip to drag onto a seat, or to open for its menu.

Dragging is quick with a mouse; the menu (`Assign to seat…`, opened with Enter, Space, a
click or the menu key) does the same from the keyboard, so neither path is the only one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QApplication, QMenu, QPushButton, QSizePolicy

from ui import theme

MIME_TYPE = "application/x-groupkap-device"
"""A dragged device: its id as UTF-8 (the plain text holds it too, for people)."""

FreeSeats = Callable[[], list[tuple[int, str]]]
"""() -> [(seat, how the menu names it)] of the seats no monitor feeds yet."""


def device_mime(device: str) -> QMimeData:
    """What a dragged chip carries: the device id, in GroupKAP's own format and as text."""
    mime = QMimeData()
    mime.setData(MIME_TYPE, device.encode("utf-8"))
    mime.setText(device)
    return mime


def device_of(mime: QMimeData) -> str | None:
    """The device id a drop carries, or None when it is not a GroupKAP device chip."""
    if not mime.hasFormat(MIME_TYPE):
        return None
    return bytes(mime.data(MIME_TYPE)).decode("utf-8", "replace") or None


def _style() -> str:
    size, pad, ring = theme.px(theme.MIN_READABLE_PX), theme.px(4), theme.px(theme.FOCUS_WIDTH)
    return (
        f"QPushButton {{ color: {theme.TEXT}; background: {theme.TILE};"
        f" border: 1px solid {theme.CONTROL_BORDER}; border-radius: {theme.px(4)}px;"
        f" font-size: {size}px; padding: {pad}px {theme.px(8)}px; text-align: left; }}"
        f"QPushButton:focus {{ border: {ring}px solid {theme.FOCUS_RING};"
        f" padding: {pad - ring + 1}px {theme.px(8) - ring + 1}px; }}"
    )


class DeviceChip(QPushButton):
    """A device that sends but feeds no seat: two lines (who it is; what it sends).

    Attributes:
        device: the device id the chip stands for ("" while unused).
        lines: the two lines shown.

    Signals:
        assign_requested(str, int): put this device on this seat (chosen in its menu).
    """

    assign_requested = Signal(str, int)

    HOW = "Drag onto a seat, or press Enter: Assign to seat…"

    def __init__(self, free_seats: FreeSeats, parent=None) -> None:
        super().__init__(parent)
        self.device = ""
        self.lines: tuple[str, str] = ("", "")
        self._free_seats = free_seats
        self._pressed_at: QPoint | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoDefault(False)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(1)  # the tray decides what fits
        self.setStyleSheet(_style())
        self.clicked.connect(self.open_menu)

    def show_device(self, device: str, lines: tuple[str, str], details: str) -> None:
        """Stand for `device`; its text and tooltip are set only when they change."""
        if device != self.device:
            self.device = device
            self.setAccessibleName(f"Unassigned monitor {device}")
        if lines != self.lines:
            self.lines = lines
            self.setText("\n".join(lines))
        tooltip = f"{details}\n{self.HOW}"
        if tooltip != self.toolTip():
            self.setToolTip(tooltip)

    # -- the keyboard path: the menu ------------------------------------------------
    def build_menu(self) -> QMenu:
        """`Assign to seat…` with every seat no monitor feeds yet (none: it says so)."""
        menu = QMenu(self)
        seats = menu.addMenu("Assign to seat…")
        free = self._free_seats()
        for seat, name in free:
            action = seats.addAction(name)
            action.triggered.connect(
                lambda _=False, s=seat, d=self.device: self.assign_requested.emit(d, s)
            )
        if not free:
            seats.addAction("every seat has a monitor").setEnabled(False)
        return menu

    def open_menu(self) -> None:
        self.build_menu().exec(self.mapToGlobal(self.rect().bottomLeft()))

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_menu()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.open_menu()

    # -- the mouse path: drag onto a seat -------------------------------------------
    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton:
            self._pressed_at = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        start = self._pressed_at
        if (
            start is None
            or not self.device
            or (event.position().toPoint() - start).manhattanLength()
            < QApplication.startDragDistance()
        ):
            super().mouseMoveEvent(event)
            return
        self._pressed_at = None
        self.setDown(False)  # a drag is not a click: the menu stays closed
        drag = QDrag(self)
        drag.setMimeData(device_mime(self.device))
        drag.setPixmap(self.grab())
        drag.exec(Qt.DropAction.CopyAction)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._pressed_at = None
        super().mouseReleaseEvent(event)
