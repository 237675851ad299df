"""What a frame may cost (issue 17): in a steady room it restyles nothing (the alarm border
flashes by repainting, the protocol readout is quantised to what the tile shows), a style
sheet is set only when what it styles changes, the trends are redrawn a tile or so at a
time, and a plot keeps its own copy of the samples it will draw."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from groupkap.params import PLETH_RATE_HZ
from groupkap.protocol.config import DEFAULT_SCREENING
from groupkap.protocol.readout import shown_fraction
from groupkap.readings import Reading, WaveformBlock
from groupkap.room.buffers import SeatVitals

MIN = 60.0
FRAME_S = 0.04  # 25 fps
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
def late_room(qtbot, qapp, store, clock, settings, flash, new_session):
    """Six seats watched by the default limits and following the protocol, lights flashing
    by `flash`: (live session, main window)."""
    from groupkap.alarms.engine import AlarmEngine
    from groupkap.alarms.limits import default_limits
    from groupkap.protocol.group import Protocol
    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    apply_theme(qapp)
    live = new_session(6)
    live.watch_with(AlarmEngine(clock, default_limits(), live.record_event))
    live.follow_protocol(Protocol(clock, live.record_event, alarms=live.alarms))
    window = MainWindow(live, settings, db_path=str(store.path), flash_clock=flash)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    return live, window


@pytest.fixture
def restyles(monkeypatch):
    """Every style sheet set from Python, as (widget, sheet), while the test runs."""
    calls: list[tuple[QWidget, str]] = []
    original = QWidget.setStyleSheet

    def counted(widget, sheet):
        calls.append((widget, sheet))
        return original(widget, sheet)

    monkeypatch.setattr(QWidget, "setStyleSheet", counted)
    return calls


def dose(live, seat: int, t0: float) -> str:
    """Screen, ready, pre-dose BP and an IM dose at `t0` for the seat's person."""
    pid = live.room.on_seat(seat).id
    protocol = live.protocol
    protocol.complete_screening(pid, {r.id: False for r in DEFAULT_SCREENING}, "Dr Reyes")
    protocol.confirm_readiness(pid, READY_ITEMS, "RN Kim")
    protocol.record_bp(pid, 122, 78)
    protocol.give_dose(
        pid, route="IM", dose_mg=56, weight_kg=70, lot="L-77", given_by="RN Kim", t0=t0
    )
    return pid


def feed(live, clock, seconds: int, odd: dict[int, tuple[str, float]]) -> None:
    """A reading a second from every monitor: HR 70, or `odd[seat]` = (param, value)."""
    for _ in range(seconds):
        clock.advance(1)
        for seat, person in live.room.by_seat():
            name, value = odd.get(seat.number, ("HR", 70.0))
            live.vitals[person.id].add_reading(Reading(seat.number, name, clock.now(), value, "t"))
            live.alarms.observe(person.id, seat.number, name, clock.now(), value)
        live.alarms.tick()


def frames(window, clock, flash, count: int) -> list:
    """Draw `count` frames 40 ms apart on both clocks; the border colours of seat 1's tile."""
    borders = []
    for _ in range(count):
        clock.advance(FRAME_S)
        flash.t += FRAME_S
        window.grid.draw_frame()
        borders.append(window.grid.tiles[1].border_colour())
    return borders


def test_a_steady_room_with_alarms_flashing_restyles_nothing(late_room, clock, flash, restyles):
    live, window = late_room
    pid = dose(live, 2, clock.now() - 30 * MIN)
    feed(live, clock, 20, {1: ("SpO2", 86.0), 3: ("HR", 130.0)})  # high on 1, medium on 3
    window.grid.draw_frame(all_plots=True)
    assert window.grid.tiles[1].alarm.priority == "high"
    assert not window.grid.tiles[1].alarm.acknowledged
    tile = window.grid.tiles[2]
    readout = tile.protocol_readout
    observed = live.protocol.of(pid).observation_fraction(clock.now())
    restyles.clear()

    borders = frames(window, clock, flash, 50)  # two seconds

    assert restyles == []
    changes = sum(a != b for a, b in zip(borders, borders[1:]))
    assert changes >= 4  # the border flashed (about twice a second) all the while
    # Time passed, so the fraction of the observation time did; what the tile shows did not,
    # and the tile kept the readout it had (nothing on it was touched).
    assert live.protocol.of(pid).observation_fraction(clock.now()) > observed
    assert tile.protocol_readout is readout


def test_a_style_sheet_is_set_once_when_what_it_shows_changes(late_room, clock, flash, restyles):
    live, window = late_room
    grace = live.protocol.config.overdue_grace_min * MIN
    # The +40 min check falls overdue half a second from now.
    dose(live, 2, clock.now() - 40 * MIN - grace + 0.5)
    feed(live, clock, 0, {})
    window.grid.draw_frame(all_plots=True)
    next_due = window.grid.tiles[2].next_due
    assert window.grid.tiles[2].protocol_readout.overdue is False
    restyles.clear()

    frames(window, clock, flash, 25)  # one second: it turns overdue on the way

    assert window.grid.tiles[2].protocol_readout.overdue is True
    # Bold by a font of its own (ui/room/text.py), with no style sheet at all.
    assert next_due.font().bold() and next_due not in [w for w, _ in restyles]
    assert all([w for w, _ in restyles].count(w) == 1 for w, _ in restyles)
    restyles.clear()
    frames(window, clock, flash, 25)
    assert restyles == []


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [(-0.2, 0.0), (0.0, 0.0), (0.0099, 0.0), (0.01, 0.01), (0.29, 0.29), (0.999, 0.99)]
    + [(1.0, 1.0), (1.4, 1.0)],
)
def test_the_ring_shows_whole_per_cent_and_never_more_than_has_passed(fraction, shown):
    assert shown_fraction(fraction) == pytest.approx(shown)


def test_each_tiles_trend_is_redrawn_twice_a_second_a_tile_at_a_time(window, settings):
    grid = window.grid
    every = round(settings.frame_rate_hz / 2)
    cycle = [grid.trends_due(f) for f in range(every)]
    assert sorted(n for due in cycle for n in due) == sorted(grid.tiles)  # each once a cycle
    assert max(len(due) for due in cycle) == 1  # 10 tiles over 12 frames: never two at once
    assert cycle[0] == [1]
    assert grid.trends_due(every) == cycle[0]


def test_the_pleth_keeps_its_own_copy_of_what_it_draws(window):
    tile = window.grid.tiles[1]
    vitals = SeatVitals(1)

    def second(t: float, level: float) -> None:
        samples = np.full(PLETH_RATE_HZ, level, dtype=np.float32)
        vitals.add_block(WaveformBlock(1, "PLETH", t, PLETH_RATE_HZ, samples, "sim"))

    for s in range(12):
        second(100.0 + s, 0.5)
    t, v = vitals.pleth(102.0)
    tile.pleth.show(t, v, 112.0, stale=False)
    for s in range(12, 20):  # a fast heartbeat writes over what the view showed
        second(100.0 + s, 0.9)
    assert not np.all(v == 0.5)  # the buffer's view moved on ...
    _, drawn = tile.pleth.curve.getData()
    assert np.all(drawn == 0.5)  # ... what the plot will draw did not
