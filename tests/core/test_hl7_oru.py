"""parse_oru on built messages: each rule at its boundary (sentinels, the negative check at 0,
result statuses, codes, units, devices and times)."""

from __future__ import annotations

from datetime import UTC

import pytest
from hl7_builders import CODES, HEAD, HR, T0, obx, oru

from groupkap.hl7 import Skipped, parse_oru
from groupkap.hl7.codes import MAPPABLE, CodeTable
from groupkap.hl7.oru import NOT_RESULTS, RESULT_STATUSES, SPECIAL_VALUES


def one(segment: str, **kwargs):
    """The single observation of a one-OBX message, or its single skip."""
    message = parse_oru(oru(segment), **kwargs)
    assert len(message.observations) + len(message.skipped) == 1
    return (message.observations or message.skipped)[0]


def test_a_plain_observation_carries_everything_the_seat_needs():
    message = parse_oru(oru(obx()))
    assert message.control_id == "C1"
    assert message.version == "2.6"
    assert message.sending_app == "MON^0012A3FFFE000010^EUI-64"
    assert message.message_time == T0
    (o,) = message.observations
    assert (o.param, o.value, o.t) == ("HR", 72.0, T0)
    assert o.code == HR
    assert (o.patient_id, o.bed, o.device) == ("KAP-1", "KAP^^1", "KAP^^1")
    assert message.skipped == () and message.problems == ()


@pytest.mark.parametrize("param", MAPPABLE)
def test_each_parameter_reads_in_its_canonical_unit(param):
    code, unit = CODES[param]
    o = one(obx(code, "37.5", unit))
    assert (o.param, o.value) == (param, 37.5)


# --- "not available" values, at their exact boundaries --------------------------------


@pytest.mark.parametrize("number", sorted(SPECIAL_VALUES))
def test_each_11073_special_value_is_skipped(number):
    code, unit = CODES["TEMP"]  # temperature may be negative: only the sentinel rule applies
    s = one(obx(code, f"{number:.0f}", unit))
    assert isinstance(s, Skipped)
    assert s.kind == "special" and not s.needs_attention
    assert SPECIAL_VALUES[number] in s.reason


@pytest.mark.parametrize("text", ["8388605", "8388611", "2147483646", "-8388605", "-8388609"])
def test_numbers_next_to_the_special_values_are_values(text):
    code, unit = CODES["TEMP"]
    o = one(obx(code, text, unit))
    assert o.value == float(text)  # far outside any plausible range: the session drops it


def test_a_special_value_written_with_decimals_is_still_special():
    assert one(obx(value="8388607.0")).kind == "special"


def test_zero_is_a_value_and_anything_below_it_is_not():
    assert one(obx(value="0")).value == 0.0
    assert one(obx(value="0.0")).value == 0.0
    assert one(obx(value="-0.001")).kind == "negative"
    assert one(obx(value="-999")).kind == "negative"


@pytest.mark.parametrize("param", [p for p in MAPPABLE if p != "TEMP"])
def test_no_parameter_but_temperature_may_be_negative(param):
    code, unit = CODES[param]
    s = one(obx(code, "-1", unit))
    assert (s.kind, s.reason) == ("negative", f"{param}: -1 is negative, so not a measurement")


def test_a_negative_temperature_is_a_value():
    code, unit = CODES["TEMP"]
    assert one(obx(code, "-1.5", unit)).value == -1.5


def test_the_negative_check_is_on_the_converted_value():
    code, _ = CODES["TEMP"]
    assert one(obx(code, "20", "[degF]^^UCUM")).value == pytest.approx(-6.667)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("", "empty"),
        ('""', "empty"),
        ("   ", "empty"),
        ("---", "text"),
        ("N/A", "text"),
        ("12,5", "text"),
        ("1_000", "text"),
        ("nan", "text"),
        ("inf", "text"),
        ("-Infinity", "text"),
    ],
)
def test_empty_and_non_numeric_values_are_skipped_quietly(value, kind):
    s = one(obx(value=value))
    assert s.kind == kind and not s.needs_attention
    assert s.value == value.strip()


@pytest.mark.parametrize("value_type", ["ST", "CWE", "CE", "SN", "NA", "", "nm"])
def test_only_nm_values_are_read(value_type):
    s = one(obx(vt=value_type))
    assert s.kind == "type" and not s.needs_attention


@pytest.mark.parametrize("status", sorted(RESULT_STATUSES))
def test_result_statuses_that_carry_a_result(status):
    assert one(obx(status=status)).value == 72.0


@pytest.mark.parametrize("status", sorted(NOT_RESULTS))
def test_result_statuses_that_say_there_is_none(status):
    s = one(obx(status=status))
    assert s.kind == "status" and not s.needs_attention
    assert f"(status {status})" in s.reason


def test_an_unknown_result_status_needs_attention():
    (s,) = parse_oru(oru(obx(status="Z"), obx())).skipped
    assert s.kind == "unknown status" and s.needs_attention


# --- codes --------------------------------------------------------------------------------


def test_an_unknown_code_is_reported_with_code_text_and_system():
    message = parse_oru(oru(obx("4711^ETCO2^99ACME", "35", "mmHg"), obx()))
    (s,) = message.skipped
    assert (s.code, s.text, s.system, s.value, s.kind) == ("4711", "ETCO2", "99ACME", "35", "code")
    assert s.needs_attention
    assert s.reason == (
        "code 99ACME 4711 'ETCO2' is not mapped to a parameter "
        "(add it to the vendor codes table to record it)"
    )


