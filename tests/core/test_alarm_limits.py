"""Alarm limits files: the defaults match CLINICAL.md, and a bad file is refused whole, with
the line it went wrong on, while the limits in force stay as they were."""

from __future__ import annotations

import re
import textwrap

import pytest

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import (
    HIGH,
    MEDIUM,
    Bound,
    LimitSet,
    ParamLimits,
    default_limits,
    load_limits,
    parse_limits,
)
from groupkap.errors import BadInputError, ConfigError


def b(text: str) -> Bound:
    op, value = text.split()
    return Bound(op, float(value))


GOOD = textwrap.dedent("""\
    # a clinic's own limits
    [SpO2]
    medium = "< 90"
    high = "< 85"
    delay_s = 20

    [HR]
    medium = ["< 40", "> 130"]
    high = "> 150"
    delay_s = 10
""")


def line_of(message: str) -> int:
    m = re.search(r"line (\d+)", message)
    assert m, f"the message names no line: {message}"
    return int(m.group(1))


# -- the built-in defaults -------------------------------------------------------------------
def test_defaults_parse_and_match_the_clinical_table():
    limits = default_limits()

    assert set(limits.params) == {"SpO2", "HR", "SBP", "DBP", "RR"}
    assert limits.get("SpO2") == ParamLimits("SpO2", (b("< 92"),), (b("< 88"),), delay_s=15)
    assert limits.get("HR") == ParamLimits("HR", (b("< 45"), b("> 120")), (b("> 140"),), delay_s=10)
    assert limits.get("SBP") == ParamLimits(
        "SBP", (b("> 160"), b("< 90")), (b(">= 180"),), confirm_readings=2, extreme=b(">= 200")
    )
    assert limits.get("DBP") == ParamLimits(
        "DBP", (b("> 100"),), (b(">= 110"),), confirm_readings=2
    )
    assert limits.get("RR") == ParamLimits("RR", (b("< 10"), b("> 30")), (b("< 8"),), delay_s=20)


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        ("SpO2", 92, None),
        ("SpO2", 91.9, MEDIUM),
        ("SpO2", 88, MEDIUM),
        ("SpO2", 87.9, HIGH),
        ("HR", 45, None),
        ("HR", 44, MEDIUM),
        ("HR", 120, None),
        ("HR", 121, MEDIUM),
        ("HR", 140, MEDIUM),
        ("HR", 141, HIGH),
        ("SBP", 160, None),
        ("SBP", 161, MEDIUM),
        ("SBP", 89, MEDIUM),
        ("SBP", 179, MEDIUM),
        ("SBP", 180, HIGH),
        ("DBP", 100, None),
        ("DBP", 101, MEDIUM),
        ("DBP", 109, MEDIUM),
        ("DBP", 110, HIGH),
        ("RR", 10, None),
        ("RR", 9, MEDIUM),
        ("RR", 8, MEDIUM),
        ("RR", 7, HIGH),
        ("RR", 31, MEDIUM),
    ],
)
def test_default_levels_at_the_edges(param, value, expected):
    level, bound = default_limits().get(param).level(value)
    assert level == expected
    assert (bound is None) == (expected is None)


def test_a_clinic_file_is_read(tmp_path):
    path = tmp_path / "alarm_limits.toml"
    path.write_text(GOOD, encoding="utf-8")

    limits = load_limits(path)

    assert limits.source == str(path)
    assert limits.get("SpO2").medium == (b("< 90"),)
    assert limits.get("SpO2").delay_s == 20
    assert limits.get("HR").high == (b("> 150"),)
    assert limits.get("RR") is None  # a file lists only what it watches


