"""The alarm sound opens on a worker thread (issue 17: the bursts' synthesis and libVLC's
start held the room's GUI thread for up to 0.6 s): a cue raised while it opens sounds once
the player is ready, the self-test runs once it is open, a failure to open reaches the room
(banner and log) as soon as it is known, and a room that closes meanwhile never waits for
it nor gets it."""

from __future__ import annotations

import json
import threading
from contextlib import closing

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from groupkap.alarms.model import SoundCue
from groupkap.alarms.output_check import SelfTestResult
from ui.alarms.alarm_audio import AlarmAudio, unfinished_event
from ui.room_sound import room_alarm_sound

PASSED = SelfTestResult({"low": True, "medium": True, "high": True}, "")


class SlowPlayer:
    """Stands in for libVLC's AlarmBurstPlayer: opening it holds until `gate` is set."""

    gate = threading.Event()
    made: list[SlowPlayer] = []

    def __init__(self, files, *, device=None, vlc_args=None) -> None:
        SlowPlayer.gate.wait(10.0)
        self.thread = threading.current_thread()
        self.played: list[str] = []
        self.closed = False
        SlowPlayer.made.append(self)

    def play(self, priority: str) -> bool:
        self.played.append(priority)
        return True

    def self_test(self) -> SelfTestResult:
        return PASSED

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> SlowPlayer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


@pytest.fixture
def slow(monkeypatch):
    monkeypatch.setattr("groupkap.alarms.burst_player.AlarmBurstPlayer", SlowPlayer)
    monkeypatch.setattr("groupkap.alarms.burst_files.ensure_bursts", lambda folder: {})
    SlowPlayer.gate = threading.Event()
    SlowPlayer.made = []
    yield SlowPlayer
    SlowPlayer.gate.set()  # no worker outlives its test


def test_a_cue_raised_while_the_player_opens_sounds_once_it_is_ready(qtbot, tmp_path, slow):
    sound = AlarmAudio(tmp_path / "sounds", None, deferred=True)
    reports: list[dict] = []
    sound.bridge.finished.connect(reports.append)

    sound.start_self_test()  # returns at once: the player is opening on its worker
    assert sound.play([SoundCue("low")]) is None
    assert sound.play([SoundCue("high"), SoundCue("medium")]) is None
    assert sound.burst_player is None and slow.made == [] and reports == []

    slow.gate.set()
    qtbot.waitUntil(lambda: sound.burst_player is not None, timeout=5_000)
    player = slow.made[0]
    assert player.thread is not threading.main_thread()
    assert player.played == ["high"]  # the highest cue that waited, once
    qtbot.waitUntil(lambda: reports != [], timeout=5_000)  # then the self-test, as before
    assert reports == [PASSED.as_event()]
    sound.play([SoundCue("medium")])  # from now on, at once
    assert player.played == ["high", "medium"]
    sound.close()


def test_a_sound_that_cannot_open_is_bannered_and_logged_once_known(
    qtbot, monkeypatch, slow, window, room10, store
):
    def no_room(folder):
        raise OSError("No space left on device")

    monkeypatch.setattr("groupkap.alarms.burst_files.ensure_bursts", no_room)
    sound = room_alarm_sound(room10, window, "headset", offscreen=False)

    with qtbot.waitSignal(sound.bridge.finished, timeout=5_000):
        sound.start_self_test()

    assert sound.problem == "alarm sound unavailable: No space left on device"
    assert not window.sound_banner.isHidden()
    assert window.sound_banner.text().endswith(sound.problem)
    store.flush()
    with closing(store.reader()) as conn:
        (data,) = conn.execute(
            "select data from v_events where kind = 'alarm.sound_tested'"
        ).fetchone()
    tested = json.loads(data)
    assert (tested["ok"], tested["problem"]) == (False, sound.problem)
    sound.close()


def test_a_room_that_ends_while_the_player_opens_neither_waits_nor_gets_it(qtbot, tmp_path, slow):
    sound = AlarmAudio(tmp_path / "sounds", None, deferred=True)
    reports: list[dict] = []
    sound.bridge.finished.connect(reports.append)
    sound.start_self_test()
    sound.play([SoundCue("high")])

    sound.end_self_test()  # the worker is still held in libVLC's start: no waiting
    sound.close()
    assert reports == [unfinished_event()]

    slow.gate.set()
    sound._opening.join(10.0)
    QApplication.sendPostedEvents(None, QEvent.Type.MetaCall)  # a queued hand-in would run
    (player,) = slow.made
    assert player.closed and player.played == []  # closed on its worker, never sounded
    assert sound.burst_player is None and reports == [unfinished_event()]
