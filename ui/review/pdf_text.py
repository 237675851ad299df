"""How the PDF report words dates, flags and values: pure functions, no Qt.

Clock times and T0 offsets come from `groupkap.review.times`, so the report, the review window
and the exports say the same moment the same way; this adds what only the printed page needs.
"""

from __future__ import annotations

from datetime import datetime

from groupkap.review import times
from groupkap.review.times import clock, since_t0

__all__ = ["clock", "day", "dose", "duration", "flag", "number", "short_hash", "t0_offset"]

NOT_APPLICABLE = "\u2014"


def local(t: float) -> datetime:
    """`t` (UTC epoch seconds) on this computer's clock, with its time zone."""
    return datetime.fromtimestamp(t).astimezone()


def day(t: float) -> str:
    """The local date a lead files a session under: `Thu 2027-01-14`."""
    return local(t).strftime("%a %Y-%m-%d")


def zone(t: float) -> str:
    """The time zone the report's clock times are in: `CET, UTC+01:00`."""
    moment = local(t)
    offset = moment.strftime("%z")
    return f"{moment.tzname()}, UTC{offset[:3]}:{offset[3:]}"


def t0_offset(t: float, t0: float | None) -> str:
    """`T0 +42 min` (`T0 +34:59` off the minute); empty when they were not dosed."""
    return "" if t0 is None else since_t0(t, t0)


def duration(seconds: float | None, none: str = NOT_APPLICABLE) -> str:
    """A span as a lead says it (`42 s`, `6 min 18 s`), or `none` when it has no end."""
    return none if seconds is None else times.duration(seconds)


def flag(met: bool | None) -> str:
    """✓ met, ✗ not met, — does not apply (the word beside it says which, for a grey print)."""
    return {True: "\u2713", False: "\u2717", None: NOT_APPLICABLE}[met]


def number(value: float | None, unit: str = "") -> str:
    """A vital sign as the monitor shows it (`142`, `97 %`), or — without data."""
    if value is None:
        return NOT_APPLICABLE
    text = (
        f"{value:.0f}" if abs(value - round(value)) < 0.05 or abs(value) >= 10 else f"{value:.1f}"
    )
    return f"{text} {unit}".strip() if unit else text


def dose(route: str | None, dose_mg: float | None) -> str:
    """`IM 40 mg`, or — when not dosed."""
    if route is None and dose_mg is None:
        return NOT_APPLICABLE
    amount = f"{dose_mg:g} mg" if dose_mg is not None else ""
    return " ".join(part for part in (route or "", amount) if part)


def short_hash(head_hash: str | None) -> str:
    """The first 16 hex digits of the chain head: enough to compare by eye with `verify`."""
    return head_hash[:16] if head_hash else NOT_APPLICABLE
