"""MLLP framing byte by byte, and the [hl7] settings: what a message is, what is noise, what
is too large; every key of the section checked with its name and range."""

from __future__ import annotations

import pytest

from groupkap.errors import ConfigError
from groupkap.hl7.config import Hl7Config, hl7_settings
from groupkap.hl7.mllp import HEAD_KEPT, Framer, Message, Noise, TooLarge, frame
from groupkap.settings import settings_from_dict

MSG = b"MSH|^~\\&|MON|||||ORU^R01|C1|P|2.6\rOBX|1|NM|147842^^MDC||72\r"


def test_a_framed_message_comes_out_whole():
    assert Framer(1024).feed(frame(MSG)) == [Message(MSG)]


def test_a_message_split_anywhere_comes_out_once_it_ends():
    data = frame(MSG) + frame(MSG.replace(b"C1", b"C2"))
    for cut in range(1, len(data)):
        framer = Framer(1024)
        out = framer.feed(data[:cut]) + framer.feed(data[cut:])
        assert out == [Message(MSG), Message(MSG.replace(b"C1", b"C2"))], cut


def test_in_frame_holds_while_a_message_is_begun_and_not_ended():
    framer = Framer(1024)
    framer.feed(b"\x0bMSH|")
    assert framer.in_frame and framer.pending == 4
    framer.feed(b"rest\x1c\r")
    assert not framer.in_frame and framer.pending == 0


def test_bytes_outside_a_frame_are_noise_one_run_at_a_time():
    out = Framer(1024).feed(b"hello" + frame(MSG) + b"\r\n" + b"xx\x00" + frame(MSG))
    assert out == [Noise(5, "5 bytes outside a message"), Message(MSG),
                   Noise(5, "5 bytes outside a message"), Message(MSG)]  # fmt: skip


def test_line_ends_between_frames_are_not_noise():
    assert Framer(1024).feed(frame(MSG) + b"\r\n" + frame(MSG)) == [Message(MSG), Message(MSG)]


def test_an_end_without_its_carriage_return_still_ends_the_message():
    assert Framer(1024).feed(b"\x0b" + MSG + b"\x1c" + b"\x0b" + MSG + b"\x1c") == [
        Message(MSG),
        Message(MSG),
    ]


def test_a_new_start_inside_a_message_drops_the_part_before_it():
    out = Framer(1024).feed(b"\x0bMSH|half" + frame(MSG))
    assert out == [Noise(8, "a message cut off after 8 bytes by a new one"), Message(MSG)]


def test_a_message_over_the_limit_is_reported_once_with_its_head_and_then_skipped():
    framer = Framer(10_000)
    big = MSG + b"OBX|" + b"9" * 50_000
    out = []
    for i in range(0, len(big), 4096):  # as recv hands it over
        out += framer.feed((b"\x0b" if i == 0 else b"") + big[i : i + 4096])
    assert len(out) == 1 and isinstance(out[0], TooLarge)
    assert out[0].head == big[:HEAD_KEPT] and out[0].limit == 10_000
    assert framer.pending == 0  # nothing of it is kept
    assert framer.feed(b"\x1c\r" + frame(MSG)) == [Message(MSG)]  # the next one is read


def test_a_message_exactly_at_the_limit_is_kept():
    assert Framer(len(MSG)).feed(frame(MSG)) == [Message(MSG)]
    assert isinstance(Framer(len(MSG) - 1).feed(frame(MSG))[0], TooLarge)


# -- [hl7] settings ---------------------------------------------------------------------------


def test_defaults_listen_on_loopback_only():
    c = Hl7Config()
    assert (c.port, c.bind, c.allow) == (2575, "127.0.0.1", ("127.0.0.1", "::1"))
    assert c.max_message_bytes == 1024 * 1024


def test_the_section_is_read_from_a_settings_file():
    s = settings_from_dict(
        {
            "hl7": {
                "port": 6661,
                "bind": "0.0.0.0",
                "allow": ["10.0.5.21", "10.0.6.0/24"],
                "vendor_codes": "~/codes.toml",
                "max_message_kib": 16,
                "idle_timeout_s": 3600,
                "frame_timeout_s": 1,
            }
        }
    )
    assert s.hl7.port == 6661 and s.hl7.bind == "0.0.0.0"
    assert s.hl7.allow == ("10.0.5.21/32", "10.0.6.0/24")
    assert s.hl7.vendor_codes.endswith("/codes.toml") and "~" not in s.hl7.vendor_codes
    assert (s.hl7.max_message_kib, s.hl7.idle_timeout_s, s.hl7.frame_timeout_s) == (16, 3600, 1)


@pytest.mark.parametrize(
    "table, words",
    [
        ({"port": 70000}, "hl7.port = 70000 is not a TCP port"),
        ({"port": "2575"}, "hl7.port = '2575' is not a TCP port"),
        ({"bind": "localhost"}, "hl7.bind = 'localhost' is not an IP address"),
        ({"allow": "127.0.0.1"}, "hl7.allow must be a list"),
        ({"allow": ["10.0.5.300"]}, "'10.0.5.300' is not an address or a network"),
        ({"max_message_kib": 15}, "hl7.max_message_kib = 15 is out of range; use 16 to 16384"),
        ({"idle_timeout_s": 9}, "use 10 to 3600"),
        ({"frame_timeout_s": 301}, "use 1 to 300"),
        ({"vendor_codes": 3}, "hl7.vendor_codes must be a file path"),
        ({"allowed": []}, "unknown setting hl7.allowed"),
    ],
)
def test_a_bad_value_names_the_key(table, words):
    with pytest.raises(ConfigError, match="groupkap.toml") as err:
        hl7_settings(table, "groupkap.toml")
    assert words in str(err.value)


def test_the_command_line_overrides_are_checked_like_the_file():
    c = Hl7Config().with_overrides(port=0, bind="::1", allow=("::1",))
    assert (c.port, c.bind, c.allow) == (0, "::1", ("::1/128",))
    with pytest.raises(ConfigError, match="--bind"):
        Hl7Config().with_overrides(bind="my-host")
