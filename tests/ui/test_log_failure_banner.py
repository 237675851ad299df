"""A session log that stops being written is a banner and a high technical alarm for the
room, at once; both go when it is written again. Driven by a real store whose file is
deleted under it."""

from __future__ import annotations

import pytest

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import default_limits
from groupkap.store import Store
from ui.app import LOG_NOT_WRITTEN, _on_log_failed, _on_log_recovered
from ui.bridges import StoreBridge
from ui.main_window import LOG_FAILURE_TITLE, MainWindow


@pytest.fixture
def failing_room(qtbot, qapp, tmp_path, clock, settings, session_on):
    bridge = StoreBridge()
    path = tmp_path / "g.sqlite3"
    store = Store.open(path, clock, on_error=bridge.report, on_recovered=bridge.recovered)
    live = session_on(store, clock, settings, 3)
    live.watch_with(AlarmEngine(clock, default_limits(), live.record_event))
    window = MainWindow(live, settings, db_path=str(path))
    qtbot.addWidget(window)
    bridge.write_failed.connect(lambda reason: _on_log_failed(live, window, reason))
    bridge.write_recovered.connect(lambda: _on_log_recovered(live, window))
    window.show()
    yield live, window, bridge, path
    store.close()


def test_a_deleted_log_raises_the_banner_and_a_high_room_alarm(qtbot, failing_room):
    live, window, bridge, path = failing_room
    assert not window.log_banner.isVisible()
    with qtbot.waitSignal(bridge.write_failed, timeout=5000):
        path.unlink()
    assert window.log_banner.isVisible()
    assert window.log_banner.text() == (
        f"{LOG_FAILURE_TITLE}\nthe database file {path} was deleted"
    )
    alarm = live.alarms.alarms[f"room:{LOG_NOT_WRITTEN}"]
    assert (alarm.priority, alarm.technical) == ("high", True)
    window.grid.draw_frame()
    window.alarm_bar.refresh()
    assert "the room" in window.alarm_bar.alarm_list.item(0).text()

    _on_log_recovered(live, window)
    assert not window.log_banner.isVisible()
    assert f"room:{LOG_NOT_WRITTEN}" not in live.alarms.alarms
