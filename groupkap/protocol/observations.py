"""Scored observations (MOAA/S, CADSS) and the rules read from them: baseline, resolution.

A score is an entry a person made: it has its own id so it can be struck or corrected
later (a new event that points at it, never an UPDATE), the time it was measured and who
scored it. The rules count only entries that still stand.
"""

from __future__ import annotations

from dataclasses import dataclass

MOAAS, CADSS = "MOAA/S", "CADSS"
SCALE_RANGES = {MOAAS: (0, 5), CADSS: (0, 92)}
NORMAL_MOAAS = 5  # responds readily to name: the baseline when none was scored before T0


@dataclass
class ScoredEntry:
    """One MOAA/S or CADSS score.

    Attributes:
        entry_id: stable id; a correction or strike names it.
        check: `MOAA/S` or `CADSS`.
        value: the score (MOAA/S 0–5, CADSS total 0–92).
        t: when it was measured.
        taken_by: who scored it.
        struck: True once struck out or replaced by a correction.
    """

    entry_id: str
    check: str
    value: int
    t: float
    taken_by: str
    struck: bool = False


def standing(entries: list[ScoredEntry], check: str) -> list[ScoredEntry]:
    """The entries of `check` that still count, in measured-time order."""
    return sorted((e for e in entries if e.check == check and not e.struck), key=lambda e: e.t)


def baseline(entries: list[ScoredEntry], check: str, t0: float | None) -> int | None:
    """The last score measured before the dose (None when there is none)."""
    before = [e for e in standing(entries, check) if t0 is None or e.t < t0]
    return before[-1].value if before else None


def after_dose(entries: list[ScoredEntry], check: str, t0: float | None) -> list[ScoredEntry]:
    return [] if t0 is None else [e for e in standing(entries, check) if e.t >= t0]


def sedation_resolved(entries: list[ScoredEntry], t0: float | None) -> bool:
    """A MOAA/S of 5 recorded after the dose and after any lower score (CLINICAL.md): the
    latest post-dose score is 5. No post-dose score at all is not "resolved"."""
    post = after_dose(entries, MOAAS, t0)
    return bool(post) and post[-1].value == NORMAL_MOAAS


def dissociation_resolved(
    entries: list[ScoredEntry], t0: float | None, margin: float, attested_at: float | None
) -> bool:
    """The latest post-dose CADSS is back within `margin` of the pre-dose CADSS (0 when
    none was taken), or a clinician attested that dissociation resolved after the dose and
    after the last CADSS that showed it (a later high CADSS outweighs the attestation)."""
    post = after_dose(entries, CADSS, t0)
    limit = (baseline(entries, CADSS, t0) or 0) + margin
    if post and post[-1].value <= limit:
        return True
    if t0 is None or attested_at is None or attested_at < t0:
        return False
    high = [e.t for e in post if e.value > limit]
    return not high or attested_at >= high[-1]


def moaas_concern(
    entries: list[ScoredEntry], t0: float | None, floor: int, drop: int
) -> tuple[int, str] | None:
    """(score, why) when the latest MOAA/S should raise the clinical alarm, else None:
    at or below the floor, or after the dose `drop` or more below the baseline."""
    scores = standing(entries, MOAAS)
    if not scores:
        return None
    latest = scores[-1]
    if latest.value <= floor:
        return latest.value, f"<= {floor}"
    base = baseline(entries, MOAAS, t0)
    base = NORMAL_MOAAS if base is None else base
    if t0 is not None and latest.t >= t0 and base - latest.value >= drop:
        return latest.value, f"(baseline {base})"
    return None
