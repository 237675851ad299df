"""HL7 times to UTC epoch seconds: offsets, fractional seconds, the zone of times without one."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from groupkap.hl7.timestamps import hl7_time_to_epoch


def utc(*args: int, microsecond: int = 0) -> float:
    return datetime(*args, microsecond=microsecond, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20260514093000+0000", utc(2026, 5, 14, 9, 30)),
        ("20260514093000+0100", utc(2026, 5, 14, 8, 30)),
        ("20260514093000-0500", utc(2026, 5, 14, 14, 30)),
        ("20260514093000+0530", utc(2026, 5, 14, 4, 0)),
        # python-hl7's parse_datetime reads -0030 as +00:30; it is 30 minutes west.
        ("20260514093000-0030", utc(2026, 5, 14, 10, 0)),
        ("20260514093000+2359", utc(2026, 5, 13, 9, 31)),
        ("20260514093000-2359", utc(2026, 5, 15, 9, 29)),
        ("202605140930+0200", utc(2026, 5, 14, 7, 30)),
    ],
)
def test_offsets(text, expected):
    assert hl7_time_to_epoch(text) == expected


@pytest.mark.parametrize(
    ("text", "microsecond"),
    [
        ("20260514093015.5+0000", 500_000),
        ("20260514093015.25+0000", 250_000),
        ("20260514093015.0001+0000", 100),
        ("20260514093015.000001+0000", 1),
        ("20260514093015.0000+0000", 0),
        # Milliseconds without the point, as Mindray eGateways write them.
        ("20260514093015250+0000", 250_000),
        ("20260514093015000+0800", 0),
    ],
)
def test_fractional_seconds(text, microsecond):
    hours = 8 if text.endswith("+0800") else 0
    expected = utc(2026, 5, 14, 9, 30, 15, microsecond=microsecond) - hours * 3600
    assert hl7_time_to_epoch(text) == pytest.approx(expected, abs=1e-6)


def test_a_time_without_offset_is_taken_in_the_zone_given():
    assert hl7_time_to_epoch("20260514093000", UTC) == utc(2026, 5, 14, 9, 30)
    # Berlin keeps summer time in May: UTC+2.
    assert hl7_time_to_epoch("20260514093000", ZoneInfo("Europe/Berlin")) == utc(2026, 5, 14, 7, 30)
    assert hl7_time_to_epoch("20260114093000", ZoneInfo("Europe/Berlin")) == utc(2026, 1, 14, 8, 30)
    west = timezone(timedelta(hours=-3))
    assert hl7_time_to_epoch("20260514093000.5", west) == utc(2026, 5, 14, 12, 30) + 0.5


def test_an_offset_in_the_text_beats_the_zone_given():
    berlin = ZoneInfo("Europe/Berlin")
    assert hl7_time_to_epoch("20260514093000+0000", berlin) == utc(2026, 5, 14, 9, 30)


@pytest.fixture
def tokyo_local(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_without_a_zone_the_machine_local_zone_is_used(tokyo_local):
    assert hl7_time_to_epoch("20260514093000") == utc(2026, 5, 14, 0, 30)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "2026-05-14T09:30:00",
        "20260514",  # a date only
        "2026051409",  # an hour only
        "2026051409301",  # 13 digits
        "20261314093000",  # month 13
        "20260532093000",  # day 32
        "20260514246000",  # hour 24
        "20260514093000.",  # a point without digits
        "20260514093000.5x",
        "20260514093000+2400",
        "20260514093000+0160",
        "20260514093000+01a0",
        "20260514093000 +0100",
        "２０２６０５１４０９３０００",  # full-width digits
    ],
)
def test_what_is_not_an_hl7_time_raises_value_error(text):
    with pytest.raises(ValueError):
        hl7_time_to_epoch(text)


@pytest.mark.parametrize(
    ("fraction", "written", "read_back"),
    [
        (0.0, ".000", 0.0),
        (0.2504, ".250", 0.25),
        (0.9994, ".999", 0.999),
        # The last half millisecond rounds up into the next second, not down to .999.
        (0.9995, ".000", 1.0),
        (0.9996, ".000", 1.0),
    ],
)
def test_the_simulated_monitor_writes_times_to_the_nearest_millisecond(
    fraction, written, read_back
):
    from groupkap.hl7.monitor_feed import hl7_time

    whole = utc(2026, 5, 14, 9, 30, 59)
    text = hl7_time(whole + fraction)
    assert text.endswith(written + "+0000")
    assert hl7_time_to_epoch(text) == pytest.approx(whole + read_back, abs=1e-6)
