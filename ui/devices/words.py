"""What the tray and the toolbar say about monitors and simulated seats, in words.

Pure functions (no widgets), so the wording is tested exactly: which seats the toolbar calls
simulated, how old a device's last message is, and what one line of a device chip holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

ALL_SIMULATED = "SIMULATED participants"
NONE_SIMULATED = "live monitors"
# The tray shows values in the order a monitor's screen does.
VALUE_ORDER = ("HR", "PR", "SpO2", "RR", "BP", "MAP", "TEMP")
VALUE_LABELS = {"TEMP": "Temp"}


def source_words(seats: Iterable[int], simulated: Iterable[int]) -> str:
    """The toolbar's word on where the values come from: every seat of the room simulated,
    none of them, or which ones (`seats 3, 5 simulated`)."""
    seats = sorted(set(seats))
    sim = [s for s in seats if s in set(simulated)]
    if not sim:
        return NONE_SIMULATED
    if len(sim) == len(seats):
        return ALL_SIMULATED
    if len(sim) == 1:
        return f"seat {sim[0]} simulated"
    return f"seats {seat_list(sim)} simulated"


def seat_list(seats: Iterable[int]) -> str:
    """Seat numbers, three or more in a row as a range: `1, 3–6, 8`."""
    runs: list[list[int]] = []
    for seat in sorted(set(seats)):
        if runs and seat == runs[-1][-1] + 1:
            runs[-1].append(seat)
        else:
            runs.append([seat])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{run[0]}–{run[-1]}")
        else:
            parts += [str(s) for s in run]
    return ", ".join(parts)


def age_text(seconds: float) -> str:
    """How long ago a device was last heard: `now` within 2 s, then seconds, minutes, hours."""
    seconds = max(0.0, seconds)
    if seconds < 2:
        return "now"
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 2 * 3600:
        return f"{seconds // 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def _number(value: float) -> str:
    return f"{value:.1f}" if value != round(value) else f"{value:.0f}"


def values_text(values: Mapping[str, float]) -> str:
    """A device's newest values as its monitor shows them: `HR 72 · SpO2 97 · BP 120/80`
    (systolic and diastolic as one BP, MAP beside it); `no values yet` for none."""
    shown = {p: _number(v) for p, v in values.items() if p not in ("SBP", "DBP")}
    if "SBP" in values or "DBP" in values:
        sbp, dbp = values.get("SBP"), values.get("DBP")
        shown["BP"] = "/".join("–" if v is None else _number(v) for v in (sbp, dbp))
    order = [p for p in VALUE_ORDER if p in shown] + sorted(set(shown) - set(VALUE_ORDER))
    parts = [f"{VALUE_LABELS.get(p, p)} {shown[p]}" for p in order]
    return " · ".join(parts) if parts else "no values yet"


def bed_text(bed: str | None) -> str:
    """PV1-3 as people read it: `KAP^ROOM^SEAT9` → `KAP ROOM SEAT9`."""
    return " ".join(part for part in (bed or "").split("^") if part)


def chip_lines(
    device: str,
    *,
    bed: str | None,
    peer: str,
    values: Mapping[str, float],
    age_s: float,
    unknown_codes: tuple[str, ...] = (),
) -> tuple[str, str]:
    """The two lines of a device chip: who it is (id, bed unless the id is the bed, address)
    and what it sends (values, age, unknown codes)."""
    who = [device]
    if bed and bed != device:
        who.append(f"bed {bed_text(bed)}")
    if peer:
        who.append(f"from {peer}")
    what = [values_text(values), age_text(age_s)]
    if unknown_codes:
        n = len(unknown_codes)
        what.append(f"{n} unknown code{'s' if n != 1 else ''}")
    return " · ".join(who), " · ".join(what)
