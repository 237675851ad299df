"""Fixtures for the integration tests: a PulseAudio server with one null sink per output, and
recorders on the sinks' monitors, so a test hears what each seat and the facilitators would."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

# Later tests that need more seats extend this tuple; the fixture creates whatever is missing.
PULSE_SINKS = ("facilitator", "room", "seat1", "seat2", "seat3", "seat4")
MONITOR_RATE = 44100
BYTES_PER_S = 2 * MONITOR_RATE  # s16le mono


def _pactl(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["pactl", *args],
        capture_output=True,
        text=True,
        timeout=15,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def _sink_names() -> set[str]:
    listing = _pactl("list", "short", "sinks")
    return {line.split("\t")[1] for line in listing.stdout.splitlines() if "\t" in line}


def _null_sink_args(name: str) -> list[str]:
    return ["module-null-sink", f"sink_name={name}", f"sink_properties=device.description={name}"]


@pytest.fixture(scope="session")
def pulse_sinks():
    """The null sinks `PULSE_SINKS`, on a PulseAudio server this process's clients reach.

    A server already running (a developer's desktop) is reused and only the missing sinks
    are loaded, then unloaded at the end. Otherwise a private daemon is started, root
    included, in a temporary runtime directory, and killed at the end of the session.
    """
    for tool in ("pulseaudio", "pactl", "parec"):
        if shutil.which(tool) is None:
            pytest.fail(
                f"{tool} is missing: apt-get install pulseaudio pulseaudio-utils "
                "(scripts/setup.sh installs them)"
            )
    if _pactl("info").returncode == 0:
        yield from _extend_running_server()
    else:
        yield from _private_server()


def _extend_running_server():
    loaded = []
    try:
        for name in PULSE_SINKS:
            if name in _sink_names():
                continue
            done = _pactl("load-module", *_null_sink_args(name))
            if done.returncode != 0:
                pytest.fail(f"could not add null sink {name}: {done.stderr.strip()}")
            loaded.append(done.stdout.strip())
        # A server with no sink of its own makes the first null sink loaded the default;
        # move that off the facilitators' sink, as for the private server.
        if loaded and _pactl("get-default-sink").stdout.strip() == PULSE_SINKS[0]:
            _pactl("set-default-sink", "room")
        yield PULSE_SINKS
    finally:
        for module in reversed(loaded):
            _pactl("unload-module", module)


def _private_server():
    # A short path of our own: the socket path must fit in 108 bytes.
    folder = Path(tempfile.mkdtemp(prefix="groupkap-pulse-"))
    socket = folder / "native"
    log = folder / "pulse.log"
    daemon_env = {
        **os.environ,
        "HOME": str(folder),
        "XDG_RUNTIME_DIR": str(folder),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "PULSE_RUNTIME_PATH": str(folder / "runtime"),
        "PULSE_STATE_PATH": str(folder / "state"),
    }
    daemon_env.pop("PULSE_SERVER", None)
    # -n: no default.pa (no hardware probing, no suspend-on-idle); as root pulseaudio only
    # warns. Anonymous auth on a private socket spares every client a cookie.
    command = [
        "pulseaudio",
        "-D",
        "-n",
        "--exit-idle-time=-1",
        "--use-pid-file=yes",
        f"--log-target=newfile:{log}",
        f"--load=module-native-protocol-unix auth-anonymous=1 socket={socket}",
        *(f"--load={' '.join(_null_sink_args(name))}" for name in PULSE_SINKS),
    ]
    launcher_log = folder / "launcher.log"
    try:
        with open(launcher_log, "wb") as out:  # a file, not a pipe the daemon could hold open
            started = subprocess.run(
                command,
                env=daemon_env,
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
                timeout=30,
            )
        client_env = {**os.environ, "PULSE_SERVER": f"unix:{socket}"}
        if started.returncode != 0 or _pactl("info", env=client_env).returncode != 0:
            pytest.fail(
                f"PulseAudio did not start with: {' '.join(command)}\n"
                f"{_tail(launcher_log)}\n{_tail(log)}"
            )
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("PULSE_SERVER", f"unix:{socket}")
            # A stream that ignored its device would go to the default: make that a sink
            # the routing tests listen to, never the facilitators' own.
            if _pactl("set-default-sink", "room").returncode != 0:
                pytest.fail(f"could not make 'room' the default sink\n{_tail(log)}")
            missing = set(PULSE_SINKS) - _sink_names()
            if missing:
                pytest.fail(f"PulseAudio started without sinks {sorted(missing)}\n{_tail(log)}")
            yield PULSE_SINKS
    finally:
        _kill_private_server(daemon_env)
        shutil.rmtree(folder, ignore_errors=True)


def _kill_private_server(daemon_env: dict[str, str]) -> None:
    """`pulseaudio --kill` reads our private pid file, so it stops only the daemon we started."""
    subprocess.run(["pulseaudio", "--kill"], env=daemon_env, capture_output=True, timeout=15)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if (
            subprocess.run(
                ["pulseaudio", "--check"], env=daemon_env, capture_output=True, timeout=15
            ).returncode
            != 0
        ):
            return
        time.sleep(0.05)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} not written)"


class MonitorRecorder:
    """`parec` on each sink's monitor, writing raw s16le mono files, for the length of a test.

    A null sink starts feeding a new monitor stream only once it has taken the stream's
    latency, up to about 2 s later, so `start` waits until every file has data before the
    test plays anything. There is no event for "the audio has reached the file", so
    `start` and `record_past_mark` poll file sizes, briefly and with a deadline.

    Attributes:
        sinks: the sink names being recorded.
        paths: each sink's raw file.
    """

    def __init__(self, sinks: tuple[str, ...] | list[str], folder: Path) -> None:
        self.sinks = tuple(sinks)
        folder.mkdir(parents=True, exist_ok=True)
        self.paths = {name: folder / f"{name}.raw" for name in self.sinks}
        self._procs: dict[str, subprocess.Popen] = {}
        self._marks: dict[str, int] = {}

    def _size(self, name: str) -> int:
        try:
            return self.paths[name].stat().st_size
        except FileNotFoundError:
            return 0

    def _wait_for(self, enough, what: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not all(enough(name) for name in self.sinks):
            for name, proc in self._procs.items():
                if proc.poll() is not None:
                    raise AssertionError(
                        f"parec on {name}.monitor exited with {proc.returncode}:"
                        f" {_tail(self.paths[name].with_suffix('.log'))}"
                    )
            if time.monotonic() > deadline:
                sizes = {name: self._size(name) / BYTES_PER_S for name in self.sinks}
                raise AssertionError(
                    f"monitors not {what} within {timeout_s} s: seconds recorded {sizes}"
                )
            time.sleep(0.02)

    def start(self, timeout_s: float = 10.0) -> MonitorRecorder:
        for name, path in self.paths.items():
            path.unlink(missing_ok=True)  # a stale file would look like a primed recorder
            with open(path.with_suffix(".log"), "wb") as log:
                self._procs[name] = subprocess.Popen(
                    [
                        "parec",
                        "-d",
                        f"{name}.monitor",
                        "--raw",
                        "--format=s16le",
                        "--channels=1",
                        f"--rate={MONITOR_RATE}",
                        "--latency-msec=20",
                        str(path),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
        self._wait_for(lambda n: self._size(n) >= 0.2 * BYTES_PER_S, "recording", timeout_s)
        return self

    def mark(self) -> None:
        """Remember how far each recording has got (call when the sound under test ended)."""
        self._marks = {name: self._size(name) for name in self.sinks}

    def record_past_mark(self, seconds: float, timeout_s: float = 10.0) -> None:
        """Keep recording until each file holds `seconds` more than at `mark`, so audio still
        in the server's buffers when the player reported its end is on disk too."""
        need = int(seconds * BYTES_PER_S)
        self._wait_for(
            lambda n: self._size(n) - self._marks.get(n, 0) >= need,
            f"{seconds} s past the mark",
            timeout_s,
        )

    def stop(self) -> dict[str, np.ndarray]:
        """Stop every recorder; each sink's samples as float64 in [-1, 1]."""
        for proc in self._procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in self._procs.values():
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self._procs = {}
        return {
            name: np.fromfile(path, dtype="<i2").astype(np.float64) / 32768
            if path.exists()
            else np.zeros(0)
            for name, path in self.paths.items()
        }


@pytest.fixture
def monitor_recorder(tmp_path, pulse_sinks):
    """Make a `MonitorRecorder` for some sinks; every one made is stopped at the end."""
    made: list[MonitorRecorder] = []

    def make(sinks) -> MonitorRecorder:
        recorder = MonitorRecorder(sinks, tmp_path / f"monitors{len(made)}")
        made.append(recorder)
        return recorder

    yield make
    for recorder in made:
        recorder.stop()


@pytest.fixture
def pulse_spare_sink(pulse_sinks):
    """A null sink of its own for one test, which the test may unload (a headset unplugged);
    unloaded at the end if it is still there."""
    name = "spare"
    loaded = _pactl("load-module", *_null_sink_args(name))
    if loaded.returncode != 0:
        pytest.fail(f"could not add null sink {name}: {loaded.stderr.strip()}")
    module = loaded.stdout.strip()

    def unplug() -> None:
        done = _pactl("unload-module", module)
        assert done.returncode == 0, f"could not unload sink {name}: {done.stderr.strip()}"

    yield name, unplug
    if name in _sink_names():
        _pactl("unload-module", module)


@pytest.fixture(scope="session")
def bursts(tmp_path_factory):
    """The three IEC alarm bursts, generated once for the alarm-sound tests."""
    from groupkap.alarms.burst_files import ensure_bursts

    return ensure_bursts(tmp_path_factory.mktemp("bursts"))
