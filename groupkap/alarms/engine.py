"""The alarm engine: watches every participant's readings and decides what alarms, when.

Pure and clock-driven, as a central station behaves (IEC 60601-1-8): condition delays,
arming only after a first valid value, latching of high alarms, acknowledge, a time-limited
audio pause that any new or higher alarm breaks through, reminders, escalation, and technical
alarms. It never plays a sound or draws anything: it returns `SoundCue`s and holds `Alarm`s
for the UI, and reports every transition to its event sink.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from groupkap.alarms.limits import HIGH, LOW, MEDIUM, Bound, LimitSet, ParamLimits
from groupkap.alarms.model import (
    NO_DATA,
    SOURCE_LOST,
    Alarm,
    AlarmConfig,
    SoundCue,
    no_data_key,
    rank,
)
from groupkap.alarms.pauses import ROOM, AudioPauses
from groupkap.alarms.silence import MonitorSilence
from groupkap.clock import Clock
from groupkap.errors import BadInputError
from groupkap.params import PARAMETERS

AlarmSink = Callable[[str, dict, "str | None", str], None]
"""Called as sink(kind, data, participant_id, actor) for every alarm transition."""

LIMITS_REFUSED = "LIMITS_REFUSED"  # the technical alarm of a refused limits file
_UP = {LOW: MEDIUM, MEDIUM: HIGH, HIGH: HIGH}


@dataclass
class _Watch:
    """Per participant and parameter: how long each priority's condition has held."""

    since: dict[str, float] = field(default_factory=dict)
    recent: list[str | None] = field(default_factory=list)


def _crossed(limits: ParamLimits, priority: str, value: float) -> Bound | None:
    bounds = limits.high if priority == HIGH else limits.medium
    return next((b for b in bounds if b.crossed(value)), None)


