"""Music set-up against real PulseAudio sinks: libVLC lists them, a test tone reaches only
the chosen seat, and the mapping is saved for the room with an event per assignment."""

from __future__ import annotations

from contextlib import closing

import numpy as np
import pytest
from PySide6.QtWidgets import QPushButton

from groupkap.settings import load_settings
from ui.music.setup_dialog import music_setup_dialog


@pytest.fixture
def live(qapp, tmp_path):
    from groupkap.clock import SimulatedClock
    from groupkap.demo.plan import seat_demo_participants
    from groupkap.session import LiveSession
    from groupkap.settings import Settings
    from groupkap.sources.simulator import Simulator
    from groupkap.store import Store

    clock = SimulatedClock(start=1_800_000_000, speed=0)
    store = Store.open(tmp_path / "m.sqlite3", clock)
    session = LiveSession.start(
        seat_count=3,
        clock=clock,
        source=Simulator([1, 2, 3], clock.now(), seed=1),
        store=store,
        settings=Settings(),
    )
    seat_demo_participants(session)
    yield session
    store.close()


def test_devices_listed_tone_routed_and_mapping_saved(
    qtbot, live, tmp_path, pulse_sinks, monitor_recorder
):
    from groupkap.settings import Settings

    config = tmp_path / "groupkap.toml"
    from ui.app import play_test_tone  # what the composition root gives the dialog

    dialog = music_setup_dialog(
        live, Settings(), config_path=config, play_tone=lambda device: play_test_tone(device, None)
    )
    qtbot.addWidget(dialog)
    seat1 = dialog.combos[1]
    ids = [seat1.itemData(i) for i in range(seat1.count())]
    assert {"seat1", "seat2", "room"} <= set(ids)
    seat1.setCurrentIndex(ids.index("seat1"))
    dialog.room_box.setCurrentIndex(ids.index("room"))

    recorder = monitor_recorder(("seat1", "seat2", "room")).start()
    buttons = [b for b in dialog.findChildren(QPushButton) if b.text() == "Test tone"]
    buttons[0].click()  # seat 1's row
    assert dialog.tone.wait_finished(10.0)
    recorder.mark()
    recorder.record_past_mark(0.5)
    heard = recorder.stop()
    rms = {name: float(np.sqrt(np.mean(x * x))) if x.size else 0.0 for name, x in heard.items()}
    assert rms["seat1"] > 0.01 and rms["seat2"] < 1e-4 and rms["room"] < 1e-4
    dialog.tone.close()

    dialog.try_accept()
    assert dialog.error.text() == ""
    settings = load_settings(config)
    assert settings.seat_devices == {1: "seat1"} and settings.room_device == "room"
    live.store.flush()
    with closing(live.store.reader()) as conn:
        rows = conn.execute(
            "select seat, data from v_events where kind = 'device.assigned'"
        ).fetchall()
    assert len(rows) == 2 and rows[0][0] == 1
