"""The unassigned-monitors tray: a slim strip under the due strip listing every monitor that
sends but feeds no seat, with its live values, until a facilitator puts it on a seat.

It is hidden while there is none. Chips are reused and their text set only when it changes;
the room's frame timer calls `refresh` (the window throttles it to twice a second).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from groupkap.sources.hl7_source import DeviceSeen
from ui import theme
from ui.devices.chip import DeviceChip, FreeSeats
from ui.devices.words import bed_text, chip_lines

MAX_CHIPS = 6  # past this a gateway's many patients are counted, not each shown


def _label_style(colour: str, bold: bool = False) -> str:
    weight = "bold" if bold else "normal"
    return (
        f"QLabel {{ color: {colour}; font-size: {theme.px(theme.MIN_READABLE_PX)}px;"
        f" font-weight: {weight}; }}"
    )


def details(seen: DeviceSeen) -> str:
    """A device's tooltip: every field the tray knows, unknown codes one a line."""
    lines = [f"Device {seen.device}"]
    if seen.bed:
        lines.append(f"Bed (PV1-3): {bed_text(seen.bed)}")
    if seen.peer:
        lines.append(f"Sends from: {seen.peer}")
    if seen.unknown_codes:
        lines.append("Codes no table maps (add them to the vendor codes file to record them):")
        lines += [f"  {code}" for code in seen.unknown_codes]
    return "\n".join(lines)


class DeviceTray(QWidget):
    """Monitors heard from that feed no seat, most recently heard first.

    Attributes:
        devices: the DeviceSeen of the last refresh, in the order shown.
        chips: the chips (a reused pool; the first `len(devices)` up to MAX_CHIPS are shown).
        more: `+N more` when there are more devices than chips.

    Signals:
        assign_requested(str, int): put a device on a seat (from a chip's menu).
    """

    assign_requested = Signal(str, int)

    def __init__(
        self,
        unassigned: Callable[[], list[DeviceSeen]],
        now: Callable[[], float],
        free_seats: FreeSeats,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._unassigned = unassigned
        self._now = now
        self._free_seats = free_seats
        self.devices: list[DeviceSeen] = []
        self.chips: list[DeviceChip] = []
        self.setObjectName("DeviceTray")
        self.setAccessibleName("Unassigned monitors")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(theme.px(8), theme.px(4), theme.px(8), theme.px(4))
        self._layout.setSpacing(theme.px(8))
        self.title = QLabel("Unassigned\nmonitors")
        self.title.setStyleSheet(_label_style(theme.TEXT_DIM, bold=True))
        self.title.setToolTip(
            "Monitors that send but feed no seat: their readings are recorded under their "
            "device id only. Drag one onto a seat, or Tab to it and press Enter."
        )
        self.more = QLabel("")
        self.more.setStyleSheet(_label_style(theme.TEXT_DIM))
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.more)
        self._layout.addStretch(1)
        self.more.hide()
        self.hide()

    def refresh(self, now: float | None = None) -> None:
        """Show the devices on no seat as they are at `now` (the session clock when None)."""
        now = self._now() if now is None else now
        devices = self._unassigned()
        self.devices = devices
        shown = devices[:MAX_CHIPS]
        while len(self.chips) < len(shown):
            self._add_chip()
        for chip, seen in zip(self.chips, shown):
            lines = chip_lines(
                seen.device,
                bed=seen.bed,
                peer=seen.peer,
                values=seen.values,
                age_s=now - seen.last_seen,
                unknown_codes=seen.unknown_codes,
            )
            chip.show_device(seen.device, lines, details(seen))
        for i, chip in enumerate(self.chips):
            if chip.isHidden() == (i < len(shown)):
                chip.setVisible(i < len(shown))
        hidden = devices[MAX_CHIPS:]
        more = f"+{len(hidden)} more" if hidden else ""
        if more != self.more.text():
            self.more.setText(more)
            self.more.setToolTip("\n".join(d.device for d in hidden))
            self.more.setVisible(bool(hidden))
        if self.isHidden() == bool(devices):
            self.setVisible(bool(devices))

    def chip_for(self, device: str) -> DeviceChip | None:
        """The visible chip of `device`, if it has one."""
        for chip in self.chips:
            if chip.device == device and not chip.isHidden():
                return chip
        return None

    def _add_chip(self) -> None:
        chip = DeviceChip(self._free_seats)
        chip.assign_requested.connect(self.assign_requested)
        chip.hide()
        self._layout.insertWidget(self._layout.indexOf(self.more), chip)
        self.chips.append(chip)
