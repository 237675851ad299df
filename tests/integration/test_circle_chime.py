"""The circle's chime through real libVLC (afile output): one soft chime at the limit."""

from __future__ import annotations

import numpy as np

from groupkap.alarms.burst_files import read_wav
from groupkap.circle.chime import Chime
from groupkap.circle.circle import Circle
from groupkap.clock import SimulatedClock
from groupkap.demo.music_library import chime_path
from ui.circle.circle_view import CircleView


def test_the_chime_sounds_once_when_a_turn_reaches_its_limit(qtbot, tmp_path):
    out = tmp_path / "room.wav"
    chime = Chime(
        chime_path(tmp_path / "library"),
        None,
        [
            "--aout=afile",
            f"--audiofile-file={out}",
            "--audiofile-format=s16",
            "--audiofile-channels=1",
        ],
    )
    clock = SimulatedClock(start=1_800_000_000, speed=0)
    circle = Circle(clock, [("a", "A.", 1), ("b", "B.", 2)], total_s=600, record=lambda *e: None)
    circle.start()
    circle.begin_turns()
    view = CircleView(circle, chime.play)
    qtbot.addWidget(view)
    clock.advance(circle.fair_share_s - 1)
    view.refresh()
    assert chime.plays == 0
    clock.advance(2)
    view.refresh()
    clock.advance(30)
    view.refresh()
    assert chime.plays == 1 and view.chimes == 1
    assert chime.wait_finished(10.0)
    chime.close()  # afile completes the WAV on release
    samples, rate = read_wav(out)
    loud = np.abs(samples) > 0.05 * np.abs(samples).max()
    assert samples.size / rate > 2.0 and loud.any()  # a real, several-second chime was heard
