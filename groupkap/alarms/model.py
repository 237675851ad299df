"""The alarm record, its settings, and the visual signal rules of IEC 60601-1-8.

Attributes here are what every part of the program agrees on: the priorities, how each one
flashes and prefixes its text (so colour is never the only cue), and the timing defaults
from CLINICAL.md, all of which a clinic may change.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from groupkap.alarms.limits import HIGH, LOW, MEDIUM, PRIORITY_RANK
from groupkap.errors import ConfigError
from groupkap.ranges import check_range

PREFIX = {HIGH: "***", MEDIUM: "**", LOW: "*"}
FLASH_HZ = {HIGH: 2.0, MEDIUM: 0.6, LOW: 0.0}  # IEC: high 1.4–2.8 Hz, medium 0.4–0.8 Hz, low steady

# The events an alarm's life leaves in the log, which resume and review read back.
ALARM_KINDS = (
    "alarm.raised",
    "alarm.escalated",
    "alarm.acknowledged",
    "alarm.reminded",
    "alarm.cleared",
    "alarm.reset",
)
NO_DATA = "NO_DATA"
SOURCE_LOST = "SOURCE_LOST"


def no_data_key(param: str) -> str:
    """The key of one parameter's own no-data alarm (`NO_DATA:SpO2`)."""
    return f"{NO_DATA}:{param}"


def rank(priority: str | None) -> int:
    return PRIORITY_RANK.get(priority or "", 0)


def flash_on(priority: str | None, t: float) -> bool:
    """Whether an alarm light of `priority` is lit at time `t` (50 % duty; low is steady)."""
    hz = FLASH_HZ.get(priority or "", 0.0)
    if priority is None:
        return False
    if hz == 0:
        return True
    return (t * hz) % 1.0 < 0.5


@dataclass(frozen=True)
class AlarmConfig:
    """Alarm timing a clinic may tune (CLINICAL.md "Alarm signals").

    Attributes:
        audio_pause_s: how long an audio pause lasts (1–10 min, default 2).
        reminder_s: reminder interval while an acknowledged condition persists.
        escalate_after_s: unacknowledged this long, an alarm goes up a priority.
        no_data_low_s, no_data_medium_s: a seat silent this long raises a technical alarm.
        repeat_high_s, repeat_medium_s: how often the burst of that priority repeats.
    """

    audio_pause_s: float = 120.0
    reminder_s: float = 120.0
    escalate_after_s: float = 60.0
    no_data_low_s: float = 10.0
    no_data_medium_s: float = 30.0
    repeat_high_s: float = 10.0
    repeat_medium_s: float = 25.0

    RANGES = {
        "audio_pause_s": (60, 600),
        "reminder_s": (30, 600),
        "escalate_after_s": (10, 600),
        "no_data_low_s": (5, 120),
        "no_data_medium_s": (10, 300),
        "repeat_high_s": (2.5, 15),
        "repeat_medium_s": (10, 60),
    }

    def __post_init__(self) -> None:
        for f in fields(self):
            lo, hi = self.RANGES[f.name]
            seconds = check_range(f"alarms.{f.name}", getattr(self, f.name), lo, hi, "seconds")
            object.__setattr__(self, f.name, seconds)  # frozen; 300 from a TOML file -> 300.0
        if self.no_data_medium_s <= self.no_data_low_s:
            raise ConfigError("alarms.no_data_medium_s must be longer than no_data_low_s")


@dataclass
class Alarm:
    """One alarm condition of one participant, from raised until cleared or reset.

    Attributes:
        id: `<participant id>:<key>`, stable while the alarm lives.
        participant_id, seat: whose alarm it is.
        key: the parameter (`SpO2` ...) or a technical key (`NO_DATA`, `CHECK_OVERDUE` ...).
        technical: True for equipment and process alarms, False for physiological ones.
        priority: `high`, `medium` or `low` (may rise by escalation, never falls while shown).
        text: what the tile and the alarm bar show, e.g. `SpO2 87 < 92`.
        value, limit: the reading and the bound it crossed (None for technical alarms).
        raised_at: when it was raised.
        condition_active: False once the condition has gone; a high alarm then stays latched.
        acknowledged_at: when someone acknowledged it, or None.
        unacknowledged_since: start of the current unacknowledged stretch (for escalation).
        last_reminder_at: when the last reminder sounded.
        escalated: True once it has been escalated.
    """

    id: str
    participant_id: str
    seat: int
    key: str
    technical: bool
    priority: str
    text: str
    value: float | None
    limit: str | None
    raised_at: float
    condition_active: bool = True
    acknowledged_at: float | None = None
    unacknowledged_since: float = 0.0
    last_reminder_at: float | None = None
    escalated: bool = False

    @property
    def latched(self) -> bool:
        return not self.condition_active

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def label(self) -> str:
        """Text with its priority prefix, e.g. `*** SpO2 85 < 88`."""
        state = " (latched)" if self.latched else ""
        return f"{PREFIX[self.priority]} {self.text}{state}"

    def event_data(self) -> dict:
        return {
            "alarm_id": self.id,
            "seat": self.seat,
            "key": self.key,
            "priority": self.priority,
            "text": self.text,
            "value": self.value,
            "limit": self.limit,
            "technical": self.technical,
        }


@dataclass(frozen=True)
class SoundCue:
    """A burst the facilitators' device should play now.

    Attributes:
        priority: which burst.
        reminder: True for the reminder of an acknowledged, persisting condition.
    """

    priority: str
    reminder: bool = False


__all__ = [
    "Alarm",
    "AlarmConfig",
    "SoundCue",
    "flash_on",
    "rank",
    "PREFIX",
    "FLASH_HZ",
    "HIGH",
    "MEDIUM",
    "LOW",
    "NO_DATA",
    "SOURCE_LOST",
    "no_data_key",
]