def test_the_alternate_identifier_is_read_when_the_first_is_unknown():
    o = one(obx("0002-4182^HR^MDIL^8867-4^Heart rate^LN"))
    assert o.param == "HR"
    assert o.code == "0002-4182^HR^MDIL"


def test_the_text_wins_over_a_contradicting_code_and_the_problem_says_so():
    message = parse_oru(oru(obx("150456^MDC_ECG_HEART_RATE^MDC")))
    assert message.observations[0].param == "HR"
    assert message.problems == (
        "OBX 1: code MDC 150456 (MDC_PULS_OXIM_SAT_O2) is SpO2 but its text says "
        "MDC_ECG_HEART_RATE: read as HR",
    )


def test_vendor_codes_are_read_with_the_table_given():
    table = CodeTable({("99ACME", "4711"): "RR"})
    o = one(obx("4711^RESP^99ACME", "11", "/min"), codes=table)
    assert (o.param, o.value) == ("RR", 11.0)


def test_a_unit_that_does_not_fit_is_skipped_with_attention():
    (s,) = parse_oru(oru(obx(unit="266016^MDC_DIM_MMHG^MDC"), obx())).skipped
    assert s.kind == "unit" and s.needs_attention
    assert s.reason == "HR: unit MDC_DIM_MMHG does not fit HR"


def test_a_unit_code_contradicting_its_text_is_a_problem():
    code, _ = CODES["SBP"]
    message = parse_oru(oru(obx(code, "16", "266016^MDC_DIM_KILO_PASCAL^MDC")))
    assert message.observations[0].value == pytest.approx(120.01)
    assert message.problems[0].startswith("OBX 1: unit code 266016 is mmHg")


# --- devices ------------------------------------------------------------------------------


def test_the_device_is_obx18_else_its_mds_else_the_bed_else_msh3_else_the_default():
    a = "000F14FFFE49B507^EUI-64"
    message = parse_oru(
        oru(
            obx(
                "69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC",
                "",
                "",
                vt="",
                sub="1.0.0.0",
                status="X",
                equipment=a,
            ),
            obx(sub="1.1.1.147842"),
            obx(sub="1.7.4.147842", equipment="PART^EUI-64"),
            obx(sub="1.2.1.147842"),
            obx(sub="2.1.1.147842"),
        )
    )
    assert [o.device for o in message.observations] == [a, "PART^EUI-64", a, "KAP^^1"]
    assert message.skipped[0].device == a
    no_bed = (HEAD[0], HEAD[2])
    assert parse_oru(oru(obx(), head=no_bed)).observations[0].device == (
        "MON^0012A3FFFE000010^EUI-64"
    )
    nameless = oru(obx(), head=no_bed, sender="")
    assert parse_oru(nameless).observations[0].device == ""
    assert parse_oru(nameless, default_device="10.0.0.7").observations[0].device == "10.0.0.7"


def test_obx18_without_sub_ids_names_the_rest_of_its_group():
    message = parse_oru(oru(obx(equipment="DEV-A"), obx(), obx()))
    assert [o.device for o in message.observations] == ["DEV-A"] * 3


def test_a_gateway_message_keeps_each_patient_bed_time_and_device_apart():
    text = oru(
        obx(equipment="DEV-A"),
        "PID|||P2^^^CLINIC^MR",
        "PV1||O|KAP^^2",
        "OBR|1|||182777000^monitoring of patient^SCT|||20260514092900+0000",
        obx(value="61"),
        "PID|||P3",
        "OBR|2",
        obx(value="62"),
    )
    a, b, c = parse_oru(text).observations
    assert (a.device, a.patient_id, a.bed, a.t) == ("DEV-A", "KAP-1", "KAP^^1", T0)
    assert (b.device, b.patient_id, b.bed, b.t) == ("KAP^^2", "P2", "KAP^^2", T0 - 60)
    # No PV1 and an empty OBR-7: MSH-3 and MSH-7.
    assert (c.device, c.patient_id, c.bed, c.t) == ("MON^0012A3FFFE000010^EUI-64", "P3", None, T0)


# --- times --------------------------------------------------------------------------------


def test_time_from_obx14_else_obr7_else_msh7():
    obr_at = (HEAD[0], HEAD[1], "OBR|1|||X|||20260514092500+0000")
    text = oru(obx(time="20260514092000.5+0000"), obx(), head=obr_at)
    own, group = parse_oru(text).observations
    assert own.t == T0 - 600 + 0.5
    assert group.t == T0 - 300
    assert parse_oru(oru(obx(), head=HEAD[:2])).observations[0].t == T0


def test_an_unreadable_obx_time_skips_the_value_instead_of_guessing_another():
    (s,) = parse_oru(oru(obx(time="2026-05-14T09:20"), obx())).skipped
    assert s.kind == "time" and s.needs_attention
    assert s.reason == "HR: OBX-14 time '2026-05-14T09:20' is unreadable"


def test_no_readable_time_anywhere_skips_the_value_and_says_why():
    text = oru(obx(), obx(time="20260514092000+0000"), head=HEAD[:2], time="yesterday")
    message = parse_oru(text)
    assert message.message_time is None
    assert message.problems == ("MSH-7 time 'yesterday' is unreadable",)
    assert message.skipped[0].reason == (
        "HR: no time: OBX-14, OBR-7 and MSH-7 are empty or unreadable"
    )
    assert message.observations[0].t == T0 - 600


def test_times_without_offset_use_the_zone_given():
    text = oru(obx(time="20260514113000"))
    assert parse_oru(text, zone=UTC).observations[0].t == T0 + 7200
