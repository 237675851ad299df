"""The acknowledgement (HL7 original mode) the listener sends back: AA, AE or AR.

The ACK is written here rather than with python-hl7's `Message.create_ack`, which needs a
complete, well-formed MSH (it raises on a short MSH or an MSH-9 without components, exactly
the messages that need an AR), stamps MSH-7 without an offset, and has no MSA-3 or ERR.
"""

from __future__ import annotations

import time

from groupkap.hl7.errors import HL7_ERRORS
from groupkap.hl7.escapes import Separators, escape
from groupkap.hl7.fields import (
    DEFAULT_ENCODING,
    MessageHeader,
    header_of_text,
    message_text,
    new_control_id,
)
from groupkap.hl7.results import OruMessage

ACK_CODES = ("AA", "AE", "AR")
APPLICATION = "GROUPKAP"
ANSWER_VERSION = "2.6"  # when the sender's version cannot be read
MSA_TEXT_MAX = 80  # MSA-3's length in v2.3 and v2.4
ERR_TEXT_MAX = 250  # ERR-8's length


def ack(
    source: OruMessage | str | bytes | object,
    code: str = "AA",
    text: str = "",
    *,
    error_code: int = 207,
    location: tuple[str, int] | None = None,
    application: str | None = None,
    facility: str | None = None,
    now: float | None = None,
    message_id: str | None = None,
) -> str:
    """The ACK for a message, as text ending in CR (without MLLP framing).

    `source` is what was read (an OruMessage), the raw text or bytes as received, or anything
    whose `str()` is a message (a python-hl7 `Message`): for input so broken that only
    MSH-10 (or nothing) can be read, the ACK still answers, with what could be read and the
    standard separators. The MSH swaps sender and receiver (our MSH-3 is their MSH-5, else
    `application`, else GROUPKAP); MSA-1 is `code`, MSA-2 their control id; for AE and AR,
    MSA-3 is `text` and an ERR segment carries `error_code` (HL7 table 0357), `location`
    (segment, field) and `text`, in the layout of the message's version (ERR-1 up to v2.4,
    ERR-2..8 from v2.5; none before v2.3).
    """
    if code not in ACK_CODES:
        raise ValueError(f"ack code {code!r}: use one of {', '.join(ACK_CODES)}")
    header = _header_of(source)
    theirs = _usable(header.encoding)
    enc = header.encoding if theirs else DEFAULT_ENCODING
    f, c, r, e, s = enc
    seps = Separators(*enc)

    def put(value: str) -> str:
        return escape(value, seps) if value else ""

    # Echoed identifiers are kept as sent (they may hold components) when their separators
    # are ours; otherwise only what can be escaped safely goes back.
    def echo(value: str) -> str:
        return value if theirs else put(value)

    version = _answer_version(header.version)
    trigger = put(header.trigger)
    if not trigger:
        kind = "ACK"
    elif _version_tuple(version) >= (2, 3, 1):
        kind = f"ACK{c}{trigger}{c}ACK"
    else:
        kind = f"ACK{c}{trigger}"
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() if now is None else now))
    if application is not None:
        sender = put(application)
    else:
        sender = echo(header.receiving_app) or APPLICATION
    sender_facility = put(facility) if facility is not None else echo(header.receiving_facility)
    msh = f.join(
        [
            "MSH",
            enc[1:],
            sender,
            sender_facility,
            echo(header.sending_app),
            echo(header.sending_facility),
            stamp + "+0000",
            "",
            kind,
            put(message_id or new_control_id()),
            put(header.processing_id) or "P",
            put(version),
        ]
    )
    msa = [f"MSA{f}{code}{f}{put(header.control_id)}"]
    segments = [msh]
    if code != "AA":
        if text:
            msa.append(put(text[:MSA_TEXT_MAX]))
        segments.append(f.join(msa))
        err = _err(version, error_code, location, put(text[:ERR_TEXT_MAX]), enc)
        if err:
            segments.append(err)
    else:
        segments.append(f.join(msa))
    return "\r".join(segments) + "\r"


def _header_of(source: OruMessage | str | bytes | object) -> MessageHeader:
    if isinstance(source, OruMessage):
        return source.header
    if not isinstance(source, str | bytes):
        source = str(source)  # a parsed message written out again
    return header_of_text(message_text(source))


def _usable(encoding: str) -> bool:
    return (
        len(encoding) == 5
        and len(set(encoding)) == 5
        and not any(ch.isalnum() or ch.isspace() for ch in encoding)
    )


def _version_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return ()


def _answer_version(version: str) -> str:
    """Their version when it reads as an HL7 v2 version, else ANSWER_VERSION."""
    numbers = _version_tuple(version)
    return (
        version if len(numbers) >= 2 and numbers[0] == 2 and len(version) <= 8 else (ANSWER_VERSION)
    )


def _err(
    version: str, error_code: int, location: tuple[str, int] | None, text: str, enc: str
) -> str | None:
    f, c, _r, _e, s = enc
    name = HL7_ERRORS.get(error_code, HL7_ERRORS[207])
    segment, field_no = location if location else ("", 0)
    where = [segment, "1" if segment else "", str(field_no) if field_no else ""]
    numbers = _version_tuple(version)
    if numbers >= (2, 5):
        # ERR-2 location, ERR-3 code, ERR-4 severity (E = error), ERR-8 user message.
        code_field = f"{error_code}{c}{name}{c}HL70357"
        return f.join(["ERR", "", c.join(where).rstrip(c), code_field, "E", "", "", "", text])
    if numbers >= (2, 3):
        # ERR-1 "error code and location": segment^sequence^field^code&text&table.
        return f.join(["ERR", c.join([*where, s.join([str(error_code), name, "HL70357"])])])
    return None
