"""The alarm self-test fails, and says why, whenever no one could hear the bursts: libVLC's
dummy output, an output that never opened, a null sink, a device that cannot be read back.
Real libVLC throughout; the PulseAudio cases use the null sinks of conftest.py."""

from __future__ import annotations

import subprocess
import time

import pytest

from groupkap.alarms.burst_files import count_pulses, read_wav
from groupkap.alarms.burst_player import AlarmBurstPlayer
from groupkap.errors import AudioError
from ui.alarms.alarm_audio import AlarmAudio

TIMEOUT_S = 10.0


def afile_args(path) -> list[str]:
    return [
        "--aout=afile",
        f"--audiofile-file={path}",
        "--audiofile-format=s16",
        "--audiofile-channels=1",
    ]


def test_a_file_output_gets_every_burst_and_passes(tmp_path, bursts):
    out = tmp_path / "heard.wav"
    with AlarmBurstPlayer(bursts, vlc_args=afile_args(out)) as player:
        result = player.self_test(timeout_s=TIMEOUT_S)
    assert result.ok
    assert result.as_event() == {
        "low": True,
        "medium": True,
        "high": True,
        "ok": True,
        "problem": "",
    }
    # afile completes the WAV on release; each new stream restarts the file, so it holds
    # the last burst of the test, the high one, whole.
    assert len(count_pulses(*read_wav(out))) == 10


@pytest.mark.parametrize(
    "aout, words",
    [
        ("dummy", "libVLC's dummy output, which discards it (libVLC --aout=dummy)"),
        ("none", "no output at all (libVLC --aout=none)"),
        ("afile,dummy", "libVLC's dummy output"),  # a fallback that may be silent is no better
    ],
)
def test_a_silent_libvlc_output_fails_with_its_name(bursts, aout, words):
    with AlarmBurstPlayer(bursts, vlc_args=[f"--aout={aout}"]) as player:
        result = player.self_test(timeout_s=TIMEOUT_S)
    assert not result.ok
    assert result.heard == {"low": False, "medium": False, "high": False}
    assert words in result.problem
    assert result.problem.endswith("no one hears the alarms")
    assert result.as_event()["ok"] is False


def test_an_output_that_cannot_be_opened_fails(tmp_path, bursts):
    # The bursts still "end" on time: only libVLC's count of played buffers tells.
    missing = tmp_path / "no-such-folder" / "out.wav"
    with AlarmBurstPlayer(bursts, vlc_args=afile_args(missing)) as player:
        result = player.self_test(timeout_s=TIMEOUT_S)
    assert not result.ok
    assert result.heard == {"low": False, "medium": False, "high": False}
    assert result.problem == (
        "libVLC could not open the default audio output: the bursts "
        "were decoded but no sound reached it (no sound card, or the "
        "sound server did not answer)"
    )


def test_an_unknown_alsa_device_fails(bursts):
    with AlarmBurstPlayer(
        bursts, vlc_args=["--aout=alsa", "--alsa-audio-device=groupkap_no_such_pcm"]
    ) as player:
        result = player.self_test(timeout_s=TIMEOUT_S)
    assert not result.ok
    assert "could not open the default audio output" in result.problem


def test_a_nonexistent_device_name_is_refused_and_reported(qtbot, tmp_path, bursts):
    with pytest.raises(AudioError, match="'no-such-headset' not found"):
        AlarmBurstPlayer(bursts, device="no-such-headset", vlc_args=afile_args(tmp_path / "a.wav"))
    sound = AlarmAudio(
        tmp_path / "sounds", "no-such-headset", vlc_args=afile_args(tmp_path / "b.wav")
    )
    assert sound.burst_player is None
    with qtbot.waitSignal(sound.bridge.finished, timeout=5_000) as report:
        sound.start_self_test()
    result = report.args[0]
    assert result["ok"] is False
    assert (result["low"], result["medium"], result["high"]) == (False, False, False)
    assert "audio output device 'no-such-headset' not found" in result["problem"]


def test_pulseaudio_that_does_not_answer_fails(bursts, monkeypatch, tmp_path):
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path / 'no-server'}")
    with AlarmBurstPlayer(bursts, vlc_args=["--aout=pulse"]) as player:
        result = player.self_test(timeout_s=TIMEOUT_S)
    assert not result.ok
    assert "could not open the default audio output" in result.problem


def test_the_default_output_on_a_null_sink_fails(bursts, pulse_sinks):
    # conftest makes "room" the default sink: the test names the sink the bursts went to.
    with AlarmBurstPlayer(bursts, vlc_args=["--aout=pulse"]) as player:
        result = player.self_test(timeout_s=TIMEOUT_S)
    assert not result.ok
    assert result.problem == (
        "the alarm output device 'room' is a PulseAudio null sink "
        "(module-null-sink) that discards the sound: no one hears the "
        "alarms"
    )


def test_a_null_sink_with_pulseaudios_own_description_fails(bursts, pulse_sinks):
    loaded = subprocess.run(
        ["pactl", "load-module", "module-null-sink", "sink_name=plain_null"],
        capture_output=True,
        text=True,
        timeout=15,
    )
    assert loaded.returncode == 0, loaded.stderr
    try:
        with AlarmBurstPlayer(bursts, device="plain_null") as player:
            result = player.self_test(timeout_s=TIMEOUT_S)
    finally:
        subprocess.run(["pactl", "unload-module", loaded.stdout.strip()], timeout=15)
    assert not result.ok
    assert "'plain_null' (Null Output) is a null output" in result.problem


def test_a_device_that_cannot_be_read_back_fails(bursts, pulse_sinks):
    with AlarmBurstPlayer(bursts, device="facilitator") as player:
        # libVLC 3's own stop() destroys the output and the device chosen on it.
        player._player.stop()
        result = player.self_test(timeout_s=TIMEOUT_S)
    assert not result.ok
    assert result.heard == {"low": False, "medium": False, "high": False}
    assert "the alarm output device 'facilitator' could not be chosen" in result.problem


def test_a_device_lost_mid_session_is_reported_once(tmp_path, pulse_spare_sink):
    """A headset unplugged during the session: the first burst that cannot play says so (the
    room shows the banner and logs alarm.sound_failed); later ticks do not repeat it."""
    from groupkap.alarms.model import SoundCue

    name, unplug = pulse_spare_sink
    sound = AlarmAudio(tmp_path / "bursts", name)
    try:
        assert sound.problem == "" and sound.burst_player is not None
        unplug()
        # libVLC hears of the unplug from PulseAudio's own thread: on a busy machine it may
        # list the sink a moment longer, and a burst started then would still be taken.
        deadline = time.monotonic() + 10
        while name in {device for device, _ in sound.burst_player.output_devices()}:
            assert time.monotonic() < deadline, "libVLC still lists the unplugged sink"
            time.sleep(0.05)
        problem = sound.play([SoundCue("high")])
        assert problem is not None and problem.startswith("alarm sound failed:")
        assert name in problem
        assert sound.play([SoundCue("high")]) is None  # reported once
    finally:
        sound.close()
