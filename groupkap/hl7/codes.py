"""Which parameter an observation is (OBX-3), by code set: IEEE 11073 MDC, LOINC, vendor codes.

The one home of the code tables. A code is mapped only when a table says so: an unknown code
is reported (code, text, coding system) for the clinic to add to its vendor table, never
guessed from its name or its value. The MDC reference id in the text (`MDC_ECG_HEART_RATE`)
is read when the code is unknown, and wins when it names a different parameter than the code
(the text is what the vendor's engineer wrote by hand; a numeric code is easier to mistype),
with a note in the message's problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from groupkap.errors import ConfigError
from groupkap.params import PARAMETERS

# The names a code may map to: the numeric parameters (a waveform never comes as one OBX).
MAPPABLE = tuple(name for name, p in PARAMETERS.items() if not p.waveform)

# IEEE 11073-10101 codes, context-free (partition 2, SCADA: 2 * 65536 + term code), with
# their reference ids. Relatives are the same quantity measured another way or elsewhere on
# the body; skin temperature is left out on purpose (it runs several degrees below core).
MDC: dict[str, tuple[str, str]] = {
    "147842": ("MDC_ECG_HEART_RATE", "HR"),
    "149514": ("MDC_PULS_RATE", "PR"),
    "149522": ("MDC_BLD_PULS_RATE_INV", "PR"),
    "149530": ("MDC_PULS_OXIM_PULS_RATE", "PR"),
    "149546": ("MDC_PULS_RATE_NON_INV", "PR"),
    "150456": ("MDC_PULS_OXIM_SAT_O2", "SpO2"),
    "150021": ("MDC_PRESS_BLD_NONINV_SYS", "SBP"),
    "150022": ("MDC_PRESS_BLD_NONINV_DIA", "DBP"),
    "150023": ("MDC_PRESS_BLD_NONINV_MEAN", "MAP"),
    "150301": ("MDC_PRESS_CUFF_SYS", "SBP"),
    "150302": ("MDC_PRESS_CUFF_DIA", "DBP"),
    "150303": ("MDC_PRESS_CUFF_MEAN", "MAP"),
    "151562": ("MDC_RESP_RATE", "RR"),
    "151570": ("MDC_AWAY_RESP_RATE", "RR"),
    "151578": ("MDC_TTHOR_RESP_RATE", "RR"),
    "151594": ("MDC_CO2_RESP_RATE", "RR"),
    "151650": ("MDC_ACOUSTIC_RESP_RATE", "RR"),
    "151658": ("MDC_PULS_OXIM_PLETH_RESP_RATE", "RR"),
    "150344": ("MDC_TEMP", "TEMP"),
    "150364": ("MDC_TEMP_BODY", "TEMP"),
    "150368": ("MDC_TEMP_CORE", "TEMP"),
    "150372": ("MDC_TEMP_ESOPH", "TEMP"),
    "150380": ("MDC_TEMP_NASOPH", "TEMP"),
    "150392": ("MDC_TEMP_TYMP", "TEMP"),
    "188420": ("MDC_TEMP_RECT", "TEMP"),
    "188424": ("MDC_TEMP_ORAL", "TEMP"),
    "188428": ("MDC_TEMP_EAR", "TEMP"),
    "188452": ("MDC_TEMP_AXILLA", "TEMP"),
    "188456": ("MDC_TEMP_GIT", "TEMP"),
    "188496": ("MDC_TEMP_AXIL", "TEMP"),  # as PCD-01 gateways send axillary temperature
}

# MDC reference ids to parameters: every id above (the text of an MDC code).
MDC_REFIDS: dict[str, str] = {refid: param for refid, param in MDC.values()}

LOINC: dict[str, tuple[str, str]] = {
    "8867-4": ("Heart rate", "HR"),
    "8889-8": ("Heart rate by Pulse oximetry", "PR"),
    "59408-5": ("Oxygen saturation in Arterial blood by Pulse oximetry", "SpO2"),
    "2708-6": ("Oxygen saturation in Arterial blood", "SpO2"),
    "8480-6": ("Systolic blood pressure", "SBP"),
    "8462-4": ("Diastolic blood pressure", "DBP"),
    "8478-0": ("Mean blood pressure", "MAP"),
    "9279-1": ("Respiratory rate", "RR"),
    "8310-5": ("Body temperature", "TEMP"),
    "8329-5": ("Body temperature - Core", "TEMP"),
    "8331-1": ("Oral temperature", "TEMP"),
    "8328-7": ("Axillary temperature", "TEMP"),
    "60836-4": ("Esophageal temperature", "TEMP"),
}

# OBX-3.3 names of the coding systems (HL7 table 0396), with the spellings seen in the wild.
SYSTEM_ALIASES = {"LOINC": "LN"}
ANY_SYSTEM = "*"  # a vendor code that applies whatever coding system the monitor names

STANDARD: dict[tuple[str, str], str] = {
    **{("MDC", code): param for code, (_, param) in MDC.items()},
    **{("LN", code): param for code, (_, param) in LOINC.items()},
}


def coding_system(text: str) -> str:
    """The table's name for an OBX-3.3 coding system: upper case, aliases folded."""
    system = text.strip().upper()
    return SYSTEM_ALIASES.get(system, system)


