"""Seat tiles as drop targets for a monitor's chip, without the tile knowing about monitors.

An event filter on each tile (and on whatever inside it takes drops of its own, such as a
plot's view) accepts a dragged device over a seat that no monitor feeds yet and turns the
drop into `device_dropped(device, seat)`; over any other seat the cursor says no.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QWidget

from ui.devices.chip import device_of

_DRAG = (QEvent.Type.DragEnter, QEvent.Type.DragMove)


class SeatDrops(QObject):
    """Device chips dropped on seat tiles.

    Attributes:
        seats: which seat each watched widget stands for.

    Signals:
        device_dropped(str, int): a device's chip was dropped on this seat.
    """

    device_dropped = Signal(str, int)

    def __init__(self, can_take: Callable[[int], bool], parent=None) -> None:
        super().__init__(parent)
        self._can_take = can_take
        self.seats: dict[QObject, int] = {}

    def watch(self, tile: QWidget, seat: int) -> None:
        """Take drops on `tile` for `seat`, and on its parts that would take drops first."""
        tile.setAcceptDrops(True)
        for widget in [tile, *(w for w in tile.findChildren(QWidget) if w.acceptDrops())]:
            self.seats[widget] = seat
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        seat = self.seats.get(watched)
        if seat is None or event.type() not in (*_DRAG, QEvent.Type.Drop):
            return False
        device = device_of(event.mimeData())
        if device is None:
            return False  # not a monitor: whatever the widget does with drops
        if not self._can_take(seat):
            event.ignore()
            return True
        event.acceptProposedAction()
        if event.type() == QEvent.Type.Drop:
            self.device_dropped.emit(device, seat)
        return True
