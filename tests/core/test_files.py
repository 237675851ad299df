"""atomic_write replaces a file whole or not at all, and never leaves a temporary file."""

from __future__ import annotations

import os
import stat

import pytest

from groupkap import files
from groupkap.files import atomic_write


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_text_is_written_as_utf8_with_its_own_newlines(tmp_path):
    path = tmp_path / "arcs.json"
    assert atomic_write(path, "Stille – calm\nline two\n") == path
    assert path.read_bytes() == "Stille – calm\nline two\n".encode()
    assert leftovers(tmp_path) == []


def test_bytes_replace_an_old_file(tmp_path):
    path = tmp_path / "alarm-high.wav"
    path.write_bytes(b"old")
    atomic_write(path, b"RIFF\x00\x01")
    assert path.read_bytes() == b"RIFF\x00\x01"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o644, 0o600])
def test_the_mode_is_set_not_left_private(tmp_path, mode):
    path = tmp_path / "groupkap.toml"
    atomic_write(path, "x = 1\n", mode=mode)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_a_failed_rename_keeps_the_old_file_and_removes_the_temporary(tmp_path, monkeypatch):
    path = tmp_path / "groupkap.toml"
    path.write_text("# the clinic's file\n")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(PermissionError) as info:
        atomic_write(path, "new\n")
    assert str(path) in str(info.value) and "Permission denied" in str(info.value)
    assert path.read_text() == "# the clinic's file\n"
    assert leftovers(tmp_path) == []


def test_a_failed_write_removes_the_temporary(tmp_path, monkeypatch):
    path = tmp_path / "calm.m3u8"
    path.write_text("#EXTM3U\n")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        atomic_write(path, "#EXTM3U\n#PLAYLIST:calm\n")
    assert path.read_text() == "#EXTM3U\n"
    assert leftovers(tmp_path) == []


def test_an_interrupt_mid_write_removes_the_temporary_and_is_not_swallowed(tmp_path, monkeypatch):
    path = tmp_path / "VERSION"

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "chmod", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, "3\n")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_a_clear_error(tmp_path):
    path = tmp_path / "gone" / "groupkap.toml"
    with pytest.raises(FileNotFoundError) as info:
        atomic_write(path, "x = 1\n")
    assert f"folder {path.parent} does not exist" in str(info.value)
    assert info.value.filename == str(path)
    assert list(tmp_path.iterdir()) == []
