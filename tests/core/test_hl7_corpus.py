"""The fixture corpus (tests/fixtures/hl7, one file per dialect or fault): what each gives,
and over every file, cut and damaged, parse_oru raises nothing but its two errors and ack
always answers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import hl7
import pytest

from groupkap.hl7 import (
    Hl7MessageError,
    MessageNotUsable,
    MessageRejected,
    ack,
    load_vendor_codes,
    parse_oru,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hl7"
CORPUS = sorted(FIXTURES.glob("*.hl7"))
VENDOR = load_vendor_codes(FIXTURES / "vendor_codes.toml")


def load(name: str) -> bytes:
    return (FIXTURES / f"{name}.hl7").read_bytes()


def at(*args: int, offset_hours: float = 0, microsecond: int = 0) -> float:
    zone = timezone(timedelta(hours=offset_hours))
    return datetime(*args, microsecond=microsecond, tzinfo=zone).timestamp()


def values(message) -> list[tuple[str, float]]:
    return [(o.param, o.value) for o in message.observations]


def test_the_corpus_is_there_and_uses_cr_between_segments():
    assert len(CORPUS) >= 17
    for path in CORPUS:
        if path.stem != "garbage_bytes":
            assert b"\n" not in path.read_bytes(), path.name


def test_philips_pcd01_v26_mdc_codes_with_names():
    m = parse_oru(load("philips_intellivue_pcd01_v26"))
    assert (m.version, m.control_id, m.sending_facility) == ("2.6", "PHL0001", "PHILIPS")
    assert values(m) == [
        ("HR", 72),
        ("SpO2", 97),
        ("PR", 71),
        ("RR", 14),
        ("SBP", 118),
        ("DBP", 76),
        ("MAP", 90),
        ("TEMP", 36.7),
    ]
    assert {o.device for o in m.observations} == {"00095CFFFE0A4B11^EUI-64"}
    assert {(o.patient_id, o.bed) for o in m.observations} == {("KAP-0417", "KAP^ROOM1^SEAT4")}
    message_time = at(2026, 5, 14, 9, 30, 15, offset_hours=2)
    nibp_time = at(2026, 5, 14, 9, 28, offset_hours=2)
    assert [o.t for o in m.observations] == [message_time] * 4 + [nibp_time] * 3 + [message_time]
    (mds,) = m.skipped
    assert (mds.kind, mds.text) == ("type", "MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS")


def test_mindray_egateway_device_named_once_and_milliseconds_without_point():
    m = parse_oru(load("mindray_egateway_pcd01_v26"))
    assert values(m) == [("SpO2", 98), ("PR", 65), ("RR", 19), ("HR", 66), ("TEMP", 36.4)]
    assert {o.device for o in m.observations} == {
        "000F14FFFE49B507^MONITOR_06^000F14FFFE49B507^EUI-64"
    }
    assert m.observations[0].t == at(2026, 5, 14, 9, 30, 15, offset_hours=8, microsecond=250_000)
    assert m.observations[-1].t == at(2026, 5, 14, 9, 29, 15, offset_hours=8)
    assert m.message_time == at(2026, 5, 14, 9, 30, 15, offset_hours=8)
    assert [(s.code, s.system, s.kind) for s in m.skipped] == [
        ("150488", "MDC", "code"),
        ("108", "99MNDRY", "code"),
    ]


def test_ge_gateway_three_beds_in_one_message():
    m = parse_oru(load("ge_carescape_gateway_three_beds_v25"))
    rows = [(o.device, o.patient_id, o.param, o.value) for o in m.observations]
    assert rows == [
        ("KAP^^BED1", "MRN1001", "HR", 64),
        ("KAP^^BED1", "MRN1001", "SpO2", 98),
        ("KAP^^BED1", "MRN1001", "RR", 12),
        ("KAP^^BED2", "MRN1002", "HR", 81),
        ("KAP^^BED2", "MRN1002", "SpO2", 95),
        ("KAP^^BED2", "MRN1002", "SBP", pytest.approx(120.01)),  # 16.0 kPa
        ("KAP^^BED3", "MRN1003", "HR", 58),
        ("KAP^^BED3", "MRN1003", "TEMP", 36.4),
    ]
    times = [o.t for o in m.observations]
    assert times[:3] == [at(2026, 5, 14, 10, 15, offset_hours=-5)] * 3
    assert times[3:6] == [
        at(2026, 5, 14, 10, 14, 55, offset_hours=-5),
        at(2026, 5, 14, 10, 14, 55, offset_hours=-5),
        at(2026, 5, 14, 10, 12, offset_hours=-5),
    ]
    assert m.devices == ("KAP^^BED1", "KAP^^BED2", "KAP^^BED3")


def test_mindray_vendor_codes_need_the_clinics_table():
    with pytest.raises(MessageNotUsable) as caught:
        parse_oru(load("mindray_vendor_codes_v231"), zone=UTC)
    assert len(caught.value.result.skipped) == 9
    assert {s.system for s in caught.value.result.skipped} == {"99MNDRY"}
    m = parse_oru(load("mindray_vendor_codes_v231"), codes=VENDOR, zone=UTC)
    assert m.version == "2.3.1"
    assert values(m) == [
        ("HR", 76),
        ("SpO2", 96),
        ("PR", 75),
        ("RR", 15),
        ("SBP", 124),
        ("DBP", 79),
        ("MAP", 94),
        ("TEMP", 36.9),
    ]
    assert m.observations[0].t == at(2026, 5, 14, 11, 15)
    assert m.observations[4].t == at(2026, 5, 14, 11, 12, 30)
    assert [s.text for s in m.skipped] == ["MNDRY_ECG_PAUSE_RATE"]


def test_nihon_kohden_loinc_only():
    m = parse_oru(load("nihon_kohden_loinc_v24"))
    assert values(m) == [
        ("HR", 68),
        ("SpO2", 99),
        ("RR", 13),
        ("SBP", 112),
        ("DBP", 71),
        ("MAP", 85),
        ("TEMP", 36.6),
    ]
    group = at(2026, 5, 14, 11, 59, 30, offset_hours=9)
    cuff = at(2026, 5, 14, 11, 55, offset_hours=9)
    assert [o.t for o in m.observations] == [group] * 3 + [cuff] * 3 + [group]


def test_sentinels_empty_values_and_status_x():
    m = parse_oru(load("sentinels"))
    assert values(m) == [("HR", 70)]
    assert [s.kind for s in m.skipped] == ["special"] * 7 + ["empty", "empty", "negative", "status"]
    assert not any(s.needs_attention for s in m.skipped)


def test_repeated_observations_each_become_a_reading():
    m = parse_oru(load("repeated_observations"))
    hr = [(o.value, o.t) for o in m.observations if o.param == "HR"]
    start = at(2026, 5, 14, 9, 30, 1, offset_hours=2)
    assert hr == [
        (70, start),
        (71, start + 0.5),
        (73, start + 1.25),
        (74, start + 2.125),
        (72, start + 3),
    ]


def test_missing_pid_device_from_msh3_time_from_msh7():
    m = parse_oru(load("missing_pid"))
    assert m.version == "2.5.1"
    for o in m.observations:
        assert (o.device, o.patient_id, o.bed) == ("BEDSIDE-07", None, None)
        assert o.t == at(2026, 5, 14, 9, 30, 15, offset_hours=1)


def test_nibp_is_stored_at_its_measurement_time():
    m = parse_oru(load("nibp_own_time"))
    hr, *nibp = m.observations
    assert hr.t == at(2026, 5, 14, 9, 30, offset_hours=2)  # OBR-7
    cuff = at(2026, 5, 14, 9, 27, 42, offset_hours=2, microsecond=250_000)
    assert [(o.param, o.value, o.t) for o in nibp] == [
        ("SBP", 131, cuff),
        ("DBP", 84, cuff),
        ("MAP", 100, cuff),
    ]


def test_fahrenheit_temperatures_in_three_spellings():
    m = parse_oru(load("temperature_fahrenheit"))
    assert values(m) == [("TEMP", 37.0), ("TEMP", 37.5), ("TEMP", 38.0)]


def test_a_code_contradicting_its_text():
    m = parse_oru(load("code_contradicts_text"))
    assert values(m) == [("HR", 72), ("SpO2", 97)]
    assert len(m.problems) == 1 and "read as HR" in m.problems[0]


def test_non_numeric_values():
    m = parse_oru(load("non_numeric_value"))
    assert values(m) == [("RR", 16)]
    assert [(s.kind, s.value) for s in m.skipped] == [
        ("text", "---"),
        ("text", "N/A"),
        ("type", "Sinus rhythm"),
        ("type", "0"),
    ]


def test_unknown_codes_only_is_ae_until_mapped():
    with pytest.raises(MessageNotUsable) as caught:
        parse_oru(load("unknown_codes_only"))
    assert caught.value.error_code == 103
    assert [(s.code, s.text, s.system) for s in caught.value.result.skipped] == [
        ("0002-4182", "HR", "MDIL"),
        ("0002-4bb8", "SpO2", "MDIL"),
    ]
    assert values(parse_oru(load("unknown_codes_only"), codes=VENDOR)) == [
        ("HR", 72),
        ("SpO2", 97),
    ]


def test_truncated_in_obx_keeps_what_came_before():
    m = parse_oru(load("truncated_in_obx"))
    assert values(m) == [("HR", 69), ("RR", 15)]
    (cut,) = m.skipped
    assert (cut.obx, cut.code, cut.text, cut.system) == (3, "150456", "MDC_PULS_OX", "")


@pytest.mark.parametrize(
    ("name", "code", "start"),
    [
        ("wrong_type_adt_a01", 200, "message type ADT^A01 is not ORU^R01"),
        ("truncated_in_msh", 101, "MSH is cut short after MSH-7"),
        ("garbage_bytes", 100, "not an HL7 v2 message"),
    ],
)
def test_what_is_refused(name, code, start):
    raw = load(name)
    with pytest.raises(MessageRejected) as caught:
        parse_oru(raw)
    exc = caught.value
    assert (exc.error_code, exc.reason[: len(start)]) == (code, start)
    answer = hl7.parse(ack(raw, exc.ack_code, exc.reason, error_code=exc.error_code))
    assert str(answer.segment("MSA")(1)) == "AR"
    expected_id = {"wrong_type_adt_a01": "ADT0042"}.get(name, "")
    assert str(answer.segment("MSA")(2)) == expected_id


# --- every file, cut and damaged ----------------------------------------------------------


def damaged(raw: bytes, rng: random.Random):
    """Prefixes at every 7th byte, segments dropped, doubled and shuffled, bytes flipped."""
    for end in range(0, len(raw), 7):
        yield raw[:end]
    segments = raw.split(b"\r")
    for i in range(len(segments)):
        yield b"\r".join(segments[:i] + segments[i + 1 :])
        yield b"\r".join(segments[: i + 1] + segments[i:])
    for _ in range(5):
        shuffled = segments[:]
        rng.shuffle(shuffled)
        yield b"\r".join(shuffled)
    noise = b'|^~\\&\r\x00\xff0123456789.-+ ABCDEFGHIJKLMNOPQRSTUVWXYZ"\n\x0b\x1c\xb0'
    for _ in range(60):
        data = bytearray(raw)
        for _ in range(rng.randint(1, 6)):
            if data:
                data[rng.randrange(len(data))] = rng.choice(noise)
        yield bytes(data)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_cut_and_damaged_messages_raise_only_the_two_errors_and_are_always_answered(path):
    rng = random.Random(path.stem)
    outcomes = set()
    for raw in damaged(path.read_bytes(), rng):
        for codes in (None, VENDOR):
            try:
                message = parse_oru(raw, codes=codes) if codes else parse_oru(raw)
            except Hl7MessageError as exc:
                assert isinstance(exc, MessageRejected | MessageNotUsable)
                outcomes.add(exc.ack_code)
                answer = ack(
                    raw, exc.ack_code, exc.reason, error_code=exc.error_code, location=exc.location
                )
            else:
                outcomes.add("AA")
                assert all(o.param and o.t == o.t for o in message.observations)
                answer = ack(message, "AA")
            parsed = hl7.parse(answer)
            assert str(parsed.segment("MSA")(1)) in ("AA", "AE", "AR")
    assert "AR" in outcomes  # the cuts reach into MSH
