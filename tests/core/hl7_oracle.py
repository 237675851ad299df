"""python-hl7 as the oracle of the lean reader: its parse tree read through the same interface
as `groupkap.hl7.fields.Encoding`, so `read_oru` can run on either and the two be compared.

The tree walkers below are the ones GroupKAP used while it parsed with `hl7.parse` (python-hl7
0.4.5): a segment is a list of `Field`s; a field's first item is a plain `str` when the field
has no separators, else a `Repetition`; a repetition holds `str`s or `Component`s; a component
is a list of sub-component `str`s.
"""

from __future__ import annotations

import hl7
from hl7.util import unescape

from groupkap.hl7.fields import MessageHeader, message_text, read_header
from groupkap.hl7.oru import _check_msh, read_oru

_item = list.__getitem__


class TreeReader:
    """Reads python-hl7's tree of one message the way `Encoding` reads text."""

    def __init__(self, message: hl7.Message) -> None:
        msh = message[0]
        seps = msh.separators
        self.text = seps[1] + seps[3] + seps[2] + msh.esc + seps[4]

    @staticmethod
    def segment_name(segment: hl7.Segment) -> str:
        head = _item(segment, 0)
        if type(head) is str:  # a segment with no field separator at all
            return head
        name = _item(head, 0)
        return name if type(name) is str else ""

    @staticmethod
    def fields(segment: hl7.Segment) -> hl7.Segment:
        return segment

    @staticmethod
    def components(segment: hl7.Segment, field_no: int) -> list[str]:
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

    @staticmethod
    def first(segment: hl7.Segment, field_no: int) -> str:
        if field_no >= len(segment):
            return ""
        rep = _item(_item(segment, field_no), 0)
        if type(rep) is not str:
            rep = _item(rep, 0)
            if type(rep) is not str:
                rep = _item(rep, 0)
        return unescape(segment, rep) if segment.esc in rep else rep

    @staticmethod
    def identifier(segment: hl7.Segment, field_no: int) -> str:
        if field_no >= len(segment):
            return ""
        rep = _item(_item(segment, field_no), 0)
        if type(rep) is str:
            return rep
        return "^".join(c if type(c) is str else "&".join(c) for c in rep).rstrip("^&")

    @staticmethod
    def as_sent(segment: hl7.Segment, field_no: int) -> str:
        if field_no >= len(segment):
            return ""
        rep = _item(_item(segment, field_no), 0)
        return rep if type(rep) is str else str(rep).rstrip(segment.separators[3:])


def tree_of(raw: str | bytes) -> hl7.Message:
    """python-hl7's tree of a message that passes parse_oru's first checks."""
    text = message_text(raw)
    _check_msh(text)
    return hl7.parse(text)


def parse_oru_by_python_hl7(raw: str | bytes, **kwargs):
    """parse_oru with python-hl7 doing the splitting (as GroupKAP did before the lean reader)."""
    message = tree_of(raw)
    return read_oru(TreeReader(message), message[0], message[1:], **kwargs)


def header_by_python_hl7(raw: str | bytes) -> MessageHeader:
    """What the ACK echoed when it read the first MSH of anything received with python-hl7."""
    text = message_text(raw)
    start = text.find("MSH")
    if start < 0:
        return MessageHeader()
    end = text.find("\r", start)
    try:
        message = hl7.parse(text[start:] if end < 0 else text[start:end])
        return read_header(TreeReader(message), message[0])
    except Exception:  # python-hl7 raises several kinds on a malformed MSH
        return MessageHeader()
