"""When the alarm self-test fails, the room is told across the top of the window, in the
high-alarm red, for as long as the window is open; and the session log says why."""

from __future__ import annotations

import json
from contextlib import closing

import pytest
from PySide6.QtGui import QColor

from groupkap.alarms.output_check import SelfTestResult
from ui.alarms.alarm_audio import AlarmAudio
from ui.app import _on_sound_tested
from ui.main_window import SOUND_FAILURE_TITLE
from ui.theme import ALARM_COLOURS

DUMMY = (
    "the alarm sound goes to libVLC's dummy output, which discards it "
    "(libVLC --aout=dummy): no one hears the alarms"
)


@pytest.fixture
def shown(window):
    window.resize(1600, 900)
    window.show()
    return window


def sound_tests(store) -> list[dict]:
    store.flush()
    with closing(store.reader()) as conn:
        return [
            json.loads(data)
            for (data,) in conn.execute(
                "select data from v_events where kind = 'alarm.sound_tested' order by rowid"
            )
        ]


def banner_colour(window) -> QColor:
    banner = window.sound_banner
    spot = banner.mapTo(window, banner.rect().center())
    spot.setX(banner.mapTo(window, banner.rect().topLeft()).x() + 4)  # left padding, no text
    return QColor(window.grab().toImage().pixel(spot))


def test_no_banner_until_a_self_test_fails(shown):
    assert not shown.sound_banner.isVisible()


def test_a_failed_self_test_is_logged_and_bannered_in_high_red(qtbot, shown, room10, store):
    _on_sound_tested(
        room10, shown, "dummy output (offscreen)", SelfTestResult.failed(DUMMY).as_event()
    )

    assert sound_tests(store) == [
        {
            "low": False,
            "medium": False,
            "high": False,
            "ok": False,
            "problem": DUMMY,
            "device": "dummy output (offscreen)",
        }
    ]
    banner = shown.sound_banner
    assert banner.isVisible()
    assert banner.text() == f"{SOUND_FAILURE_TITLE}\n{DUMMY}"
    assert "Alarm sound not working — watch the screen" in banner.text()
    assert banner.y() == 0 and banner.width() == shown.centralWidget().width()
    assert shown.alarm_bar is None or banner.y() < shown.alarm_bar.y()
    assert banner_colour(shown) == QColor(ALARM_COLOURS["high"])


def test_the_banner_does_not_go_away_by_itself(qtbot, shown, room10):
    shown.show_sound_failure(DUMMY)
    shown.show_error("a later, unrelated problem")  # the status line changes...
    for _ in range(3):
        room10.clock.advance(60)
        room10.pump()
        shown.grid.draw_frame()
    qtbot.wait(700)  # ...and the window's own timers run: the banner has none
    assert shown.sound_banner.isVisible()
    assert shown.sound_banner.text().endswith(DUMMY)


def test_a_passing_self_test_is_logged_without_a_banner(shown, room10, store):
    heard = SelfTestResult({"low": True, "medium": True, "high": True})
    _on_sound_tested(room10, shown, "headset", heard.as_event())
    assert sound_tests(store) == [
        {"low": True, "medium": True, "high": True, "ok": True, "problem": "", "device": "headset"}
    ]
    assert not shown.sound_banner.isVisible()


def test_a_sound_that_cannot_be_set_up_gets_the_same_banner_and_log(
    qtbot, tmp_path, shown, room10, store
):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    sound = AlarmAudio(blocked / "alarm-sounds", None)  # the bursts cannot be written
    assert sound.burst_player is None and sound.problem.startswith("alarm sound unavailable: ")
    sound.bridge.finished.connect(
        lambda result: _on_sound_tested(room10, shown, "system default", result)
    )
    with qtbot.waitSignal(sound.bridge.finished, timeout=1_000):
        sound.start_self_test()

    [logged] = sound_tests(store)
    assert logged["ok"] is False and logged["problem"] == sound.problem
    assert (logged["low"], logged["medium"], logged["high"]) == (False, False, False)
    assert shown.sound_banner.isVisible()
    assert shown.sound_banner.text() == f"{SOUND_FAILURE_TITLE}\n{sound.problem}"
