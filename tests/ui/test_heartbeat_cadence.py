"""The heartbeat keeps its cadence when a frame is slow: a beat that falls due while the
grid draws runs between two tiles (the tiles after it show what it took in), once, and the
next is armed on the fixed schedule; a frame never ends the session under itself."""

from __future__ import annotations

import pytest

from ui.room_run import PUMP_INTERVAL_MS, RoomRun, next_due

HOUR_MS = 3_600_000


def numerics(window, seat: int) -> list[str]:
    return [n.text for n in window.grid.tiles[seat].readout.numerics[:2]]


class RealTime:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def real():
    return RealTime()


@pytest.fixture
def run(room, real):
    live, window = room
    run = RoomRun(live, window, None, None, real_clock=real)
    run.start()
    yield run
    run.finish("test over")


def test_a_beat_due_while_a_frame_draws_runs_between_tiles_once(room, clock, run, real):
    live, window = room
    assert numerics(window, 1) == ["--", "--"]  # nothing taken in yet
    clock.advance(30)  # 30 s of monitor data waiting
    real.t += PUMP_INTERVAL_MS / 1000
    run.pump_timer.start(0)  # the beat is due now, and a frame is drawing
    beats, readings = run.beats, live.totals.readings
    window.grid.draw_frame()
    assert run.frame_beats == 1 and run.beats == beats + 1
    assert live.totals.readings > readings
    assert numerics(window, 1) != ["--", "--"]  # the tiles after the beat show its data
    # The timer is armed for the next due time, so the same beat does not run again.
    assert run.pump_timer.isActive() and 0 < run.pump_timer.remainingTime() <= PUMP_INTERVAL_MS
    window.grid.draw_frame()
    assert run.beats == beats + 1


def test_a_frame_runs_no_beat_before_it_is_due(room, clock, run):
    live, window = room
    run.pump_timer.start(HOUR_MS)
    clock.advance(30)
    beats = run.beats
    window.grid.draw_frame()
    assert run.beats == beats and run.frame_beats == 0
    assert numerics(window, 1) == ["--", "--"]


def test_at_the_end_a_frame_leaves_the_ending_to_the_timer(room, clock):
    live, window = room
    run = RoomRun(live, window, clock.now() + 10, None)
    run.start()
    try:
        clock.advance(10)  # the end time is reached
        run.pump_timer.start(0)
        beats = run.beats
        window.grid.draw_frame()
        assert run.beats == beats and not run.finished
    finally:
        run.finish("test over")


def test_the_next_beat_is_due_on_the_fixed_schedule():
    assert next_due(10.0, 10.05, 0.1) == pytest.approx(10.1)  # on time: one interval on
    assert next_due(10.0, 10.099, 0.1) == pytest.approx(10.1)  # late: the schedule holds
    assert next_due(10.0, 10.1, 0.1) == pytest.approx(10.2)  # a whole interval late: skipped
    assert next_due(10.0, 10.35, 0.1) == pytest.approx(10.4)


def test_a_heartbeat_stopped_from_outside_stays_stopped_when_fired_by_hand(room, clock, run):
    # What scripts/bench/room_frame.py does: stop the window's timers and fire them itself.
    run.pump_timer.stop()
    beats = run.beats
    run.pump_timer.timeout.emit()
    assert run.beats == beats + 1
    assert not run.pump_timer.isActive()
