"""Music set-up: which device is each seat's headphones, a test tone per seat, the room.

The device list comes from libVLC itself (with PulseAudio the ids are sink names). The
mapping is saved in the settings file for this room and applies from the next session;
each assignment is an event. Without libVLC the dialog says how to install it.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import platformdirs
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget, QHBoxLayout

from groupkap.circle.chime import Chime
from groupkap.errors import AudioError, GroupKapError
from groupkap.music.devices import save_seat_devices
from groupkap.session import LiveSession
from groupkap.settings import Settings, default_config_path
from ui.dialogs import CommandDialog

NONE = "— none: this seat stays silent —"


def test_tone_file() -> Path:
    """A soft 1.5 s 440 Hz tone with gentle ends, written once to the cache folder."""
    path = Path(platformdirs.user_cache_dir("groupkap", appauthor=False)) / "test-tone.wav"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        rate = 22050
        t = np.arange(int(1.5 * rate)) / rate
        envelope = np.minimum(1.0, np.minimum(t, 1.5 - t) / 0.2)
        samples = (0.3 * envelope * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(samples.tobytes())
    return path


def list_devices(vlc_args: list[str] | None = None) -> list[tuple[str, str]]:
    from groupkap.audio.libvlc import output_devices

    return output_devices(vlc_args)


def music_setup_dialog(live: LiveSession, settings: Settings, parent=None, *,
                       config_path: Path | None = None,
                       vlc_args: list[str] | None = None) -> CommandDialog:
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
                live.record_event("device.assigned", {"seat": seat, "device": device or None,
                                                      "role": "headphones"},
                                  person.id if person else None, live.actor)
        if room != settings.room_device:
            live.record_event("device.assigned", {"device": room or None, "role": "room"},
                              None, live.actor)

    dialog = CommandDialog("Music set-up", save, parent)
    if problem:
        dialog.error.setText(problem)
    dialog.form.addRow(QLabel("Each seat's headphones. Saved for this room; applies from "
                              "the next session."))
    for seat, person in live.room.by_seat():
        combos[seat.number] = combo(settings.seat_devices.get(seat.number, ""))
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(combos[seat.number], 1)
        tone = QPushButton("Test tone")
        tone.clicked.connect(lambda _=False, n=seat.number: _play_tone(
            combos[n].currentData(), dialog, vlc_args))
        layout.addWidget(tone)
        dialog.form.addRow(f"Seat {seat.number}" + (f" · {person.alias}" if person else ""),
                           row)
    room_box = combo(settings.room_device)
    dialog.form.addRow("Room speakers (circle chime)", room_box)
    dialog.combos, dialog.room_box = combos, room_box
    return dialog


def _play_tone(device: str, dialog: CommandDialog, vlc_args: list[str] | None) -> None:
    if not device:
        dialog.error.setText("choose a device for this seat first")
        return
    try:
        dialog.tone = Chime(test_tone_file(), device, vlc_args)  # kept until the next tone
        if not dialog.tone.play():
            dialog.error.setText(f"device {device} could not be selected")
    except GroupKapError as exc:
        dialog.error.setText(str(exc))
