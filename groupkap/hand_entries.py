"""Values a person measured and typed in: the entry kept for a later strike or correction,
and the check of a whole entry before any of it is written."""

from __future__ import annotations

import math
from dataclasses import dataclass

from groupkap.errors import BadInputError
from groupkap.params import HAND_PARAMS, PARAMETERS


@dataclass
class HandEntry:
    """Values a person typed in, kept so the entry can be struck or corrected.

    Attributes: pid, values (param -> number), t (measured), taken_by, struck."""

    pid: str
    values: dict[str, float]
    t: float
    taken_by: str
    struck: bool = False


def check_hand_values(values: dict[str, float | None]) -> dict[str, float]:
    """The entered values, each checked against its plausible range; refused whole."""
    clean: dict[str, float] = {}
    for param, value in values.items():
        if value is None or value == "":
            continue
        if param not in HAND_PARAMS:
            raise BadInputError(
                f"{param} cannot be entered by hand; enter {', '.join(HAND_PARAMS)}"
            )
        p = PARAMETERS[param]
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise BadInputError(f"{p.label} {value!r} is not a number") from None
        if not math.isfinite(number) or not p.valid_min <= number <= p.valid_max:
            raise BadInputError(
                f"{p.label} {value} is not plausible ({p.valid_min:g}–"
                f"{p.valid_max:g} {p.unit}); check the number"
            )
        clean[param] = number
    if not clean:
        raise BadInputError("enter at least one value")
    if ("SBP" in clean) != ("DBP" in clean):
        raise BadInputError("a blood pressure needs both SBP and DBP")
    if "SBP" in clean and clean["DBP"] >= clean["SBP"]:
        raise BadInputError(
            f"BP {clean['SBP']:g}/{clean['DBP']:g}: the diastolic must be "
            "below the systolic; check the numbers"
        )
    return clean
