"""The lean reader against python-hl7 (the oracle): over every fixture, the same fixtures with
other separators, and ~3,000 cut and damaged variants, every field GroupKAP reads is the same
text, parse_oru gives the same observations, skips, problems and AR/AE decisions, and the ACK
echoes the same header. python-hl7 parses each message once (most of this file's time)."""

from __future__ import annotations

import ast
import random
from functools import cache
from pathlib import Path

import hl7
import pytest
from hl7.util import escape as hl7_escape
from hl7.util import unescape as hl7_unescape
from hl7_oracle import TreeReader, header_by_python_hl7, tree_of

from groupkap.hl7 import STANDARD_CODES, Hl7MessageError, ack, parse_oru
from groupkap.hl7.escapes import Separators, escape, unescape
from groupkap.hl7.fields import Encoding, header_of_text, message_text
from groupkap.hl7.oru import read_oru
from groupkap.hl7.timestamps import digits_to_datetime
from tests.core.test_hl7_corpus import CORPUS, VENDOR, damaged

# python-hl7's unescape calls the deprecated Logger.warn on sequences it drops.
pytestmark = pytest.mark.filterwarnings("ignore:The 'warn' method is deprecated")

# The fields each segment is read for (parse_oru and the ACK's header).
READ = {
    "MSH": (3, 4, 5, 6, 7, 9, 10, 11, 12),
    "PID": (3,),
    "PV1": (3,),
    "OBR": (7,),
    "OBX": (2, 3, 4, 5, 6, 11, 14, 18),
}
# Segments whose names python-hl7 reads in its own way: a later MSH (two messages in one),
# whatever follows its three letters; a name holding a component or repetition separator; a
# segment without any separator; empty segments.
ODD_SEGMENTS = (
    *("MSHX|1", "MSH^2", "MSH", "MSHX", "BHS|x", "FHSZ~", "OB^X|1|NM|147842||5", "OBX~1|NM"),
    *("OBX", "PID", "PV1|", "OBR&|||||||20260514093000", "", "PID~|||X"),
)
# The standard separators swapped for others, in MSH-2 and in the whole message alike.
OTHER_SEPARATORS = str.maketrans("|^~\\&", "#@!$%")


def messages() -> list[bytes]:
    """Every fixture with its damaged variants; with other separators, each fixture and a
    few of its variants (python-hl7 is slow enough that all of them would take seconds)."""
    out = []
    for path in CORPUS:
        raw = path.read_bytes()
        out += [raw, *damaged(raw, random.Random(path.stem))]
        other = raw.decode("latin-1").translate(OTHER_SEPARATORS).encode("latin-1")
        out += [other, *list(damaged(other, random.Random(path.stem)))[::8]]
    base = CORPUS[0].read_bytes().rstrip(b"\r")
    hr = b"OBX|9|NM|147842^MDC_ECG_HEART_RATE^MDC||61|/min|||||R"
    for odd in ODD_SEGMENTS:
        out += [b"\r".join([base, odd.encode(), hr]), b"\r".join([base, hr, odd.encode()])]
    return out


MESSAGES = messages()


@cache
def trees() -> list[tuple[bytes, hl7.Message | None]]:
    """Each message with python-hl7's tree of it (None when parse_oru refuses it first)."""
    out = []
    for raw in MESSAGES:
        try:
            out.append((raw, tree_of(raw)))
        except Hl7MessageError:
            out.append((raw, None))
    return out


def outcome(read, *args, **kwargs) -> tuple:
    """What `read(*args, **kwargs)` gave: ("read", the message) or the refusal in full."""
    try:
        return ("read", read(*args, **kwargs))
    except Hl7MessageError as exc:
        result = getattr(exc, "result", None)
        return (exc.ack_code, exc.reason, exc.error_code, exc.location, result)


def test_there_are_over_three_thousand_messages_to_compare():
    assert len(MESSAGES) > 3000


def test_every_field_read_is_the_text_python_hl7_gives():
    compared = 0
    for raw, tree in trees():
        if tree is None:
            continue  # refused before any field is read, by both alike (next test)
        text = message_text(raw).strip()
        enc = Encoding.of_msh(text)
        msh, *rest = text.split("\r")
        segments = [enc.msh_fields(msh), *rest]
        oracle = TreeReader(tree)
        assert enc.text == oracle.text
        assert len(segments) == len(tree), raw
        for i, (mine, theirs) in enumerate(zip(segments, tree, strict=True)):
            name = "MSH" if i == 0 else enc.segment_name(mine)
            assert name == (oracle.segment_name(theirs) if i else "MSH"), raw
            if name not in READ or (name == "MSH" and i):
                continue
            fields = mine if i == 0 else enc.fields(mine)
            assert len(fields) == len(theirs), raw
            for n in READ[name]:
                for how in ("first", "components", "identifier", "as_sent"):
                    got = getattr(enc, how)(fields, n)
                    assert got == getattr(oracle, how)(theirs, n), (raw, name, n, how)
                    compared += 1
    assert compared > 100_000


