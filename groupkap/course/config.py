"""The `[course]` settings: how many sessions a course plans, when a low liking asks for
silence next time, and when a booster falls due."""

from __future__ import annotations

from dataclasses import dataclass

from groupkap.ranges import section_numbers

# key -> (minimum, maximum, unit, whole number)
RANGES: dict[str, tuple[float, float, str, bool]] = {
    "sessions_planned": (1, 20, "sessions", True),
    "dislike_at_or_below": (0, 10, "points of 10", True),
    "booster_after_days": (7, 365, "days", True),
}


@dataclass(frozen=True)
class CourseConfig:
    """A course as a clinic plans it.

    Attributes:
        sessions_planned: the medicine sessions a new course plans (KAP: typically 4 to 6).
        dislike_at_or_below: a music liking at or below this (0–10) proposes silence for
            the next session.
        booster_after_days: a booster falls due this many days after a course's last session.
    """

    sessions_planned: int = 6
    dislike_at_or_below: int = 3
    booster_after_days: int = 90


def course_settings(table: object, where: str) -> CourseConfig:
    """The [course] section of a settings file, every key checked."""
    return CourseConfig(**section_numbers("course", table, where, RANGES))


def course_config(settings: object = None) -> CourseConfig:
    """The course settings from `Settings` (its `course`), a `CourseConfig`, or the
    defaults for None."""
    if settings is None:
        return CourseConfig()
    if isinstance(settings, CourseConfig):
        return settings
    return getattr(settings, "course", None) or CourseConfig()