def describe(system: str, code: str) -> str:
    """`MDC 147842 (MDC_ECG_HEART_RATE)`: a code as a person looks it up."""
    name = MDC.get(code) if system == "MDC" else LOINC.get(code) if system == "LN" else None
    return f"{system} {code} ({name[0]})" if name else f"{system} {code}".strip()


@dataclass(frozen=True, slots=True)
class Resolution:
    """What an OBX-3 names.

    Attributes:
        param: the parameter, or None for a code no table knows.
        note: "" or why the text was preferred to the code (for the message's problems).
    """

    param: str | None
    note: str = ""


class CodeTable:
    """The standard tables plus the clinic's vendor codes, merged once.

    Attributes:
        vendor: the clinic's codes, {(coding system, code): parameter}; system `*` = any.
    """

    def __init__(self, vendor: Mapping[tuple[str, str], str] | None = None) -> None:
        merged = dict(STANDARD)
        cleaned: dict[tuple[str, str], str] = {}
        for (system, code), param in (vendor or {}).items():
            key = (coding_system(system), code.strip())
            if param not in MAPPABLE:
                raise ConfigError(
                    f"vendor code {describe(*key)}: unknown parameter {param!r}; "
                    f"use one of {', '.join(MAPPABLE)}"
                )
            if not key[1]:
                raise ConfigError(f"vendor code table: an empty code for {param}")
            standard = STANDARD.get(key)
            if standard is not None and standard != param:
                raise ConfigError(
                    f"vendor code {describe(*key)} is {standard} in the standard; "
                    f"a vendor table cannot change a standard code (it says {param})"
                )
            merged[key] = cleaned[key] = param
        self._codes = merged
        self.vendor = MappingProxyType(cleaned)

    def resolve(self, code: str, text: str, system: str) -> Resolution:
        """The parameter one OBX-3 triple (identifier, text, coding system) names."""
        sys_name = coding_system(system) if system else ""
        by_code = self._codes.get((sys_name, code)) if code else None
        if by_code is None and code:
            by_code = self._codes.get((ANY_SYSTEM, code))
        by_text = MDC_REFIDS.get(text.strip().upper()) if text[:4].upper() == "MDC_" else None
        if by_text is not None and by_code is not None and by_text != by_code:
            return Resolution(
                by_text,
                f"code {describe(sys_name, code)} is {by_code} but its text says {text}: "
                f"read as {by_text}",
            )
        return Resolution(by_code or by_text)


STANDARD_CODES = CodeTable()
