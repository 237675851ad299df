"""Times as a clinic lead reads them: the local clock time, and minutes from a participant's T0.

Stored times are UTC epoch seconds; the lead reviews in the clinic's own time zone, so the
clock time is local (`09:42`), and where the dose matters the offset from T0 follows it
(`T0 +42 min`). An offset that is not a whole minute keeps its seconds (`T0 +34:59`), so a
reading just outside a window is never shown as inside it.
"""

from __future__ import annotations

from datetime import UTC, datetime

MINUS = "\u2212"  # a real minus sign: `T0 −4 min` reads better than a hyphen


def clock(t: float, seconds: bool = False) -> str:
    """`09:42` (or `09:42:07`) in the machine's local time."""
    return datetime.fromtimestamp(t).strftime("%H:%M:%S" if seconds else "%H:%M")


def local_date(t: float) -> str:
    """`2025-03-04` in local time: the day a lead looks a session up by."""
    return datetime.fromtimestamp(t).strftime("%Y-%m-%d")


def iso_utc(t: float | None) -> str | None:
    """`2025-03-04T09:42:07.250Z`, or None for None: what an export carries beside epoch."""
    if t is None:
        return None
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def since_t0(t: float, t0: float) -> str:
    """`T0 +42 min`, `T0 −4 min`, or `T0 +34:59` when not a whole minute."""
    sign = "+" if t >= t0 else MINUS
    s = round(abs(t - t0))
    if s % 60 == 0:
        return f"T0 {sign}{s // 60} min"
    return f"T0 {sign}{s // 60}:{s % 60:02d}"


def when(t: float, t0: float | None = None) -> str:
    """`09:42 (T0 +42 min)`, or the clock time alone without a T0."""
    return clock(t) if t0 is None else f"{clock(t)} ({since_t0(t, t0)})"


def duration(seconds: float) -> str:
    """`45 s`, `6 min 18 s`, `2 h 05 min`: a span as a lead says it."""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        m, rest = divmod(s, 60)
        return f"{m} min {rest} s" if rest else f"{m} min"
    h, rest = divmod(s, 3600)
    return f"{h} h {rest // 60:02d} min"
