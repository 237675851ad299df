"""The embedded default vitals source: a deterministic room of simulated bedside monitors.

Each seat has its own random stream, seeded from (seed, seat, the second it joined), and
state carried from one simulated second to the next: slow random walks around the
participant's baseline, the phase of the heartbeat and of the breath. Output therefore
depends only on the seed and the scenario, never on how often `generate` is called: a demo
running at 60x speed and a test stepping two hours at once see the same session.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from groupkap.errors import BadInputError
from groupkap.params import PLETH_RATE_HZ
from groupkap.readings import Reading, WaveformBlock
from groupkap.room.model import MAX_SEATS
from groupkap.sources.sim_profiles import (
    SCENARIOS,
    VITALS,
    Baseline,
    SeatContext,
    Vitals,
    build_profile,
)

__all__ = ["SCENARIOS", "Simulator"]

FIRST_DOSE_S = 120.0
DOSE_STAGGER_S = 180.0
FIRST_NIBP_S = 15.0
NIBP_STAGGER_S = 20.0
_WHOLE_SECOND_SLACK = 1e-6  # `until - start` may miss a whole second by float rounding

# Slow variation around the baseline: (standard deviation, time constant in s) of the
# Ornstein-Uhlenbeck walks for HR, SpO2, RR, SBP, DBP (the order of VITALS), then the pleth
# amplitude and wander.
_WALKS = (
    (2.5, 180.0),
    (0.5, 60.0),
    (1.0, 120.0),
    (1.2, 900.0),
    (0.8, 900.0),
    (0.03, 20.0),
    (0.02, 8.0),
)
_DECAY = tuple(math.exp(-1.0 / tau) for _, tau in _WALKS)
_KICK = tuple(sd * math.sqrt(1.0 - d * d) for (sd, _), d in zip(_WALKS, _DECAY))
# Per-second noise columns: the 7 walks, then HR beat-to-beat, RR, SBP and DBP measurement.
_HR_NOISE, _RR_NOISE, _SBP_NOISE, _DBP_NOISE = 7, 8, 9, 10
_NOISE_COLUMNS = 11
_NOISE_SD = {"HR": 0.7, "RR": 0.5, "SBP": 1.5, "DBP": 1.0}  # beat-to-beat / cuff scatter
_PLETH_AMPLITUDE = 0.8


def _pulse_table(points: int = 1001) -> tuple[np.ndarray, np.ndarray]:
    """One heartbeat of a fingertip pleth over phase 0..1, scaled to 0..1.

    Fast systolic upstroke to a peak at 0.15, a dicrotic notch near 0.35, the small
    diastolic wave, then a slow run-off back to the foot; foot to foot it is periodic.
    """
    x = np.linspace(0.0, 1.0, points)

    def gauss(centre: float, width: float, at: np.ndarray | float) -> np.ndarray:
        return np.exp(-0.5 * ((at - centre) / width) ** 2)

    peak = 0.15
    foot = gauss(peak, 0.05, 0.0)
    systolic = np.where(
        x < peak, (gauss(peak, 0.05, x) - foot) / (1.0 - foot), gauss(peak, 0.08, x)
    )
    diastolic = 0.22 * gauss(0.42, 0.05, x)
    runoff_end = 0.5 * math.exp(-(1.0 - peak) / 0.45)
    rise = np.clip(x / peak, 0.0, 1.0)
    runoff = np.where(
        x < peak,
        runoff_end + (0.5 - runoff_end) * rise * rise * (3.0 - 2.0 * rise),
        0.5 * np.exp(-(x - peak) / 0.45),
    )
    wave = systolic + diastolic + runoff
    return x, (wave - wave.min()) / (wave.max() - wave.min())


# A lookup table rather than exp/sin per sample: faster, and a table lookup is exact per
# element, so a sample never depends on the length of the array it was computed in. The
# beat tiles several periods because a second can hold up to 250/60 beats past its start.
_TABLE_SIZE = 4096
_PULSE_TABLE = np.tile(np.interp(np.arange(_TABLE_SIZE) / _TABLE_SIZE, *_pulse_table()), 6).astype(
    np.float32
)
_SINE_X = np.linspace(0.0, 1.0, 1025)
_SINE_Y = np.sin(2.0 * np.pi * _SINE_X)
_SAMPLE_FRACTION = np.arange(PLETH_RATE_HZ) / PLETH_RATE_HZ
_SAMPLE_FRACTION32 = _SAMPLE_FRACTION.astype(np.float32)
_MAX_HR = 250.0


@dataclass
class _Chunk:
    """One seat's output for a run of whole seconds, ready to interleave with other seats."""

    seat: int
    live: int  # leading seconds before the seat fell silent
    hr: list[float]
    spo2: list[float]
    rr: list[float]
    nibp: dict[int, list[tuple[float, float, float, float]]]  # second -> (t, SBP, DBP, MAP)
    pleth: np.ndarray  # (live, PLETH_RATE_HZ) float32, read-only


