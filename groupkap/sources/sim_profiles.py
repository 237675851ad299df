"""Simulator scenarios: per-seat profiles that bend each participant's baseline vitals.

A profile takes time (since the session start and since the seat's dose, T0) and shapes a
seat's vitals: a drug effect adds to them, an episode takes them to a set value for a
while. It may also say from when the seat falls silent. A scenario is just a function
choosing a profile for each seat, so a new scenario is a small function plus a line in
`SCENARIOS`.

The envelopes use only arithmetic and clipping (no exp/sin/pow): numpy may compute those
with different SIMD paths depending on array length, and the simulator promises
bit-identical output however time is chunked.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

VITALS = ("HR", "SpO2", "RR", "SBP", "DBP")
"""The continuous quantities a profile can move (MAP follows from SBP and DBP)."""

MINUTE = 60.0


@dataclass(frozen=True)
class Baseline:
    """One participant's resting vitals, around which the simulated values wander.

    Attributes:
        hr, spo2, rr, sbp, dbp: resting values in the parameters' units.
    """

    hr: float
    spo2: float
    rr: float
    sbp: float
    dbp: float

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Baseline:
        """A plausible healthy adult at rest; the draw order is part of the seed contract."""
        hr, spo2, rr, sbp, dbp = (
            float(v)
            for v in rng.uniform((58.0, 96.0, 11.0, 110.0, 68.0), (85.0, 99.0, 16.0, 132.0, 84.0))
        )
        return cls(hr, spo2, rr, sbp, min(dbp, sbp - 30.0))  # keep a plausible pulse pressure

    def value(self, param: str) -> float:
        return getattr(self, param.lower())


def smoothstep(x: np.ndarray) -> np.ndarray:
    """0 before 0, 1 after 1, an S-curve between: a change that starts and ends gently."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


@dataclass
class Vitals:
    """One seat's vitals over a run of seconds, while a profile shapes them.

    The level and the random wander are kept apart so an episode can take a vital to a set
    value and quieten its usual variability at the same time.

    Attributes:
        level: per vital, the baseline plus the effects applied so far.
        wander: per vital, the slow random variation around the level.
    """

    level: dict[str, np.ndarray]
    wander: dict[str, np.ndarray]

    def total(self, param: str) -> np.ndarray:
        return self.level[param] + self.wander[param]


class Effect(Protocol):
    """Something that shapes vitals over time: a drug effect, an adverse event."""

    def apply(self, vitals: Vitals, since_start: np.ndarray, since_t0: np.ndarray) -> None: ...


@dataclass(frozen=True)
class KetamineEffect:
    """A mild haemodynamic response to the dose: up over ~10 min after T0, gone by ~90.

    Attributes:
        hr, sbp, dbp: the rise at full effect (beats/min, mmHg).
        rise_s: seconds from T0 to the full effect.
        fade_from_s, fade_to_s: seconds after T0 the effect starts to fade and is gone.
    """

    hr: float
    sbp: float
    dbp: float
    rise_s: float = 10 * MINUTE
    fade_from_s: float = 45 * MINUTE
    fade_to_s: float = 90 * MINUTE

    def apply(self, vitals: Vitals, since_start: np.ndarray, since_t0: np.ndarray) -> None:
        rise = smoothstep(since_t0 / self.rise_s)
        fading = (since_t0 - self.fade_from_s) / (self.fade_to_s - self.fade_from_s)
        fade = 1.0 - smoothstep(fading)
        envelope = rise * fade
        for param, delta in (("HR", self.hr), ("SBP", self.sbp), ("DBP", self.dbp)):
            vitals.level[param] = vitals.level[param] + delta * envelope


