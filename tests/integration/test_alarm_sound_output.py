"""Alarm bursts through real libVLC: into a WAV file (afile output) and into PulseAudio null
sinks, where only the facilitators' sink may hear them (CLINICAL.md, alarm signals)."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from groupkap.alarms.burst_files import count_pulses, read_wav
from groupkap.alarms.burst_player import AlarmBurstPlayer
from groupkap.errors import AudioError

# The high burst's pulse starts, from the table in groupkap/alarms/burst_files.py.
HIGH_STARTS = [0.0, 0.25, 0.5, 1.0, 1.25, 1.9, 2.15, 2.4, 2.9, 3.15]
TOLERANCE_S = 0.010
END_TIMEOUT_S = 10.0  # a 3.5 s burst; generous for a loaded CI machine
SILENCE_RMS = 1e-4  # a null sink nobody plays into records exact zeros


def afile_args(path) -> list[str]:
    """libVLC options that write what would be heard into a 16-bit mono WAV file."""
    return [
        "--aout=afile",
        f"--audiofile-file={path}",
        "--audiofile-format=s16",
        "--audiofile-channels=1",
        "--no-video",
        "--quiet",
    ]


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x * x))) if x.size else 0.0


def assert_high_timing(pulses: list[tuple[float, float]]) -> None:
    starts = [s - pulses[0][0] for s, _ in pulses]
    assert starts == pytest.approx(HIGH_STARTS, abs=TOLERANCE_S)


def test_high_burst_written_by_libvlc_has_ten_pulses(tmp_path, bursts):
    out = tmp_path / "out.wav"
    with AlarmBurstPlayer(bursts, vlc_args=afile_args(out)) as player:
        assert player.play("high")
        assert player.playing_priority == "high"
        assert player.wait_finished(END_TIMEOUT_S), "libVLC never reported the burst's end"
        assert player.playing_priority is None
    # afile completes the WAV header when libVLC is released, so read after close.
    samples, rate = read_wav(out)
    pulses = count_pulses(samples, rate)
    assert len(pulses) == 10
    assert_high_timing(pulses)


def test_higher_priority_replaces_lower_and_is_not_cut_by_it(tmp_path, bursts):
    out = tmp_path / "out.wav"
    with AlarmBurstPlayer(bursts, vlc_args=afile_args(out)) as player:
        assert player.play("low")
        assert player.play("high"), "a high alarm must break through a low one"
        assert not player.play("medium"), "a medium alarm must not cut a high burst"
        assert not player.play("high"), "a repeat must not restart the burst sounding"
        assert player.playing_priority == "high"
        assert player.wait_finished(END_TIMEOUT_S)
        assert player.playing_priority is None
    pulses = count_pulses(*read_wav(out))
    # A new stream restarts the file, so it holds the high burst, whole, and nothing after.
    assert len(pulses) == 10
    assert_high_timing(pulses)


def default_sink() -> str:
    return subprocess.run(
        ["pactl", "get-default-sink"], capture_output=True, text=True, timeout=15
    ).stdout.strip()


def test_alarm_is_heard_on_the_facilitator_sink_only(bursts, pulse_sinks, monitor_recorder):
    listened = ("facilitator", "room", "seat1", "seat2")
    assert set(listened) <= set(pulse_sinks)
    # Were the facilitators' sink the default, a stream that ignored its device would
    # still land there and this test would prove nothing.
    assert default_sink() != "facilitator"
    with AlarmBurstPlayer(bursts, device="facilitator") as player:
        recorder = monitor_recorder(listened).start()
        assert player.play("high")
        assert player.wait_finished(END_TIMEOUT_S), "libVLC never reported the burst's end"
        recorder.mark()
        recorder.record_past_mark(0.5)
    audio = recorder.stop()

    heard = audio["facilitator"]
    assert rms(heard) > 0.02, "the facilitators' sink got no alarm sound"
    pulses = count_pulses(heard, 44100)
    assert len(pulses) >= 8, f"only {len(pulses)} pulses reached the facilitators' sink"
    for name in listened[1:]:
        assert audio[name].size >= 3.5 * 44100, f"{name} was not recorded for the whole burst"
        assert rms(audio[name]) < SILENCE_RMS, f"the alarm leaked into {name}"


def test_unknown_device_is_refused_with_the_devices_there_are(bursts, pulse_sinks):
    with pytest.raises(AudioError) as refused:
        AlarmBurstPlayer(bursts, device="no-such-headset")
    message = str(refused.value)
    assert "no-such-headset" in message
    for name in ("facilitator", "seat1"):
        assert name in message


def test_output_devices_are_the_pulseaudio_sinks(bursts, pulse_sinks):
    with AlarmBurstPlayer(bursts, device="facilitator") as player:
        devices = dict(player.output_devices())
    assert set(pulse_sinks) <= set(devices)


def test_self_test_plays_each_priority_on_the_facilitator_sink(bursts, monitor_recorder):
    with AlarmBurstPlayer(bursts, device="facilitator") as player:
        recorder = monitor_recorder(["facilitator"]).start()
        result = player.self_test(timeout_s=END_TIMEOUT_S)
        recorder.mark()
        recorder.record_past_mark(0.5)
    audio = recorder.stop()
    pulses = count_pulses(audio["facilitator"], 44100)
    assert len(pulses) == 1 + 3 + 10, "low, medium and high bursts, each whole, in turn"
    assert_high_timing(pulses[4:])
    # Every burst reached the sink, but a null sink is no speaker: the test says so.
    assert not result.ok
    assert result.heard == {"low": False, "medium": False, "high": False}
    assert "'facilitator' is a PulseAudio null sink" in result.problem


def test_stop_keeps_the_facilitator_device(bursts, monitor_recorder):
    with AlarmBurstPlayer(bursts, device="facilitator") as player:
        recorder = monitor_recorder(["facilitator", "room"]).start()
        assert player.play("medium")
        player.stop()
        assert player.playing_priority is None
        assert player.play("low")
        assert player.wait_finished(END_TIMEOUT_S)
        recorder.mark()
        recorder.record_past_mark(0.5)
    audio = recorder.stop()
    assert len(count_pulses(audio["facilitator"], 44100)) >= 1
    assert rms(audio["room"]) < SILENCE_RMS, "after stop() the alarm went to the default sink"


def test_a_lost_device_holds_the_alarm_back(bursts, pulse_sinks):
    with AlarmBurstPlayer(bursts, device="facilitator") as player:
        # libVLC 3's own stop() destroys the audio output and the device chosen on it;
        # the next burst would go to the default sink, so the player must refuse it.
        player._player.stop()
        with pytest.raises(AudioError, match="could not be chosen"):
            player.play("high")


def test_a_burst_whose_end_never_comes_does_not_block_later_alarms(
    tmp_path, bursts, monkeypatch, caplog
):
    # As if the sound server had gone away mid-burst: the end is overdue at once.
    monkeypatch.setattr("groupkap.alarms.burst_player.STALL_S", -60.0)
    with AlarmBurstPlayer(bursts, vlc_args=afile_args(tmp_path / "out.wav")) as player:
        assert player.play("high")
        assert player.playing_priority is None
        assert "never reported the end" in caplog.text
        assert player.play("high"), "the next high alarm must sound"
