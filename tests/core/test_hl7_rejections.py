"""parse_oru on what it refuses (AR), on what it reads but cannot use (AE), and on text as it
arrives (bytes, other line ends, MLLP framing, the sender's own separators)."""

from __future__ import annotations

import pytest
from hl7_builders import CODES, obx, oru

from groupkap.hl7 import MessageNotUsable, MessageRejected, parse_oru
from groupkap.hl7.codes import CodeTable


def one(segment: str, **kwargs):
    """The single observation of a one-OBX message."""
    (observation,) = parse_oru(oru(segment), **kwargs).observations
    return observation


# --- what is refused (AR) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "start"),
    [
        ("", 100, "empty message"),
        ("  \r\n ", 100, "empty message"),
        ("hello", 100, "not an HL7 v2 message: it starts with 'hello'"),
        ("PID|||1\rOBX|1|NM|x||1", 100, "not an HL7 v2 message"),
        ("BHS|^~\\&|X\rMSH|^~\\&|", 100, "not an HL7 v2 message"),
        ("MSH", 101, "MSH is cut short"),
        ("MSH|^~\\&", 101, "MSH is cut short"),
        ("MSH|^^\\&|A", 102, "broken encoding characters '|^^\\\\&'"),
        ("MSH|^~|A|B", 102, "broken encoding characters '|^~'"),
        ("MSHa^~\\&aA", 102, "broken encoding characters"),
        ("MSH|^~\\&#X|A", 102, "broken encoding characters"),
        ("MSH\r^~\\&\rA", 102, "broken encoding characters"),
        ("MSH|^~\\&|MON|KAP|||20260514", 101, "MSH is cut short after MSH-7"),
        ("MSH|^~\\&|MON|KAP|||20260514||ORU^R01|C1", 101, "MSH is cut short after MSH-10"),
    ],
)
def test_what_cannot_be_processed_is_rejected(text, code, start):
    with pytest.raises(MessageRejected) as caught:
        parse_oru(text)
    assert caught.value.ack_code == "AR"
    assert caught.value.error_code == code
    assert caught.value.reason.startswith(start)


@pytest.mark.parametrize(
    ("kind", "code"),
    [("ADT^A01^ADT_A01", 200), ("ACK^R01", 200), ("", 200), ("ORU^R40^ORU_R40", 201), ("ORU", 201)],
)
def test_only_oru_r01_is_read(kind, code):
    with pytest.raises(MessageRejected) as caught:
        parse_oru(oru(obx(), kind=kind))
    assert (caught.value.error_code, caught.value.location) == (code, ("MSH", 9))
    assert "is not ORU^R01" in caught.value.reason


@pytest.mark.parametrize("version", ["2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6"])
def test_versions_2_3_to_2_6_are_read(version):
    assert parse_oru(oru(obx(), version=version)).version == version


@pytest.mark.parametrize(("version", "code"), [("2.2", 203), ("2.7", 203), ("3.0", 203), ("", 101)])
def test_other_versions_are_rejected(version, code):
    with pytest.raises(MessageRejected) as caught:
        parse_oru(oru(obx(), version=version))
    assert (caught.value.error_code, caught.value.location) == (code, ("MSH", 12))


def test_a_message_without_control_id_is_rejected():
    with pytest.raises(MessageRejected, match=r"MSH-10 \(message control id\) is empty"):
        parse_oru(oru(obx(), control=""))


def test_two_messages_in_one_frame_are_rejected():
    with pytest.raises(MessageRejected, match="two messages in one frame"):
        parse_oru(oru(obx()) + oru(obx()))


# --- what is read but holds nothing to record (AE) ----------------------------------------------


def test_a_message_without_obx_is_not_usable():
    with pytest.raises(MessageNotUsable) as caught:
        parse_oru(oru())
    assert caught.value.ack_code == "AE"
    assert caught.value.reason == "no OBX segment: the message holds no observation"
    assert caught.value.result.control_id == "C1"


@pytest.mark.parametrize(
    ("segment", "error_code", "reason"),
    [
        (obx("4711^ETCO2^99ACME"), 103, "nothing recorded: OBX 1: code 99ACME 4711"),
        (obx(unit="mmHg"), 103, "nothing recorded: OBX 1: HR: unit mmHg does not fit HR"),
        (obx(time="20261414000000"), 102, "nothing recorded: OBX 1: HR: OBX-14 time"),
        (obx(status="?"), 103, "nothing recorded: OBX 1: result status '?'"),
    ],
)
def test_only_values_someone_must_fix_make_the_message_not_usable(segment, error_code, reason):
    with pytest.raises(MessageNotUsable) as caught:
        parse_oru(oru(segment, segment))
    assert caught.value.error_code == error_code
    assert caught.value.reason.startswith(reason)
    assert caught.value.reason.endswith("(and 1 more)")
    assert len(caught.value.result.skipped) == 2


def test_a_message_of_values_not_available_is_a_normal_message():
    message = parse_oru(oru(obx(value="8388607"), obx(value=""), obx(status="X"), obx(vt="ST")))
    assert message.observations == ()
    assert [s.kind for s in message.skipped] == ["special", "empty", "status", "type"]


def test_one_usable_value_makes_the_message_usable_whatever_else_it_holds():
    message = parse_oru(oru(obx("4711^ETCO2^99ACME"), obx(unit="mmHg"), obx()))
    assert len(message.observations) == 1
    assert [s.kind for s in message.skipped] == ["code", "unit"]


# --- text as it arrives -----------------------------------------------------------------------


def test_bytes_lf_line_ends_and_mllp_framing_are_accepted():
    text = oru(obx())
    assert parse_oru(text.encode()).observations[0].value == 72.0
    assert parse_oru(text.replace("\r", "\n")).observations[0].value == 72.0
    assert parse_oru(text.replace("\r", "\r\n")).observations[0].value == 72.0
    framed = b"\x0b" + text.encode() + b"\x1c\r"
    assert parse_oru(framed).observations[0].value == 72.0


def test_bytes_that_are_not_utf8_are_read_as_latin1():
    code, _ = CODES["TEMP"]
    text = oru(obx(code, "98.6", "°F"), "NTE|1||Müller")
    assert parse_oru(text.encode("latin-1")).observations[0].value == 37.0
    assert parse_oru(text.encode("utf-8")).observations[0].value == 37.0


def test_the_senders_own_separators_are_used():
    text = oru(obx()).replace("^", "@").replace("|", "#")
    message = parse_oru(text)
    o = message.observations[0]
    # Identifiers are keys: written with the standard separators whatever the sender uses.
    assert (o.param, o.code, o.bed) == ("HR", "147842^MDC_ECG_HEART_RATE^MDC", "KAP^^1")
    assert message.sending_app == "MON^0012A3FFFE000010^EUI-64"
    # The header keeps what was sent, for the ACK.
    assert message.header.encoding == "#@~\\&"
    assert message.header.sending_app == "MON@0012A3FFFE000010@EUI-64"


def test_escaped_characters_in_codes_are_undone():
    table = CodeTable({("99ACME", "A|B"): "RR"})
    assert one(obx("A\\F\\B^RESP^99ACME", "12", "/min"), codes=table).param == "RR"


def test_devices_lists_every_device_once():
    message = parse_oru(oru(obx(equipment="A"), "OBR|2", obx(equipment="B", vt="ST"), obx()))
    assert message.devices == ("A", "B")
