"""The sharing circle's state machine: whose turn it is, for how long, and what the log may say."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from groupkap.circle.stats import Turn, fairness
from groupkap.clock import Clock
from groupkap.errors import BadInputError

CircleSink = Callable[[str, dict, "str | None", str], None]
"""Called as sink(kind, data, participant_id, actor) for every circle transition."""

READY, OPENING, TURNS, CLOSING, ENDED = "ready", "opening", "turns", "closing", "ended"
CLOCKWISE, SHUFFLED = "clockwise", "shuffled"
PREWARNING, CHIME = "prewarning", "chime"  # the only cues: no alarms, nothing that cuts off
COMPLETED, TIME_UP, ENDED_EARLY = "completed", "time up", "ended early"
MAX_ROUNDS, MAX_EXTEND_MIN = 5, 10

_WHY_NOT = {
    READY: "the circle has not started yet; start it first",
    OPENING: "the circle is still in its opening; begin the turns first",
    TURNS: "the turns have already begun",
    CLOSING: "the turns are over; the circle is in its closing",
    ENDED: "the circle has ended",
}


@dataclass(frozen=True)
class Speaker:
    """One person in the circle. Attributes: participant_id, alias (what the view shows), seat."""

    participant_id: str
    alias: str
    seat: int


@dataclass
class _Live:
    """The turn in progress; times are the circle's active seconds (pauses excluded)."""

    speaker: Speaker
    started: float
    share_s: float
    extended_s: float = 0.0
    warned: bool = False
    chimed: bool = False


def _s(x: float) -> float:
    return round(x, 1)


def _number(value, ok: Callable[[float], bool], message: str, *, whole: bool = False):
    """`value` if it is a finite number (an int when `whole`) that is `ok`, else refused."""
    kinds = int if whole else (int, float)
    if (
        isinstance(value, bool)
        or not isinstance(value, kinds)
        or not math.isfinite(value)
        or not ok(value)
    ):
        raise BadInputError(f"{message}, not {value!r}")
    return value


def _seconds(name: str, value) -> float:
    return float(_number(value, lambda v: v >= 0, f"{name} must be seconds, 0 or more"))


def _speakers(speakers: Iterable) -> list[Speaker]:
    people = [s if isinstance(s, Speaker) else Speaker(*s) for s in speakers]
    for p in people:
        if (
            not isinstance(p.participant_id, str)
            or not p.participant_id
            or isinstance(p.seat, bool)
            or not isinstance(p.seat, int)
        ):
            raise BadInputError(f"a speaker is (participant id, alias, seat number), not {p!r}")
    if not people:
        raise BadInputError("a sharing circle needs at least one speaker; none were given")
    for attr in ("participant_id", "seat"):
        values = [getattr(p, attr) for p in people]
        dup = next((v for v in values if values.count(v) > 1), None)
        if dup is not None:
            raise BadInputError(f"{attr.replace('_', ' ')} {dup!r} appears twice in the circle")
    return people


