"""A private PulseAudio server with one null sink per output, for scripts/bench/soak.py: the
facilitators' sink, the room's, and one per seat, so every seat's music really plays
through libVLC into a sink of its own (as tests/integration/conftest.py does for the
audio tests, without pytest)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


class PulseError(RuntimeError):
    """PulseAudio is missing or would not start."""


def _null_sink(name: str) -> str:
    return f"module-null-sink sink_name={name} sink_properties=device.description={name}"


def pactl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["pactl", *args], capture_output=True, text=True, timeout=15, stdin=subprocess.DEVNULL
    )


class PrivatePulse:
    """A PulseAudio daemon of our own in a temporary folder; `PULSE_SERVER` points this
    process (and libVLC in it) at it until `stop`. Stops only the daemon it started."""

    def __init__(self, sinks: list[str]) -> None:
        for tool in ("pulseaudio", "pactl"):
            if shutil.which(tool) is None:
                raise PulseError(f"{tool} is missing: apt-get install pulseaudio pulseaudio-utils")
        self.sinks = sinks
        self.folder = Path(tempfile.mkdtemp(prefix="groupkap-soak-pulse-"))
        socket = self.folder / "native"
        self.env = {
            **os.environ,
            "HOME": str(self.folder),
            "XDG_RUNTIME_DIR": str(self.folder),
            "XDG_CONFIG_HOME": str(self.folder / "config"),
            "PULSE_RUNTIME_PATH": str(self.folder / "runtime"),
            "PULSE_STATE_PATH": str(self.folder / "state"),
        }
        self.env.pop("PULSE_SERVER", None)
        command = [
            "pulseaudio",
            "-D",
            "-n",
            "--exit-idle-time=-1",
            "--use-pid-file=yes",
            f"--log-target=newfile:{self.folder / 'pulse.log'}",
            f"--load=module-native-protocol-unix auth-anonymous=1 socket={socket}",
            *(f"--load={_null_sink(name)}" for name in sinks),
        ]
        with open(self.folder / "launcher.log", "wb") as out:
            started = subprocess.run(
                command, env=self.env, stdout=out, stderr=out, stdin=subprocess.DEVNULL, timeout=30
            )
        self._previous = os.environ.get("PULSE_SERVER")
        os.environ["PULSE_SERVER"] = f"unix:{socket}"
        if started.returncode != 0 or pactl("info").returncode != 0:
            self.stop()
            raise PulseError(f"PulseAudio did not start: {' '.join(command)}")
        pactl("set-default-sink", "room")  # a stream that ignored its device is not a seat's

    def sink_inputs(self) -> dict[str, int]:
        """Streams playing now, by sink name."""
        names = {}
        for line in pactl("list", "short", "sinks").stdout.splitlines():
            cols = line.split("\t")
            if len(cols) > 1:
                names[cols[0]] = cols[1]
        out: dict[str, int] = {}
        for line in pactl("list", "short", "sink-inputs").stdout.splitlines():
            cols = line.split("\t")
            if len(cols) > 1:
                name = names.get(cols[1], cols[1])
                out[name] = out.get(name, 0) + 1
        return out

    def stop(self) -> None:
        subprocess.run(["pulseaudio", "--kill"], env=self.env, capture_output=True, timeout=15)
        if self._previous is None:
            os.environ.pop("PULSE_SERVER", None)
        else:
            os.environ["PULSE_SERVER"] = self._previous
        shutil.rmtree(self.folder, ignore_errors=True)