@dataclass(frozen=True)
class DosePeak:
    """A response that climbs from T0 to a clear peak and then settles back.

    The envelope is a polynomial bump, (1 - u^2)^8 (close to a Gaussian), zero at T0 and at
    the end, with a distinct maximum so a cuff every few minutes still shows when it peaked.

    Attributes:
        deltas: the rise of each vital at the peak.
        peak_s: seconds after T0 of the peak.
        end_s: seconds after T0 the effect is gone.
    """

    deltas: dict[str, float]
    peak_s: float
    end_s: float

    def apply(self, vitals: Vitals, since_start: np.ndarray, since_t0: np.ndarray) -> None:
        width = np.where(since_t0 < self.peak_s, self.peak_s, self.end_s - self.peak_s)
        u = np.clip((since_t0 - self.peak_s) / width, -1.0, 1.0)
        envelope = 1.0 - u * u
        for _ in range(3):  # (1 - u^2)^8 by squaring, not **: arithmetic only (see above)
            envelope = envelope * envelope
        for param, delta in self.deltas.items():
            vitals.level[param] = vitals.level[param] + delta * envelope


@dataclass(frozen=True)
class Episode:
    """An event at a fixed session time that takes vitals to set values, then lets go.

    During the episode the vital follows the event, not the person's usual drift, so most
    of its wander is suppressed: a desaturation reaches its nadir whatever the seat's
    breathing was doing a minute before.

    Attributes:
        targets: the value each vital reaches at the depth of the episode.
        begin_s: seconds after the session start the ramp in begins.
        ramp_in_s, hold_s, ramp_out_s: the episode's three phases, in seconds.
    """

    targets: dict[str, float]
    begin_s: float
    ramp_in_s: float
    hold_s: float
    ramp_out_s: float

    def apply(self, vitals: Vitals, since_start: np.ndarray, since_t0: np.ndarray) -> None:
        into = since_start - self.begin_s
        envelope = smoothstep(into / self.ramp_in_s) * (
            1.0 - smoothstep((into - self.ramp_in_s - self.hold_s) / self.ramp_out_s)
        )
        for param, target in self.targets.items():
            level = vitals.level[param]
            vitals.level[param] = level + (target - level) * envelope
            vitals.wander[param] = vitals.wander[param] * (1.0 - 0.8 * envelope)


@dataclass(frozen=True)
class SeatProfile:
    """Everything that happens to one seat in a scenario.

    Attributes:
        effects: applied in order (drug effects first, then episodes that override them).
        silent_from_s: seconds after the session start from which the seat sends nothing
            (a probe off or a monitor unplugged); infinity for never.
    """

    effects: tuple[Effect, ...] = ()
    silent_from_s: float = math.inf

    def apply(self, vitals: Vitals, since_start: np.ndarray, since_t0: np.ndarray) -> None:
        for effect in self.effects:
            effect.apply(vitals, since_start, since_t0)


@dataclass
class SeatContext:
    """What a scenario knows when it chooses a seat's profile.

    Attributes:
        index: the seat's place in the session's seat order, or None for a participant
            added mid-session (they get the scenario's background profile).
        seat_count: how many seats the session started with.
        rng: the seat's own generator, for per-seat amounts.
        sensor_off_after_s: when the `sensor-off` scenario silences its seat.
    """

    index: int | None
    seat_count: int
    rng: np.random.Generator = field(repr=False)
    sensor_off_after_s: float = 90.0


def mild_ketamine(ctx: SeatContext) -> KetamineEffect:
    """HR and SBP +5-10 each (DBP half the SBP rise): every dosed seat but in `calm`."""
    sbp = float(ctx.rng.uniform(5.0, 10.0))
    return KetamineEffect(hr=float(ctx.rng.uniform(5.0, 10.0)), sbp=sbp, dbp=sbp / 2)


def desaturation(ctx: SeatContext, begin_s: float) -> Episode:
    """SpO2 down to 85-87 % with slowed breathing for ~90 s, recovering over ~30 s."""
    targets = {"SpO2": float(ctx.rng.uniform(85.0, 87.0)), "RR": 8.0}
    return Episode(targets, begin_s, ramp_in_s=20.0, hold_s=70.0, ramp_out_s=30.0)


