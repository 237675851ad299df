"""Fixtures for the core tests: a simulated clock, a real store in tmp_path, a tiny source."""

from __future__ import annotations

import math

import numpy as np
import pytest

from groupkap.clock import SimulatedClock
from groupkap.params import PLETH_RATE_HZ
from groupkap.readings import Reading, WaveformBlock
from groupkap.settings import Settings
from groupkap.store import Store

T0 = 1_700_000_000.0  # 2023-11-14T22:13:20Z, a fixed start so every run is the same


class SteadySource:
    """A deterministic VitalsSource: each seat sends HR and SpO2 every second and one
    1-second PLETH block of `PLETH_RATE_HZ` samples per second.

    The thing under test is the room and the store, not a simulator, so the values are
    plain arithmetic the tests can recompute.

    Attributes:
        name: what the session records as its source.
    """

    name = "steady"

    def __init__(self, start: float) -> None:
        self._start = start
        self._edge = start  # every whole second before this has been generated
        self._done_until: dict[int, float] = {}  # seat -> start of its next second

    @property
    def seats(self) -> tuple[int, ...]:
        return tuple(sorted(self._done_until))

    def add_seat(self, seat: int, dose_time: float | None = None) -> None:
        if seat in self._done_until:
            raise ValueError(f"seat {seat} is already sending")
        self._done_until[seat] = self._edge  # a seat joins from the next second on

    def remove_seat(self, seat: int) -> None:
        del self._done_until[seat]

    def move_seat(self, old: int, new: int) -> None:
        self._done_until[new] = self._done_until.pop(old)

    @staticmethod
    def pleth_samples(seat: int, t_start: float) -> np.ndarray:
        i = np.arange(PLETH_RATE_HZ, dtype=np.float64)
        return (0.5 + 0.4 * np.sin(2 * np.pi * (i / PLETH_RATE_HZ) + seat + t_start % 7)).astype(
            np.float32
        )

    def generate(self, until: float) -> tuple[list[Reading], list[WaveformBlock]]:
        readings: list[Reading] = []
        blocks: list[WaveformBlock] = []
        self._edge = max(self._edge, self._start + math.floor(until - self._start))
        for seat in self.seats:
            t = self._done_until[seat]
            while t + 1.0 <= self._edge:
                readings.append(Reading(seat, "HR", t, 60.0 + seat, "steady"))
                readings.append(Reading(seat, "SpO2", t, 97.0, "steady"))
                blocks.append(
                    WaveformBlock(
                        seat, "PLETH", t, PLETH_RATE_HZ, self.pleth_samples(seat, t), "steady"
                    )
                )
                t += 1.0
            self._done_until[seat] = t
        return readings, blocks


@pytest.fixture
def t0() -> float:
    """When every simulated session in these tests starts."""
    return T0


@pytest.fixture
def clock(t0) -> SimulatedClock:
    return SimulatedClock(start=t0, speed=0)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "groupkap.sqlite3"


@pytest.fixture
def store(db_path, clock):
    s = Store.open(db_path, clock)
    yield s
    s.close()


@pytest.fixture
def source(t0) -> SteadySource:
    return SteadySource(t0)


@pytest.fixture
def settings() -> Settings:
    return Settings()