def test_parse_oru_decides_as_it_did_with_python_hl7():
    kinds = set()
    for raw, tree in trees():
        for codes in (VENDOR, STANDARD_CODES):
            mine = outcome(parse_oru, raw, codes=codes)
            if tree is None:
                assert mine[0] == "AR", raw  # refused by the checks both share
            else:
                theirs = outcome(read_oru, TreeReader(tree), tree[0], tree[1:], codes=codes)
                assert mine == theirs, raw
            kinds.add(mine[0])
    assert kinds == {"read", "AE", "AR"}


def test_the_ack_echoes_the_header_python_hl7_read():
    echoed = 0
    for raw in MESSAGES:
        mine = header_of_text(message_text(raw))
        assert mine == header_by_python_hl7(raw), raw
        echoed += bool(mine.control_id)
    assert echoed > len(MESSAGES) // 2


SEPARATORS = [Separators(*"|^~\\&"), Separators(*"#@!$%"), Separators(*"|&~^\\")]
ALPHABET = "\\$^&|~#@!%FRSTEHNXCM.brspfinsk0123456789aZ \r°€"


@pytest.mark.parametrize("seps", SEPARATORS, ids=lambda s: "".join(s))
def test_escapes_are_undone_and_made_as_python_hl7_does(seps):
    box = hl7.Message(separators="\r" + seps.field + seps.repetition + seps.component
                      + seps.subcomponent, esc=seps.escape)  # fmt: skip
    rng = random.Random("".join(seps))
    esc = seps.escape
    fixed = ["", "a", f"{esc}", f"a{esc}F{esc}b", f"{esc}.sp3{esc}", f"{esc}X41424{esc}",
             f"{esc}Xzz{esc}", f"{esc}{esc}", f"{esc}C2842{esc}x", f"{esc}.br{esc}{esc}H{esc}",
             f"x{esc}E{esc}{esc}T{esc}{esc}unknown{esc}y{esc}open"]  # fmt: skip
    texts = fixed + ["".join(rng.choices(ALPHABET, k=rng.randint(0, 14))) for _ in range(1500)]
    for text in texts:
        assert escape(text, seps) == hl7_escape(box, text)
        try:
            expected = hl7_unescape(box, text)
        except ValueError:
            with pytest.raises(ValueError):
                unescape(text, seps)
            continue
        assert unescape(text, seps) == expected, text


def test_a_parsed_python_hl7_message_is_still_answered():
    raw = CORPUS[0].read_bytes()
    answer = ack(hl7.parse(message_text(raw)), "AE", "x", now=0, message_id="A1")
    assert answer == ack(raw, "AE", "x", now=0, message_id="A1")


def test_times_are_read_as_python_hl7_reads_them():
    rng = random.Random(7)
    cases = [
        *(("20260514093015", ".9999996"), ("202605140930", ".5"), ("20260230093015", "")),
        *(("20261314093015", ""), ("00000514093015", ""), ("20260514246015", ".25")),
        *(("20260514093061", ""), ("202605140930", ""), ("20260514093059", ".99999949")),
    ]
    for _ in range(3000):
        whole = "".join(rng.choices("0123456789", k=12))
        whole = f"20{whole[2:4]}{rng.randint(0, 13):02}{rng.randint(0, 32):02}{whole[8:]}"
        whole += rng.choice(["", f"{rng.randint(0, 61):02}"])
        cases.append(
            (whole, rng.choice(["", "." + "".join(rng.choices("09", k=rng.randint(1, 9)))]))
        )
    for whole, fraction in cases:
        try:
            expected = hl7.parse_datetime(whole + fraction)
        except ValueError:
            with pytest.raises(ValueError):
                digits_to_datetime(whole, fraction)
            continue
        assert digits_to_datetime(whole, fraction) == expected, (whole, fraction)


def test_groupkap_reads_hl7_with_its_own_reader_only():
    """python-hl7 is the oracle, the benchmark's baseline and the tests' sender, never a
    second parser in GroupKAP."""
    package = Path(__file__).resolve().parents[2] / "groupkap"
    importers = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(n == "hl7" or n.startswith("hl7.") for n in names):
                importers.append(path.name)
    assert importers == []
