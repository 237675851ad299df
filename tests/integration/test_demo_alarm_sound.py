"""The offscreen demo plays its alarms to libVLC's dummy output, where no one hears them: its
self-test must say so in the session log and across the top of the room, not pass."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

from PySide6.QtGui import QColor, QImage

from ui.theme import ALARM_COLOURS


def test_offscreen_demo_logs_that_the_alarm_sound_is_not_working(tmp_path):
    db, png = tmp_path / "demo.sqlite3", tmp_path / "room.png"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "groupkap.cli",
            "demo",
            "--offscreen",
            "--minutes",
            "1",
            "--speed",
            "60",
            "--db",
            str(db),
            "--screenshot",
            str(png),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert result.returncode == 0, result.stderr

    conn = sqlite3.connect(db)
    rows = conn.execute("select data from v_events where kind = 'alarm.sound_tested'").fetchall()
    assert len(rows) == 1
    tested = json.loads(rows[0][0])
    assert tested == {
        "low": False,
        "medium": False,
        "high": False,
        "ok": False,
        "problem": "the alarm sound goes to libVLC's dummy output, which discards it "
        "(libVLC --aout=dummy): no one hears the alarms",
        "device": "dummy output (offscreen)",
    }
    # The banner is in the room's picture: high-alarm red across the top, under the toolbar.
    image = QImage(str(png))
    red = QColor(ALARM_COLOURS["high"])
    row = next((y for y in range(0, 200) if QColor(image.pixel(4, y)) == red), None)
    assert row is not None, "no high-red banner near the top of the window"
    assert all(QColor(image.pixel(x, row)) == red for x in (4, 960, image.width() - 5))
