"""The parameter catalogue: canonical names, units and display ranges (DESIGN.md).

Every source translates its own codes into these names, so the rest of the program only ever
sees `HR`, `SpO2`, `SBP` ... The display ranges fix the plots' Y axes (no auto-ranging on a
live plot) and bound what the trend can show; readings outside a plausible range are
treated as artefacts, never as values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Parameter:
    """One measured quantity.

    Attributes:
        name: canonical name (`HR`, `SpO2` ...).
        label: what a clinician reads on the tile.
        unit: UCUM-style unit text shown next to the number.
        display_min, display_max: the fixed plot range.
        valid_min, valid_max: outside this a reading is an artefact and is dropped.
        waveform: True for sampled signals (PLETH) stored in packed blocks.
        continuous: True when a monitor sends it every second or so (HR, SpO2, RR): its
            silence for a few seconds is a fault (per-parameter no-data alarm). A cuff
            pressure or a temperature comes every few minutes, so silence is normal.
    """

    name: str
    label: str
    unit: str
    display_min: float
    display_max: float
    valid_min: float
    valid_max: float
    waveform: bool = False
    continuous: bool = False

    def is_valid(self, value: float) -> bool:
        """True for a finite reading inside the plausible range (NaN and sentinels are not)."""
        return math.isfinite(value) and self.valid_min <= value <= self.valid_max


PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter("HR", "HR", "/min", 30, 180, 15, 300, continuous=True),
        Parameter("PR", "PR", "/min", 30, 180, 15, 300, continuous=True),
        Parameter("SpO2", "SpO2", "%", 80, 100, 40, 100, continuous=True),
        Parameter("SBP", "SBP", "mmHg", 60, 220, 40, 300),
        Parameter("DBP", "DBP", "mmHg", 30, 140, 15, 250),
        Parameter("MAP", "MAP", "mmHg", 40, 170, 20, 270),
        Parameter("RR", "RR", "/min", 0, 40, 0, 80, continuous=True),
        Parameter("TEMP", "Temp", "°C", 34, 40, 25, 45),
        Parameter("PLETH", "Pleth", "", -0.1, 1.1, -10, 10, waveform=True),
    )
}

# What a person may enter by hand (a spot check with a manual cuff, a finger oximeter ...).
HAND_PARAMS = ("SBP", "DBP", "HR", "SpO2", "RR", "TEMP")
PLETH_RATE_HZ = 125
