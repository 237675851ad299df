"""The demo closes with a sharing circle that fits inside its length, on the simulated clock.

Some speakers finish early (time returns to the pool), one passes and speaks at the end, one
runs over (and is never cut off), so a demo's log holds a full circle with its fairness
figures, and nothing of what was "said".
"""

from __future__ import annotations

import statistics
from collections import deque

from groupkap.circle.circle import OPENING, TURNS, Circle
from groupkap.session import LiveSession

MIN = 60.0
FACILITATOR = "Dr A. Demo"


def circle_length_s(minutes: float) -> float:
    """A fifth of the demo, between 15 and 40 minutes."""
    return max(15 * MIN, min(40 * MIN, minutes * MIN / 5))


class DemoCircleDirector:
    """Starts and runs the demo's circle.

    Attributes:
        start_at: session time the circle opens.
        circle: the circle once started, else None.
    """

    OPENING_S = 2 * MIN
    CLOSING_S = 2 * MIN

    def __init__(self, live: LiveSession, end_at: float, minutes: float) -> None:
        self.live = live
        self.length_s = circle_length_s(minutes)
        self.start_at = end_at - self.length_s - 2 * MIN  # ends with time to spare
        self.circle: Circle | None = None
        self._passed: set[str] = set()
        self._last: float | None = None
        self._steps: deque[float] = deque(maxlen=9)  # the last beats' steps of session time

    def opens_at(self) -> float:
        """When the circle opens: `start_at`, earlier by what the heartbeat's steps may add.

        Turns change only on a beat, so on a fast clock (600×: a minute of session time a
        beat, more on a busy machine) each change of speaker can come up to a step late; the
        circle opens that much earlier for each of its changes, so it still ends inside
        the demo instead of being cut off by its end."""
        changes = len(self.live.room.participants) + 3  # each turn, the pass, opening, closing
        return self.start_at - changes * 1.5 * self.step_s

    @property
    def step_s(self) -> float:
        """The session time one heartbeat takes: the median of the last few, so one slow
        beat (the start-up) does not count alone."""
        return statistics.median(self._steps) if self._steps else 0.0

    def tick(self) -> None:
        now = self.live.clock.now()
        if self._last is not None:
            self._steps.append(now - self._last)
        self._last = now
        if self.circle is None:
            if now >= self.opens_at() and len(self.live.room.participants) > 0:
                self._start()
            return
        c = self.circle
        if c.paused:
            return
        if c.phase == OPENING and c.elapsed_s >= self.OPENING_S:
            c.begin_turns()
        elif c.phase == TURNS and c.current is not None:
            self._speak(c)

    def _start(self) -> None:
        speakers = [(p.id, p.alias, p.seat) for _, p in self.live.room.by_seat() if p]
        self.circle = Circle(
            self.live.clock,
            speakers,
            total_s=self.length_s,
            opening_s=self.OPENING_S,
            closing_s=self.CLOSING_S,
            rounds=1,
            prompts=["check-in"],
            record=self.live.record_event,
            actor=FACILITATOR,
        )
        self.circle.start()
        self.live.circle = self.circle  # the window shows the session's circle

    def _speak(self, c: Circle) -> None:
        """The second speaker passes once; the third runs 40 s over; the rest finish early."""
        index = [s.participant_id for s in c.speakers].index(c.current.participant_id)
        share = max(1.0, c.fair_share_s)
        spoken = share - c.remaining_s
        if index == 1 and c.current.participant_id not in self._passed and spoken >= 10:
            self._passed.add(c.current.participant_id)
            c.pass_turn()
        elif index == 2 and c.remaining_s <= -40:
            c.next()
        elif index != 2 and spoken >= 0.7 * share:
            c.next()
