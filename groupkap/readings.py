"""What a source hands the core: numeric readings and blocks of waveform samples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Reading:
    """One numeric value from a seat's monitor.

    Attributes:
        seat: the seat number the monitor is attached to.
        param: canonical parameter name (see `groupkap.params`).
        t: UTC epoch seconds when it was measured.
        value: the number, in the parameter's unit.
        source: where it came from (`sim`, `hl7:<device>`, `replay`, or `hand:<who took it>`
            for a value a person measured and typed in).
    """

    seat: int
    param: str
    t: float
    value: float
    source: str = "sim"

    @property
    def by_hand(self) -> bool:
        return is_hand(self.source)


@dataclass(frozen=True, slots=True)
class Latest:
    """The newest value of a parameter with what a decision needs: when and from where.

    Attributes:
        t: when it was measured.
        value: the number.
        source: `monitor`, or `hand:<who>` for a value a person took.
    """

    t: float
    value: float
    source: str


HAND = "hand"


def hand_source(taken_by: str) -> str:
    """The source text of a value a person took: `hand:RN Kim`."""
    return f"{HAND}:{taken_by}"


def is_hand(source: str) -> bool:
    return source == HAND or source.startswith(HAND + ":")


@dataclass(frozen=True, slots=True)
class WaveformBlock:
    """Consecutive samples of one waveform from one seat, evenly spaced.

    Attributes:
        seat: seat number.
        param: `PLETH`.
        t_start: UTC epoch seconds of the first sample.
        rate_hz: samples per second.
        samples: float32 array.
        source: where it came from.
    """

    seat: int
    param: str
    t_start: float
    rate_hz: float
    samples: np.ndarray
    source: str = "sim"

    def times(self) -> np.ndarray:
        return self.t_start + np.arange(len(self.samples)) / self.rate_hz
