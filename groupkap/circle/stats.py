"""How evenly a sharing circle shared its time: for staff and clinic leads, never participants."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from groupkap.errors import BadInputError


@dataclass(frozen=True)
class Turn:
    """One turn as the log keeps it: its timing only, never what was said.

    Attributes:
        participant_id: who held the talking piece.
        round: 1-based round of the circle.
        duration_s: seconds the turn lasted (pauses excluded).
        overtime_s: seconds past the turn's allowance (fair share plus extensions).
        passed: the person passed instead of speaking (a pass is not spoken time).
        skipped: the facilitator skipped the person's turn (it took no time).
    """

    participant_id: str
    round: int
    duration_s: float
    overtime_s: float = 0.0
    passed: bool = False
    skipped: bool = False


@dataclass(frozen=True)
class PersonStats:
    """One person's share of the circle.

    Attributes:
        spoken_s: seconds spoken over every round (passes and skips count 0).
        share: spoken_s as a fraction of everyone's spoken seconds (0 when nobody spoke).
        turns: turns spoken; passes: passes; skips: turns skipped by the facilitator.
        overtime_s: seconds spoken past their allowances.
    """

    spoken_s: float = 0.0
    share: float = 0.0
    turns: int = 0
    passes: int = 0
    skips: int = 0
    overtime_s: float = 0.0


@dataclass(frozen=True)
class FairnessStats:
    """The circle's fairness figures.

    Equal turn-taking predicts how well a group works, so staff see these after a circle;
    the circle view never shows them, because a score on the projector would turn a
    sharing circle into a contest (CLINICAL.md "Sharing circle").

    Attributes:
        people: per participant id, their `PersonStats`.
        total_spoken_s: everyone's spoken seconds together.
        gini: inequality of spoken seconds, 0 = perfectly equal, towards 1 = one person spoke.
    """

    people: dict[str, PersonStats]
    total_spoken_s: float
    gini: float

    def as_dict(self) -> dict:
        """Plain numbers for the event log (rounded to 0.1 s, shares and Gini to 0.001)."""
        people = {
            pid: {
                k: round(v, 3 if k == "share" else 1) if isinstance(v, float) else v
                for k, v in asdict(p).items()
            }
            for pid, p in self.people.items()
        }
        return {
            "people": people,
            "total_spoken_s": round(self.total_spoken_s, 1),
            "gini": round(self.gini, 3),
        }


def gini(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative values, by the standard formula on sorted values:
    G = 2·Σ i·x_i / (n·Σ x) − (n + 1)/n with i = 1…n ascending.

    One value, no values, or all zeros count as perfectly equal (0): nobody had more than
    anyone else.
    """
    xs = sorted(float(v) for v in values)
    if any(x < 0 for x in xs):
        raise BadInputError(f"spoken seconds cannot be negative: {min(xs):g}")
    n, total = len(xs), sum(xs)
    if n <= 1 or total == 0:
        return 0.0
    weighted = sum(i * x for i, x in enumerate(xs, start=1))
    return max(0.0, 2 * weighted / (n * total) - (n + 1) / n)


def fairness(turns: Iterable[Turn], participant_ids: Iterable[str] = ()) -> FairnessStats:
    """Spoken seconds, shares, passes, skips and overtime per person, and the Gini.

    `participant_ids` names everyone in the circle, so a person the circle never reached
    (time ran out, or they were skipped) counts with 0 seconds in the Gini rather than
    vanishing from it.
    """
    tally: dict[str, dict] = {pid: {} for pid in participant_ids}
    for turn in turns:
        t = tally.setdefault(turn.participant_id, {})
        if turn.skipped:
            t["skips"] = t.get("skips", 0) + 1
        elif turn.passed:
            t["passes"] = t.get("passes", 0) + 1
        else:
            t["spoken_s"] = t.get("spoken_s", 0.0) + turn.duration_s
            t["overtime_s"] = t.get("overtime_s", 0.0) + turn.overtime_s
            t["turns"] = t.get("turns", 0) + 1
    total = sum(t.get("spoken_s", 0.0) for t in tally.values())
    people = {
        pid: PersonStats(**t, share=t.get("spoken_s", 0.0) / total if total else 0.0)
        for pid, t in tally.items()
    }
    return FairnessStats(people, total, gini(p.spoken_s for p in people.values()))
