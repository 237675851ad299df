"""Units from MDC_DIM codes, UCUM and plain text, converted to each parameter's canonical unit."""

from __future__ import annotations

import pytest

from groupkap.hl7.codes import MAPPABLE
from groupkap.hl7.units import CANONICAL, DIMENSION, UNITS, read_unit
from groupkap.params import PARAMETERS


def test_every_mappable_parameter_has_a_dimension_whose_unit_is_the_catalogue_unit():
    assert set(DIMENSION) == set(MAPPABLE)
    for param in MAPPABLE:
        assert CANONICAL[DIMENSION[param]].symbol == PARAMETERS[param].unit


@pytest.mark.parametrize(
    ("identifier", "text", "param", "value", "expected"),
    [
        ("264864", "MDC_DIM_BEAT_PER_MIN", "HR", 72, 72),
        ("264928", "MDC_DIM_RESP_PER_MIN", "RR", 14, 14),
        ("/min", "", "PR", 70, 70),
        ("", "bpm", "HR", 70, 70),
        ("{beats}/min", "", "HR", 70, 70),
        ("rpm", "", "RR", 12, 12),
        ("262688", "MDC_DIM_PERCENT", "SpO2", 97, 97),
        ("%", "%", "SpO2", 97, 97),
        ("262656", "MDC_DIM_DIMLESS", "SpO2", 0.97, 97.0),
        ("{fraction}", "", "SpO2", 0.955, 95.5),
        ("1", "", "SpO2", 1.0, 100.0),
        ("266016", "MDC_DIM_MMHG", "SBP", 120, 120),
        ("mm[Hg]", "", "DBP", 80, 80),
        ("MMHG", "", "MAP", 93, 93),
        ("265987", "MDC_DIM_KILO_PASCAL", "SBP", 16.0, 120.01),
        ("kPa", "", "MAP", 13.3322387415, 100.0),
        ("hPa", "", "DBP", 133.322387415, 100.0),
        ("268192", "MDC_DIM_DEGC", "TEMP", 36.7, 36.7),
        ("Cel", "", "TEMP", 37, 37),
        ("", "°C", "TEMP", 37, 37),
        ("266560", "MDC_DIM_FAHR", "TEMP", 98.6, 37.0),
        ("[degF]", "", "TEMP", 32, 0.0),
        ("°F", "", "TEMP", -40, -40.0),
        ("K", "", "TEMP", 310.15, 37.0),
    ],
)
def test_units_convert_to_the_canonical_unit(identifier, text, param, value, expected):
    unit, note = read_unit(identifier, text, param)
    assert unit is not None, note
    assert note == ""
    assert unit.to_canonical(value) == pytest.approx(expected, abs=1e-9)


def test_no_unit_at_all_means_the_canonical_unit():
    for param in MAPPABLE:
        unit, note = read_unit("", "", param)
        assert unit == CANONICAL[DIMENSION[param]]
        assert note == ""
        assert unit.to_canonical(12.5) == 12.5


@pytest.mark.parametrize(
    ("identifier", "text", "param"),
    [
        ("266016", "MDC_DIM_MMHG", "HR"),
        ("%", "", "RR"),
        ("[degF]", "", "SBP"),
        ("/min", "", "TEMP"),
        ("{fraction}", "", "HR"),
    ],
)
def test_a_unit_that_does_not_fit_the_parameter_is_refused(identifier, text, param):
    unit, note = read_unit(identifier, text, param)
    assert unit is None
    assert note.endswith(f"does not fit {param}")


def test_an_unknown_unit_is_refused_never_guessed():
    unit, note = read_unit("furlong/fortnight", "", "HR")
    assert unit is None
    assert note == "unit 'furlong/fortnight' is not known"
    unit, note = read_unit("999999", "MDC_DIM_SOMETHING", "HR")
    assert unit is None and "MDC_DIM_SOMETHING" in note


def test_the_text_wins_over_a_contradicting_unit_code_and_says_so():
    unit, note = read_unit("266016", "MDC_DIM_KILO_PASCAL", "SBP")
    assert unit.to_canonical(16.0) == pytest.approx(120.01)
    assert note == "unit code 266016 is mmHg but its text says MDC_DIM_KILO_PASCAL; read as kPa"


def test_an_unknown_code_with_a_known_text_reads_the_text():
    # Seen in the wild: a wrong MDC_DIM code with the right reference id.
    unit, note = read_unit("268224", "MDC_DIM_FAHR", "TEMP")
    assert unit.to_canonical(98.6) == 37.0
    assert note == ""


def test_spellings_are_compared_without_case():
    assert all(key == key.lower() for key in UNITS)
    assert read_unit("MM[HG]", "", "SBP")[0] == CANONICAL["pressure"]
    assert read_unit("Bpm", "", "HR")[0] == CANONICAL["rate"]
