"""The ACK: swapped sender and receiver, MSA with the original control id, MSA-3 and ERR for
AE and AR in each version's layout, and an answer even to input that is barely HL7."""

from __future__ import annotations

import hl7
import pytest

from groupkap.hl7 import MessageRejected, ack, parse_oru

NOW = 1_778_751_000.0  # 2026-05-14 09:30:00 UTC


def message(version: str = "2.6", kind: str = "ORU^R01^ORU_R01", processing: str = "P") -> str:
    return (
        f"MSH|^~\\&|MON^0012A3FFFE000010^EUI-64|WARD|GW_APP|GW_FAC|20260514093000+0000||{kind}"
        f"|CTRL-42|{processing}|{version}\r"
        "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R\r"
    )


def read(answer: str) -> hl7.Message:
    assert answer.endswith("\r") and "\n" not in answer
    return hl7.parse(answer)


def test_aa_swaps_sender_and_receiver_and_echoes_the_control_id():
    answer = ack(parse_oru(message(processing="T")), "AA", now=NOW, message_id="GK1")
    msh, msa = read(answer)
    assert str(msh) == (
        "MSH|^~\\&|GW_APP|GW_FAC|MON^0012A3FFFE000010^EUI-64|WARD|20260514093000+0000||"
        "ACK^R01^ACK|GK1|T|2.6"
    )
    assert str(msa) == "MSA|AA|CTRL-42"


def test_aa_carries_no_text_and_no_err():
    answer = ack(parse_oru(message()), "AA", "all good", now=NOW)
    assert [str(s[0]) for s in read(answer)] == ["MSH", "MSA"]
    assert answer.split("\r")[1] == "MSA|AA|CTRL-42"


def test_without_a_receiving_application_groupkap_names_itself():
    text = message().replace("|GW_APP|GW_FAC|", "|||")
    msh = read(ack(text, "AA", now=NOW))[0]
    assert (str(msh(3)), str(msh(4))) == ("GROUPKAP", "")
    msh = read(ack(text, "AA", application="KAP_ROOM", facility="CLINIC", now=NOW))[0]
    assert (str(msh(3)), str(msh(4))) == ("KAP_ROOM", "CLINIC")


def test_a_fresh_control_id_for_each_ack():
    oru = parse_oru(message())
    first, second = (read(ack(oru, "AA"))[0] for _ in range(2))
    assert str(first(10)) and str(first(10)) != str(second(10))


@pytest.mark.parametrize("version", ["2.5", "2.5.1", "2.6", "2.7", "2.8"])
def test_err_from_v2_5_has_location_code_severity_and_message(version):
    answer = ack(message(version), "AR", "wrong type", error_code=200, location=("MSH", 9), now=NOW)
    msh, msa, err = read(answer)
    assert str(msh(12)) == version
    assert str(msa) == "MSA|AR|CTRL-42|wrong type"
    assert str(err) == "ERR||MSH^1^9|200^Unsupported message type^HL70357|E||||wrong type"


@pytest.mark.parametrize("version", ["2.3", "2.3.1", "2.4"])
def test_err_up_to_v2_4_is_err1_with_the_code_in_sub_components(version):
    answer = ack(message(version), "AE", "no OBX", error_code=100, now=NOW)
    err = read(answer)[2]
    assert str(err) == "ERR|^^^100&Segment sequence error&HL70357"


def test_v2_3_has_no_message_structure_in_msh9():
    assert str(read(ack(message("2.3"), "AA", now=NOW))[0](9)) == "ACK^R01"
    assert str(read(ack(message("2.3.1"), "AA", now=NOW))[0](9)) == "ACK^R01^ACK"


def test_before_v2_3_there_is_no_err():
    text = message("2.2")
    with pytest.raises(MessageRejected) as caught:
        parse_oru(text)
    exc = caught.value
    answer = ack(text, exc.ack_code, exc.reason, error_code=exc.error_code, now=NOW)
    msh, msa = read(answer)
    assert str(msh(12)) == "2.2"
    assert str(msa) == "MSA|AR|CTRL-42|HL7 version 2.2 is not supported (2.3 to 2.6)"


def test_the_text_is_escaped_and_cut_to_the_field_length():
    answer = ack(message(), "AE", "a|b^c~d\\e&f\rg °" + "x" * 300, now=NOW)
    parsed = read(answer)
    _, msa, err = parsed
    assert str(msa(3)).startswith("a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f\\.br\\g \\Xb0\\x")
    assert parsed.unescape(str(msa(3))) == ("a|b^c~d\\e&f\rg °" + "x" * 300)[:80]
    assert parsed.unescape(str(err(8))) == ("a|b^c~d\\e&f\rg °" + "x" * 300)[:250]


def test_the_senders_separators_are_used_in_the_answer():
    text = message().replace("^", "@").replace("|", "#")
    answer = ack(parse_oru(text), "AE", "x@y", now=NOW)
    assert answer.startswith("MSH#@~\\&#GW_APP#GW_FAC#MON@0012A3FFFE000010@EUI-64#WARD#")
    assert "#ACK@R01@ACK#" in answer
    assert "\rMSA#AE#CTRL-42#x\\S\\y\r" in answer
    assert "\rERR##" in answer


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00\xff\xfe garbage", "hello", "MSH", "MSH|^~\\&", "PID|||1", "MSH|^^^^|A"],
)
def test_input_with_nothing_readable_is_still_answered(raw):
    msh, msa, err = read(ack(raw, "AR", "not HL7", error_code=100, now=NOW))
    assert str(msh(3)) == "GROUPKAP"
    assert str(msh(9)) == "ACK"
    assert str(msh(12)) == "2.6"
    assert str(msa) == "MSA|AR||not HL7"
    assert str(err(3)) == "100^Segment sequence error^HL70357"


def test_a_cut_short_msh_still_gives_its_control_id():
    raw = "MSH|^~\\&|MON|WARD|||20260514||ORU^R01|CTRL-7"
    msh, msa, _ = read(ack(raw, "AR", "cut short", now=NOW))
    assert str(msa(2)) == "CTRL-7"
    assert (str(msh(5)), str(msh(12))) == ("MON", "2.6")


def test_leading_noise_before_msh_does_not_hide_the_control_id():
    raw = b"\x0b\x00junk" + message().encode()
    assert str(read(ack(raw, "AR", "noise", now=NOW))[1](2)) == "CTRL-42"


def test_a_huge_message_is_answered_from_its_msh_alone():
    raw = message() + "OBX|2|NM|147842^MDC_ECG_HEART_RATE^MDC||72\r" * 40_000  # about 2 MB
    msh, msa = read(ack(raw, "AA", now=NOW))
    assert str(msa(2)) == "CTRL-42"


def test_a_parsed_message_can_be_answered_too():
    msa = read(ack(hl7.parse(message()), "AE", "x", now=NOW))[1]
    assert str(msa) == "MSA|AE|CTRL-42|x"


def test_only_the_three_original_mode_codes():
    with pytest.raises(ValueError, match="use one of AA, AE, AR"):
        ack(message(), "CA")