class AlarmEngine:
    """Every alarm in the room.

    Attributes:
        alarms: the alarms shown now, by id.
        limits: the clinic's limits; `participant_limits` holds per-participant ones.
        config: timing settings.
        limits_problem: why the last limits file was refused ("" when it was good); while
            set, every participant has a LIMITS_REFUSED technical alarm.
    """

    def __init__(
        self, clock: Clock, limits: LimitSet, record: AlarmSink, config: AlarmConfig | None = None
    ) -> None:
        self.clock = clock
        self.limits = limits
        self.participant_limits: dict[str, LimitSet] = {}
        self.config = config or AlarmConfig()
        self.alarms: dict[str, Alarm] = {}
        self._record = record
        self._watch: dict[tuple[str, str], _Watch] = {}
        self._seats: dict[str, int] = {}
        self._silence = MonitorSilence()
        self._spot_values: dict[str, float] = {}  # alarm id -> the hand value holding it
        self._pauses = AudioPauses()
        self._last_sound: tuple[int, float] | None = None
        self._announced: set[str] = set()  # alarms whose current episode has sounded
        self._sounded_low: set[str] = set()
        self.limits_problem = ""

    # -- readings -------------------------------------------------------------------
    def limits_for(self, pid: str) -> LimitSet:
        return self.participant_limits.get(pid, self.limits)

    def observe(
        self, pid: str, seat: int, param: str, t: float, value: float, *, spot: bool = False
    ) -> None:
        """One reading. NaN and implausible values (sentinels) neither raise nor clear.

        `spot` marks a value a person measured and typed in: it is judged against the same
        limits, at once (the condition delay filters a monitor's stream of artefacts; a
        spot check is one deliberate measurement), and it says nothing about whether the
        monitor is sending, so it neither raises nor clears a no-data alarm.
        """
        p = PARAMETERS.get(param)
        if p is None or not p.is_valid(value):
            return
        if self._seats.get(pid) != seat:  # moved: their alarms name the seat they are on
            for alarm in self.alarms.values():
                if alarm.participant_id == pid:
                    alarm.seat = seat
        if pid not in self._seats and self.limits_problem:
            self.raise_technical(pid, LIMITS_REFUSED, MEDIUM, self.limits_problem, seat)
        self._seats[pid] = seat
        if spot:
            if self._silence.newer_than(pid, param, t):
                return  # a value typed in after newer monitor readings is history, not now
            t = max(t, self.clock.now())  # a back-dated entry alarms from when it is known
        else:
            self._silence.heard(pid, param, t, p.continuous)
        limits = self.limits_for(pid).get(param)
        if limits is None or limits.off:
            return
        watch = self._watch.setdefault((pid, param), _Watch())  # armed from here on
        if limits.confirm_readings > 1 or limits.extreme is not None:
            level, bound = self._intermittent(limits, watch, value)
        elif spot:
            level, bound = limits.level(value)
            watch.since = (
                {} if level is None else {HIGH: t, MEDIUM: t} if level == HIGH else {MEDIUM: t}
            )
        else:
            level, bound = self._continuous(limits, watch, t, value)
        if level is None:
            self._condition_gone(pid, param, t)
        else:
            text = f"{param} {value:g} {bound}" + (" (hand)" if spot else "")
            self._condition(pid, param, level, text, value, str(bound), t, technical=False)
        if spot and level is not None:
            self._spot_values[f"{pid}:{param}"] = value
        else:
            self._spot_values.pop(f"{pid}:{param}", None)

    def struck(self, pid: str, param: str, value: float) -> None:
        """A hand value was struck out. The alarm ends only when that value is what holds it
        (a monitor's alarm on the same parameter stands); a latched high alarm still needs
        a person to reset it, and the log keeps why it was raised."""
        alarm_id = f"{pid}:{param}"
        if self._spot_values.get(alarm_id) == value:
            del self._spot_values[alarm_id]
            self._condition_gone(pid, param, self.clock.now())

    def restore(self, alarm: Alarm) -> bool:
        """Show again, without an event, a vital-sign alarm shown when the session was
        interrupted (resume). Its condition holds since it was raised, so a reading still
        past the limit keeps it rather than restart the delay. Not restored (False): a
        technical alarm (judged again) or one of a parameter no longer watched."""
        pid = alarm.participant_id
        limits = self.limits_for(pid).get(alarm.key)
        if alarm.technical or limits is None or limits.off:
            return False
        self.alarms[alarm.id] = alarm
        self._seats.setdefault(pid, alarm.seat)
        if alarm.condition_active:
            watch = self._watch.setdefault((pid, alarm.key), _Watch())
            for level in (HIGH, MEDIUM) if alarm.priority == HIGH else (MEDIUM,):
                watch.since.setdefault(level, alarm.raised_at)
            watch.recent = [alarm.priority] * limits.confirm_readings
            if alarm.text.endswith(" (hand)"):  # held by a hand value: a strike ends it
                self._spot_values[alarm.id] = alarm.value
        return True

    def expect_data(self, pid: str, seat: int, since: float) -> None:
        """`pid` was seated on a monitored seat at `since`: a monitor that never sends a
        first value raises "no data since seated" like one that stops."""
        self._seats.setdefault(pid, seat)
        self._silence.expect(pid, since)

    # -- clinical observations scored by a person (MOAA/S) ----------------------------
    def clinical_condition(
        self,
        pid: str,
        key: str,
        priority: str,
        text: str,
        value: float,
        limit: str,
        seat: int | None = None,
    ) -> None:
        """A clinical alarm from a scored observation (a MOAA/S at or below its floor)."""
        if seat is not None:
            self._seats[pid] = seat
        self._condition(pid, key, priority, text, value, limit, self.clock.now(), technical=False)

    def clinical_condition_gone(self, pid: str, key: str) -> None:
        self._condition_gone(pid, key, self.clock.now())

    def _continuous(self, limits: ParamLimits, watch: _Watch, t: float, value: float):
        for priority in (HIGH, MEDIUM):
            if _crossed(limits, priority, value) or (
                priority == MEDIUM and _crossed(limits, HIGH, value)
            ):
                watch.since.setdefault(priority, t)
            else:
                watch.since.pop(priority, None)
        for priority in (HIGH, MEDIUM):
            started = watch.since.get(priority)
            if started is not None and t - started >= limits.delay_s:
                bound = _crossed(limits, priority, value) or _crossed(limits, HIGH, value)
                return priority, bound
        return None, None

    def _intermittent(self, limits: ParamLimits, watch: _Watch, value: float):
        level, bound = limits.level(value)
        watch.recent = (watch.recent + [level])[-limits.confirm_readings :]
        if limits.extreme is not None and limits.extreme.crossed(value):
            return HIGH, limits.extreme
        if level is None or len(watch.recent) < limits.confirm_readings:
            return None, None
        confirmed = min(watch.recent, key=rank)
        if confirmed is None:
            return None, None
        return confirmed, _crossed(limits, confirmed, value) or bound

    # -- technical alarms (also the hook for "BP check overdue") ---------------------
    def raise_technical(
        self, pid: str, key: str, priority: str, text: str, seat: int | None = None
    ) -> None:
        if seat is not None:
            self._seats[pid] = seat
        self._condition(pid, key, priority, text, None, None, self.clock.now(), technical=True)

    def clear_technical(self, pid: str, key: str) -> None:
        self._condition_gone(pid, key, self.clock.now())

    def source_lost(self, pid: str, seat: int, reason: str) -> None:
        """A monitor connection dropped (the listener reports it): medium technical alarm."""
        self.raise_technical(pid, SOURCE_LOST, MEDIUM, f"source lost: {reason}", seat)

    def source_restored(self, pid: str) -> None:
        self.clear_technical(pid, SOURCE_LOST)

    # -- transitions ----------------------------------------------------------------
    def _condition(
        self,
        pid: str,
        key: str,
        level: str,
        text: str,
        value: float | None,
        limit: str | None,
        t: float,
        *,
        technical: bool,
    ) -> None:
        alarm_id = f"{pid}:{key}"
        alarm = self.alarms.get(alarm_id)
        if alarm is None:
            alarm = Alarm(
                alarm_id,
                pid,
                self._seats.get(pid, 0),
                key,
                technical,
                level,
                text,
                value,
                limit,
                raised_at=t,
                unacknowledged_since=t,
            )
            self.alarms[alarm_id] = alarm
            self._raised(alarm, previous=None)
            return
        if alarm.latched:
            # The condition is back while the high alarm is still latched: the same alarm
            # becomes active again (never replaced by a lower one, so it still needs a reset).
            alarm.condition_active = True
            alarm.acknowledged_at, alarm.unacknowledged_since = None, t
            if rank(level) >= rank(alarm.priority):
                alarm.text, alarm.value, alarm.limit = text, value, limit
            self._raised(alarm, previous=None, returned=True)
            return
        if technical or rank(level) >= rank(alarm.priority):
            # The text keeps saying why the alarm has its priority: a latched high alarm
            # whose value is now only medium still shows the reading that made it high.
            alarm.text, alarm.value, alarm.limit = text, value, limit
        if rank(level) > rank(alarm.priority):
            previous = alarm.priority
            alarm.priority = level
            alarm.acknowledged_at = None
            alarm.unacknowledged_since = t
            self._raised(alarm, previous=previous)

    def _raised(self, alarm: Alarm, previous: str | None, returned: bool = False) -> None:
        data = alarm.event_data()
        if previous:
            data["from_priority"] = previous
        if returned:
            data["returned"] = True
        if previous is None:
            self._pauses.new_episode(alarm.id)
        self._announced.discard(alarm.id)  # it sounds at once, not at the next repeat
        broke = self._pauses.break_through(alarm)
        if broke:
            data["broke_through_pause"] = broke
        self._record("alarm.raised", data, alarm.participant_id, "system")

    def _condition_gone(self, pid: str, key: str, t: float) -> None:
        alarm = self.alarms.get(f"{pid}:{key}")
        if alarm is None or alarm.latched:
            return
        alarm.condition_active = False
        if alarm.priority == HIGH and not alarm.technical:
            # A high physiological alarm stays shown until someone resets it; a technical
            # one (a late BP check, a silent sensor) ends when its cause does.
            self._record("alarm.cleared", {**alarm.event_data(), "latched": True}, pid, "system")
            return
        del self.alarms[alarm.id]
        self._sounded_low.discard(alarm.id)
        self._record("alarm.cleared", alarm.event_data(), pid, "system")

    # -- people's actions -----------------------------------------------------------
    def _get(self, alarm_id: str) -> Alarm:
        try:
            return self.alarms[alarm_id]
        except KeyError:
            raise BadInputError(f"no active alarm {alarm_id!r}; it may have cleared") from None

    def acknowledge(self, alarm_id: str, actor: str) -> None:
        alarm = self._get(alarm_id)
        if alarm.acknowledged:
            return
        alarm.acknowledged_at = self.clock.now()
        alarm.last_reminder_at = None  # reminders count from this acknowledgement
        self._record("alarm.acknowledged", alarm.event_data(), alarm.participant_id, actor)

    def reset(self, alarm_id: str, actor: str) -> None:
        """Take down a latched alarm whose condition has gone."""
        alarm = self._get(alarm_id)
        if alarm.condition_active:
            raise BadInputError(
                f"{alarm.text}: the condition is still present; acknowledge "
                "it instead (it can be reset once it has cleared)"
            )
        del self.alarms[alarm.id]
        self._record("alarm.reset", alarm.event_data(), alarm.participant_id, actor)

    def pause_audio(
        self, actor: str, pid: str | None = None, duration_s: float | None = None
    ) -> float:
        """Silence the alarms sounding now, in the room or for one participant, for a while.

        Returns when the pause ends. Alarms raised (or raised higher) later still sound.
        """
        duration = self.config.audio_pause_s if duration_s is None else duration_s
        lo, hi = AlarmConfig.RANGES["audio_pause_s"]
        if not lo <= duration <= hi:
            raise BadInputError(
                f"an audio pause lasts {lo / 60:g} to {hi / 60:g} minutes, not {duration / 60:g}"
            )
        now = self.clock.now()
        scope = pid or ROOM
        covered = [a for a in self.alarms.values() if scope == ROOM or a.participant_id == pid]
        data = {
            "scope": "room" if scope == ROOM else "participant",
            "duration_s": duration,
            "until_t": now + duration,
            "alarms": self._pauses.start(scope, now + duration, covered),
        }
        if pid:
            data["seat"] = self._seats.get(pid, 0)
        self._record("alarm.audio_paused", data, pid, actor)
        return now + duration

    def pause_remaining(self, pid: str | None = None) -> float | None:
        """Seconds left of the pause covering `pid` (or the room-wide one), else None."""
        return self._pauses.remaining(pid, self.clock.now())

    # -- limits ---------------------------------------------------------------------
    def set_limits(self, new: LimitSet, actor: str, pid: str | None = None) -> int:
        """Put new limits in force (clinic-wide, or for one participant); one
        `limits.changed` event per parameter that changed. Returns how many changed."""
        old = self.limits_for(pid) if pid else self.limits
        changed = 0
        for param in sorted(set(old.params) | set(new.params)):
            before = old.get(param).describe() if old.get(param) else None
            after = new.get(param).describe() if new.get(param) else None
            if before != after:
                changed += 1
                self._record(
                    "limits.changed",
                    {
                        "param": param,
                        "old": before,
                        "new": after,
                        "source": new.source,
                        "scope": "participant" if pid else "clinic",
                    },
                    pid,
                    actor,
                )
        if pid:
            self.participant_limits[pid] = new
        else:
            self.limits = new
        self._end_unwatched(pid)
        return changed

    def off_params(self, pid: str | None = None) -> dict[str, str]:
        """The parameters whose alarms are switched off for `pid` (or the clinic), with why."""
        return (self.limits_for(pid) if pid else self.limits).off()

    def limits_refused(self, problem: str) -> None:
        """A limits file was refused: the limits in force stay, and every participant
        watched gets a technical alarm saying so until a good file is read."""
        self.limits_problem = problem
        for pid, seat in self._seats.items():
            self.raise_technical(pid, LIMITS_REFUSED, MEDIUM, problem, seat)

    def limits_accepted(self) -> None:
        self.limits_problem = ""
        for alarm in [a for a in self.alarms.values() if a.key == LIMITS_REFUSED]:
            self.clear_technical(alarm.participant_id, LIMITS_REFUSED)

    def _end_unwatched(self, pid: str | None) -> None:
        """Alarms of a parameter no longer in force end: nothing could ever clear them; so
        do those of a parameter switched off (its no-data alarm too)."""
        for alarm in list(self.alarms.values()):
            who = alarm.participant_id
            param = alarm.key.removeprefix(f"{NO_DATA}:")
            if (pid is not None and who != pid) or param not in PARAMETERS:
                continue  # a scored observation (MOAA/S) has no limits
            limits = self.limits_for(who).get(param)
            if limits is None and not alarm.technical:
                reason = "no limits for this parameter"
            elif limits is not None and limits.off:
                reason = f"{param} alarms switched off: {limits.reason}"
            else:
                continue
            del self.alarms[alarm.id]
            self._watch.pop((who, param), None)
            self._record("alarm.cleared", {**alarm.event_data(), "reason": reason}, who, "system")

    def forget(self, pid: str) -> None:
        """A participant left the room: their alarms end without a sound."""
        for alarm in [a for a in self.alarms.values() if a.participant_id == pid]:
            del self.alarms[alarm.id]
            self._record(
                "alarm.cleared", {**alarm.event_data(), "reason": "participant left"}, pid, "system"
            )
        self._silence.forget(pid)
        self._pauses.forget(pid)
        self._seats.pop(pid, None)
        for key in [k for k in self._watch if k[0] == pid]:
            del self._watch[key]

    # -- time -----------------------------------------------------------------------
    def tick(self, now: float | None = None) -> list[SoundCue]:
        """Advance time-driven rules; returns the sounds to play now (at most one burst
        room-wide, the highest, plus reminders).

        `now` is the time the readings were last pulled up to: on a fast simulated clock
        the clock moves on while a pump runs, and silence must not be measured past the
        data asked for.
        """
        now = self.clock.now() if now is None else now
        self._check_no_data(now)
        cues = self._escalate_and_remind(now)
        self._pauses.expire(now)
        burst = self._burst(now)
        return ([burst] if burst else []) + cues

    def _check_no_data(self, now: float) -> None:
        """Each monitored parameter has its own no-data alarm ("SpO2 no data" while the ECG
        goes on); when every one of a participant's parameters is silent, one "no data"
        alarm stands for the monitor instead of one per parameter."""
        c = self.config

        def watched(pid: str, param: str) -> bool:  # a parameter switched off is not missed
            limits = self.limits_for(pid).get(param)
            return limits is None or not limits.off

        for pid, silent in self._silence.never_heard(now).items():
            if silent > c.no_data_low_s:
                self._no_data(pid, NO_DATA, "no data since seated", silent, now)
        for pid, silent in self._silence.silences(now, watched).items():
            quiet = {p: s for p, s in silent.items() if s > c.no_data_low_s}
            if quiet and len(quiet) == len(silent):
                for param in silent:
                    self._condition_gone(pid, no_data_key(param), now)
                self._no_data(pid, NO_DATA, "no data", min(quiet.values()), now)
                continue
            self._condition_gone(pid, NO_DATA, now)
            for param, s in silent.items():
                if param == "PR" and "HR" in silent and "HR" not in quiet:
                    quiet.pop(param, None)  # the tile shows the ECG's HR: PR is not missed
                if param in quiet:
                    self._no_data(pid, no_data_key(param), f"{param} no data", s, now)
                else:
                    self._condition_gone(pid, no_data_key(param), now)

    def _no_data(self, pid: str, key: str, what: str, silent: float, now: float) -> None:
        level = MEDIUM if silent > self.config.no_data_medium_s else LOW
        quiet = f"{math.floor(silent)} s" if silent < 120 else f"{math.floor(silent / 60)} min"
        self._condition(pid, key, level, f"{what} {quiet}", None, None, now, technical=True)

    def _escalate_and_remind(self, now: float) -> list[SoundCue]:
        cues = []
        for alarm in list(self.alarms.values()):
            if not alarm.condition_active:
                continue
            # A technical or process alarm (no data, a late BP check) goes up to medium at
            # most: it must never sound like a clinical high alarm (CLINICAL.md).
            ceiling = MEDIUM if alarm.technical else HIGH
            if (
                not alarm.acknowledged
                and not alarm.escalated
                and rank(alarm.priority) < rank(ceiling)
                and now - alarm.unacknowledged_since >= self.config.escalate_after_s
            ):
                previous = alarm.priority
                alarm.priority = _UP[previous]
                alarm.escalated = True
                data = {**alarm.event_data(), "from_priority": previous}
                broke = self._pauses.break_through(alarm)  # higher now: it sounds again
                if broke:
                    data["broke_through_pause"] = broke
                self._record("alarm.escalated", data, alarm.participant_id, "system")
            if alarm.acknowledged and not self._pauses.silences(alarm, now):
                last = alarm.last_reminder_at or alarm.acknowledged_at
                if now - last >= self.config.reminder_s:
                    alarm.last_reminder_at = now
                    self._record(
                        "alarm.reminded", alarm.event_data(), alarm.participant_id, "system"
                    )
                    cues.append(SoundCue(alarm.priority, reminder=True))
        return cues

    def audible(self, now: float | None = None) -> list[Alarm]:
        """Alarms that should sound: not acknowledged, not paused, not a sounded low."""
        now = self.clock.now() if now is None else now
        return [
            a
            for a in self.alarms.values()
            if not a.acknowledged and not self._pauses.silences(a, now)
        ]

    def _burst(self, now: float) -> SoundCue | None:
        audible = self.audible(now)
        if not audible:
            self._last_sound = None
            return None
        top = max(audible, key=lambda a: rank(a.priority))
        top_rank = rank(top.priority)
        if top.priority == LOW:  # a low alarm sounds once
            fresh = [a for a in audible if a.priority == LOW and a.id not in self._sounded_low]
            if not fresh:
                return None
            self._sounded_low.update(a.id for a in fresh)
            self._last_sound = (top_rank, now)
            return SoundCue(LOW)
        repeat = self.config.repeat_high_s if top.priority == HIGH else self.config.repeat_medium_s
        fresh = any(a.id not in self._announced for a in audible if a.priority != LOW)
        if (
            self._last_sound is None
            or top_rank > self._last_sound[0]
            or fresh
            or now - self._last_sound[1] >= repeat
        ):
            self._last_sound = (top_rank, now)
            self._announced.update(a.id for a in audible)
            return SoundCue(top.priority)
        return None

    # -- views for the UI ---------------------------------------------------------------
    def active(self) -> list[Alarm]:
        """Every alarm shown, highest priority first, then oldest first."""
        return sorted(self.alarms.values(), key=lambda a: (-rank(a.priority), a.raised_at))

    def top_for(self, pid: str) -> Alarm | None:
        mine = [a for a in self.alarms.values() if a.participant_id == pid]
        return min(mine, key=lambda a: (-rank(a.priority), a.raised_at)) if mine else None
