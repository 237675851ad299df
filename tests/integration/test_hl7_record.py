"""`groupkap record` and `groupkap demo --hl7` as a clinic runs them: subprocesses, a real
port, python-hl7's `mllp_send` as the monitor, SIGTERM to end."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing

import pytest

from groupkap.hl7.monitor_feed import device_id, pcd01_message
from groupkap.readings import Reading
from groupkap.store.proof import verify
from tests.integration.hl7_client import mllp_send
from tests.integration.process_lines import ProcessLines


def _env(tmp_path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "GROUPKAP_CONFIG", "GROUPKAP_ALARM_LIMITS")
    }
    env.update(
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        GROUPKAP_HL7_DEVICES=str(tmp_path / "hl7_devices.toml"),
        PYTHONUNBUFFERED="1",
    )
    return env


class Recorder:
    """`groupkap record` in its own process, its output read line by line."""

    def __init__(self, tmp_path, *args: str) -> None:
        self.db = tmp_path / "record.sqlite3"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "groupkap.cli",
                "record",
                "--hl7-port",
                "0",
                "--db",
                str(self.db),
                *args,
            ],  # fmt: skip
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(tmp_path),
        )
        self.output = ProcessLines(self.proc, more=lambda: f"; stderr: {self._stderr()}")
        self.seen = self.output.seen
        self.port = int(self.wait_for("recording session").split(" port ")[1].split(",")[0])

    def wait_for(self, words: str, timeout: float = 30) -> str:
        """The first line holding `words`, from the start of the output."""
        return self.output.wait_for(words, timeout)

    def _stderr(self) -> str:
        return self.proc.stderr.read() if self.proc.poll() is not None else "(running)"

    def stop(self, signum=signal.SIGTERM) -> int:
        self.proc.send_signal(signum)
        code = self.proc.wait(30)
        self.wait_for("ended by signal")
        return code


def now_messages(seat: int, seconds: int) -> list[bytes]:
    start = time.time() - seconds
    return [
        pcd01_message(
            seat,
            f"R{seat}{s:03d}",
            start + s + 0.5,
            [Reading(seat, "HR", start + s, 70.0 + s % 3), Reading(seat, "SpO2", start + s, 97.0)],
        ).encode()  # fmt: skip
        for s in range(seconds)
    ]


@pytest.mark.slow
def test_record_stores_what_monitors_send_and_ends_cleanly_on_sigterm(tmp_path):
    rec = Recorder(
        tmp_path, "--seats", "3", "--participant", "M.K.=1", "--assign", f"{device_id(1)}=1"
    )
    try:
        rec.wait_for(f"device {device_id(1)} assigned to seat 1")
        acks = mllp_send(rec.port, *now_messages(1, 5), *now_messages(2, 3), tmp=tmp_path)
        assert [a[0] for a in acks] == ["AA"] * 8
        rec.wait_for("127.0.0.1:")  # the connection's line
        rec.wait_for(f"device {device_id(2)} seen (from 127.0.0.1), not assigned to a seat")
        time.sleep(0.5)  # a few heartbeats take the readings in
    finally:
        code = rec.stop()
    assert code == 0, rec.seen
    with closing(sqlite3.connect(rec.db)) as conn:
        rows = conn.execute(
            "select participant, seat, device, param, count(*) from v_vitals "
            "group by participant, device, param order by device, param"
        ).fetchall()
        events = conn.execute("select kind, data from events order by seq").fetchall()
    assert rows == [
        ("M.K.", 1, device_id(1), "HR", 5),
        ("M.K.", 1, device_id(1), "SpO2", 5),
        (None, None, device_id(2), "HR", 3),
        (None, None, device_id(2), "SpO2", 3),
    ]
    kinds = [k for k, _ in events]
    assert kinds[0] == "session.started" and kinds[-1] == "session.ended"
    assert json.loads(events[-1][1]) == {"reason": "ended by signal (SIGTERM)"}
    assert {"device.assigned", "device.seen"} <= set(kinds)
    assert verify(rec.db).ok
    assert f'"{device_id(1)}" = 1' in (tmp_path / "hl7_devices.toml").read_text()


@pytest.mark.slow
def test_record_prints_a_silent_monitors_alarm_and_sigint_ends_it(tmp_path):
    rec = Recorder(tmp_path, "--seats", "3", "--assign", f"{device_id(1)}=1")
    try:
        mllp_send(rec.port, *now_messages(1, 2), tmp=tmp_path)
        rec.wait_for("alarm low (seat 1): no data", timeout=30)
    finally:
        code = rec.stop(signal.SIGINT)
    assert code == 0
    assert rec.seen[-1].endswith("ended by signal (SIGINT)")


def test_record_on_a_port_in_use_exits_2_naming_the_port(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        db = tmp_path / "r.sqlite3"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "groupkap.cli",
                "record",
                "--hl7-port",
                str(port),
                "--db",
                str(db),
            ],  # fmt: skip
            capture_output=True,
            text=True,
            env=_env(tmp_path),
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"groupkap: HL7 port {port} is in use (another program listens on 127.0.0.1 port "
        f"{port}); stop it or choose another port ([hl7] port or --hl7-port)"
    ]
    with closing(sqlite3.connect(db)) as conn:  # nothing was started
        assert conn.execute("select count(*) from sessions").fetchone() == (0,)


@pytest.mark.parametrize(
    "args, words",
    [
        (["--assign", "X=9"], "there is no seat 9 in a 6-seat room"),
        (["--assign", "nodevice"], "is not DEVICE=SEAT"),
        (["--bind", "my-host"], "--bind = 'my-host' is not an IP address"),
        (["--allow", "10.0.5.300"], "'10.0.5.300' is not an address or a network"),
        (["--hl7-port", "70000"], "--hl7-port must be a number from 0 to 65535"),
    ],
)
def test_record_refuses_bad_options_before_anything_is_written(tmp_path, args, words):
    db = tmp_path / "r.sqlite3"
    done = subprocess.run(
        [sys.executable, "-m", "groupkap.cli", "record", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=60,
    )
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert not db.exists()


def test_record_imports_no_qt(tmp_path):
    code = (
        "import sys; import groupkap.record, groupkap.cli; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'ui')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


@pytest.mark.slow
def test_demo_over_hl7_runs_the_room_through_the_listener(tmp_path):
    db = tmp_path / "demo.sqlite3"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "groupkap.cli",
            "demo",
            "--hl7",
            "--hl7-seats",
            "1,2",
            "--seats",
            "3",
            "--offscreen",
            "--minutes",
            "2",
            "--speed",
            "60",
            "--db",
            str(db),
            "--screenshot",
            str(tmp_path / "room.png"),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    with closing(sqlite3.connect(db)) as conn:
        sources = dict(
            conn.execute(
                "select seat, group_concat(distinct source) from v_vitals group by seat"
            ).fetchall()
        )
        started = json.loads(conn.execute("select data from events where seq = 1").fetchone()[0])
        assigned = conn.execute(
            "select json_extract(data, '$.seat'), actor from events where kind = 'device.assigned'"
        ).fetchall()
    assert sources == {1: f"hl7:{device_id(1)}", 2: f"hl7:{device_id(2)}", 3: "sim"}
    assert started["source"] == "sim+hl7"
    assert sorted(assigned) == [(1, "demo"), (2, "demo")]
    assert not (tmp_path / "hl7_devices.toml").exists()  # the demo leaves the room's map alone
