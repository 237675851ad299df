"""A monitor's ORU^R01 (IHE PCD-01, HL7 v2.3 to 2.6) read into the observations GroupKAP records.

`parse_oru` walks the segments once and splits only those it reads (groupkap.hl7.fields):
MSH (who sent it, which version, which control id the ACK echoes), PID-3 (patient), PV1-3
(bed), OBR-7 (the group's time) and every OBX. A gateway's message may hold several
patients and devices: each PID starts a patient, each OBR an order group, and every
observation carries its own device.
Whatever cannot become a reading is listed in `skipped` with the reason, never raised.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import tzinfo

from groupkap.hl7.codes import STANDARD_CODES, CodeTable, coding_system, describe
from groupkap.hl7.errors import MessageNotUsable, MessageRejected
from groupkap.hl7.fields import Encoding, MessageHeader, message_text, read_header
from groupkap.hl7.results import (
    SKIP_CODE,
    SKIP_EMPTY,
    SKIP_NEGATIVE,
    SKIP_SPECIAL,
    SKIP_STATUS,
    SKIP_TEXT,
    SKIP_TIME,
    SKIP_TYPE,
    SKIP_UNIT,
    SKIP_UNKNOWN_STATUS,
    Observation,
    OruMessage,
    Skipped,
)
from groupkap.hl7.timestamps import hl7_time_to_epoch
from groupkap.hl7.units import read_unit

SUPPORTED_VERSIONS = ("2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6")

# HL7 table 0085, observation result status (OBX-11): the values that carry a result
# (empty: many monitors leave it out), and those that say there is none.
RESULT_STATUSES = frozenset({"", "C", "F", "P", "R", "S", "U"})
NOT_RESULTS = {
    "D": "deletes an earlier result (status D)",
    "I": "is pending (status I)",
    "N": "was not asked for (status N)",
    "O": "is an order detail, not a result (status O)",
    "W": "was posted as wrong (status W)",
    "X": "cannot be obtained (status X)",
}

# IEEE 11073-20601 special values as gateways write them: FLOAT's 24-bit mantissa read as
# unsigned or signed (NaN 0x7FFFFF, NRes 0x800000, +INF 0x7FFFFE, -INF 0x800002, reserved
# 0x800001), and the 32-bit integer limits some gateways send for "no value".
SPECIAL_VALUES = {
    8388607.0: "NaN",
    8388608.0: "NRes",
    -8388608.0: "NRes",
    8388606.0: "+INF",
    8388610.0: "-INF",
    -8388606.0: "-INF",
    8388609.0: "reserved",
    -8388607.0: "reserved",
    2147483647.0: "2^31-1",
    2147483648.0: "2^31",
    -2147483647.0: "-(2^31-1)",
    -2147483648.0: "-2^31",
}

# Every parameter but temperature is a count, a rate, a pressure or a saturation.
MAY_BE_NEGATIVE = frozenset({"TEMP"})


def parse_oru(
    text: str | bytes,
    *,
    codes: CodeTable = STANDARD_CODES,
    zone: tzinfo | None = None,
    default_device: str = "",
) -> OruMessage:
    """Read one ORU^R01 (v2.3 to 2.6) from a monitor or a gateway.

    `text` is one message without MLLP framing, segments ending in CR (LF and CRLF are
    accepted too); bytes are read as UTF-8, else as ISO 8859-1. A time without an offset is
    taken in `zone`, None meaning this machine's local zone. `default_device` names the
    device when OBX-18, PV1-3 and MSH-3 are all empty (the listener passes the peer address).

    Raises MessageRejected (answer AR) for what cannot be processed at all: not HL7, no
    MSH, broken encoding characters, a type other than ORU^R01, an unsupported version, no
    control id. Raises MessageNotUsable (answer AE) when nothing could be recorded because
    of something to fix: no OBX at all, or only unknown codes, units that do not fit,
    unreadable times or unknown result statuses. Nothing else is raised: values that are
    simply not available (empty, 11073 special values, negative where impossible, text,
    status X) are listed in `skipped`, and a message of only those is a normal message.
    """
    text = message_text(text)
    _check_msh(text)
    # Unicode whitespace at the end (form feeds, no-break spaces) is not part of it either.
    text = text.strip()
    enc = Encoding.of_msh(text)  # never None once _check_msh has passed
    msh, *segments = text.split("\r")
    return read_oru(
        enc, enc.msh_fields(msh), segments, codes=codes, zone=zone, default_device=default_device
    )


def read_oru(
    enc: Encoding,
    msh: Sequence,
    segments: Sequence,
    *,
    codes: CodeTable = STANDARD_CODES,
    zone: tzinfo | None = None,
    default_device: str = "",
) -> OruMessage:
    """`parse_oru` once the message is split into its MSH's fields and its other segments:
    `enc` names, splits and reads them. (tests/core/test_hl7_lean_reader.py passes
    python-hl7's parse tree through the same steps, to show both read the same.)"""
    header = read_header(enc, msh)
    if len(msh) <= 12:  # [0] is the name: MSH-12 is item 12
        raise MessageRejected(
            f"MSH is cut short after MSH-{len(msh) - 1}: type (MSH-9), control id "
            "(MSH-10) and version (MSH-12) are required",
            101,
            ("MSH", len(msh)),
        )
    _check_header(header)
    return _Reader(enc, msh, segments, header, codes, zone, default_device).read()


def _check_msh(text: str) -> None:
    if not text:
        raise MessageRejected("empty message", 100)
    if not text.startswith("MSH"):
        raise MessageRejected(
            f"not an HL7 v2 message: it starts with {text[:12]!r}, not MSH", 100, ("MSH", 0)
        )
    end = text.find(text[3], 4) if len(text) > 4 else -1
    if end < 0:
        raise MessageRejected("MSH is cut short: nothing after its encoding characters", 101)
    chars = text[3:end]
    if (
        end not in (8, 9)
        or len(set(chars)) != len(chars)
        or any(c.isalnum() or c.isspace() for c in chars)
    ):
        raise MessageRejected(
            f"broken encoding characters {chars!r} in MSH-1/MSH-2 (expected '|^~\\&')",
            102,
            ("MSH", 2),
        )


def _check_header(header: MessageHeader) -> None:
    kind = f"{header.message_type}^{header.trigger}".strip("^") or "(none)"
    if header.message_type != "ORU":
        raise MessageRejected(
            f"message type {kind} is not ORU^R01: GroupKAP reads only observation results",
            200,
            ("MSH", 9),
        )
    if header.trigger != "R01":
        raise MessageRejected(
            f"message type {kind} is not ORU^R01: GroupKAP reads only unsolicited results",
            201,
            ("MSH", 9),
        )
    if not header.version:
        raise MessageRejected("MSH-12 (version) is empty", 101, ("MSH", 12))
    if header.version not in SUPPORTED_VERSIONS:
        raise MessageRejected(
            f"HL7 version {header.version} is not supported (2.3 to 2.6)", 203, ("MSH", 12)
        )
    if not header.control_id:
        raise MessageRejected("MSH-10 (message control id) is empty", 101, ("MSH", 10))


class _Reader:
    """One pass over one message's segments; holds the patient, bed, group and devices in
    force at the current segment."""

    def __init__(
        self,
        enc: Encoding,
        msh: Sequence,
        segments: Sequence,
        header: MessageHeader,
        codes: CodeTable,
        zone: tzinfo | None,
        default_device: str,
    ) -> None:
        self.enc = enc
        self.segments = segments
        self.header = header
        self.codes = codes
        self.zone = zone
        self.sending_app = enc.identifier(msh, 3)
        self.sending_facility = enc.identifier(msh, 4)
        self.sender = self.sending_app or default_device
        self.problems: list[str] = []
        self.observations: list[Observation] = []
        self.skipped: list[Skipped] = []
        self._times: dict[str, float | None] = {}
        self.message_time = self._epoch(header.time) if header.time else None
        if header.time and self.message_time is None:
            self.problems.append(f"MSH-7 time {header.time!r} is unreadable")
        self.patient: str | None = None
        self.bed: str | None = None
        self.group_time = ""  # OBR-7 as sent
        self.group_devices: dict[str, str] = {}  # top of OBX-4 ("1" of 1.2.1.3) -> device

    def read(self) -> OruMessage:
        count = 0
        enc = self.enc
        for segment in self.segments:
            name = enc.segment_name(segment)
            if name == "OBX":
                count += 1
                self._obx(enc.fields(segment), count)
            elif name == "OBR":
                self.group_time = enc.first(enc.fields(segment), 7).strip()
                self.group_devices = {}
            elif name == "PID":
                self.patient = enc.first(enc.fields(segment), 3).strip() or None
                self.bed, self.group_time, self.group_devices = None, "", {}
            elif name == "PV1":
                self.bed = enc.identifier(enc.fields(segment), 3) or None
            elif name == "MSH":
                raise MessageRejected(
                    "two messages in one frame: send each ORU^R01 on its own", 100, ("MSH", 0)
                )
        result = OruMessage(
            control_id=self.header.control_id,
            version=self.header.version,
            sending_app=self.sending_app,
            sending_facility=self.sending_facility,
            message_time=self.message_time,
            observations=tuple(self.observations),
            skipped=tuple(self.skipped),
            problems=tuple(self.problems),
            header=self.header,
        )
        if not self.observations:
            _raise_if_not_usable(result, count)
        return result

    def _epoch(self, raw: str) -> float | None:
        # A message repeats its times (one per OBX): each distinct text is read once.
        try:
            return self._times[raw]
        except KeyError:
            pass
        try:
            t = hl7_time_to_epoch(raw, self.zone)
        except ValueError:
            t = None
        self._times[raw] = t
        return t

    def _device(self, segment: Sequence) -> str:
        top = self.enc.first(segment, 4).partition(".")[0]
        equipment = self.enc.identifier(segment, 18)
        if equipment:
            # PCD-01 names the device once, on its MDS (or first) OBX; the metrics below it
            # in the containment tree (same first number of OBX-4) inherit it. The first
            # named wins: a later OBX-18 under the same MDS is a part, not the monitor.
            self.group_devices.setdefault(top, equipment)
            return equipment
        return self.group_devices.get(top) or self.bed or self.sender

    def _obx(self, segment: Sequence, n: int) -> None:
        enc = self.enc
        device = self._device(segment)
        obx_id = enc.components(segment, 3)
        obx_id += [""] * (6 - len(obx_id))
        code, text, system = obx_id[0], obx_id[1], obx_id[2]
        raw = enc.first(segment, 5).strip()

        def skip(kind: str, reason: str) -> None:
            self.skipped.append(Skipped(n, device, code, text, system, raw, kind, reason))

        value_type = enc.first(segment, 2).strip()
        if value_type != "NM":
            return skip(SKIP_TYPE, f"value type {value_type or '(none)'} is not numeric (NM)")
        status = enc.first(segment, 11).strip()
        if status not in RESULT_STATUSES:
            if status in NOT_RESULTS:
                return skip(SKIP_STATUS, f"the result {NOT_RESULTS[status]}")
            return skip(SKIP_UNKNOWN_STATUS, f"result status {status!r} is not in HL7 table 0085")
        found = self.codes.resolve(code, text, system)
        if found.param is None and (obx_id[3] or obx_id[4]):
            found = self.codes.resolve(obx_id[3], obx_id[4], obx_id[5])  # the alternate id
        param = found.param
        if param is None:
            shown = describe(coding_system(system), code) if code else "(no code)"
            return skip(
                SKIP_CODE,
                f"code {shown}{f' {text!r}' if text else ''} is not mapped to a parameter "
                "(add it to the vendor codes table to record it)",
            )
        if found.note:
            self.problems.append(f"OBX {n}: {found.note}")
        if not raw or raw == '""':
            return skip(SKIP_EMPTY, f"{param}: no value")
        try:
            number = float(raw)
        except ValueError:
            return skip(SKIP_TEXT, f"{param}: {raw!r} is not a number")
        if not math.isfinite(number) or "_" in raw:
            return skip(SKIP_TEXT, f"{param}: {raw!r} is not a number")
        special = SPECIAL_VALUES.get(number)
        if special is not None:
            return skip(SKIP_SPECIAL, f"{param}: {raw} is the 11073 special value {special}")
        unit_id = enc.components(segment, 6)
        unit, unit_note = read_unit(
            unit_id[0] if unit_id else "", unit_id[1] if len(unit_id) > 1 else "", param
        )
        if unit is None:
            return skip(SKIP_UNIT, f"{param}: {unit_note}")
        if unit_note:
            self.problems.append(f"OBX {n}: {unit_note}")
        value = unit.to_canonical(number)
        if value < 0 and param not in MAY_BE_NEGATIVE:
            return skip(SKIP_NEGATIVE, f"{param}: {raw} is negative, so not a measurement")
        t = self._time(segment)
        if isinstance(t, str):
            return skip(SKIP_TIME, f"{param}: {t}")
        self.observations.append(
            Observation(
                device, param, value, t, "^".join(obx_id[:3]).rstrip("^"), self.patient, self.bed
            )
        )

    def _time(self, segment: Sequence) -> float | str:
        """When the OBX was measured, or why that is unknown."""
        raw = self.enc.first(segment, 14).strip()
        if raw:
            t = self._epoch(raw)
            return t if t is not None else f"OBX-14 time {raw!r} is unreadable"
        if self.group_time:
            t = self._epoch(self.group_time)
            return t if t is not None else f"OBR-7 time {self.group_time!r} is unreadable"
        if self.message_time is not None:
            return self.message_time
        return "no time: OBX-14, OBR-7 and MSH-7 are empty or unreadable"


_ERROR_OF_KIND = {SKIP_CODE: 103, SKIP_UNIT: 103, SKIP_TIME: 102, SKIP_UNKNOWN_STATUS: 103}


def _raise_if_not_usable(result: OruMessage, obx_count: int) -> None:
    if obx_count == 0:
        raise MessageNotUsable("no OBX segment: the message holds no observation", result, 100)
    attention = [s for s in result.skipped if s.needs_attention]
    if attention:
        more = f" (and {len(attention) - 1} more)" if len(attention) > 1 else ""
        raise MessageNotUsable(
            f"nothing recorded: OBX {attention[0].obx}: {attention[0].reason}{more}",
            result,
            _ERROR_OF_KIND[attention[0].kind],
        )
