"""Guards the PySide6 pin: thousands of live setData calls must not abort the process.

PySide6 6.12.0 with pyqtgraph 0.14.0 dies (`Fatal Python error: none_dealloc`) after a few
hundred updates; this test drives a real tile from a 5 ms QTimer, as the room grid does.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer

UPDATES = 1200


def test_a_live_tile_survives_a_thousand_frames(qtbot, window, room10, clock):
    window.show()
    tile = window.grid.tiles[1]
    person = room10.room.on_seat(1)
    frames = []

    def frame():
        clock.advance(0.5)
        room10.pump()
        tile.refresh(room10.vitals[person.id], clock.now())
        frames.append(clock.now())

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(frame)
    timer.start()
    qtbot.waitUntil(lambda: len(frames) >= UPDATES, timeout=120_000)
    timer.stop()
    # Each frame calls setData on the pleth and on three trend curves.
    x, y = tile.pleth.curve.getData()
    assert len(frames) >= UPDATES
    # As many seconds as the tile's pleth is wide enough for, at 125 samples a second.
    assert len(x) > 0.8 * 125 * tile.pleth.shown_seconds and y.max() > 0.5
