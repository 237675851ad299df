"""Observation codes by code set: every MDC and LOINC code of the table, the MDC reference-id
text, contradictions, and the clinic's vendor codes file with its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from groupkap.errors import ConfigError
from groupkap.hl7.codes import LOINC, MAPPABLE, MDC, STANDARD_CODES, CodeTable
from groupkap.hl7.vendor_codes import load_vendor_codes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hl7"


def test_the_mappable_parameters_are_the_numeric_ones_of_the_catalogue():
    assert set(MAPPABLE) == {"HR", "PR", "SpO2", "RR", "SBP", "DBP", "MAP", "TEMP"}


def test_the_codes_the_issue_names_are_in_the_table():
    named = {
        "147842": "HR",
        "149530": "PR",
        "149546": "PR",
        "149522": "PR",
        "150456": "SpO2",
        "150021": "SBP",
        "150022": "DBP",
        "150023": "MAP",
        "150301": "SBP",
        "150302": "DBP",
        "150303": "MAP",
        "151562": "RR",
        "151578": "RR",
        "151658": "RR",
        "150344": "TEMP",
        "150364": "TEMP",
        "188496": "TEMP",
    }
    assert {code: MDC[code][1] for code in named} == named
    loinc = {
        "8867-4": "HR",
        "59408-5": "SpO2",
        "2708-6": "SpO2",
        "8480-6": "SBP",
        "8462-4": "DBP",
        "8478-0": "MAP",
        "9279-1": "RR",
        "8310-5": "TEMP",
    }
    assert {code: LOINC[code][1] for code in loinc} == loinc


@pytest.mark.parametrize(("code", "entry"), sorted(MDC.items()))
def test_each_mdc_code_by_code_by_name_and_by_both(code, entry):
    refid, param = entry
    assert STANDARD_CODES.resolve(code, refid, "MDC").param == param
    assert STANDARD_CODES.resolve(code, refid, "MDC").note == ""
    assert STANDARD_CODES.resolve(code, "", "MDC").param == param
    assert STANDARD_CODES.resolve(code, "", "mdc").param == param
    # The reference id alone is enough, whatever the coding system says.
    assert STANDARD_CODES.resolve("", refid, "MDC").param == param
    assert STANDARD_CODES.resolve("99999", refid, "99VENDOR").param == param


@pytest.mark.parametrize(("code", "entry"), sorted(LOINC.items()))
def test_each_loinc_code(code, entry):
    name, param = entry
    assert STANDARD_CODES.resolve(code, name, "LN").param == param
    assert STANDARD_CODES.resolve(code, "", "LOINC").param == param


def test_a_code_is_only_read_in_its_own_coding_system():
    assert STANDARD_CODES.resolve("147842", "", "").param is None
    assert STANDARD_CODES.resolve("147842", "", "LN").param is None
    assert STANDARD_CODES.resolve("8867-4", "", "MDC").param is None
    assert STANDARD_CODES.resolve("8867-4", "Heart rate", "").param is None


def test_a_text_that_is_no_reference_id_is_not_guessed_from():
    assert STANDARD_CODES.resolve("", "Heart rate", "").param is None
    assert STANDARD_CODES.resolve("12345", "HR", "99VENDOR").param is None
    assert STANDARD_CODES.resolve("", "MDC_SOMETHING_ELSE", "MDC").param is None


def test_the_text_wins_over_a_contradicting_code_and_says_so():
    found = STANDARD_CODES.resolve("150456", "MDC_ECG_HEART_RATE", "MDC")
    assert found.param == "HR"
    assert found.note == (
        "code MDC 150456 (MDC_PULS_OXIM_SAT_O2) is SpO2 but its text says "
        "MDC_ECG_HEART_RATE: read as HR"
    )


def test_two_names_of_the_same_parameter_are_no_contradiction():
    # Cuff and non-invasive systolic are both SBP.
    found = STANDARD_CODES.resolve("150021", "MDC_PRESS_CUFF_SYS", "MDC")
    assert (found.param, found.note) == ("SBP", "")


def test_a_known_code_with_an_unknown_reference_id_keeps_the_code():
    found = STANDARD_CODES.resolve("147842", "MDC_ECG_CARD_BEAT_RATE", "MDC")
    assert (found.param, found.note) == ("HR", "")


def test_vendor_codes_by_coding_system_and_for_any_system():
    table = CodeTable({("99MNDRY", "101"): "HR", ("*", "0002-4182"): "HR"})
    assert table.resolve("101", "HR", "99MNDRY").param == "HR"
    assert table.resolve("101", "HR", "99mndry").param == "HR"
    assert table.resolve("101", "HR", "OTHER").param is None
    assert table.resolve("0002-4182", "HR", "MDIL").param == "HR"
    assert table.resolve("0002-4182", "HR", "").param == "HR"
    # The standard tables are still there.
    assert table.resolve("150456", "", "MDC").param == "SpO2"
    assert dict(table.vendor) == {("99MNDRY", "101"): "HR", ("*", "0002-4182"): "HR"}


def test_a_vendor_table_may_add_an_mdc_code_but_not_change_one():
    table = CodeTable({("MDC", "149554"): "HR", ("MDC", "147842"): "HR"})
    assert table.resolve("149554", "MDC_TTHOR_HEART_RATE", "MDC").param == "HR"
    with pytest.raises(ConfigError, match=r"MDC 147842 .* is HR in the standard"):
        CodeTable({("MDC", "147842"): "SpO2"})


def test_a_vendor_code_must_name_a_numeric_parameter():
    with pytest.raises(ConfigError, match="unknown parameter 'PLETH'"):
        CodeTable({("X", "1"): "PLETH"})


def test_the_fixture_vendor_file_loads():
    table = load_vendor_codes(FIXTURES / "vendor_codes.toml")
    assert table.resolve("170", "NIBP-S", "99MNDRY").param == "SBP"
    assert table.resolve("0002-4bb8", "SpO2", "MDIL").param == "SpO2"
    assert len(table.vendor) == 10


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "vendor_codes.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[codes]\n"101" = "H\xe9R"\n', r"not UTF-8 text \(line 2, byte 18\); save it as UTF-8"),
        ('[codes]\n"101" = HR\n', r"vendor codes .*: Invalid value \(at line 2"),
        ("", r"has no \[codes\] table"),
        ('[code]\n"101" = "HR"\n', r"unknown table or key 'code'; only \[codes\] belongs here"),
        ("codes = 3\n", r"codes must be a \[codes\] table, not 3"),
        ('[codes]\n"101" = 7\n', r"\[codes\] '101' = 7: a parameter name in quotes"),
        ('[codes]\n"101" = "hr"\n', r"'hr' is not a parameter \(did you mean 'HR'\?\)"),
        ('[codes]\n"101" = "BIS"\n', r"'BIS' is not a parameter; use one of HR, PR, SpO2"),
        ('[codes.99MNDRY]\n"101" = "Pulse"\n', r"\[codes.99MNDRY\] '101' = 'Pulse'"),
        ('[codes.X.Y]\n"1" = "HR"\n', r"\[codes.X\] 'Y' = \{'1': 'HR'\}: a parameter name"),
        ('[codes.X]\n"" = "HR"\n', r"an empty code in \[codes.X\]"),
        ('[codes.MDC]\n"150456" = "HR"\n', r"vendor codes .*MDC 150456 .* is SpO2 in the standard"),
    ],
)
def test_a_bad_vendor_file_is_refused_with_what_and_where(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(ConfigError, match=message) as caught:
        load_vendor_codes(path)
    assert str(path) in str(caught.value)


def test_a_missing_vendor_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="cannot read it"):
        load_vendor_codes(tmp_path / "absent.toml")