class Circle:
    """A sharing circle on the clock it is given, driven by the facilitator and by `tick()`.

    The fair share of a turn is the time left for turns divided by the turns left, fixed when
    the turn starts and recomputed when it ends, so finishing early gives time back to the
    others and running over takes from them. Nobody is ever cut off: a turn only ends when
    the facilitator says so; when the pool is spent, the turns end after that turn.

    Attributes:
        speakers: everyone, in talking order (clockwise from `start_seat`, or shuffled).
        phase: "ready", "opening", "turns", "closing" or "ended".
        round: 1-based round of the turns (0 before they begin); prompts: one per round or None.
        turns: every finished turn, pass and skip, for the fairness figures.
        stats: the `FairnessStats` once the circle has ended (staff only), else None.
    """

    def __init__(
        self,
        clock: Clock,
        speakers: Iterable,
        *,
        total_s: float,
        opening_s: float = 0.0,
        closing_s: float = 0.0,
        rounds: int = 1,
        prompts: Iterable[str | None] | None = None,
        order: str = CLOCKWISE,
        start_seat: int | None = None,
        seed: int | None = None,
        prewarning_s: float | None = 30.0,
        record: CircleSink,
        actor: str = "facilitator",
    ) -> None:
        people = _speakers(speakers)
        total, opening = _seconds("total time", total_s), _seconds("opening", opening_s)
        closing = _seconds("closing", closing_s)
        prewarning = _seconds("pre-warning", prewarning_s or 0)
        if total <= opening + closing:
            raise BadInputError(
                f"the total time ({total / 60:g} min) must be longer than the opening "
                f"({opening / 60:g} min) plus the closing ({closing / 60:g} min) = "
                f"{(opening + closing) / 60:g} min, or no time is left for turns"
            )
        _number(
            rounds,
            lambda r: 1 <= r <= MAX_ROUNDS,
            f"a circle has 1 to {MAX_ROUNDS} rounds",
            whole=True,
        )
        prompts = [(p or "").strip() or None for p in (prompts or [])]
        if len(prompts) > rounds:
            raise BadInputError(f"{len(prompts)} prompts given for {rounds} round(s)")
        if order == CLOCKWISE:
            seats = [p.seat for p in people]
            first = seats[0] if start_seat is None else start_seat
            if first not in seats:
                raise BadInputError(
                    f"no speaker sits in seat {first!r} to start from; seats are {seats}"
                )
            at = seats.index(first)
            people = people[at:] + people[:at]
        elif order == SHUFFLED:
            if start_seat is not None:
                raise BadInputError("a start seat applies to clockwise order, not shuffled")
            seed = random.SystemRandom().randrange(2**31) if seed is None else seed
            random.Random(seed).shuffle(people)
        else:
            raise BadInputError(f"order must be {CLOCKWISE!r} or {SHUFFLED!r}, not {order!r}")
        self.clock = clock
        self.speakers, self.order, self.seed = people, order, seed if order == SHUFFLED else None
        self.total_s, self.opening_s, self.closing_s = total, opening, closing
        self.rounds, self.prewarning_s = rounds, prewarning
        self.prompts = prompts + [None] * (rounds - len(prompts))
        self.actor = actor
        self.phase, self.round, self.turns, self.stats = READY, 0, [], None
        self._record = record
        self._by_id = {p.participant_id: p for p in people}
        self._active = 0.0  # active seconds banked up to _anchor
        self._anchor: float | None = None  # clock time the circle last ran from; None = frozen
        self._paused_at: float | None = None
        self._paused_total, self._pauses = 0.0, 0
        self._opening_used: float | None = None  # the opening's actual length, once over
        self._used = 0.0  # active seconds taken by finished turns and passes
        self._closing_from = 0.0
        self._turns_reason = COMPLETED
        self._live: _Live | None = None
        self._queue: list[Speaker] = []
        self._passes: dict[str, int] = {}

    # -- what the view reads ------------------------------------------------------------
    @property
    def elapsed_s(self) -> float:
        """Seconds the circle has run since `start()`, pauses excluded."""
        running = self.clock.now() - self._anchor if self._anchor is not None else 0.0
        return self._active + running

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    @property
    def current(self) -> Speaker | None:
        return self._live.speaker if self._live else None

    @property
    def upcoming(self) -> list[Speaker]:
        """Who speaks after the current speaker in this round, in order."""
        return list(self._queue)

    @property
    def next_up(self) -> Speaker | None:
        """Who the talking piece goes to next, into the next round if this one is done."""
        if self._queue:
            return self._queue[0]
        more = self.phase in (READY, OPENING) or (self.phase == TURNS and self.round < self.rounds)
        return self.speakers[0] if more else None

    @property
    def prompt(self) -> str | None:
        return self.prompts[self.round - 1] if self.round else None

    @property
    def turns_remaining(self) -> int:
        """Turns still to come, the current one and pass-backs included."""
        if self.phase in (READY, OPENING):
            return len(self.speakers) * self.rounds
        if self.phase != TURNS:
            return 0
        waiting = len(self._queue) + (1 if self._live else 0)
        return waiting + len(self.speakers) * (self.rounds - self.round)

    @property
    def pool_s(self) -> float:
        """Seconds left for all the turns, the current one included (negative = over time).

        Until the turns begin the opening's planned length is set aside; after, its actual
        length counts, so a long opening shortens the turns and a short one lengthens them.
        """
        opening = self.opening_s if self._opening_used is None else self._opening_used
        running = self.elapsed_s - self._live.started if self._live else 0.0
        return self.total_s - opening - self.closing_s - self._used - running

    @property
    def fair_share_s(self) -> float:
        """The current turn's share; before the turns, the share each would get now."""
        if self._live:
            return self._live.share_s
        left = self.turns_remaining
        return max(0.0, self.pool_s) / left if left else 0.0

    @property
    def remaining_s(self) -> float:
        """The countdown the view shows: the current turn's (negative = overtime), else the
        opening's or closing's."""
        if self._live:
            live = self._live
            return live.share_s + live.extended_s - (self.elapsed_s - live.started)
        if self.phase == OPENING:
            return self.opening_s - self.elapsed_s
        if self.phase == CLOSING:
            return self.closing_s - (self.elapsed_s - self._closing_from)
        return 0.0

    @property
    def overtime_s(self) -> float:
        return max(0.0, -self.remaining_s) if self._live else 0.0

    # -- the facilitator's actions ------------------------------------------------------
    def _require(self, action: str, *phases: str, while_paused: bool = False) -> None:
        if self.paused and not while_paused:
            raise BadInputError(f"cannot {action}: the circle is paused; resume first")
        if self.phase not in phases:
            raise BadInputError(f"cannot {action}: {_WHY_NOT[self.phase]}")

    def _speaker(self, pid: str) -> Speaker:
        if pid not in self._by_id:
            raise BadInputError(f"participant {pid!r} is not in this circle")
        return self._by_id[pid]

    def start(self) -> None:
        self._require("start", READY)
        self._anchor, self.phase = self.clock.now(), OPENING
        data = {
            "speakers": len(self.speakers),
            "order": self.order,
            "start_seat": self.speakers[0].seat,
            "total_s": self.total_s,
            "opening_s": self.opening_s,
            "closing_s": self.closing_s,
            "rounds": self.rounds,
            "prompts": self.prompts,
            "prewarning_s": self.prewarning_s,
            "fair_share_s": _s(self.fair_share_s),
        }
        if self.seed is not None:
            data["seed"] = self.seed  # a shuffled order can be told again from its seed
        self._emit("circle.started", data, None)

    def begin_turns(self) -> None:
        """End the opening; the talking piece goes to the first speaker."""
        self._require("begin the turns", OPENING)
        self._opening_used = self.elapsed_s
        self.phase = TURNS
        self._advance(self.actor)

    def next(self) -> None:
        """The speaker is done (early or not); the talking piece moves on."""
        self._require("move to the next speaker", TURNS)
        self._end_turn(self.actor)

    def pass_turn(self) -> None:
        """The speaker passes: offered a second chance at the end of this round; a second
        pass in the same round means they are done for it."""
        self._require("pass", TURNS)
        speaker = self._live.speaker
        done = self._passes.get(speaker.participant_id, 0) > 0
        self._passes[speaker.participant_id] = 2 if done else 1
        if not done:
            self._queue.append(speaker)
        self._end_turn(self.actor, passed=True, done_for_round=done)

    def pause(self, reason: str = "") -> None:
        """The guardian bell: every clock stops (turn, pool, circle) until `resume()`."""
        self._require("pause", OPENING, TURNS, CLOSING)
        self._active, self._anchor = self.elapsed_s, None
        self._paused_at, self._pauses = self.clock.now(), self._pauses + 1
        data = {"phase": self.phase}
        if reason and reason.strip():
            data["reason"] = reason.strip()
        self._emit("circle.paused", data, None)

    def resume(self) -> None:
        if not self.paused:
            raise BadInputError("cannot resume: the circle is not paused")
        paused_s = self._unpause()
        self._anchor = self.clock.now()
        self._emit("circle.resumed", {"paused_s": _s(paused_s)}, None)

    def extend(self, minutes: float = 1) -> None:
        """Give the current speaker more time; it comes out of the pool like any overtime."""
        _number(
            minutes,
            lambda m: 0 < m <= MAX_EXTEND_MIN,
            f"an extension is more than 0 and at most {MAX_EXTEND_MIN} minutes",
        )
        self._require("extend", TURNS, while_paused=True)
        live = self._live
        live.extended_s += minutes * 60
        # An extension sets a new limit, so its cues sound again when they are crossed anew.
        live.warned = live.warned and self.remaining_s <= self.prewarning_s
        live.chimed = live.chimed and self.remaining_s <= 0
        self._emit(
            "circle.extended",
            {
                "round": self.round,
                "added_s": minutes * 60,
                "extended_s": live.extended_s,
                "allowance_s": _s(live.share_s + live.extended_s),
            },
            live.speaker.participant_id,
        )

    def skip(self, pid: str) -> None:
        """Leave out someone waiting in this round (they left the room, or asked not to)."""
        speaker = self._speaker(pid)
        self._require("skip", TURNS, while_paused=True)
        if speaker == self.current:
            raise BadInputError(f"{speaker.alias} is speaking now; use next or pass instead")
        if speaker not in self._queue:
            raise BadInputError(f"{speaker.alias} is not waiting to speak in this round")
        self._queue.remove(speaker)
        self.turns.append(Turn(pid, self.round, 0.0, skipped=True))

    def move(self, pid: str, position: int) -> None:
        """Put someone waiting at `position` among the upcoming speakers (0 = next)."""
        speaker = self._speaker(pid)
        self._require("reorder", TURNS, while_paused=True)
        if speaker not in self._queue:
            raise BadInputError(f"{speaker.alias} is not waiting to speak in this round")
        _number(
            position,
            lambda i: 0 <= i < len(self._queue),
            f"position must be 0 to {len(self._queue) - 1}",
            whole=True,
        )
        self._queue.remove(speaker)
        self._queue.insert(position, speaker)

    def add_note(self, pid: str | None, text: str) -> None:
        """A facilitator's note, for the care team only: the one way words reach the log."""
        if pid is not None:
            self._speaker(pid)
        if not isinstance(text, str) or not text.strip():
            raise BadInputError("a note needs some text")
        self._emit(
            "circle.note_added",
            {
                "text": text.strip(),
                "care_team_only": True,
                "round": self.round,
                "phase": self.phase,
            },
            pid,
        )

    def end(self) -> None:
        """End the circle now (during the closing, that is simply its end)."""
        self._require("end", OPENING, TURNS, CLOSING, while_paused=True)
        if self.paused:
            self._unpause()
        if self._live:
            self._end_turn(self.actor, advance=False)
        self._finish(self._turns_reason if self.phase == CLOSING else ENDED_EARLY, self.actor)

    # -- time -----------------------------------------------------------------------------
    def tick(self) -> list[str]:
        """Advance time-driven rules; returns the cues for the view: "prewarning" and "chime",
        each at most once per limit. The circle ends here once its closing has run."""
        if self.paused or self.phase not in (TURNS, CLOSING):
            return []
        if self.phase == CLOSING:
            if self.remaining_s <= 0:
                self._finish(self._turns_reason, "system")
            return []
        live, left, cues = self._live, self.remaining_s, []
        if left <= 0 and not live.chimed:
            live.chimed = live.warned = True  # a warning after the limit would only confuse
            cues.append(CHIME)
        elif (
            0 < self.prewarning_s < live.share_s + live.extended_s
            and left <= self.prewarning_s
            and not live.warned
        ):
            live.warned = True
            cues.append(PREWARNING)
        return cues

    # -- transitions --------------------------------------------------------------------
    def _emit(self, kind: str, data: dict, pid: str | None, actor: str | None = None) -> None:
        self._record(kind, data, pid, actor or self.actor)

    def _unpause(self) -> float:
        paused_s = self.clock.now() - self._paused_at
        self._paused_total += paused_s
        self._paused_at = None
        return paused_s

    def _end_turn(
        self,
        actor: str,
        *,
        passed: bool = False,
        done_for_round: bool = False,
        advance: bool = True,
    ) -> None:
        """Close the live turn into `turns` and the log, then (by default) pass the piece on."""
        live, pid = self._live, self._live.speaker.participant_id
        duration = self.elapsed_s - live.started
        allowance = live.share_s + live.extended_s
        over = 0.0 if passed else max(0.0, duration - allowance)
        self.turns.append(Turn(pid, self.round, duration, over, passed=passed))
        self._used, self._live = self._used + duration, None
        if passed:
            self._emit(
                "circle.passed",
                {"round": self.round, "duration_s": _s(duration), "done_for_round": done_for_round},
                pid,
                actor,
            )
        else:
            self._emit(
                "circle.turn_ended",
                {
                    "round": self.round,
                    "duration_s": _s(duration),
                    "overtime_s": _s(over),
                    "fair_share_s": _s(live.share_s),
                    "extended_s": live.extended_s,
                    "early": duration < allowance,
                },
                pid,
                actor,
            )
        if advance:
            self._advance(actor)

    def _advance(self, actor: str) -> None:
        """Give the talking piece to whoever is next, start a round, or go to the closing."""
        if self.pool_s <= 0:
            return self._to_closing(TIME_UP)
        if not self._queue:
            if self.round >= self.rounds:
                return self._to_closing(COMPLETED)
            self.round += 1
            self._queue, self._passes = list(self.speakers), {}
        speaker = self._queue.pop(0)
        share = self.pool_s / (self.turns_remaining + 1)  # +1: this turn, not yet live
        self._live = _Live(speaker, self.elapsed_s, share)
        data = {
            "seat": speaker.seat,
            "round": self.round,
            "fair_share_s": _s(share),
            "second_chance": speaker.participant_id in self._passes,
        }
        if self.prompt:
            data["prompt"] = self.prompt
        self._emit("circle.turn_started", data, speaker.participant_id, actor)

    def _to_closing(self, reason: str) -> None:
        self.phase, self._turns_reason = CLOSING, reason
        self._closing_from = self.elapsed_s
        self._queue = []

    def _finish(self, reason: str, actor: str) -> None:
        opening = self.elapsed_s if self._opening_used is None else self._opening_used
        closing = self.elapsed_s - self._closing_from if self.phase == CLOSING else 0.0
        self._active, self._anchor = self.elapsed_s, None
        self.phase, self._queue = ENDED, []
        self.stats = fairness(self.turns, [p.participant_id for p in self.speakers])
        self._emit(
            "circle.ended",
            {
                "reason": reason,
                "elapsed_s": _s(self._active),
                "opening_s": _s(opening),
                "turns_s": _s(self._used),
                "closing_s": _s(closing),
                "rounds_begun": self.round,
                "paused_s": _s(self._paused_total),
                "pauses": self._pauses,
                "fairness": self.stats.as_dict(),
            },
            None,
            actor,
        )