class _SeatMonitor:
    """One simulated monitor: its random stream and the state it carries between seconds.

    Attributes:
        seat: the seat number.
        t0: the participant's dose time (UTC epoch seconds).
        baseline: resting vitals drawn from the seat's stream.
        profile: what the scenario does to this seat.
    """

    def __init__(
        self,
        seat: int,
        *,
        index: int | None,
        seat_count: int,
        begin_s: int,
        start: float,
        t0: float,
        nibp_first_s: float,
        nibp_interval_s: float,
        seed: int,
        scenario: str,
        sensor_off_after_s: float,
    ) -> None:
        self.seat = seat
        self.t0 = t0
        self._start = start
        self._rng = np.random.default_rng([seed, seat, begin_s])
        self.baseline = Baseline.draw(self._rng)
        self.profile = build_profile(
            scenario, SeatContext(index, seat_count, self._rng, sensor_off_after_s)
        )
        sds = np.array([sd for sd, _ in _WALKS])
        self._walks = (sds * self._rng.standard_normal(len(_WALKS))).tolist()
        self._beat, self._breath = (float(p) for p in self._rng.uniform(size=2))
        self._nibp_first_s = nibp_first_s
        self._nibp_interval_s = nibp_interval_s
        self._nibp_count = 0

    def step(self, s0: int, n: int) -> _Chunk:
        """Advance n seconds from second s0 (counted from the session start)."""
        since_start = np.arange(s0, s0 + n, dtype=np.float64)
        noise = self._rng.standard_normal((n, _NOISE_COLUMNS))
        walks = self._walk(noise[:, : len(_WALKS)].tolist())  # (n + 1, walks)
        vitals = Vitals(
            {p: np.full(n, self.baseline.value(p)) for p in VITALS},
            {p: walks[:n, i] for i, p in enumerate(VITALS)},
        )
        self.profile.apply(vitals, since_start, (self._start + since_start) - self.t0)

        hr_true = np.clip(vitals.total("HR"), 30.0, _MAX_HR)
        rr_true = np.maximum(vitals.total("RR"), 4.0)
        spo2 = np.clip(np.rint(vitals.total("SpO2")), 50.0, 100.0)
        hr = np.clip(np.rint(hr_true + _NOISE_SD["HR"] * noise[:, _HR_NOISE]), 30.0, _MAX_HR)
        rr = np.clip(np.rint(rr_true + _NOISE_SD["RR"] * noise[:, _RR_NOISE]), 4.0, 60.0)
        sbp = vitals.total("SBP") + _NOISE_SD["SBP"] * noise[:, _SBP_NOISE]
        dbp = vitals.total("DBP") + _NOISE_SD["DBP"] * noise[:, _DBP_NOISE]

        silent = self.profile.silent_from_s
        live = n if math.isinf(silent) else max(0, min(n, math.ceil(silent) - s0))
        beats, self._beat = _phases(self._beat, hr_true / 60.0)
        breaths, self._breath = _phases(self._breath, rr_true / 60.0)
        pleth = self._pleth(
            beats[:live],
            hr_true[:live] / 60.0,
            breaths[: live + 1],
            walks[: live + 1, 5],
            walks[: live + 1, 6],
        )
        return _Chunk(
            self.seat,
            live,
            hr.tolist(),
            spo2.tolist(),
            rr.tolist(),
            self._nibp(s0, n, live, sbp, dbp),
            pleth,
        )

    def _walk(self, noise: list[list[float]]) -> np.ndarray:
        """The walks' values at the start of each second and after the last one."""
        d0, d1, d2, d3, d4, d5, d6 = _DECAY
        k0, k1, k2, k3, k4, k5, k6 = _KICK
        x0, x1, x2, x3, x4, x5, x6 = self._walks
        rows = [self._walks]
        append = rows.append
        for z0, z1, z2, z3, z4, z5, z6 in noise:  # unrolled: this loop is the hot spot
            x0, x1, x2 = x0 * d0 + k0 * z0, x1 * d1 + k1 * z1, x2 * d2 + k2 * z2
            x3, x4 = x3 * d3 + k3 * z3, x4 * d4 + k4 * z4
            x5, x6 = x5 * d5 + k5 * z5, x6 * d6 + k6 * z6
            append((x0, x1, x2, x3, x4, x5, x6))
        self._walks = list(rows[-1])
        return np.array(rows)

    def _nibp(
        self, s0: int, n: int, live: int, sbp: np.ndarray, dbp: np.ndarray
    ) -> dict[int, list[tuple[float, float, float, float]]]:
        """Cuff readings due in these seconds; a silent seat misses its cycles."""
        out: dict[int, list[tuple[float, float, float, float]]] = {}
        while True:
            due = self._nibp_first_s + self._nibp_count * self._nibp_interval_s
            i = math.floor(due) - s0
            if i >= n:
                return out
            self._nibp_count += 1
            if 0 <= i < live:
                s = float(round(sbp[i]))
                d = float(min(round(dbp[i]), s - 15.0))
                mean = float(round(d + (s - d) / 3))
                out.setdefault(i, []).append((self._start + due, s, d, mean))

    @staticmethod
    def _pleth(
        beats: np.ndarray,
        beat_rate: np.ndarray,
        breaths: np.ndarray,
        amplitude: np.ndarray,
        wander: np.ndarray,
    ) -> np.ndarray:
        """PLETH_RATE_HZ samples per second, every sample from its own second's state only.

        `beats` and `beat_rate` have one value per second; `breaths`, `amplitude` and
        `wander` one more (the state after the last second), because breathing, pulse
        amplitude and baseline change slowly enough to move linearly within a second.
        """
        beat_phase = beats[:, None] + beat_rate[:, None] * _SAMPLE_FRACTION
        pulse = _PULSE_TABLE[(beat_phase * _TABLE_SIZE).astype(np.intp)]
        breath = np.interp(breaths, _SINE_X, _SINE_Y)
        gain = (_PLETH_AMPLITUDE + amplitude) * (1.0 + 0.05 * breath)
        level = 0.1 + wander + 0.03 * breath
        frac = _SAMPLE_FRACTION32
        gain0, gain_step = (a[:, None].astype(np.float32) for a in (gain[:-1], np.diff(gain)))
        level0, level_step = (a[:, None].astype(np.float32) for a in (level[:-1], np.diff(level)))
        samples = (gain0 + gain_step * frac) * pulse
        samples += level0 + level_step * frac
        np.clip(samples, -0.15, 1.15, out=samples)
        samples.flags.writeable = False
        return samples


