"""Music set-up: which device is each seat's headphones, a test tone per seat, the room.

The device list comes from libVLC itself (with PulseAudio the ids are sink names). The
mapping is saved in the settings file for this room and applies from the next session;
each assignment is an event. Without libVLC the dialog says how to install it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from groupkap.errors import AudioError, GroupKapError
from groupkap.music.devices import save_seat_devices
from groupkap.session import LiveSession
from groupkap.settings import Settings, default_config_path
from ui.dialogs import CommandDialog

NONE = "— none: this seat stays silent —"


def list_devices(vlc_args: list[str] | None = None) -> list[tuple[str, str]]:
    from groupkap.audio.libvlc import output_devices

    return output_devices(vlc_args)


def music_setup_dialog(
    live: LiveSession,
    settings: Settings,
    parent=None,
    *,
    play_tone: Callable[[str], object] | None = None,
    config_path: Path | None = None,
    vlc_args: list[str] | None = None,
) -> CommandDialog:
    """The dialog; `play_tone(device)` (from the composition root) sounds the test tone and
    returns the player to keep while it plays, or raises AudioError."""
    config_path = config_path or default_config_path()
    try:
        devices = list_devices(vlc_args)
        problem = ""
    except AudioError as exc:
        devices, problem = [], str(exc)
    combos: dict[int, QComboBox] = {}

    def combo(current: str) -> QComboBox:
        box = QComboBox()
        box.addItem(NONE, "")
        for device_id, description in devices:
            box.addItem(f"{description} ({device_id})", device_id)
        index = box.findData(current)
        box.setCurrentIndex(max(0, index))
        return box

    def save() -> None:
        mapping = {seat: box.currentData() for seat, box in combos.items()}
        room = room_box.currentData()
        save_seat_devices(config_path, mapping, room)
        for seat, device in mapping.items():
            if device != settings.seat_devices.get(seat, ""):
                person = live.room.on_seat(seat)
                live.record_event(
                    "device.assigned",
                    {"seat": seat, "device": device or None, "role": "headphones"},
                    person.id if person else None,
                    live.actor,
                )
        if room != settings.room_device:
            live.record_event(
                "device.assigned", {"device": room or None, "role": "room"}, None, live.actor
            )

    dialog = CommandDialog("Music set-up", save, parent)
    if problem:
        dialog.error.setText(problem)
    dialog.form.addRow(
        QLabel("Each seat's headphones. Saved for this room; applies from the next session.")
    )
    for seat, person in live.room.by_seat():
        combos[seat.number] = combo(settings.seat_devices.get(seat.number, ""))
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(combos[seat.number], 1)
        combos[seat.number].setToolTip("The headphones this seat's music plays on")
        tone = QPushButton("Test tone")
        tone.setToolTip("Play a short tone on the chosen headphones, to check the wiring")
        tone.clicked.connect(
            lambda _=False, n=seat.number: _play_tone(combos[n].currentData(), dialog, play_tone)
        )
        tone.setEnabled(play_tone is not None)
        layout.addWidget(tone)
        dialog.form.addRow(f"Seat {seat.number}" + (f" · {person.alias}" if person else ""), row)
    room_box = combo(settings.room_device)
    room_box.setToolTip("The room speakers: the circle's chime plays here, never in headphones")
    dialog.form.addRow("Room speakers (circle chime)", room_box)
    dialog.combos, dialog.room_box = combos, room_box
    return dialog


def _play_tone(
    device: str, dialog: CommandDialog, play_tone: Callable[[str], object] | None
) -> None:
    if not device:
        dialog.error.setText("choose a device for this seat first")
        return
    try:
        dialog.tone = play_tone(device)  # kept until the next tone
    except GroupKapError as exc:
        dialog.error.setText(str(exc))
