"""A monitor's unit (OBX-6) to the parameter's canonical unit: MDC_DIM codes, UCUM, plain text.

One table, built once. A value is converted (°F → °C, kPa → mmHg, a fraction → %) only when
its unit says so; a unit that does not fit the parameter (mmHg for a heart rate) or that is
not in the table is never guessed at: the caller skips the value with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# What kind of quantity each parameter is; the canonical unit is the one in groupkap.params.
DIMENSION = {
    "HR": "rate",
    "PR": "rate",
    "RR": "rate",
    "SpO2": "percent",
    "SBP": "pressure",
    "DBP": "pressure",
    "MAP": "pressure",
    "TEMP": "temperature",
}

_MMHG_PER_KPA = 1000 / 133.322387415  # 1 mmHg = 133.322387415 Pa


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit a monitor may send: canonical = value * scale + offset.

    Attributes:
        dimension: `rate` (/min), `percent` (%), `pressure` (mmHg) or `temperature` (°C).
        scale, offset: the conversion to the canonical unit.
        symbol: how a person writes it, for reasons and problems (not compared).
    """

    dimension: str
    scale: float = 1.0
    offset: float = 0.0
    symbol: str = field(default="", compare=False)

    def to_canonical(self, value: float) -> float:
        if self.scale == 1.0 and self.offset == 0.0:
            return value
        # Three decimals: 98.6 °F is 37.0 °C, not 36.99999999999999.
        return round(value * self.scale + self.offset, 3)


CANONICAL = {
    "rate": Unit("rate", symbol="/min"),
    "percent": Unit("percent", symbol="%"),
    "pressure": Unit("pressure", symbol="mmHg"),
    "temperature": Unit("temperature", symbol="°C"),
}
_FRACTION = Unit("percent", 100.0, symbol="fraction (0-1)")
_KPA = Unit("pressure", _MMHG_PER_KPA, symbol="kPa")
_HPA = Unit("pressure", _MMHG_PER_KPA / 10, symbol="hPa")
_FAHRENHEIT = Unit("temperature", 5 / 9, -32 * 5 / 9, symbol="°F")
_KELVIN = Unit("temperature", 1.0, -273.15, symbol="K")

# Each unit with every spelling it arrives in: the IEEE 11073 MDC_DIM code (partition 4,
# context-free: 4 * 65536 + term code) and reference id, UCUM, and what monitors print.
_SPELLINGS: tuple[tuple[Unit, tuple[str, ...]], ...] = (
    (
        CANONICAL["rate"],
        ("264864", "MDC_DIM_BEAT_PER_MIN", "264928", "MDC_DIM_RESP_PER_MIN")
        + ("/min", "1/min", "min-1", "{beats}/min", "{beat}/min", "{breaths}/min")
        + ("{breath}/min", "{resp}/min", "bpm", "beats/min", "breaths/min", "rpm", "brpm")
        + ("per min",),
    ),
    (CANONICAL["percent"], ("262688", "MDC_DIM_PERCENT", "%", "percent", "%{saturation}")),
    (_FRACTION, ("262656", "MDC_DIM_DIMLESS", "1", "{fraction}", "fraction")),
    (CANONICAL["pressure"], ("266016", "MDC_DIM_MMHG", "mm[Hg]", "mmHg", "mm Hg", "torr")),
    (_KPA, ("265987", "MDC_DIM_KILO_PASCAL", "kPa")),
    (_HPA, ("265986", "MDC_DIM_HECTO_PASCAL", "hPa")),
    (
        CANONICAL["temperature"],
        ("268192", "MDC_DIM_DEGC", "Cel", "°C", "degC", "deg C", "C", "celsius", "ºC"),
    ),
    (_FAHRENHEIT, ("266560", "MDC_DIM_FAHR", "[degF]", "°F", "degF", "deg F", "F", "ºF")),
    (_KELVIN, ("266528", "MDC_DIM_KELVIN", "K")),
)

# Keys are lower case: monitors write mmHg, MMHG and mmhg for the same thing.
UNITS: dict[str, Unit] = {
    spelling.lower(): unit for unit, spellings in _SPELLINGS for spelling in spellings
}


def lookup_unit(text: str) -> Unit | None:
    """The unit one OBX-6 component names, or None when it names none we know."""
    return UNITS.get(text.strip().lower()) if text else None


def read_unit(identifier: str, text: str, param: str) -> tuple[Unit | None, str]:
    """The unit of a value of `param` given OBX-6's identifier and text.

    Returns (unit, problem): unit is None when the value cannot be used, and problem then
    says why; with a unit, problem is "" or a note that the code and its text disagree (the
    text wins, as for observation codes). No unit at all means the canonical unit.
    """
    by_id = lookup_unit(identifier)
    by_text = lookup_unit(text)
    unit = by_text or by_id
    shown = text or identifier
    if unit is None:
        if identifier or text:
            return None, f"unit {shown!r} is not known"
        return CANONICAL[DIMENSION[param]], ""
    note = ""
    if by_id and by_text and by_id != by_text:
        note = (
            f"unit code {identifier} is {by_id.symbol} but its text says {text}; "
            f"read as {unit.symbol}"
        )
    if unit.dimension != DIMENSION[param]:
        return None, f"unit {shown} does not fit {param}"
    return unit, note