def tachycardia(ctx: SeatContext, begin_s: float) -> Episode:
    """HR up to 135-150 /min for about three minutes."""
    return Episode(
        {"HR": float(ctx.rng.uniform(135.0, 150.0))},
        begin_s,
        ramp_in_s=30.0,
        hold_s=150.0,
        ramp_out_s=60.0,
    )


def _calm(ctx: SeatContext) -> SeatProfile:
    return SeatProfile()


def _ketamine_bp_rise(ctx: SeatContext) -> SeatProfile:
    # The peak is drawn from 18-28 so the cuff, with its few mmHg of noise, reads a rise
    # of 15-30 or so over the pre-dose values.
    sbp = float(ctx.rng.uniform(18.0, 28.0))
    deltas = {"SBP": sbp, "DBP": sbp / 2, "HR": float(ctx.rng.uniform(3.0, 6.0))}
    return SeatProfile((DosePeak(deltas, peak_s=40 * MINUTE, end_s=100 * MINUTE),))


def _desaturation(ctx: SeatContext) -> SeatProfile:
    if ctx.index == 0:
        return SeatProfile((mild_ketamine(ctx), desaturation(ctx, begin_s=150.0)))
    return SeatProfile((mild_ketamine(ctx),))


def _tachycardia(ctx: SeatContext) -> SeatProfile:
    if ctx.index == 0:
        return SeatProfile((mild_ketamine(ctx), tachycardia(ctx, begin_s=120.0)))
    return SeatProfile((mild_ketamine(ctx),))


def _sensor_off(ctx: SeatContext) -> SeatProfile:
    silent_from = ctx.sensor_off_after_s if ctx.index == 0 else math.inf
    return SeatProfile((mild_ketamine(ctx),), silent_from_s=silent_from)


def _demo(ctx: SeatContext) -> SeatProfile:
    if ctx.index == 0:
        # Exaggerated and early so a five-minute demo shows it: the peak, T0 + 3.5 min, falls
        # on the second default cuff cycle (start + 315 s).
        deltas = {"SBP": 25.0, "DBP": 12.0, "HR": 8.0}
        return SeatProfile((DosePeak(deltas, peak_s=3.5 * MINUTE, end_s=20 * MINUTE),))
    background = mild_ketamine(ctx)
    if ctx.index == 1:
        return SeatProfile((background, desaturation(ctx, begin_s=150.0)))
    if ctx.index == 2:
        return SeatProfile((background, tachycardia(ctx, begin_s=120.0)))
    if ctx.index == 3 and ctx.seat_count >= 5:
        return SeatProfile((background,), silent_from_s=200.0)
    return SeatProfile((background,))


SCENARIOS: dict[str, str] = {
    "calm": "every seat at its own baseline; no drug effect",
    "ketamine-bp-rise": "every seat: SBP +15-30 mmHg (DBP half that) peaking ~40 min after "
    "its T0, back by ~100 min; HR slightly up",
    "desaturation": "first seat: SpO2 down to 85-87 % and RR ~8 from start+150 s for ~90 s, "
    "recovering over ~30 s; others mild ketamine effect",
    "tachycardia": "first seat: HR 135-150 from start+120 s for ~3 min; others mild ketamine "
    "effect",
    "sensor-off": "first seat sends nothing from start+90 s; others mild ketamine effect",
    "demo": "1st seat BP rise (SBP +25 at T0+3.5 min), 2nd desaturation (start+150 s), "
    "3rd tachycardia (start+120 s), 4th sensor off at start+200 s (5+ seats only), "
    "the rest mild ketamine effect",
}
"""Scenario name -> one line for `--help` and the demo menu."""

_BUILDERS: dict[str, Callable[[SeatContext], SeatProfile]] = {
    "calm": _calm,
    "ketamine-bp-rise": _ketamine_bp_rise,
    "desaturation": _desaturation,
    "tachycardia": _tachycardia,
    "sensor-off": _sensor_off,
    "demo": _demo,
}


def build_profile(scenario: str, ctx: SeatContext) -> SeatProfile:
    """The profile `scenario` gives this seat (the name is checked by the caller)."""
    return _BUILDERS[scenario](ctx)
