"""libVLC's output devices against real PulseAudio sinks: listed, chosen and read back, and
refused in words when a choice cannot hold (a name PulseAudio would take, a headset gone)."""

from __future__ import annotations

import pytest

from groupkap.audio.libvlc import VlcPlayer, output_devices
from groupkap.errors import AudioError


def afile_args(path) -> list[str]:
    return ["--aout=afile", f"--audiofile-file={path}"]


def test_output_devices_are_the_pulseaudio_sinks(pulse_sinks):
    assert set(pulse_sinks) <= {dev_id for dev_id, _ in output_devices(["--aout=pulse"])}


def test_a_chosen_device_is_read_back(pulse_sinks):
    with VlcPlayer(["--aout=pulse"]) as output:
        output.choose_device("seat2")
        assert output.chosen_device() == "seat2"
        output.choose_device("room")
        assert output.chosen_device() == "room"


def test_a_device_libvlc_does_not_list_is_refused_by_name(pulse_sinks):
    with VlcPlayer(["--aout=pulse"]) as output:
        with pytest.raises(AudioError, match="'no-such-headset' not found; available: .*seat1"):
            output.require_device("no-such-headset")
        # PulseAudio would read the name back unchanged and play to the default sink.
        with pytest.raises(AudioError, match="the room device 'no-such-headset' is gone"):
            output.choose_device("no-such-headset", "the room device")


def test_a_device_unplugged_after_it_was_chosen_is_refused(pulse_spare_sink):
    name, unplug = pulse_spare_sink
    with VlcPlayer(["--aout=pulse"]) as output:
        output.require_device(name)
        output.choose_device(name)
        unplug()
        with pytest.raises(AudioError, match=f"'{name}' is gone \\(unplugged or removed\\)"):
            output.choose_device(name)


def test_an_output_without_devices_cannot_take_a_device(tmp_path):
    """A file output has no devices: asking for one must fail, not pass unread."""
    output = VlcPlayer(afile_args(tmp_path / "out.wav"))
    assert output.devices() == [] and output.chosen_device() is None
    with pytest.raises(AudioError, match="could not be chosen \\(libVLC reports None\\)"):
        output.choose_device("seat1")
    output.close()
    output.close()  # a second close is harmless
    assert output.player is None and output.instance is None
