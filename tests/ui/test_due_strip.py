"""The due strip above the grid: what falls due for the whole room, from a real session's
protocol, in order, changing as the simulated clock moves; readable and never overflowing."""

from __future__ import annotations

import pytest

from groupkap.protocol.config import DEFAULT_SCREENING
from groupkap.protocol.group import Protocol
from ui import theme
from ui.room.due_strip import DueStrip

MIN = 60.0
READY_ITEMS = {
    "consent_current": True,
    "fasting_confirmed": True,
    "ride_home_name": "Sam Lee",
    "ride_home_phone": "+44 20 7946 0000",
    "intention": "to rest",
    "touch_consent": False,
    "music_choice": "silence",
}


@pytest.fixture
def live(new_session, clock):
    """A 6-seat session (simulator, SQLite store) following the protocol; no ticks, so no
    cuff reading fills a check behind the test's back."""
    live = new_session(6)
    live.follow_protocol(Protocol(clock, live.record_event, live.settings.protocol))
    return live


@pytest.fixture
def strip(qtbot, qapp, live):
    theme.apply_theme(qapp)
    strip = DueStrip(live.protocol, live.room, live.clock.now, live.latest_spo2)
    qtbot.addWidget(strip)
    strip.resize(1900, strip.height())
    strip.show()
    qtbot.waitExposed(strip)
    return strip


def dose(live, seat: int, minutes_ago: float) -> str:
    """Screen, ready, pre-dose BP and an IM dose given `minutes_ago` for the seat's person."""
    pid = live.room.on_seat(seat).id
    protocol = live.protocol
    protocol.complete_screening(pid, {r.id: False for r in DEFAULT_SCREENING}, "Dr Reyes")
    protocol.confirm_readiness(pid, READY_ITEMS, "RN Kim")
    protocol.record_bp(pid, 122, 78)
    protocol.give_dose(
        pid,
        route="IM",
        dose_mg=56,
        weight_kg=70,
        lot="L-77",
        given_by="RN Kim",
        t0=live.clock.now() - minutes_ago * MIN,
    )
    return pid


def shown(strip) -> list[str]:
    return [chip.text() for chip in strip.visible_chips()]


def test_nothing_due_says_so_with_the_horizon(strip):
    strip.refresh()
    assert strip.visible_chips() == []
    assert strip.empty.isVisible()
    assert strip.empty.text() == "nothing due in the next 15 min"


def test_overdue_first_then_soonest_and_it_moves_with_the_clock(strip, live, clock):
    dose(live, 4, 50)  # its +40 check is 10 min late
    dose(live, 2, 30)  # +40 in 10 min
    dose(live, 5, 30)  # the same minute as seat 2: seat 2 first
    strip.refresh()
    assert shown(strip) == [
        "⚠ 4 · S.T. · BP +40 min · 10 min overdue",
        "4 · S.T. · BP +55 min · in 5 min",
        "2 · A.R. · BP +40 min · in 10 min",
        "5 · D.P. · BP +40 min · in 10 min",
    ]
    assert not strip.empty.isVisible()
    assert strip.toolTip().splitlines() == shown(strip)

    clock.advance(5 * MIN)
    strip.refresh()
    assert shown(strip) == [
        "⚠ 4 · S.T. · BP +40 min · 15 min overdue",
        "4 · S.T. · BP +55 min · due now",
        "2 · A.R. · BP +40 min · in 5 min",
        "5 · D.P. · BP +40 min · in 5 min",
        "4 · S.T. · BP +70 min · in 15 min",  # exactly at the horizon
    ]
    clock.advance(1)  # seat 4's +40 window has closed: missed, off the strip
    strip.refresh()
    assert shown(strip)[0] == "4 · S.T. · BP +55 min · due now"
    # a BP by hand back near baseline fills seat 2's check: its chip goes
    live.protocol.record_bp(live.room.on_seat(2).id, 124, 80)
    strip.refresh()
    assert shown(strip) == [
        "4 · S.T. · BP +55 min · due now",
        "5 · D.P. · BP +40 min · in 5 min",
        "4 · S.T. · BP +70 min · in 15 min",
    ]


def test_overdue_chips_are_medium_yellow_and_marked(strip, live):
    dose(live, 4, 50)
    dose(live, 2, 30)
    strip.refresh()
    late, soon = strip.visible_chips()[:2]
    medium = theme.ALARM_COLOURS["medium"]
    assert medium in late.styleSheet() and late.text().startswith("⚠")
    assert medium not in soon.styleSheet() and not soon.text().startswith("⚠")
    image = strip.grab().toImage()
    assert any(
        image.pixelColor(x, late.y() + 1).name() == medium
        for x in range(late.x(), late.x() + late.width())
    )


def test_text_is_readable_from_the_chair(strip, live):
    dose(live, 2, 30)
    strip.refresh()
    for label in [strip.title, strip.more, strip.empty, *strip.visible_chips()]:
        label.ensurePolished()
        assert label.font().pixelSize() >= theme.px(theme.MIN_READABLE_PX)


def test_a_refresh_that_brings_nothing_new_touches_no_chip(strip, live, clock, monkeypatch):
    dose(live, 2, 30)
    strip.refresh()
    calls = []
    for label in [*strip.chips, strip.more, strip.empty]:
        for name in ("setText", "setStyleSheet", "setVisible", "setToolTip"):
            monkeypatch.setattr(label, name, lambda *a, name=name: calls.append(name))
    clock.advance(20)  # still "in 10 min" and "in 25 min": the same text
    strip.refresh()
    assert calls == []
    clock.advance(40)  # a minute on: the text changes, and only then is it set
    strip.refresh()
    assert "setText" in calls and "setStyleSheet" not in calls


def test_chips_that_do_not_fit_go_behind_more_with_the_full_list_in_the_tooltip(strip, live, qtbot):
    for seat in range(1, 7):
        dose(live, seat, 30 + seat)
    strip.refresh()
    everything = strip.toolTip().splitlines()
    assert len(everything) == len(strip.items) == 6
    strip.resize(900, strip.height())
    qtbot.waitUntil(lambda: strip.more.isVisible())
    visible = strip.visible_chips()
    assert 0 < len(visible) < 6
    assert strip.more.text() == f"+{6 - len(visible)} more"
    assert [c.text() for c in visible] == everything[: len(visible)]
    right = max(c.geometry().right() for c in visible + [strip.more])
    assert right <= strip.width()
    # narrower than one chip: the most urgent one, elided, never clipped
    strip.resize(420, strip.height())
    qtbot.waitUntil(lambda: len(strip.visible_chips()) == 1, timeout=1000)
    [first] = strip.visible_chips()
    assert first.text().endswith("…") and first.toolTip() == everything[0]
    assert first.geometry().right() <= strip.width()


def test_screenshot_of_the_strip(strip, live, clock, tmp_path):
    """For a person to look at: saved as due_strip.png under the test's tmp_path."""
    dose(live, 4, 50)
    dose(live, 2, 30)
    dose(live, 5, 105)
    live.protocol.record_bp(live.room.on_seat(5).id, 124, 80, t=clock.now() - 65 * MIN)
    strip.refresh()
    path = tmp_path / "due_strip.png"
    assert strip.grab().save(str(path))
    assert path.stat().st_size > 0
