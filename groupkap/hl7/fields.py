"""Reading values out of python-hl7's parse tree, and the header (MSH) an ACK answers.

`hl7.parse` does the parsing; these helpers only walk the tree it builds. They index it
directly instead of calling `Segment.extract_field`, which builds an `Accessor` and costs
about 5 µs per call: a dozen fields per OBX would double the cost of reading a message.
The tree's shape (python-hl7 0.4.5): a segment is a list of `Field`s; a field's first
item is a plain `str` when the field has no separators, else a `Repetition`; a
repetition holds `str`s or `Component`s; a component is a list of sub-component `str`s.
Those containers override `__getitem__` in Python (for slices), so single items are read
with `list.__getitem__`, which is several times faster.
"""

from __future__ import annotations

from dataclasses import dataclass

import hl7
from hl7.util import unescape

DEFAULT_ENCODING = "|^~\\&"

_item = list.__getitem__


def segment_name(segment: hl7.Segment) -> str:
    """`OBX`, `PID` ...; "" for an empty or malformed segment."""
    head = _item(segment, 0)
    if type(head) is str:  # a segment with no field separator at all
        return head
    name = _item(head, 0)
    return name if type(name) is str else ""


def components(segment: hl7.Segment, field_no: int) -> list[str]:
    """The components of the field's first repetition (the first sub-component of each),
    with HL7 escapes undone; [] when the segment is shorter."""
    if field_no >= len(segment):
        return []
    rep = _item(_item(segment, field_no), 0)
    if type(rep) is str:
        parts = [rep]
    else:
        parts = [c if type(c) is str else _item(c, 0) for c in rep]
    esc = segment.esc
    for i, part in enumerate(parts):
        if esc in part:
            parts[i] = unescape(segment, part)
    return parts


def first(segment: hl7.Segment, field_no: int) -> str:
    """The field's first component of its first repetition: what a plain field holds."""
    if field_no >= len(segment):
        return ""
    rep = _item(_item(segment, field_no), 0)
    if type(rep) is not str:
        rep = _item(rep, 0)
        if type(rep) is not str:
            rep = _item(rep, 0)
    return unescape(segment, rep) if segment.esc in rep else rep


def identifier(segment: hl7.Segment, field_no: int) -> str:
    """The field's first repetition written with the standard separators
    (`ICU^^5`, `0123456789ABCDEF^EUI-64`), trailing empty components dropped: a stable key
    for a device, a bed or a sending application, whatever separators the sender uses."""
    if field_no >= len(segment):
        return ""
    rep = _item(_item(segment, field_no), 0)
    if type(rep) is str:
        return rep
    return "^".join(c if type(c) is str else "&".join(c) for c in rep).rstrip("^&")


def as_sent(segment: hl7.Segment, field_no: int) -> str:
    """The field's first repetition exactly as sent (the sender's separators, escapes kept):
    what an ACK echoes back."""
    if field_no >= len(segment):
        return ""
    rep = _item(_item(segment, field_no), 0)
    return rep if type(rep) is str else str(rep).rstrip(segment.separators[3:])


def message_text(raw: str | bytes) -> str:
    """One message as python-hl7 wants it: str, segments ending in CR, nothing around it.

    Bytes are UTF-8, else ISO 8859-1 (which never fails: noise is refused later as not
    HL7). Leading and trailing whitespace and MLLP framing bytes are dropped; LF and CRLF
    between segments become CR, as senders' test tools often write them.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raw = raw.decode("latin-1")
    text = raw.strip(" \t\r\n\x0b\x1c\x00")
    if "\n" in text:
        text = text.replace("\r\n", "\r").replace("\n", "\r")
    return text


@dataclass(frozen=True, slots=True)
class MessageHeader:
    """What MSH says about a message, as text, read whether or not it is usable.

    Attributes:
        encoding: MSH-1 and MSH-2 (`|^~\\&`), so an answer can use the sender's separators.
        sending_app, sending_facility: MSH-3, MSH-4 as sent (the sender's separators).
        receiving_app, receiving_facility: MSH-5, MSH-6 as sent.
        time: MSH-7 as sent.
        message_type, trigger: MSH-9.1 and MSH-9.2 (`ORU`, `R01`).
        control_id: MSH-10, which the ACK's MSA-2 echoes.
        processing_id: MSH-11 (`P` production, `T` training, `D` debugging).
        version: MSH-12 (`2.6`).
    """

    encoding: str = DEFAULT_ENCODING
    sending_app: str = ""
    sending_facility: str = ""
    receiving_app: str = ""
    receiving_facility: str = ""
    time: str = ""
    message_type: str = ""
    trigger: str = ""
    control_id: str = ""
    processing_id: str = ""
    version: str = ""


def read_header(message: hl7.Message) -> MessageHeader:
    """The header of a parsed message whose first segment is MSH."""
    msh = message[0]
    kind = components(msh, 9)
    return MessageHeader(
        encoding=msh.separators[1]
        + msh.separators[3]
        + msh.separators[2]
        + msh.esc
        + msh.separators[4],
        sending_app=as_sent(msh, 3),
        sending_facility=as_sent(msh, 4),
        receiving_app=as_sent(msh, 5),
        receiving_facility=as_sent(msh, 6),
        time=first(msh, 7),
        message_type=kind[0].strip() if kind else "",
        trigger=kind[1].strip() if len(kind) > 1 else "",
        control_id=first(msh, 10).strip(),
        processing_id=first(msh, 11).strip(),
        version=first(msh, 12).strip(),
    )
