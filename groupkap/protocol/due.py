"""What falls due next across the whole room, so two facilitators can split the work.

Only what the protocol really schedules: every BP check on each participant's grid from their
own T0 (not just the next), the end of the minimum observation, and discharge (ready now, or
the earliest minute it could be; the BP check before discharge, due at that same minute,
shares its item). The protocol schedules no MOAA/S or CADSS at set times; a
score the discharge still needs is named on the observation-end item instead. A hard flag
(PHQ-9 item 9 positive) the tile shows is listed with the overdue items. Discharged
participants contribute nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from groupkap.protocol.group import Protocol
from groupkap.protocol.participant import (
    BEFORE_DISCHARGE,
    PRE_DOSE,
    READY_FOR_DISCHARGE,
    ParticipantProtocol,
)
from groupkap.readings import Latest
from groupkap.room.model import Room

FLAG, BP_CHECK, OBSERVATION_END, DISCHARGE_READY = "flag", "BP", "observation", "discharge"
_KIND_ORDER = {FLAG: 0, BP_CHECK: 1, OBSERVATION_END: 2, DISCHARGE_READY: 3}

# Short names of the clinical discharge criteria (participant.clinical_criteria's keys
# begin with these words), as a facilitator says them across the room.
_CRITERION_NAMES = (
    ("BP", "BP near baseline"),
    ("SpO2", "SpO2"),
    ("sedation", "MOAA/S 5"),
    ("dissociation", "CADSS"),
)


@dataclass(frozen=True)
class DueItem:
    """One thing that falls due.

    Attributes:
        seat: the seat number (ties in time are broken by it).
        alias: the participant's alias.
        pid: the participant's id.
        kind: `flag`, `BP`, `observation` or `discharge`.
        what: what is due, in words (`BP +55 min`, `ready for discharge`).
        due: the session time it falls due; None for a flag, which has no time.
        when: `in 4 min`, `due now`, `due 2 min ago`, `5 min overdue`, `flag`.
        overdue: more than the grace late (as the check-overdue alarm counts it), or a flag.
    """

    seat: int
    alias: str
    pid: str
    kind: str
    what: str
    due: float | None
    when: str
    overdue: bool

    @property
    def text(self) -> str:
        """The item on one line: `3 · R.K. · BP +55 min · in 4 min`."""
        return f"{self.seat} · {self.alias} · {self.what} · {self.when}"


def when_text(due: float, now: float, grace_s: float) -> str:
    """How far off `due` is, as the tile counts it: whole minutes ahead rounded up, behind
    rounded down (`in 1 min` 30 s before, `due now` within the first minute late)."""
    left = due - now
    if left > 0:
        return f"in {math.ceil(left / 60)} min"
    late = int(-left // 60)
    if -left > grace_s:
        return f"{late} min overdue" if late else "overdue"
    return f"due {late} min ago" if late else "due now"


def bp_checks_due(p: ParticipantProtocol, now: float, until: float) -> list[tuple[str, float]]:
    """(label, due time) of every BP check on the grid up to `until`, from the one due now.

    The grid goes on every `check_every_min` until a check is back near baseline; which
    one will be cannot be known ahead, so the later checks are listed as if no BP came
    (the one that lands near baseline takes the rest off). "Before discharge" is last.
    """
    nxt = p.next_check(now)
    if nxt is None or nxt[1] < 0:  # nothing due, or the pre-dose BP (no time of its own)
        return []
    label, due = nxt
    if label == BEFORE_DISCHARGE:
        return [(label, due)] if due <= until else []
    checks, every = [], p.config.check_every_min * 60
    while due <= until:
        checks.append(("+%.0f min" % ((due - p.t0) / 60), due))
        due += every
    return checks


def open_criteria(p: ParticipantProtocol, now: float, spo2: Latest | None) -> list[str]:
    """Short names of the clinical discharge criteria not yet met (SpO2 judged by its value:
    the monitor keeps it current)."""
    criteria = p.clinical_criteria(now, spo2, fresh_spo2=False)
    return [
        short
        for key, ok in criteria.items()
        if not ok
        for prefix, short in _CRITERION_NAMES
        if key.startswith(prefix)
    ]


def participant_due(
    p: ParticipantProtocol, now: float, horizon_s: float, spo2: Latest | None
) -> list[tuple[str, str, float | None, str | None]]:
    """(kind, what, due, when) of everything one participant has due up to `now +
    horizon_s`, everything already late included; `when` is None where the time says it.
    Nothing once discharged."""
    if p.discharge:
        return []
    until = now + horizon_s
    items: list[tuple[str, str, float | None, str | None]] = [
        (FLAG, f"⚑ {flag}", None, "flag")
        for flag in dict.fromkeys(f.split(":")[0] for f in p.flags)
    ]
    nxt = p.next_check(now)
    if nxt is not None and nxt[0] == PRE_DOSE:
        items.append((BP_CHECK, "pre-dose BP", now, "before the dose"))
    checks = bp_checks_due(p, now, until)
    end = None if p.t0 is None else p.t0 + p.min_observation_s
    if p.t0 is not None and p.phase(now, spo2) == READY_FOR_DISCHARGE:
        items.append((DISCHARGE_READY, "ready for discharge", now, "now"))
    elif end is not None and now <= end <= until:
        # The check before discharge falls due with the end of observation: one chip says
        # both, so a full room's discharges fit on the strip.
        bp = ["BP check"] if any(label == BEFORE_DISCHARGE for label, _ in checks) else []
        checks = [(label, due) for label, due in checks if label != BEFORE_DISCHARGE]
        missing = open_criteria(p, now, spo2)
        if missing:
            what = "observation ends · needs " + ", ".join(bp + missing)
            items.append((OBSERVATION_END, what, end, None))
        else:  # every clinical criterion holds: only the time minimum (and the BP check
            # before discharge) stands between them and leaving
            what = "ready for discharge" + (" · needs BP check" if bp else "")
            items.append((DISCHARGE_READY, what, end, None))
    items += [(BP_CHECK, f"BP {label}", due, None) for label, due in checks]
    return items


def room_due(
    protocol: Protocol,
    room: Room,
    now: float,
    horizon_s: float,
    grace_s: float,
    spo2: Callable[[str], Latest | None] = lambda pid: None,
) -> list[DueItem]:
    """Everything due in the room up to `now + horizon_s` (exactly at the horizon counts),
    overdue first (most overdue at the top, flags above all), then soonest first; a tie in
    time goes to the lower seat. Reads the protocol without changing it."""
    found = []
    for seat, person in room.by_seat():
        p = protocol.participants.get(person.id) if person is not None else None
        if p is None:
            continue
        for kind, what, due, when in participant_due(p, now, horizon_s, spo2(person.id)):
            late = due is None or (when is None and now - due > grace_s)
            text = when or when_text(due, now, grace_s)
            found.append(DueItem(seat.number, person.alias, person.id, kind, what, due, text, late))
    return sorted(
        found,
        key=lambda i: (
            not i.overdue,
            -math.inf if i.due is None else i.due,
            i.seat,
            _KIND_ORDER[i.kind],
        ),
    )
