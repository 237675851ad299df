"""From a reading to a sound: the engine's cue for a desaturation reaches libVLC as the high
burst (afile output), and the self-test result comes back through its bridge."""

from __future__ import annotations

from groupkap.alarms.burst_files import count_pulses, read_wav
from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import default_limits
from groupkap.clock import SimulatedClock
from ui.alarms.alarm_audio import AlarmAudio


def _afile(path) -> list[str]:
    return [
        "--aout=afile",
        f"--audiofile-file={path}",
        "--audiofile-format=s16",
        "--audiofile-channels=1",
    ]


def test_a_desaturation_sounds_the_high_burst(tmp_path):
    clock = SimulatedClock(start=1_800_000_000, speed=0)
    out = tmp_path / "heard.wav"
    sound = AlarmAudio(tmp_path / "sounds", None, vlc_args=_afile(out))
    assert sound.problem == ""
    engine = AlarmEngine(clock, default_limits(), lambda *event: None)
    cues = []
    for _ in range(20):  # SpO2 86 for 20 s: high after the 15 s delay
        clock.advance(1)
        engine.observe("p1", 1, "SpO2", clock.now(), 86)
        cues += engine.tick()
    assert [c.priority for c in cues] == ["high"]
    sound.play(cues)
    assert sound.burst_player.wait_finished(10.0)
    sound.close()  # afile completes the WAV header on release
    samples, rate = read_wav(out)
    assert len(count_pulses(samples, rate)) == 10


def test_the_self_test_reports_through_the_bridge(qtbot, tmp_path):
    sound = AlarmAudio(tmp_path / "sounds", None, vlc_args=_afile(tmp_path / "t.wav"))
    with qtbot.waitSignal(sound.bridge.finished, timeout=30_000) as report:
        sound.start_self_test()
    # afile writes real audio to a file: an output that gets the sound, so the test passes.
    assert report.args[0] == {"low": True, "medium": True, "high": True, "ok": True, "problem": ""}
    sound.close()
