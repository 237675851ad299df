"""Opening libVLC fails in words a clinic can act on: what to install, never a ctypes error."""

from __future__ import annotations

import sys
import types

import pytest

from groupkap.audio.libvlc import (
    DEFAULT_VLC_ARGS,
    LIBVLC_MISSING,
    VlcPlayer,
    open_instance,
    output_devices,
    vlc_options,
)
from groupkap.errors import AudioError


class FakeInstance:
    """A libVLC instance as libVLC without its plugins makes one: no audio output modules."""

    def __init__(self, options):
        self.options = options
        self.released = False

    def audio_output_list_get(self):
        return None

    def release(self):
        self.released = True


def fake_vlc(instance_factory) -> types.ModuleType:
    module = types.ModuleType("vlc")
    module.Instance = instance_factory
    return module


def test_the_shared_options_come_first_so_a_caller_s_own_win():
    assert vlc_options(None) == list(DEFAULT_VLC_ARGS)
    assert vlc_options(["--aout=afile", "--file-caching=300"]) == [
        *DEFAULT_VLC_ARGS,
        "--aout=afile",
        "--file-caching=300",
    ]


@pytest.mark.parametrize("opener", [open_instance, VlcPlayer, output_devices])
def test_without_python_vlc_the_error_says_what_to_install(monkeypatch, opener):
    monkeypatch.setitem(sys.modules, "vlc", None)  # `import vlc` now raises ImportError
    with pytest.raises(AudioError) as missing:
        opener(None)
    assert str(missing.value) == LIBVLC_MISSING


def test_without_the_libvlc_library_the_error_says_what_to_install(monkeypatch):
    def no_library(options):
        raise OSError("libvlc.so.5: cannot open shared object file")

    monkeypatch.setitem(sys.modules, "vlc", fake_vlc(no_library))
    with pytest.raises(AudioError) as missing:
        open_instance()
    assert str(missing.value) == LIBVLC_MISSING


def test_an_instance_libvlc_refuses_is_reported_as_missing_libvlc(monkeypatch):
    monkeypatch.setitem(sys.modules, "vlc", fake_vlc(lambda options: None))
    with pytest.raises(AudioError) as missing:
        open_instance()
    assert str(missing.value) == LIBVLC_MISSING


def test_libvlc_without_output_modules_is_refused_and_released(monkeypatch):
    made: list[FakeInstance] = []

    def instance(options):
        made.append(FakeInstance(options))
        return made[-1]

    monkeypatch.setitem(sys.modules, "vlc", fake_vlc(instance))
    with pytest.raises(AudioError) as missing:
        open_instance(["--aout=pulse"])
    assert str(missing.value) == LIBVLC_MISSING + " (no audio output modules found)"
    assert made[0].options == [*DEFAULT_VLC_ARGS, "--aout=pulse"] and made[0].released
