"""What a tile shows of the protocol: phase, time since T0, the next due item, observation."""

from __future__ import annotations

import math
from dataclasses import dataclass

from groupkap.protocol.observations import CADSS, MOAAS, standing
from groupkap.protocol.participant import DISCHARGED, READY_FOR_DISCHARGE, ParticipantProtocol
from groupkap.readings import Latest
from groupkap.room.readout import format_age_short


@dataclass(frozen=True)
class ProtocolReadout:
    """Attributes: header (`IM +42 min · monitoring`: route, time since T0, phase), next_due
    (`next BP (+40 min) in 3 min`), overdue (True when the next item is late), observed (0–1 of the
    minimum observation time, in whole per cent as the ring shows it: `shown_fraction`),
    scores (the last MOAA/S and CADSS with their age:
    `MOAA/S 4 · 12 min   CADSS 18 · 30 min`, short enough for a 10-seat tile), dosed (a dose
    was given: the tile then offers the post-session feedback)."""

    header: str
    next_due: str
    overdue: bool
    observed: float
    scores: str = ""
    dosed: bool = False


def score_line(p: ParticipantProtocol, now: float) -> str:
    """The newest standing MOAA/S and CADSS, each with how long ago it was scored."""
    parts = []
    for check in (MOAAS, CADSS):
        scores = standing(p.scores, check)
        if scores:
            age = format_age_short(max(0.0, now - scores[-1].t))
            parts.append(f"{check} {scores[-1].value} · {age}")
    return "   ".join(parts)


def protocol_readout(
    p: ParticipantProtocol, now: float, spo2: Latest | None, grace_s: float
) -> ProtocolReadout:
    phase = p.phase(now, spo2)
    if p.t0 is None:
        header = phase
    else:
        minutes = int((now - p.t0) // 60)
        header = f"{p.dose['route']} +{minutes} min · {phase}"
    overdue = False
    due = p.next_check(now)
    if phase == DISCHARGED:
        next_due = f"discharged at T0 +{p.discharge['minutes_since_t0']:.0f} min"
    elif due is None:
        next_due = "ready for discharge" if phase == READY_FOR_DISCHARGE else ""
    elif due[1] < 0:
        next_due = "next: pre-dose BP"
    else:
        label = "discharge" if due[0] == "before discharge" else due[0]  # fits a 10-seat tile
        due = (label, due[1])
        left = due[1] - now
        if left >= 0:
            next_due = f"next BP ({due[0]}) in {math.ceil(left / 60)} min"
        else:
            overdue = -left > grace_s
            next_due = f"BP ({due[0]}) due {int(-left // 60)} min ago"
    if p.flags:  # a hard flag outranks the schedule on the tile
        next_due = "⚑ PHQ-9 item 9 positive" + (f" · {next_due}" if next_due else "")
        overdue = True
    return ProtocolReadout(
        header,
        next_due,
        overdue,
        shown_fraction(p.observation_fraction(now)),
        score_line(p, now),
        dosed=p.t0 is not None,
    )


def shown_fraction(fraction: float) -> float:
    """`fraction` down to the whole per cent the ring shows, so that the readout of one
    frame equals the last one's until something shown changes (the tile then touches
    nothing, issue 17). Never more than has passed: the ring reads 100 and turns green only
    once the whole minimum time has."""
    return min(1.0, max(0.0, math.floor(fraction * 100 + 1e-9) / 100))
