"""Editing the clinic's limits file during a session: good edits apply, bad ones are refused."""

from __future__ import annotations

import os

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import load_limits
from groupkap.alarms.limits_file import LimitsFile

GOOD = '[SpO2]\nmedium = "< 92"\nhigh = "< 88"\ndelay_s = 15\n'


def _write(path, text, bump):
    path.write_text(text)
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
