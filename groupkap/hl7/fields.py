"""Reading an HL7 v2 message's fields straight from its text, and the header (MSH) an ACK answers.

GroupKAP reads a handful of fields of a few segments (MSH, PID-3, PV1-3, OBR-7 and a dozen
of each OBX), so it splits only those segments, only into fields, and cuts a field to the
part it reads: no tree of every repetition, component and sub-component as python-hl7's
`hl7.parse` builds (which cost four fifths of taking a monitor's message in). The
separators and the escape character are the ones MSH-1 and MSH-2 declare, whatever they
are. Every value read is the one python-hl7's tree gives for that field, quirks included
(tests/core/test_hl7_lean_reader.py checks it over the fixtures and ~3,000 cut and damaged
variants of them). A segment is read as the list of its raw field texts, numbered as HL7
numbers them: `fields[3]` is MSH-3 or OBX-3 (MSH-1 is the field separator itself, MSH-2
the encoding characters).
"""

from __future__ import annotations

import random
import string
import time
from dataclasses import dataclass

from groupkap.hl7.escapes import Separators, unescape

DEFAULT_ENCODING = "|^~\\&"
# Segments whose second field holds the encoding characters (python-hl7 reads each alike).
HEADER_SEGMENTS = ("MSH", "BHS", "FHS")

Fields = list[str]


class Encoding:
    """How one message is split: MSH-1 and MSH-2, read once.

    Attributes:
        seps: the separators and escape character.
        text: MSH-1 + MSH-2 as `|^~\\&` writes them (field, component, repetition, escape,
            sub-component), so an answer can use the sender's.
    """

    __slots__ = ("seps", "text", "field", "escape", "_inner", "_rep", "_comp", "_sub")

    def __init__(self, seps: Separators) -> None:
        self.seps = seps
        self.text = "".join(seps)
        self.field = seps.field
        self.escape = seps.escape
        self._rep, self._comp, self._sub = seps.repetition, seps.component, seps.subcomponent
        self._inner = (self._rep, self._comp, self._sub)

    @classmethod
    def of_msh(cls, text: str) -> Encoding | None:
        """The encoding a message starting with `MSH` declares. Missing encoding
        characters take their defaults, as python-hl7 reads them; None when there is no
        MSH-1 or when two separators are the same character (nothing can be split then)."""
        if len(text) < 4:
            return None
        end = text.find(text[3], 4)
        declared = text[3:end]  # up to the next field separator (to the end but one without)
        if not declared:
            return None
        chars = [declared[i] if i < len(declared) else DEFAULT_ENCODING[i] for i in range(5)]
        seps = Separators(*chars)
        if len({seps.field, seps.component, seps.repetition, seps.subcomponent}) < 4:
            return None
        return cls(seps)

    # -- segments ----------------------------------------------------------------------
    def segment_name(self, segment: str) -> str:
        """`OBX`, `PID` ...: the segment's first field; "" when that field holds a
        component, repetition or sub-component separator. A segment starting with MSH (or
        BHS, FHS) is one whatever follows, as for python-hl7."""
        head = segment[:3]
        if head in HEADER_SEGMENTS and (self.field in segment or self._has_inner(segment)):
            return head
        name = segment.partition(self.field)[0]
        return "" if self._has_inner(name) else name

    def fields(self, segment: str) -> Fields:
        """A segment other than MSH as its fields (`[name, field 1, field 2, ...]`)."""
        return segment.split(self.field)

    def msh_fields(self, msh: str) -> Fields:
        """MSH as its fields: `[MSH, MSH-1, MSH-2, MSH-3, ...]` (MSH-1 is the separator)."""
        sep = msh[3]
        end = msh.find(sep, 4)
        rest = msh[end + 1 :]  # the whole segment again when MSH-2 never ends (python-hl7)
        out = [msh[:3], sep, msh[4:end]]
        if rest:
            out += rest.split(self.field)
        return out

    # -- fields --------------------------------------------------------------------------
    def first(self, fields: Fields, n: int) -> str:
        """Field `n`'s first component of its first repetition (its first sub-component),
        escapes undone: what a plain field holds; "" when the segment is shorter."""
        if n >= len(fields):
            return ""
        value = fields[n]
        for sep in self._inner:
            cut = value.find(sep)
            if cut >= 0:
                value = value[:cut]
        return unescape(value, self.seps) if self.escape in value else value

    def components(self, fields: Fields, n: int) -> list[str]:
        """The components of field `n`'s first repetition (the first sub-component of each),
        escapes undone; [] when the segment is shorter."""
        if n >= len(fields):
            return []
        value = fields[n]
        rep = value.find(self._rep)
        if rep >= 0:
            value = value[:rep]
        parts = value.split(self._comp)
        sub, esc = self._sub, self.escape
        for i, part in enumerate(parts):
            cut = part.find(sub)
            if cut >= 0:
                part = parts[i] = part[:cut]
            if esc in part:
                parts[i] = unescape(part, self.seps)
        return parts

    def identifier(self, fields: Fields, n: int) -> str:
        """Field `n`'s first repetition written with the standard separators (`ICU^^5`,
        `0123456789ABCDEF^EUI-64`), trailing empty components dropped, escapes kept: a
        stable key for a device, a bed or a sending application, whatever separators the
        sender uses."""
        if n >= len(fields):
            return ""
        value = fields[n]
        if not self._has_inner(value):
            return value
        first = value.partition(self._rep)[0]
        if self._comp != "^" or self._sub != "&":
            first = "^".join(c.replace(self._sub, "&") for c in first.split(self._comp))
        return first.rstrip("^&")

    def as_sent(self, fields: Fields, n: int) -> str:
        """Field `n`'s first repetition exactly as sent (the sender's separators, escapes
        kept), trailing empty components dropped: what an ACK echoes back."""
        if n >= len(fields):
            return ""
        value = fields[n]
        if not self._has_inner(value):
            return value
        return value.partition(self._rep)[0].rstrip(self._comp + self._sub)

    def _has_inner(self, text: str) -> bool:
        return self._rep in text or self._comp in text or self._sub in text


