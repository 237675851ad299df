"""Each participant's course across sessions (issue 16): people, post-session feedback and the
plan carried to the next session. Core: no Qt, tested on its own."""

from groupkap.course.config import CourseConfig, course_settings
from groupkap.course.feedback import (
    ANXIETY_MOMENTS,
    FILLED_BY,
    PHYSICAL_EFFECTS,
    Feedback,
    check_feedback,
    latest_feedback,
    record_feedback,
)
from groupkap.course.people import COURSES_LOG, DuplicatePerson, People, Person
from groupkap.course.plan import (
    PLAN_KINDS,
    Adjustment,
    CarriedPlan,
    MusicPrefs,
    adjust_plan,
    carried_plan,
    propose,
)

__all__ = [
    "ANXIETY_MOMENTS",
    "COURSES_LOG",
    "FILLED_BY",
    "PHYSICAL_EFFECTS",
    "PLAN_KINDS",
    "Adjustment",
    "CarriedPlan",
    "CourseConfig",
    "DuplicatePerson",
    "Feedback",
    "MusicPrefs",
    "People",
    "Person",
    "adjust_plan",
    "carried_plan",
    "check_feedback",
    "course_settings",
    "latest_feedback",
    "propose",
    "record_feedback",
]
