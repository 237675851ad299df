"""The report's extremes judged against the alarm limits in force (CLINICAL.md defaults:
SBP medium > 160 or < 90, high >= 180; SpO2 medium < 92, high < 88), exactly at the
thresholds, and the limits a session's log put in force for each participant."""

from __future__ import annotations

import pytest

from groupkap.alarms.limits import default_limits
from groupkap.review.extremes import limits_at_end, past_limit
from groupkap.store.queries import LoggedEvent


@pytest.mark.parametrize(
    ("param", "value", "priority"),
    [
        ("SBP", 160.0, None),
        ("SBP", 161.0, "medium"),
        ("SBP", 179.0, "medium"),
        ("SBP", 180.0, "high"),
        ("SBP", 90.0, None),
        ("SBP", 89.0, "medium"),
        ("SpO2", 92.0, None),
        ("SpO2", 91.0, "medium"),
        ("SpO2", 88.0, "medium"),
        ("SpO2", 87.0, "high"),
        ("SpO2", None, None),
        ("EtCO2", 99.0, None),  # no limit for it: nothing to say
    ],
)
def test_an_extreme_is_past_a_limit_exactly_at_the_default_thresholds(param, value, priority):
    assert past_limit(default_limits(), param, value) == priority


def event(seq, kind, data, pid=None):
    return LoggedEvent(seq, pid, 1000.0 + seq, kind, "system", data)


def test_the_limits_in_force_at_the_end_come_from_the_log_per_participant():
    defaults = default_limits()
    applied = event(
        1,
        "limits.applied",
        {"source": "clinic", "limits": {n: p.describe() for n, p in defaults.params.items()}},
    )
    raised = event(
        2,
        "limits.changed",
        {"scope": "participant", "param": "SBP", "new": {"medium": ["> 170"], "high": [">= 190"]}},
        pid="p2",
    )
    limits = limits_at_end([applied, raised])
    assert past_limit(limits("p1"), "SBP", 165.0) == "medium"  # the clinic's limits
    assert past_limit(limits("p2"), "SBP", 165.0) is None  # p2's own, raised for them
    assert past_limit(limits("p2"), "SBP", 171.0) == "medium"
    assert past_limit(limits_at_end([])("p1"), "SpO2", 87.0) == "high"  # no log: defaults
