"""Why a monitor's message was refused (AR) or could not be used (AE): what the ACK says."""

from __future__ import annotations

from typing import TYPE_CHECKING

from groupkap.errors import GroupKapError

if TYPE_CHECKING:
    from groupkap.hl7.results import OruMessage

# HL7 table 0357, "Message error condition codes": the ERR segment's code.
HL7_ERRORS = {
    100: "Segment sequence error",
    101: "Required field missing",
    102: "Data type error",
    103: "Table value not found",
    200: "Unsupported message type",
    201: "Unsupported event code",
    202: "Unsupported processing id",
    203: "Unsupported version id",
    207: "Application internal error",
}


class Hl7MessageError(GroupKapError):
    """A message the listener answers with AE or AR instead of AA.

    Attributes:
        reason: one line a person can act on; it goes into MSA-3 and the log.
        ack_code: `AR` or `AE`.
        error_code: the HL7 table 0357 code for the ERR segment.
        location: (segment, field) the error is in, e.g. ("MSH", 9), when known.
    """

    ack_code = "AE"

    def __init__(
        self, reason: str, error_code: int = 207, location: tuple[str, int] | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error_code = error_code
        self.location = location


class MessageRejected(Hl7MessageError):
    """The message cannot be processed at all (not HL7, no MSH, not ORU^R01, an unsupported
    version, broken encoding characters): the listener answers AR and stores nothing."""

    ack_code = "AR"


class MessageNotUsable(Hl7MessageError):
    """An ORU^R01 that was read but holds nothing to record because of something the clinic
    or the sender must fix (no OBX at all; only unknown codes, units that do not fit, or
    unreadable times). The listener answers AE.

    A message whose every value is "not available" (sentinels, empty values, status X) is not
    this: the monitor is working and has nothing to say, so it gets AA.

    Attributes:
        result: what was read, so the unknown codes in `result.skipped` still reach the tray.
    """

    ack_code = "AE"

    def __init__(self, reason: str, result: OruMessage, error_code: int = 207) -> None:
        super().__init__(reason, error_code)
        self.result = result
