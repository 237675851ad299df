"""HL7 v2 escape sequences (chapter 2.10): undone in what is read, made in what is written.

Both follow python-hl7 0.4.5's `hl7.util.unescape` and `escape` character for character,
because a monitor's identifiers and codes become keys (a device on a seat, a vendor code in
the clinic's table) that must not change with the parser reading them; the differential
test (tests/core/test_hl7_lean_reader.py) holds the two together. That includes
python-hl7's choices: `\\H\\` and `\\N\\` (highlighting on and off) become `_`, an escape
left open at the end is dropped, `\\.sp3\\` repeats, `\\Xhh\\` is read two digits at a time,
character-set switches (`\\C..\\`, `\\M..\\`) and unknown sequences are dropped, and
`\\.spX\\` raises ValueError (the listener answers such a message AE).
"""

from __future__ import annotations

from typing import NamedTuple


class Separators(NamedTuple):
    """MSH-1 and MSH-2: the field, component, repetition and sub-component separators and
    the escape character, in the order HL7 writes them (`|^~\\&`)."""

    field: str
    component: str
    repetition: str
    escape: str
    subcomponent: str


# Formatting commands (2.10.6) and their text; with a count after them (`.sp3`) repeated.
_FORMATTING = {
    ".br": "\r",
    ".sp": "\r",
    ".fi": "",
    ".nf": "",
    ".in": "    ",
    ".ti": "    ",
    ".sk": " ",
    ".ce": "\r",
}


def unescape(text: str, seps: Separators) -> str:
    """`text` with its escape sequences replaced by what they stand for."""
    esc = seps.escape
    if not text or esc not in text:
        return text
    known = {
        "H": "_",
        "N": "_",
        "F": seps.field,
        "R": seps.repetition,
        "S": seps.component,
        "T": seps.subcomponent,
        "E": esc,
        **_FORMATTING,
    }
    out: list[str] = []
    pieces = text.split(esc)
    out.append(pieces[0])
    # Odd pieces are sequences, even ones plain text; an odd last piece was never closed.
    closed = len(pieces) if len(pieces) % 2 else len(pieces) - 1
    for i in range(1, closed, 2):
        out.append(_sequence(pieces[i], known))
        out.append(pieces[i + 1])
    return "".join(out)


def _sequence(value: str, known: dict[str, str]) -> str:
    if not value:
        return ""
    if value in known:
        return known[value]
    if value[0] == "." and value[:3] in _FORMATTING:
        return _FORMATTING[value[:3]] * int(value[3:])  # ValueError as in python-hl7
    if value[0] == "X":  # hex bytes, two digits each, up to the first pair that is not
        out = []
        digits = value[1:]
        try:
            for i in range(0, len(digits), 2):
                out.append(chr(int(digits[i : i + 2], 16)))
        except ValueError:
            pass
        return "".join(out)
    return ""  # a character-set switch (C, M) or an unknown sequence: dropped


def escape(text: str, seps: Separators) -> str:
    """`text` ready to be one field's value: separators, the escape character and CR as
    escape sequences, anything outside printable ASCII as `\\Xhh\\`."""
    if not text:
        return text
    esc = seps.escape
    named = {
        seps.field: "F",
        seps.repetition: "R",
        seps.component: "S",
        seps.subcomponent: "T",
        esc: "E",
        "\r": ".br",
    }
    out = []
    for c in text:
        if c in named:
            out.append(f"{esc}{named[c]}{esc}")
        elif " " <= c <= "~":
            out.append(c)
        else:
            out.append("%sX%2x%s" % (esc, ord(c), esc))  # noqa: UP031 (python-hl7's "%2x")
    return "".join(out)