def message_text(raw: str | bytes) -> str:
    """One message as text, segments ending in CR, nothing around it.

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


def read_header(enc: Encoding, msh: Fields) -> MessageHeader:
    """The header of a message, from its MSH's fields."""
    kind = enc.components(msh, 9)
    return MessageHeader(
        encoding=enc.text,
        sending_app=enc.as_sent(msh, 3),
        sending_facility=enc.as_sent(msh, 4),
        receiving_app=enc.as_sent(msh, 5),
        receiving_facility=enc.as_sent(msh, 6),
        time=enc.first(msh, 7),
        message_type=kind[0].strip() if kind else "",
        trigger=kind[1].strip() if len(kind) > 1 else "",
        control_id=enc.first(msh, 10).strip(),
        processing_id=enc.first(msh, 11).strip(),
        version=enc.first(msh, 12).strip(),
    )


def header_of_text(text: str) -> MessageHeader:
    """The header of whatever was received, read from its first MSH alone (a 2 MB message
    is not read to answer it); nothing echoed when there is no MSH or it cannot be split."""
    start = text.find("MSH")
    if start < 0:
        return MessageHeader()
    end = text.find("\r", start)
    msh = (text[start:] if end < 0 else text[start:end]).strip()
    enc = Encoding.of_msh(msh)
    if enc is None:
        return MessageHeader()
    return read_header(enc, enc.msh_fields(msh))


_ID_CHARS = string.ascii_letters + string.digits


def new_control_id() -> str:
    """A fresh message control id of 20 characters (MSH-10 of an ACK): the UTC time to the
    microsecond without its decade, then four random letters or digits (python-hl7's
    `generate_message_control_id` layout)."""
    now = time.time()
    stamp = time.strftime("%y%j%H%M%S", time.gmtime(now))[1:] + f"{int(now % 1 * 1e6):06d}"
    return stamp + "".join(random.sample(_ID_CHARS, 4))
