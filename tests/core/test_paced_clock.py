"""A fast demo never builds a backlog: the simulated clock is held a bounded span past what
the session has taken in, so at a speed the machine cannot keep it waits for the work (and
says how fast it really ran), and `--minutes` ends exactly at the end time. Real time is a
fake the tests move, so every figure is exact."""

from __future__ import annotations

import pytest

from groupkap.clock import SimulatedClock
from groupkap.session import PUMP_SPAN_MAX_S, LiveSession
from groupkap.settings import Settings
from groupkap.store import Store
from tests.core.conftest import SteadySource

BEAT_S = 0.1  # the window's heartbeat interval, real seconds


class RealTime:
    """Real time as the clock sees it, moved by the test (the beats and their work)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class SlowSource(SteadySource):
    """The steady source, whose generating costs `cost_s` real seconds per session second
    (a machine that takes in about 1 / cost_s session seconds per second)."""

    def __init__(self, start: float, real: RealTime, cost_s: float) -> None:
        super().__init__(start)
        self.real, self.cost_s, self.edge = real, cost_s, start

    def generate(self, until):
        self.real.t += max(0.0, until - self.edge) * self.cost_s
        self.edge = max(self.edge, until)
        return super().generate(until)


def run_room(tmp_path, t0, speed: float, minutes: float, cost_s: float):
    """A room run the way the window runs it: a beat every BEAT_S of real time until the
    clock reaches the end, then the clock stopped and the last readings taken. Returns the
    span of session time each pump took in, the last pump's time, and the clock."""
    real = RealTime()
    clock = SimulatedClock(start=t0, speed=0, real=real)
    source = SlowSource(t0, real, cost_s)
    store = Store.open(tmp_path / "paced.sqlite3", clock)
    try:
        live = LiveSession.start(
            seat_count=3, clock=clock, source=source, store=store, settings=Settings(), speed=speed
        )
        live.add_participant("M.K.", 1)
        end_at = t0 + minutes * 60
        clock.end_at(end_at)
        clock.run(speed)
        taken = [live.pump().until]
        while clock.now() < end_at:
            real.t += BEAT_S
            taken.append(live.tick().until)
        clock.stop()
        taken.append(live.pump().until)
        store.flush()
    finally:
        store.close()
    spans = [b - a for a, b in zip(taken, taken[1:])]
    return spans, taken[-1], end_at, clock


@pytest.mark.parametrize("speed", [3600.0, 14400.0])
def test_a_speed_the_machine_cannot_keep_waits_for_the_work_and_ends_on_time(tmp_path, t0, speed):
    # This machine takes in 500 session seconds per real second of work at most (less
    # with the beats' idle time between).
    spans, last, end_at, clock = run_room(tmp_path, t0, speed, minutes=30, cost_s=0.002)
    assert max(spans) <= PUMP_SPAN_MAX_S
    assert last == end_at  # the session ends at its end time, not a pump past it
    assert 300 < clock.real_speed < 600  # as fast as it can, and it says so


def test_a_speed_the_machine_keeps_is_not_held(tmp_path, t0):
    spans, last, end_at, clock = run_room(tmp_path, t0, 60.0, minutes=5, cost_s=0.0001)
    assert clock.real_speed == pytest.approx(60.0, rel=0.01)  # the last beat waits at the end
    assert last == end_at
    assert max(spans) <= 60 * BEAT_S * 1.01 + 1


def test_a_held_clock_goes_on_from_the_hold_not_from_where_it_would_have_been(t0):
    real = RealTime()
    clock = SimulatedClock(start=t0, speed=100, real=real)
    clock.hold_at(t0 + 10)
    real.t += 1.0  # 100 s of running, held at 10
    assert clock.now() == t0 + 10
    real.t += 1.0
    assert clock.now() == t0 + 10
    clock.hold_at(t0 + 50)
    real.t += 0.1
    assert clock.now() == pytest.approx(t0 + 20)  # on from the hold, no jump
    assert clock.real_speed == pytest.approx(20 / 2.1)
    clock.advance(100)  # an explicit step is never held ...
    assert clock.now() == pytest.approx(t0 + 120)
    real.t += 1.0
    assert clock.now() == pytest.approx(t0 + 120)  # ... but running stays where it is


def test_the_end_holds_whatever_the_pace(t0):
    real = RealTime()
    clock = SimulatedClock(start=t0, speed=0, real=real)
    clock.end_at(t0 + 600)
    clock.run(14400)
    clock.hold_at(t0 + 10_000)
    real.t += 5.0
    assert clock.now() == t0 + 600
    assert clock.stop() == t0 + 600
