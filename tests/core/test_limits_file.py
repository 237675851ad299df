"""Editing the clinic's limits file during a session: good edits apply, bad ones are refused,
the limits in force stay, and a refusal is a technical alarm until a good file is read; a bad
file at start is refused before anything is written (issue 11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from contextlib import closing
from importlib import resources

import pytest

from groupkap.alarms.engine import LIMITS_REFUSED, AlarmEngine
from groupkap.alarms.limits import MEDIUM, default_limits, load_limits
from groupkap.alarms.limits_file import LimitsFile
from groupkap.errors import ConfigError
from groupkap.options import RunOptions
from groupkap.session_start import open_live_session
from groupkap.store.store import list_sessions

DEFAULTS = resources.files("groupkap.alarms").joinpath("default_limits.toml").read_text("utf-8")
GOOD = DEFAULTS[DEFAULTS.index("[SpO2]") :]  # the defaults without their comments


def _write(path, text, bump):
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(bump, bump))  # a new mtime even within one clock tick


def test_an_edit_applies_and_a_broken_edit_keeps_the_limits_in_force(tmp_path, clock):
    path = tmp_path / "alarm_limits.toml"
    _write(path, GOOD, 1_000)
    events = []
    engine = AlarmEngine(
        clock, load_limits(path), lambda kind, data, pid, actor: events.append((kind, data, actor))
    )
    watcher = LimitsFile(path, engine)
    assert watcher.check() is None  # unchanged

    _write(path, GOOD.replace("< 92", "< 90"), 2_000)
    assert watcher.check() == 1
    [(kind, data, actor)] = events
    assert kind == "limits.changed" and actor == "clinic lead"
    assert data["old"]["medium"] == ["< 92"] and data["new"]["medium"] == ["< 90"]
    in_force = engine.limits

    _write(path, GOOD.replace('high = "< 88"', 'high = "< 95"'), 3_000)
    assert watcher.check() is None
    assert "line 3" in watcher.problem and "previous limits stay in force" in watcher.problem
    assert engine.limits is in_force and len(events) == 1


def alarmed_room(clock, events):
    """Two participants in high SpO2 and medium RR alarms under the defaults."""
    engine = AlarmEngine(clock, default_limits(), lambda *e: events.append(e))
    for _ in range(25):
        clock.advance(1)
        for pid, seat in (("p1", 1), ("p2", 2)):
            engine.observe(pid, seat, "SpO2", clock.now(), 85)
            engine.observe(pid, seat, "RR", clock.now(), 9)
        engine.tick()
    return engine


def test_an_emptied_file_keeps_the_alarms_and_raises_a_technical_alarm(tmp_path, clock):
    path = tmp_path / "alarm_limits.toml"
    _write(path, GOOD, 1_000)
    events: list = []
    engine = alarmed_room(clock, events)
    watcher = LimitsFile(path, engine)
    before = {a.id for a in engine.active()}
    assert before == {"p1:SpO2", "p1:RR", "p2:SpO2", "p2:RR"}

    _write(path, "", 2_000)
    assert watcher.check() is None
    assert watcher.problem.startswith(f"{path} is empty: no [SpO2], [HR], [SBP], [DBP], [RR]")
    assert engine.limits.get("SpO2") == default_limits().get("SpO2")
    assert before <= set(engine.alarms)
    assert not [e for e in events if e[0] == "alarm.cleared"]
    refused = [engine.alarms[f"{pid}:{LIMITS_REFUSED}"] for pid in ("p1", "p2")]
    for alarm in refused:
        assert alarm.technical and alarm.priority == MEDIUM
        assert alarm.text == "limits refused: alarm_limits.toml; old limits in force"

    _write(path, GOOD.replace('high = "< 88"', 'high = "< 95"'), 3_000)  # now a line is named
    assert watcher.check() is None
    assert engine.alarms[f"p1:{LIMITS_REFUSED}"].text == (
        "limits refused: alarm_limits.toml, line 3; old limits in force"
    )

    _write(path, GOOD, 4_000)
    assert watcher.check() == 0 and watcher.problem == ""
    assert set(engine.alarms) == before  # the refusal alarms are gone, the clinical ones stay
    assert engine.limits_problem == ""


def test_a_removed_file_keeps_the_limits_and_says_so(tmp_path, clock):
    path = tmp_path / "alarm_limits.toml"
    _write(path, GOOD, 1_000)
    events: list = []
    engine = alarmed_room(clock, events)
    watcher = LimitsFile(path, engine)
    in_force = engine.limits
    path.unlink()
    assert watcher.check() is None
    assert watcher.problem == f"alarm limits file {path} was removed; the limits in force stay"
    assert engine.limits is in_force
    alarm = engine.alarms[f"p1:{LIMITS_REFUSED}"]
    assert alarm.technical and alarm.text == (
        "limits file removed: alarm_limits.toml; old limits in force"
    )
    assert watcher.check() is None  # said once, not at every look
    _write(path, GOOD, 2_000)  # put back
    assert watcher.check() == 0 and f"p1:{LIMITS_REFUSED}" not in engine.alarms


def test_someone_seen_after_a_refusal_gets_the_technical_alarm_too(tmp_path, clock):
    path = tmp_path / "alarm_limits.toml"
    _write(path, GOOD, 1_000)
    engine = AlarmEngine(clock, default_limits(), lambda *e: None)
    watcher = LimitsFile(path, engine)
    _write(path, "[HR]\n", 2_000)
    watcher.check()
    engine.observe("p3", 3, "HR", clock.now(), 70)
    assert engine.alarms[f"p3:{LIMITS_REFUSED}"].seat == 3


def test_a_fifo_swapped_in_mid_session_is_refused_without_blocking(tmp_path, clock):
    path = tmp_path / "alarm_limits.toml"
    _write(path, GOOD, 1_000)
    engine = AlarmEngine(clock, default_limits(), lambda *e: None)
    engine.observe("p1", 1, "HR", clock.now(), 70)
    watcher = LimitsFile(path, engine)
    path.unlink()
    os.mkfifo(path)
    started = time.monotonic()
    checker = threading.Thread(target=watcher.check, daemon=True)  # a hang fails the test
    checker.start()
    checker.join(timeout=2)
    assert not checker.is_alive(), "the limits watcher blocked on a FIFO"
    assert time.monotonic() - started < 0.5
    assert "is not a regular file" in watcher.problem
    assert f"p1:{LIMITS_REFUSED}" in engine.alarms


# -- at start --------------------------------------------------------------------------------
def test_a_bad_file_at_start_writes_no_session(
    tmp_path, monkeypatch, store, clock, settings, source
):
    path = tmp_path / "alarm_limits.toml"
    path.write_text('[HR]\nmedium = "> 120"\n', encoding="utf-8")
    monkeypatch.setenv("GROUPKAP_ALARM_LIMITS", str(path))
    with pytest.raises(ConfigError, match=r"has \[HR\] but no \[SpO2\]"):
        open_live_session(
            RunOptions(seats=3, plan={1: "M.K."}),
            store=store,
            clock=clock,
            settings=settings,
            make_source=lambda seats, start: source,
        )
    store.flush()
    assert list_sessions(store.path) == []


def test_a_parameter_switched_off_is_in_the_applied_event(
    tmp_path, monkeypatch, store, clock, settings, source
):
    path = tmp_path / "alarm_limits.toml"
    off = GOOD.replace("[SpO2]\n", '[SpO2]\noff = true\nreason = "probe removed"\n', 1)
    path.write_text(off, encoding="utf-8")
    monkeypatch.setenv("GROUPKAP_ALARM_LIMITS", str(path))
    live = open_live_session(
        RunOptions(seats=3, plan={1: "M.K."}),
        store=store,
        clock=clock,
        settings=settings,
        make_source=lambda seats, start: source,
    )
    assert live.alarms.off_params(live.room.on_seat(1).id) == {"SpO2": "probe removed"}
    store.flush()
    with closing(store.reader()) as conn:
        [data] = [
            r[0] for r in conn.execute("select data from events where kind = 'limits.applied'")
        ]
    applied = json.loads(data)
    assert applied["off"] == {"SpO2": "probe removed"}
    assert applied["limits"]["SpO2"]["off"] is True


@pytest.mark.parametrize("content", ["", "[HR]\n", b"[SpO2]\n# \xff\n", "fifo"])
def test_the_demo_refuses_a_bad_limits_file_before_writing_a_session(tmp_path, content):
    limits = tmp_path / "alarm_limits.toml"
    if content == "fifo":
        os.mkfifo(limits)
    elif isinstance(content, bytes):
        limits.write_bytes(content)
    else:
        limits.write_text(content, encoding="utf-8")
    db = tmp_path / "demo.sqlite3"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"GROUPKAP_CONFIG", "DISPLAY", "WAYLAND_DISPLAY"}
    }
    env.update(
        GROUPKAP_ALARM_LIMITS=str(limits),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        QT_QPA_PLATFORM="offscreen",
    )
    result = subprocess.run(
        [sys.executable, "-m", "groupkap.cli", "demo", "--offscreen", "--minutes", "1"]
        + ["--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"groupkap: {limits}") or line.startswith("groupkap: alarm limits")
    assert "Traceback" not in result.stderr
    assert not db.exists() or list_sessions(db) == []
