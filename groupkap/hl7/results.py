"""What reading an ORU^R01 gives: the observations, the values skipped and why, the message."""

from __future__ import annotations

from dataclasses import dataclass, field

from groupkap.hl7.fields import MessageHeader

# Why a value was skipped. The first group is the monitor saying "nothing valid now" (a
# probe off, a channel describing itself); the second needs someone to act (`ATTENTION`).
SKIP_TYPE, SKIP_STATUS, SKIP_EMPTY, SKIP_SPECIAL, SKIP_TEXT, SKIP_NEGATIVE = (
    "type",
    "status",
    "empty",
    "special",
    "text",
    "negative",
)
SKIP_CODE, SKIP_UNIT, SKIP_TIME, SKIP_UNKNOWN_STATUS = "code", "unit", "time", "unknown status"
ATTENTION = frozenset({SKIP_CODE, SKIP_UNIT, SKIP_TIME, SKIP_UNKNOWN_STATUS})


@dataclass(frozen=True, slots=True)
class Observation:
    """One numeric value a monitor measured, ready to become a `Reading`.

    Attributes:
        device: who measured it: OBX-18 (or the OBX-18 of its device in the PCD-01
            containment tree, OBX-4), else the bed (PV1-3), else the sending application
            (MSH-3); the next step maps it to a seat.
        param: canonical parameter (`HR`, `SpO2` ...).
        value: in the parameter's canonical unit (groupkap.params).
        t: UTC epoch seconds it was measured (OBX-14, else OBR-7, else MSH-7).
        code: OBX-3's identifier, text and coding system
            (`150456^MDC_PULS_OXIM_SAT_O2^MDC`), for the log.
        patient_id: PID-3's first identifier, if the message had one.
        bed: PV1-3, if any.

    Identifiers (device, code, bed) are written with the standard separators `^` and `&`
    whatever separators the sender uses, so they stay the same keys.
    """

    device: str
    param: str
    value: float
    t: float
    code: str
    patient_id: str | None = None
    bed: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """An OBX that did not become an observation, and why.

    Attributes:
        obx: its position among the message's OBX segments (1 = first).
        device: the device it came from (as for `Observation.device`).
        code, text, system: OBX-3's identifier, text and coding system, so an unknown code
            can be added to the vendor table.
        value: OBX-5 as sent.
        kind: one of the SKIP_* names.
        reason: one line for a person.
    """

    obx: int
    device: str
    code: str
    text: str
    system: str
    value: str
    kind: str
    reason: str

    @property
    def needs_attention(self) -> bool:
        """True when the clinic or the vendor must fix something (a code, a unit, a clock),
        False when the monitor simply had no valid value."""
        return self.kind in ATTENTION


@dataclass(frozen=True, slots=True)
class OruMessage:
    """What one ORU^R01 said.

    Attributes:
        control_id: MSH-10, echoed in the ACK.
        version: MSH-12.
        sending_app, sending_facility: MSH-3, MSH-4 with the standard separators.
        message_time: MSH-7 in epoch seconds, None when missing or unreadable.
        observations: the values to record, in message order.
        skipped: the OBX that were not recorded, with reasons.
        problems: what was read in spite of a doubt (a code contradicting its text).
        header: the whole MSH, for the ACK.
    """

    control_id: str
    version: str
    sending_app: str
    sending_facility: str
    message_time: float | None
    observations: tuple[Observation, ...]
    skipped: tuple[Skipped, ...]
    problems: tuple[str, ...] = ()
    header: MessageHeader = field(default_factory=MessageHeader, repr=False)

    @property
    def devices(self) -> tuple[str, ...]:
        """Every device the message spoke for, first seen first."""
        seen = dict.fromkeys(o.device for o in self.observations)
        seen.update(dict.fromkeys(s.device for s in self.skipped))
        return tuple(seen)