class Simulator:
    """Simulated monitors for a room of seats, the default source when no monitor feed is set.

    Numerics (HR, SpO2, RR) arrive once a second, NIBP (SBP, DBP, MAP sharing one time)
    every `nibp_interval_s`, and PLETH as one block of 125 samples per second, one pulse
    per heartbeat. Seats in the given order get staggered doses (T0) and cuff cycles.

    Attributes:
        name: the `Reading.source` of everything it produces.
        scenario: the `SCENARIOS` name shaping the session.
        start: UTC epoch seconds of the session start (second 0).
        nibp_interval_s: seconds between cuff cycles.
    """

    name = "sim"

    def __init__(
        self,
        seats: Sequence[int],
        start: float,
        *,
        seed: int = 0,
        scenario: str = "demo",
        dose_times: Mapping[int, float] | None = None,
        nibp_interval_s: float = 300.0,
        sensor_off_after_s: float = 90.0,
    ) -> None:
        seats = list(seats)
        dose_times = dict(dose_times or {})
        if scenario not in SCENARIOS:
            known = ", ".join(SCENARIOS)
            raise BadInputError(
                f"unknown simulator scenario {scenario!r}; known scenarios: {known}"
            )
        if not seats:
            raise BadInputError("the simulator needs at least one seat")
        for seat in seats:
            _check_seat(seat)
        if len(set(seats)) != len(seats):
            raise BadInputError(f"seats must not repeat: {seats}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise BadInputError(f"the simulator seed must be a whole number >= 0, not {seed!r}")
        _check_time(start, "the session start")
        if not (math.isfinite(nibp_interval_s) and nibp_interval_s > 0):
            raise BadInputError(f"the NIBP interval must be more than 0 s, not {nibp_interval_s!r}")
        if not sensor_off_after_s >= 0:
            raise BadInputError(f"sensor_off_after_s must be 0 or more, not {sensor_off_after_s!r}")
        unknown = sorted(set(dose_times) - set(seats))
        if unknown:
            raise BadInputError(f"dose times given for seats not in the session: {unknown}")
        for seat, t0 in dose_times.items():
            _check_time(t0, f"dose time of seat {seat}")

        self.scenario = scenario
        self.start = float(start)
        self.nibp_interval_s = float(nibp_interval_s)
        self._seed = seed
        self._seat_count = len(seats)
        self._sensor_off_after_s = float(sensor_off_after_s)
        self._next = 0  # the next second to generate, counted from start
        self._monitors: dict[int, _SeatMonitor] = {}
        for index, seat in enumerate(seats):
            t0 = dose_times.get(seat, self.start + FIRST_DOSE_S + DOSE_STAGGER_S * index)
            self._add(seat, index, float(t0), FIRST_NIBP_S + NIBP_STAGGER_S * index)

    @property
    def seats(self) -> tuple[int, ...]:
        """The seats being simulated, in seat order (seats added later at the end)."""
        return tuple(self._monitors)

    @property
    def generated_until(self) -> float:
        """UTC epoch seconds up to which output has been produced (exclusive)."""
        return self.start + self._next

    def dose_time(self, seat: int) -> float:
        """The participant's T0 (UTC epoch seconds), which the drug effects count from."""
        return self._monitor(seat).t0

    def generate(self, until: float) -> tuple[list[Reading], list[WaveformBlock]]:
        """Everything for the whole seconds from where the last call stopped up to `until`.

        Second s covers [start + s, start + s + 1) and is produced once it is complete, so
        calling with until = start + 100 yields seconds 0..99. Output is ordered by second,
        then seat order; within a seat HR, SpO2, RR, then any NIBP triple.
        """
        _check_time(until, "generate(until)")
        end = math.floor(until - self.start + _WHOLE_SECOND_SLACK)
        if end <= self._next:
            return [], []
        s0, n = self._next, end - self._next
        chunks = [monitor.step(s0, n) for monitor in self._monitors.values()]
        self._next = end
        readings: list[Reading] = []
        blocks: list[WaveformBlock] = []
        name = self.name
        for i in range(n):
            t = self.start + (s0 + i)
            for c in chunks:
                if i >= c.live:
                    continue
                seat = c.seat
                readings += (
                    Reading(seat, "HR", t, c.hr[i], name),
                    Reading(seat, "SpO2", t, c.spo2[i], name),
                    Reading(seat, "RR", t, c.rr[i], name),
                )
                for t_cuff, sbp, dbp, mean in c.nibp.get(i, ()):
                    readings += (
                        Reading(seat, "SBP", t_cuff, sbp, name),
                        Reading(seat, "DBP", t_cuff, dbp, name),
                        Reading(seat, "MAP", t_cuff, mean, name),
                    )
                blocks.append(WaveformBlock(seat, "PLETH", t, PLETH_RATE_HZ, c.pleth[i], name))
        return readings, blocks

    def add_seat(self, seat: int, dose_time: float | None = None) -> None:
        """Start simulating a participant who joins mid-session, from the next second on.

        They get their own stream (seeded from the second they joined), the scenario's
        background profile, a first cuff cycle 15 s after joining and, unless given, a dose
        two minutes after joining.
        """
        _check_seat(seat)
        if seat in self._monitors:
            raise BadInputError(f"seat {seat} is already being simulated")
        begin = self.start + self._next
        if dose_time is None:
            dose_time = begin + FIRST_DOSE_S
        _check_time(dose_time, f"dose time of seat {seat}")
        self._add(seat, None, float(dose_time), self._next + FIRST_NIBP_S)

    def remove_seat(self, seat: int) -> None:
        """Stop simulating a seat; it produces nothing from the next second on."""
        self._monitor(seat)
        del self._monitors[seat]

    def move_seat(self, old: int, new: int) -> None:
        """The participant on `old` moved to `new`: their monitor goes on from the new seat with
        the same stream, dose time and cuff cycle (starting over would re-dose them)."""
        _check_seat(new)
        monitor = self._monitor(old)
        if new in self._monitors:
            raise BadInputError(f"seat {new} is already being simulated")
        del self._monitors[old]
        monitor.seat = new
        self._monitors[new] = monitor
        self._monitors = dict(sorted(self._monitors.items()))  # readings go out in seat order

    def _add(self, seat: int, index: int | None, t0: float, nibp_first_s: float) -> None:
        self._monitors[seat] = _SeatMonitor(
            seat,
            index=index,
            seat_count=self._seat_count,
            begin_s=self._next,
            start=self.start,
            t0=t0,
            nibp_first_s=nibp_first_s,
            nibp_interval_s=self.nibp_interval_s,
            seed=self._seed,
            scenario=self.scenario,
            sensor_off_after_s=self._sensor_off_after_s,
        )

    def _monitor(self, seat: int) -> _SeatMonitor:
        try:
            return self._monitors[seat]
        except KeyError:
            raise BadInputError(
                f"seat {seat!r} is not being simulated; simulated seats: {list(self._monitors)}"
            ) from None


def _phases(phase: float, rates: np.ndarray) -> tuple[np.ndarray, float]:
    """A cycle's phase (0..1) at the start of each second and after the last, and that last.

    Stepped second by second (not a cumsum) so a cycle carries on identically across calls.
    """
    out = [phase]
    for rate in rates.tolist():
        phase = (phase + rate) % 1.0
        out.append(phase)
    return np.array(out), phase


def _check_seat(seat: object) -> None:
    if isinstance(seat, bool) or not isinstance(seat, int) or not 1 <= seat <= MAX_SEATS:
        raise BadInputError(f"seats are whole numbers 1..{MAX_SEATS}, not {seat!r}")


def _check_time(t: object, what: str) -> None:
    if isinstance(t, bool) or not isinstance(t, (int, float, np.number)) or not math.isfinite(t):
        raise BadInputError(f"{what} must be a finite time in UTC epoch seconds, not {t!r}")
