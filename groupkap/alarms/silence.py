"""How long each participant's monitor has been silent: per parameter once it has spoken, and
since they were seated while it never has.

A monitor that stops sending is a technical alarm (IEC 60601-1-8), and so is one that never
started: a participant seated on a seat whose monitor is not connected would otherwise show
"waiting for data" in grey and raise nothing. Hand values say nothing about the monitor and
never count as hearing from it.
"""

from __future__ import annotations

from collections.abc import Callable


class MonitorSilence:
    """Attributes:
    last_data: (participant id, parameter) -> the newest continuous monitor value's time.
    last_monitor: the same for every monitor parameter (a cuff pressure too), which a
        value typed in by hand is compared against.
    waiting: participant id -> since when they have waited for a first monitor value.
    """

    def __init__(self) -> None:
        self.last_data: dict[tuple[str, str], float] = {}
        self.last_monitor: dict[tuple[str, str], float] = {}
        self.waiting: dict[str, float] = {}

    def expect(self, pid: str, since: float) -> None:
        """`pid` sits on a monitored seat from `since`: silence counts from then until the
        monitor's first value (a participant already heard from is not waiting)."""
        if not any(key[0] == pid for key in self.last_monitor):
            self.waiting.setdefault(pid, since)

    def heard(self, pid: str, param: str, t: float, continuous: bool) -> None:
        """A monitor value of `param` measured at `t`."""
        key = (pid, param)
        if continuous:
            self.last_data[key] = max(t, self.last_data.get(key, t))
        self.last_monitor[key] = max(t, self.last_monitor.get(key, t))
        self.waiting.pop(pid, None)

    def newer_than(self, pid: str, param: str, t: float) -> bool:
        """Whether the monitor has sent `param` after `t` (a hand value from before is history)."""
        return self.last_monitor.get((pid, param), t) > t

    def forget(self, pid: str) -> None:
        for table in (self.last_data, self.last_monitor):
            for key in [k for k in table if k[0] == pid]:
                del table[key]
        self.waiting.pop(pid, None)

    def silences(self, now: float, watched: Callable[[str, str], bool]) -> dict[str, dict]:
        """participant id -> {parameter: seconds silent} for every watched parameter heard."""
        out: dict[str, dict[str, float]] = {}
        for (pid, param), last in self.last_data.items():
            if watched(pid, param):
                out.setdefault(pid, {})[param] = now - last
        return out

    def never_heard(self, now: float) -> dict[str, float]:
        """participant id -> seconds since they were seated, for those not heard from yet."""
        return {pid: now - since for pid, since in self.waiting.items()}
