"""Bedside monitors' HL7 v2 ORU^R01 (IHE PCD-01): read a message, map its codes, answer it.

No network here: the MLLP listener hands `parse_oru` one message and sends back `ack(...)`.

    try:
        message = parse_oru(text, codes=codes)
    except Hl7MessageError as exc:          # MessageRejected (AR) or MessageNotUsable (AE)
        reply = ack(text, exc.ack_code, exc.reason, error_code=exc.error_code,
                    location=exc.location)
    else:
        ...record message.observations, show message.skipped...
        reply = ack(message, "AA")
"""

from groupkap.hl7.ack import ack
from groupkap.hl7.codes import STANDARD_CODES, CodeTable
from groupkap.hl7.errors import Hl7MessageError, MessageNotUsable, MessageRejected
from groupkap.hl7.fields import MessageHeader
from groupkap.hl7.oru import parse_oru
from groupkap.hl7.results import Observation, OruMessage, Skipped
from groupkap.hl7.timestamps import hl7_time_to_epoch
from groupkap.hl7.vendor_codes import load_vendor_codes

__all__ = [
    "STANDARD_CODES",
    "CodeTable",
    "Hl7MessageError",
    "MessageHeader",
    "MessageNotUsable",
    "MessageRejected",
    "Observation",
    "OruMessage",
    "Skipped",
    "ack",
    "hl7_time_to_epoch",
    "load_vendor_codes",
    "parse_oru",
]
