"""Whether a participant's extreme (peak SBP, lowest SpO2) was past an alarm limit, for the
report's participants table, which marks that one cell rather than the whole row.

Why per cell: when a row turns red for any gap, every row of a busy session is red and red
stops saying what is wrong. The extreme is judged against the limits in force for that
participant at the end of the session (the log's `limits.applied` and `limits.changed`, as
the replay rebuilds them), or the built-in defaults when the log holds none. The priority is
said in text as well as colour (CLINICAL.md: `***` high, `**` medium), so a grey print or a
colour-blind reader loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from groupkap.alarms.limits import LimitSet, default_limits
from groupkap.review.replay_shown import ReplayAlarms
from groupkap.store.queries import LoggedEvent

PRIORITY_MARK = {"high": "***", "medium": "**"}


def past_limit(limits: LimitSet, param: str, value: float | None) -> str | None:
    """The priority (`high`, `medium`) whose limit `value` of `param` is past, or None: within
    the limits, no value, no limit for it, or its alarms switched off."""
    if value is None:
        return None
    bounds = limits.get(param)
    return None if bounds is None else bounds.level(value)[0]


def limits_at_end(events: Iterable[LoggedEvent]) -> Callable[[str], LimitSet]:
    """Each participant's limits in force when the log ends (by participant id): the
    built-in defaults when the log never applied any."""
    shown = ReplayAlarms(lambda: 0.0)
    applied = False
    for e in events:
        if e.kind.startswith("limits."):
            shown.apply(e)
            applied = True
    if not applied:
        defaults = default_limits()
        return lambda _pid: defaults
    return shown.limits_for
