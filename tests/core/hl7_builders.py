"""Building ORU^R01 messages for the hl7 tests: one OBX or one message per line of a test."""

from __future__ import annotations

from datetime import UTC, datetime

T0 = datetime(2026, 5, 14, 9, 30, tzinfo=UTC).timestamp()
HEAD = (
    "PID|||KAP-1^^^CLINIC^MR",
    "PV1||O|KAP^^1",
    "OBR|1|||182777000^monitoring of patient^SCT|||20260514093000+0000",
)
HR = "147842^MDC_ECG_HEART_RATE^MDC"
BPM = "264864^MDC_DIM_BEAT_PER_MIN^MDC"
# A value of each parameter in its canonical unit: (OBX-3, OBX-6).
CODES = {
    "HR": (HR, BPM),
    "PR": ("149530^MDC_PULS_OXIM_PULS_RATE^MDC", BPM),
    "SpO2": ("150456^MDC_PULS_OXIM_SAT_O2^MDC", "262688^MDC_DIM_PERCENT^MDC"),
    "RR": ("151562^MDC_RESP_RATE^MDC", "264928^MDC_DIM_RESP_PER_MIN^MDC"),
    "SBP": ("150301^MDC_PRESS_CUFF_SYS^MDC", "266016^MDC_DIM_MMHG^MDC"),
    "DBP": ("150302^MDC_PRESS_CUFF_DIA^MDC", "266016^MDC_DIM_MMHG^MDC"),
    "MAP": ("150303^MDC_PRESS_CUFF_MEAN^MDC", "266016^MDC_DIM_MMHG^MDC"),
    "TEMP": ("150364^MDC_TEMP_BODY^MDC", "268192^MDC_DIM_DEGC^MDC"),
}


def obx(
    code: str = HR,
    value: str = "72",
    unit: str = BPM,
    *,
    vt: str = "NM",
    status: str = "R",
    time: str = "",
    sub: str = "",
    equipment: str = "",
) -> str:
    fields = ["OBX", "1", vt, code, sub, value, unit, "", "", "", "", status]
    fields += ["", "", time, "", "", "", equipment]
    return "|".join(fields).rstrip("|")


def oru(
    *segments: str,
    head: tuple[str, ...] = HEAD,
    version: str = "2.6",
    control: str = "C1",
    kind: str = "ORU^R01^ORU_R01",
    time: str = "20260514093000+0000",
    sender: str = "MON^0012A3FFFE000010^EUI-64",
) -> str:
    msh = f"MSH|^~\\&|{sender}|KAP|||{time}||{kind}|{control}|P|{version}"
    return "\r".join([msh, *head, *segments]) + "\r"
