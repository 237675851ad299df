"""Outcome scales between sessions (PHQ-9, GAD-7, PCL-5): totals, severity bands and flags.

Items are referred to by number only: the item wording is licensed and is not shipped here.
Bands, flags and the PCL-5 cut-off are data, so a clinic can change them without new code.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from groupkap.errors import BadInputError


@dataclass(frozen=True)
class FlagRule:
    """Something staff must see before the next session, whatever the total says.

    Attributes:
        message: the flag as staff read it.
        item: 1-based item number whose answer triggers the flag, or None.
        at_least: the answer (with `item`) or the total (without it) that triggers the flag.
    """

    message: str
    item: int | None = None
    at_least: int = 1

    def fires(self, answers: tuple[int, ...], total: int) -> bool:
        value = total if self.item is None else answers[self.item - 1]
        return value >= self.at_least


@dataclass(frozen=True)
class Scale:
    """One questionnaire: how many items, their range, how totals read and what must be flagged.

    Attributes:
        name: the name clinicians use (`PHQ-9`).
        items: number of items.
        item_min, item_max: the allowed answer for every item.
        bands: (lowest total, label) pairs, ascending; the first starts at the lowest total.
        flags: rules checked on every scoring.
        cutoff: total at or above which the screen is positive (PCL-5), or None.
    """

    name: str
    items: int
    item_min: int
    item_max: int
    bands: tuple[tuple[int, str], ...]
    flags: tuple[FlagRule, ...] = ()
    cutoff: int | None = None

    def __post_init__(self) -> None:
        # A malformed scale would mis-band every result silently; refuse it when it is built.
        lows = [low for low, _ in self.bands]
        ascending = lows == sorted(set(lows))
        if not lows or lows[0] != self.lowest or not ascending or lows[-1] > self.highest:
            raise BadInputError(
                f"{self.name} bands must ascend from {self.lowest} to at most {self.highest}, "
                f"got {lows}"
            )
        for rule in self.flags:
            if rule.item is not None and not 1 <= rule.item <= self.items:
                raise BadInputError(
                    f"{self.name} flag names item {rule.item}; items are 1–{self.items}"
                )

    @property
    def lowest(self) -> int:
        return self.items * self.item_min

    @property
    def highest(self) -> int:
        return self.items * self.item_max

    def band(self, total: int) -> str:
        return [label for low, label in self.bands if total >= low][-1]

    def score(self, answers: Sequence[int] | Mapping[int, int]) -> ScaleResult:
        """Check every answer first, so bad input computes nothing and records nothing."""
        clean = self._validate(answers)
        total = sum(clean)
        flags = tuple(rule.message for rule in self.flags if rule.fires(clean, total))
        return ScaleResult(self, clean, total, self.band(total), flags)

    def _validate(self, answers: Sequence[int] | Mapping[int, int]) -> tuple[int, ...]:
        if isinstance(answers, Mapping):
            by_item = dict(answers)
            unknown = [k for k in by_item if not _is_int(k) or not 1 <= k <= self.items]
            if unknown:
                raise BadInputError(
                    f"{self.name} has items 1–{self.items}; "
                    f"unknown item numbers: {', '.join(map(repr, unknown))}"
                )
            missing = [n for n in range(1, self.items + 1) if n not in by_item]
        elif isinstance(answers, Sequence) and not isinstance(answers, (str, bytes)):
            by_item = dict(enumerate(answers, start=1))
            if len(by_item) > self.items:
                raise BadInputError(f"{self.name} needs {self.items} answers, got {len(by_item)}")
            missing = list(range(len(by_item) + 1, self.items + 1))
        else:
            raise BadInputError(
                f"{self.name} answers must be a list of {self.items} whole "
                f"numbers or a mapping of item number to answer, "
                f"got {type(answers).__name__}"
            )
        if missing:
            raise BadInputError(
                f"{self.name} needs {self.items} answers, got {len(by_item)}: "
                f"{_items(missing)} {'is' if len(missing) == 1 else 'are'} missing"
            )
        allowed = f"{self.item_min}–{self.item_max}"
        problems = []
        for n in range(1, self.items + 1):
            value = by_item[n]
            if not _is_int(value):
                problems.append(f"item {n} is {value!r}, not a whole number {allowed}")
            elif not self.item_min <= value <= self.item_max:
                problems.append(f"item {n} is {value}, outside the allowed range {allowed}")
        if problems:
            raise BadInputError(f"{self.name} {'; '.join(problems)}")
        return tuple(int(by_item[n]) for n in range(1, self.items + 1))


@dataclass(frozen=True)
class ScaleResult:
    """A scored questionnaire, ready to show staff and to log.

    Attributes:
        scale: the Scale it was scored on (its bands and cut-off are part of the meaning).
        answers: one answer per item, item 1 first.
        total: sum of the answers.
        band: the severity band label for the total.
        flags: messages staff must see before the next session; empty when none.
    """

    scale: Scale
    answers: tuple[int, ...]
    total: int
    band: str
    flags: tuple[str, ...]

    @property
    def probable(self) -> bool | None:
        """True at or above the scale's cut-off; None when the scale has no cut-off."""
        return None if self.scale.cutoff is None else self.total >= self.scale.cutoff

    def event_data(self) -> dict:
        """Plain JSON values for a `scale.scored` event; the cut-off is kept so the record
        still reads the same if the clinic changes it later."""
        return {
            "scale": self.scale.name,
            "answers": list(self.answers),
            "total": self.total,
            "band": self.band,
            "flags": list(self.flags),
            "cutoff": self.scale.cutoff,
        }


def _is_int(value: object) -> bool:
    # bool is an int subclass, but True is not an answer anyone ticked.
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _items(numbers_: list[int]) -> str:
    return ("item " if len(numbers_) == 1 else "items ") + ", ".join(map(str, numbers_))


def pcl5_scale(cutoff: int = 33) -> Scale:
    """PCL-5 with the clinic's cut-off: CLINICAL.md gives 31–33, a choice, not a constant."""
    if not _is_int(cutoff) or not 0 <= cutoff <= 80:
        raise BadInputError(f"PCL-5 cut-off must be a whole number 0–80, got {cutoff!r}")
    cutoff = int(cutoff)
    bands = ((0, "below cut-off"),) if cutoff > 0 else ()
    return Scale(
        "PCL-5",
        20,
        0,
        4,
        bands + ((cutoff, "probable PTSD"),),
        flags=(FlagRule(f"PCL-5 at or above cut-off {cutoff}: probable PTSD", at_least=cutoff),),
        cutoff=cutoff,
    )


PHQ9 = Scale(
    "PHQ-9",
    9,
    0,
    3,
    ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately severe"), (20, "severe")),
    flags=(
        FlagRule("PHQ-9 item 9 positive: self-harm thoughts — review before the session", item=9),
    ),
)
GAD7 = Scale("GAD-7", 7, 0, 3, ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")))

SCALES: Mapping[str, Scale] = MappingProxyType({s.name: s for s in (PHQ9, GAD7, pcl5_scale())})


def score(
    scale_name: str,
    answers: Sequence[int] | Mapping[int, int],
    scales: Mapping[str, Scale] = SCALES,
) -> ScaleResult:
    """Score by name; pass `scales` to use a clinic's variants (e.g. another PCL-5 cut-off)."""
    scale = scales.get(scale_name) if isinstance(scale_name, str) else None
    if scale is None:
        raise BadInputError(f"Unknown scale {scale_name!r}; known scales: {', '.join(scales)}")
    return scale.score(answers)
