"""Form parts for values a person measured: empty fields, the SpO2 a discharge rests on, and
the list of entries that can be corrected or struck.

Every field starts empty: a form that opened with 120/80 or a CADSS of 0 would record what
nobody measured when OK is pressed.
"""

from __future__ import annotations

import math

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

from groupkap.errors import BadInputError
from groupkap.params import HAND_PARAMS, PARAMETERS
from groupkap.readings import Latest, is_hand
from groupkap.room.readout import format_age
from groupkap.session import LiveSession


def empty_number(hint: str) -> QLineEdit:
    """A number field that starts empty (the hint says the plausible range)."""
    field = QLineEdit()
    field.setPlaceholderText(hint)
    return field


def number(field: QLineEdit, label: str, *, whole: bool = False) -> float | int | None:
    """The field's number, None when left empty; refused when it is not a number."""
    text = field.text().strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadInputError(f"{label}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise BadInputError(f"{label}: {text!r} is not a number")
    if whole:
        if value != int(value):
            raise BadInputError(f"{label}: {text!r} must be a whole number")
        return int(value)
    return value


def hand_value_fields() -> dict[str, QLineEdit]:
    """One empty field per parameter a person may measure, keyed by canonical name."""
    return {
        param: empty_number(
            f"{PARAMETERS[param].valid_min:g}–"
            f"{PARAMETERS[param].valid_max:g} {PARAMETERS[param].unit}"
        )
        for param in HAND_PARAMS
    }


def hand_values(fields: dict[str, QLineEdit]) -> dict[str, float | None]:
    return {param: number(field, PARAMETERS[param].label) for param, field in fields.items()}


def required_score(field: QLineEdit, label: str) -> int:
    value = number(field, label, whole=True)
    if value is None:
        raise BadInputError(f"enter the {label} (the field is empty)")
    return value


def spo2_summary(latest: Latest | None, now: float, max_age_min: float) -> str:
    """What the discharge rests on, in words: the value, its source and its age, or why
    there is none to rest on."""
    if latest is None:
        return "no SpO2 recorded: take a reading (+ → Reading by hand)"
    age = now - latest.t
    source = f"hand, {latest.source.partition(':')[2]}" if is_hand(latest.source) else "monitor"
    text = f"{latest.value:.0f} % ({source}, {format_age(max(0.0, age))})"
    if age > max_age_min * 60:
        return f"{text}: older than {max_age_min:g} min, take a reading"
    return text


def entries_combo(live: LiveSession, pid: str) -> QComboBox:
    """The participant's entries that still count, newest first, each with its time."""
    combo = QComboBox()
    t0 = live.protocol.of(pid).t0 if live.protocol is not None else None
    for entry_id, t, what in live.standing_entries(pid):
        when = (
            f"T0 {round((t - t0) / 60):+d} min"
            if t0 is not None
            else format_age(max(0.0, live.clock.now() - t))
        )
        combo.addItem(f"{what} · {when}", entry_id)
    return combo


def status_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def correct_entry(
    live: LiveSession,
    pid: str,
    entry_id: str | None,
    action: str,
    new_values: str,
    reason: str,
    by: str,
) -> None:
    """Strike an entry, or replace it with corrected values (both name it and say why)."""
    if not entry_id:
        raise BadInputError("choose the entry to correct or strike")
    if action not in ("strike", "correct"):
        raise BadInputError("choose strike or correct")
    if not by.strip():
        raise BadInputError("say who makes the correction")
    if action == "strike":
        live.strike_entry(pid, entry_id, reason, by.strip())
        return
    hand = live.hand_entries.get(entry_id)
    if hand is None:  # a MOAA/S or CADSS: the new score
        entry = next(e for e in live.protocol.of(pid).scores if e.entry_id == entry_id)
        try:
            score = int(new_values.strip())
        except ValueError:
            raise BadInputError(
                f"enter the corrected {entry.check} score as a whole number"
            ) from None
        record = (
            live.protocol.record_moaas if entry.check == "MOAA/S" else live.protocol.record_cadss
        )
        record(pid, score, by.strip(), t=entry.t, corrects=entry_id, reason=reason)
        return
    values: dict[str, float | None] = {}
    for part in new_values.replace(",", " ").split():
        param, _, text = part.partition("=")
        if param not in HAND_PARAMS or not text:
            raise BadInputError(
                f"write corrected values as NAME=value ({', '.join(HAND_PARAMS)}), not {part!r}"
            )
        try:
            values[param] = float(text)
        except ValueError:
            raise BadInputError(f"{param}: {text!r} is not a number") from None
    if not values:
        raise BadInputError("enter the corrected values, e.g. SBP=142 DBP=88")
    live.enter_reading(pid, values, by.strip(), t=hand.t, corrects=entry_id, reason=reason)
