"""`groupkap` (the room's window) with real monitors, as a clinic starts it: a subprocess
offscreen, a real port, python-hl7's `mllp_send` as the monitors, SIGTERM to end; and the
refusals that leave nothing written."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from PySide6.QtGui import QImage

from groupkap.hl7.monitor_feed import device_id
from groupkap.store.proof import verify
from tests.integration.hl7_client import mllp_send
from tests.integration.process_lines import ProcessLines, wait_for_events
from tests.integration.test_hl7_record import _env, now_messages


class App:
    """`groupkap …` offscreen in its own process, stdout and stderr read line by line."""

    def __init__(self, tmp_path, *args: str) -> None:
        self.db = tmp_path / "room.sqlite3"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "groupkap.cli", "--db", str(self.db), "--offscreen", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(tmp_path),
        )
        self.output = ProcessLines(self.proc, (self.proc.stdout, self.proc.stderr))
        self.seen = self.output.seen

    def wait_for(self, words: str, timeout: float = 60) -> str:
        return self.output.wait_for(words, timeout)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(60)
        self.wait_for("event chain:")
        return code


@pytest.mark.slow
def test_the_app_shows_and_records_real_monitors_and_ends_on_sigterm(tmp_path):
    png = tmp_path / "room.png"
    app = App(
        tmp_path,
        "--hl7-port", "0",
        "--seats", "4",
        "--participant", "M.K.=1",
        "--assign", f"{device_id(1)}=1",
        "--screenshot", str(png),
    )  # fmt: skip
    try:
        line = app.wait_for("room session")
        port = int(line.split(" port ")[1].split(",")[0])
        acks = mllp_send(port, *now_messages(1, 4), *now_messages(2, 3), tmp=tmp_path)
        assert [a[0] for a in acks] == ["AA"] * 7
    finally:
        code = app.stop()
    assert code == 128 + signal.SIGTERM, app.seen
    assert not any("no monitors configured" in line for line in app.seen)
    assert "event chain: intact" in app.wait_for("event chain:")
    with closing(sqlite3.connect(app.db)) as conn:
        rows = conn.execute(
            "select participant, seat, device, param, count(*), group_concat(distinct source) "
            "from v_vitals group by participant, device, param order by device, param"
        ).fetchall()
        session = conn.execute("select title, seats from sessions").fetchone()
        events = conn.execute("select kind, data from events order by seq").fetchall()
    # AA means stored: every value acknowledged is in the log, the unassigned monitor's too
    assert rows == [
        ("M.K.", 1, device_id(1), "HR", 4, f"hl7:{device_id(1)}"),
        ("M.K.", 1, device_id(1), "SpO2", 4, f"hl7:{device_id(1)}"),
        (None, None, device_id(2), "HR", 3, f"hl7:{device_id(2)}"),
        (None, None, device_id(2), "SpO2", 3, f"hl7:{device_id(2)}"),
    ]
    assert session == ("room: monitors over HL7", 4)
    kinds = [k for k, _ in events]
    assert kinds.count("participant.added") == 1  # no simulated participants
    assert {"device.assigned", "device.seen"} <= set(kinds)
    assert json.loads(events[-1][1]) == {"reason": "ended by signal (SIGTERM)"}
    assert verify(app.db).ok
    assert (QImage(str(png)).width(), QImage(str(png)).height()) == (1920, 1080)


@pytest.mark.slow
def test_the_app_without_monitors_is_the_simulated_room_and_says_so(tmp_path):
    app = App(tmp_path, "--seats", "3")
    try:
        app.wait_for("no monitors configured, so every seat is simulated")
        wait_for_events(app.db, {"session.started"})  # the room runs: SIGTERM ends it cleanly
    finally:
        code = app.stop()
    assert code == 128 + signal.SIGTERM, app.seen
    with closing(sqlite3.connect(app.db)) as conn:
        title = conn.execute("select title from sessions").fetchone()[0]
        people = conn.execute("select count(*) from participants").fetchone()[0]
    assert title == "room (simulated participants)" and people == 3


def _refused(tmp_path, *args: str):
    db = tmp_path / "room.sqlite3"
    env = _env(tmp_path)
    env.pop("QT_QPA_PLATFORM", None)  # no display at all, as on a server
    done = subprocess.run(
        [sys.executable, "-m", "groupkap.cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return done, db


def test_the_app_on_a_port_in_use_exits_2_before_anything_is_written(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done, db = _refused(tmp_path, "--hl7-port", str(port), "--offscreen")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"groupkap: HL7 port {port} is in use (another program listens on 127.0.0.1 port "
        f"{port}); stop it or choose another port ([hl7] port or --hl7-port)"
    ]
    assert not db.exists()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--assign", "X=9", "--offscreen"], "there is no seat 9 in a 6-seat room"),
        (["--bind", "my-host", "--offscreen"], "--bind = 'my-host' is not an IP address"),
        (["--hl7", "--participant", "A=12", "--offscreen"], "no seat 12 in a 6-seat room"),
        (["--hl7"], "the room needs a display; add --offscreen"),
        (["--hl7-port", "2575", "record"], "--hl7-port is an option of the room"),
        (["--seats", "4", "demo"], "--seats is an option of the room"),
    ],
)
def test_the_app_refuses_bad_options_in_one_line_before_anything_is_written(tmp_path, args, words):
    done, db = _refused(tmp_path, *args)
    assert done.returncode == 2 and words in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not db.exists()
