"""The demo's circle fits inside the demo however long each heartbeat's step of session time
is: it opens earlier by what the steps may add to each change of speaker."""

from __future__ import annotations

import pytest

from groupkap.demo.circle_director import MIN, DemoCircleDirector
from groupkap.session import LiveSession


@pytest.fixture
def room(store, clock, source, settings):
    live = LiveSession.start(
        seat_count=6, clock=clock, source=source, store=store, settings=settings
    )
    for seat in range(1, 7):
        live.add_participant(f"P{seat}.", seat)
    return live


def run(director, clock, step_s: float, until: float) -> None:
    while clock.now() < until and director.circle is None:
        clock.advance(step_s)
        director.tick()


def test_on_a_slow_clock_the_circle_opens_at_its_planned_time(room, clock):
    end_at = clock.now() + 60 * MIN
    director = DemoCircleDirector(room, end_at, 60)
    assert director.start_at == end_at - 15 * MIN - 2 * MIN
    run(director, clock, 0.1, end_at)
    assert director.circle is not None
    assert director.start_at - 2.0 <= clock.now() <= director.start_at + 0.1


@pytest.mark.parametrize("step_s", [60.0, 180.0])
def test_on_a_fast_clock_it_opens_earlier_by_nine_steps_and_a_half(room, clock, step_s):
    began = clock.now()
    end_at = began + 60 * MIN
    director = DemoCircleDirector(room, end_at, 60)
    run(director, clock, step_s, end_at)
    # 6 speakers + the pass, opening and closing = 9 changes, each up to 1.5 steps late.
    opened = clock.now()
    assert director.step_s == pytest.approx(step_s)
    # The first beat measures no step; from the second on, the median of the steps seen.
    assert director.start_at - 9 * 1.5 * step_s - step_s < opened
    assert opened <= max(director.start_at - 9 * 1.5 * step_s, began + step_s) + step_s
