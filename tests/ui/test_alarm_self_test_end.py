"""Ending a session never waits for the alarm self-test (issue 17): a result not in by then
is logged as unfinished, before `session.ended`, and one that comes later is never written;
a result already handed in is logged as itself. The room opens libVLC after its first frame
(`deferred`), on a worker thread, and a cue that comes sooner opens it rather than going
unsounded (it sounds once the player is ready)."""

from __future__ import annotations

import json
import threading
from contextlib import closing

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from groupkap.alarms.model import SoundCue
from groupkap.alarms.output_check import SelfTestResult
from ui.alarms.alarm_audio import UNFINISHED, AlarmAudio
from ui.room_run import RoomRun
from ui.room_sound import room_alarm_sound

PASSED = SelfTestResult({"low": True, "medium": True, "high": True}, "")


class HeldPlayer:
    """Stands in for libVLC's AlarmBurstPlayer: its self-test holds until `release` is set
    (or 10 s, after which it passes: an end that waited would log that pass)."""

    release = threading.Event()
    made = 0

    def __init__(self, files, *, device=None, vlc_args=None) -> None:
        HeldPlayer.made += 1
        self.played: list[str] = []

    def self_test(self) -> SelfTestResult:
        self.release.wait(10.0)
        return PASSED

    def play(self, priority: str) -> bool:
        self.played.append(priority)
        return True

    def close(self) -> None:
        pass

    def __enter__(self) -> HeldPlayer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


@pytest.fixture
def held(monkeypatch):
    monkeypatch.setattr("groupkap.alarms.burst_player.AlarmBurstPlayer", HeldPlayer)
    monkeypatch.setattr("groupkap.alarms.burst_files.ensure_bursts", lambda folder: {})
    HeldPlayer.release = threading.Event()
    HeldPlayer.made = 0
    yield HeldPlayer
    HeldPlayer.release.set()  # no worker outlives its test


def logged(store, session_id: str) -> list[tuple[str, dict]]:
    store.flush()
    with closing(store.reader()) as conn:
        rows = conn.execute(
            "select kind, data from v_events where session_id = ? order by rowid", (session_id,)
        ).fetchall()
    return [(kind, json.loads(data)) for kind, data in rows]


def wired(live, window) -> AlarmAudio:
    """The room's sound as the app wires it: results to the log and the window."""
    return room_alarm_sound(live, window, "headset", offscreen=False)


def test_the_end_does_not_wait_and_logs_the_self_test_unfinished(
    qtbot, held, window, room10, store
):
    sound = wired(room10, window)
    run = RoomRun(room10, window, None, None, sound)
    sound.start_self_test()  # opens on a worker, then the self-test's worker holds
    qtbot.waitUntil(lambda: sound._test_thread is not None, timeout=5_000)

    run.finish("test over")

    assert run.problems == []
    events = logged(store, room10.id)
    tested = [data for kind, data in events if kind == "alarm.sound_tested"]
    assert tested == [{"ok": False, "problem": UNFINISHED, "unfinished": True, "device": "headset"}]
    assert [kind for kind, _ in events][-2:] == ["alarm.sound_tested", "session.ended"]
    # The worker finishes after the end: its (passing) result reaches no one.
    held.release.set()
    sound._test_thread.join(10.0)
    QApplication.sendPostedEvents(None, QEvent.Type.MetaCall)  # a queued report would run
    assert logged(store, room10.id) == events


def test_a_result_handed_in_before_the_end_is_logged_as_itself_once(
    qtbot, held, window, room10, store
):
    sound = wired(room10, window)
    run = RoomRun(room10, window, None, None, sound)
    sound.start_self_test()
    qtbot.waitUntil(lambda: sound._test_thread is not None, timeout=5_000)
    held.release.set()
    sound._test_thread.join(10.0)  # handed in: queued for the GUI thread, not yet delivered

    run.finish("test over")

    events = logged(store, room10.id)
    tested = [data for kind, data in events if kind == "alarm.sound_tested"]
    assert tested == [{**PASSED.as_event(), "device": "headset"}]
    assert [kind for kind, _ in events][-2:] == ["alarm.sound_tested", "session.ended"]


def test_a_deferred_sound_opens_at_its_self_test_or_at_a_cue_that_comes_first(
    qtbot, tmp_path, held
):
    sound = AlarmAudio(tmp_path / "sounds", None, deferred=True)
    assert sound.burst_player is None and held.made == 0
    assert sound.play([]) is None and sound._opening is None  # no cue: nothing opened
    sound.play([SoundCue("high")])  # opens on a worker; the cue waits for it
    qtbot.waitUntil(lambda: sound.burst_player is not None, timeout=5_000)
    assert held.made == 1 and sound.burst_player.played == ["high"]
    sound.close()
    sound.play([SoundCue("high")])  # closed at the session's end: not opened again
    assert held.made == 1


def test_an_output_no_one_hears_is_reported_at_once_without_a_worker(qtbot, tmp_path, held):
    sound = AlarmAudio(tmp_path / "sounds", None, vlc_args=["--aout=dummy"], deferred=True)
    reports: list[dict] = []
    sound.bridge.finished.connect(reports.append)

    sound.start_self_test()
    qtbot.waitUntil(lambda: reports != [], timeout=5_000)  # once the player is in

    assert sound._test_thread is None
    assert reports == [sound.result] and reports[0]["ok"] is False
    assert "libVLC's dummy output" in reports[0]["problem"]
    sound.end_self_test()  # in already: nothing more is reported
    assert len(reports) == 1