# -- refusals: each names its line ------------------------------------------------------------
BAD_FILES = {
    "low at or above high": (
        """\
        [HR]
        delay_s = 10
        medium = ["< 130", "> 120"]
        high = "> 140"
        """,
        3,
        "at or above",
    ),
    "unknown parameter": (
        """\
        [SpO2]
        medium = "< 92"

        [Glucose]
        medium = "< 4"
        """,
        4,
        "unknown parameter [Glucose]",
    ),
    "waveform is not a limit parameter": (
        """\
        [PLETH]
        medium = "< 0"
        """,
        1,
        "unknown parameter [PLETH]",
    ),
    "bound out of plausible range": (
        """\
        [SpO2]
        medium = "< 92"
        high = "< 120"
        """,
        3,
        "plausible range",
    ),
    "delay out of range": (
        """\
        [SpO2]
        medium = "< 92"
        delay_s = 900
        """,
        3,
        "must be a number from 0 to 300",
    ),
    "delay not a number": (
        """\
        [SpO2]
        medium = "< 92"
        delay_s = "15 s"
        """,
        3,
        "must be a number",
    ),
    "bad bound text": (
        """\
        [SpO2]

        medium = "below 92"
        """,
        3,
        "is not a bound",
    ),
    "bound without operator": (
        """\
        [RR]
        medium = ["< 10", "30"]
        """,
        2,
        "is not a bound",
    ),
    "unknown key": (
        """\
        [RR]
        medium = ["< 10", "> 30"]
        delay = 20
        """,
        3,
        "unknown key RR.delay",
    ),
    "high less extreme than medium": (
        """\
        [SpO2]
        medium = "< 88"
        high = "< 92"
        delay_s = 15
        """,
        3,
        "less extreme",
    ),
    "section header with a comment": (
        """\
        [HR]    # pulse
        medium = ["< 45", "> 120"]
        [SpO2]  # pulse oximetry, finger probe
        medium = "< 92"
        delay_s = -5
        """,
        5,
        "SpO2.delay_s",
    ),
    "key outside any section": (
        """\
        delay_s = 15
        [SpO2]
        medium = "< 92"
        """,
        1,
        "must be a [section]",
    ),
    "bad TOML": (
        """\
        [SpO2]
        medium = "< 92"
        high "< 88"
        """,
        3,
        "SpO2",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_limits_file_names_its_line(case):
    text, line, words = BAD_FILES[case]
    text = textwrap.dedent(text)
    with pytest.raises(ConfigError) as caught:
        parse_limits(text, "clinic.toml")
    message = str(caught.value)
    assert message.startswith("clinic.toml")
    assert line_of(message) == line
    if case != "bad TOML":  # tomllib words its own message
        assert words in message
    assert "previous limits stay in force" in message


def test_a_limits_error_is_bad_input():
    # The UI catches BadInputError at its edge; a limits file is a person's input.
    with pytest.raises(BadInputError):
        parse_limits('[HR]\nmedium = "> 500"\n')


def test_the_first_bad_section_is_reported_even_after_good_ones():
    text = GOOD + '\n[RR]\nmedium = "< 10"\nhigh = "< 12"\n'
    with pytest.raises(ConfigError) as caught:
        parse_limits(text, "clinic.toml")
    assert line_of(str(caught.value)) == text.splitlines().index('high = "< 12"') + 1


def test_a_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read alarm limits"):
        load_limits(tmp_path / "nowhere" / "alarm_limits.toml")


def test_a_refused_file_leaves_the_limits_in_force(clock, tmp_path):
    events = []
    engine = AlarmEngine(clock, default_limits(), lambda *e: events.append(e))
    before = engine.limits
    path = tmp_path / "alarm_limits.toml"
    path.write_text(GOOD.replace('high = "< 85"', 'high = "< 95"'), encoding="utf-8")

    # The caller's pattern: parse first, and set only what parsed.
    with pytest.raises(ConfigError):
        engine.set_limits(load_limits(path), "lead")

    assert engine.limits is before
    assert engine.limits.get("SpO2").medium == (b("< 92"),)
    assert engine.participant_limits == {}
    assert events == []


def test_a_good_file_after_a_bad_one_is_taken_whole(clock):
    engine = AlarmEngine(clock, default_limits(), lambda *e: None)
    with pytest.raises(ConfigError):
        engine.set_limits(parse_limits(GOOD + '[TEMP]\nmedium = "> 99"\n'), "lead")
    engine.set_limits(parse_limits(GOOD, "clinic.toml"), "lead")
    assert isinstance(engine.limits, LimitSet)
    assert engine.limits.source == "clinic.toml"
    assert set(engine.limits.params) == {"SpO2", "HR"}


def test_limits_round_trip_through_the_file_format():
    from groupkap.alarms.limits import to_toml

    defaults = default_limits()
    again = parse_limits(to_toml(defaults), "round trip")
    assert again.params == defaults.params
