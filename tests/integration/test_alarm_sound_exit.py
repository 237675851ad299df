"""A room that ends while its alarm sound is still opening (issue 17: libVLC opens on a
worker thread after the first frame) exits at once and cleanly, real libVLC included: the
process neither waits for the worker nor crashes while the bursts are being synthesised or
libVLC is still starting in it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from groupkap.alarms.burst_files import ensure_bursts

SCRIPT = """
import sys
from PySide6.QtWidgets import QApplication
from groupkap.alarms.model import SoundCue
from ui.alarms.alarm_audio import AlarmAudio

app = QApplication([])
sound = AlarmAudio(sys.argv[1], None, vlc_args=["--aout=dummy"], deferred=True)
sound.start_self_test()
sound.play([SoundCue("high")])
sound.end_self_test()
sound.close()
print("opening at exit:", sound._opening.is_alive(), sound.result["unfinished"], flush=True)
"""


@pytest.mark.parametrize("bursts_ready", [False, True], ids=["synthesising", "libvlc-starting"])
def test_exit_while_the_alarm_sound_opens_neither_hangs_nor_crashes(tmp_path, bursts_ready):
    folder = tmp_path / "sounds"
    if bursts_ready:  # the worker goes straight to libVLC's start
        ensure_bursts(folder)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder)],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "opening at exit: True True"
