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
REST = textwrap.dedent("""\

    [SBP]
    medium = ["> 160", "< 90"]
    high = ">= 180"
    confirm_readings = 2
    extreme = ">= 200"

    [DBP]
    medium = "> 100"
    high = ">= 110"
    confirm_readings = 2

    [RR]
    medium = ["< 10", "> 30"]
    high = "< 8"
    delay_s = 20
""")
FULL = GOOD + REST  # a file must name every parameter of the defaults


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
    path.write_text(FULL, encoding="utf-8")

    limits = load_limits(path)

    assert limits.source == str(path)
    assert limits.get("SpO2").medium == (b("< 90"),)
    assert limits.get("SpO2").delay_s == 20
    assert limits.get("HR").high == (b("> 150"),)
    assert limits.get("RR") == default_limits().get("RR")
    assert limits.off() == {}


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
    engine.set_limits(parse_limits(FULL, "clinic.toml"), "lead")
    assert isinstance(engine.limits, LimitSet)
    assert engine.limits.source == "clinic.toml"
    assert set(engine.limits.params) == {"SpO2", "HR", "SBP", "DBP", "RR"}


def test_limits_round_trip_through_the_file_format():
    from groupkap.alarms.limits import to_toml

    defaults = default_limits()
    again = parse_limits(to_toml(defaults), "round trip")
    assert again.params == defaults.params


# -- limits never vanish by omission (issue 11) -----------------------------------------------
SPO2_OFF = FULL.replace(
    '[SpO2]\nmedium = "< 90"',
    '[SpO2]\noff = true\nreason = "probe removed: spot checks every 5 min"\nmedium = "< 90"',
)


def test_an_empty_file_is_refused_naming_every_parameter():
    with pytest.raises(ConfigError) as caught:
        parse_limits("", "clinic.toml")
    message = str(caught.value)
    assert message.startswith("clinic.toml is empty: no [SpO2], [HR], [SBP], [DBP], [RR]")
    assert "off = true" in message and "previous limits stay in force" in message


def test_a_file_with_only_hr_is_refused_naming_what_is_missing():
    with pytest.raises(ConfigError) as caught:
        parse_limits('[HR]\nmedium = ["< 45", "> 120"]\nhigh = "> 140"\n', "clinic.toml")
    assert "clinic.toml has [HR] but no [SpO2], [SBP], [DBP], [RR]" in str(caught.value)


def test_a_section_without_bounds_is_refused_at_its_line():
    text = FULL.replace('medium = "> 100"\nhigh = ">= 110"\nconfirm_readings = 2\n', "")
    with pytest.raises(ConfigError) as caught:
        parse_limits(text, "clinic.toml")
    message = str(caught.value)
    assert line_of(message) == text.splitlines().index("[DBP]") + 1
    assert "[DBP] has no medium or high bound" in message


@pytest.mark.parametrize(
    ("section", "words"),
    [
        ("off = true", "SpO2.off = true needs a reason"),
        ('off = true\nreason = "  "', "SpO2.off = true needs a reason"),
        ('off = "yes"\nreason = "probe off"', "must be true or false"),
        ('reason = "probe off"', "SpO2.reason is given but SpO2.off is not true"),
    ],
)
def test_alarms_are_switched_off_only_with_off_true_and_a_reason(section, words):
    text = FULL.replace('[SpO2]\nmedium = "< 90"', f'[SpO2]\n{section}\nmedium = "< 90"')
    with pytest.raises(ConfigError) as caught:
        parse_limits(text, "clinic.toml")
    message = str(caught.value)
    assert words in message
    assert line_of(message) == 3  # the first line under [SpO2] (line 2): `off` or `reason`


def test_off_with_a_reason_is_taken_kept_and_written_back():
    limits = parse_limits(SPO2_OFF, "clinic.toml")
    spo2 = limits.get("SpO2")
    assert spo2.off and spo2.reason == "probe removed: spot checks every 5 min"
    assert limits.off() == {"SpO2": "probe removed: spot checks every 5 min"}
    assert spo2.level(50) == (None, None)
    assert spo2.medium == (b("< 90"),)  # kept: deleting `off` switches them back on
    assert spo2.describe()["off"] is True and "probe removed" in spo2.describe()["reason"]
    from groupkap.alarms.limits import limits_from_description, to_toml

    assert parse_limits(to_toml(limits), "again").params == limits.params
    assert limits_from_description("SpO2", spo2.describe()) == spo2


def desaturate(engine, clock, seconds=60, value=85):
    for _ in range(seconds):
        clock.advance(1)
        engine.observe("p1", 1, "HR", clock.now(), 70)
        engine.observe("p1", 1, "SpO2", clock.now(), value)
        engine.tick()


def test_spo2_switched_off_raises_no_alarm_where_the_defaults_would(clock):
    events = []
    on = AlarmEngine(clock, default_limits(), lambda *e: events.append(e))
    desaturate(on, clock)
    assert [a.key for a in on.active()] == ["SpO2"]

    off = AlarmEngine(clock, parse_limits(SPO2_OFF, "clinic.toml"), lambda *e: None)
    desaturate(off, clock)
    assert off.active() == []
    assert off.off_params("p1") == {"SpO2": "probe removed: spot checks every 5 min"}


def test_switching_spo2_off_ends_its_alarms_and_its_probe_is_not_missed(clock):
    events = []
    engine = AlarmEngine(clock, default_limits(), lambda *e: events.append(e))
    desaturate(engine, clock)
    assert engine.alarms["p1:SpO2"].priority == HIGH

    engine.set_limits(parse_limits(SPO2_OFF, "clinic.toml"), "lead")

    assert engine.active() == []
    changed = [e[1] for e in events if e[0] == "limits.changed" and e[1]["param"] == "SpO2"]
    assert changed[0]["new"]["off"] is True and "probe removed" in changed[0]["new"]["reason"]
    cleared = [e[1] for e in events if e[0] == "alarm.cleared"][-1]
    assert cleared["reason"].startswith("SpO2 alarms switched off: probe removed")
    for _ in range(60):  # the probe is off the finger: HR goes on, SpO2 never comes
        clock.advance(1)
        engine.observe("p1", 1, "HR", clock.now(), 70)
        engine.tick()
    assert engine.active() == []


# -- what is read: a regular file, bounded, UTF-8 ----------------------------------------------
def test_a_non_utf8_file_is_refused_with_its_line(tmp_path):
    path = tmp_path / "alarm_limits.toml"
    path.write_bytes(FULL.replace("# a clinic's own limits", "# Gr\xfc\xdfe").encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_limits(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line 1: not UTF-8 text")


def test_a_fifo_is_refused_at_once_without_blocking(tmp_path):
    import os
    import threading
    import time

    path = tmp_path / "alarm_limits.toml"
    os.mkfifo(path)
    outcome: list = []

    def read() -> None:
        try:
            load_limits(path)
        except ConfigError as exc:
            outcome.append(str(exc))

    started = time.monotonic()
    reader = threading.Thread(target=read, daemon=True)  # a hang fails, never blocks the run
    reader.start()
    reader.join(timeout=2)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert time.monotonic() - started < 0.5
    [message] = outcome
    assert "is not a regular file" in message and str(path) in message


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="is a folder"):
        load_limits(tmp_path)


def test_an_oversized_file_is_refused(tmp_path):
    path = tmp_path / "alarm_limits.toml"
    path.write_text(FULL + "#" * (64 * 1024), encoding="utf-8")
    with pytest.raises(ConfigError, match="larger than 64 KiB"):
        load_limits(path)


def test_the_required_parameters_are_those_of_the_defaults():
    from groupkap.alarms.limits import required_params

    assert set(required_params()) == set(default_limits().params)
