"""The cursor's readout: every value a participant had at one moment, with where it came from.

`values_at` reads the newest stored value of each parameter at or before the moment;
`readout_parts` words them (pure, tested without a widget); `CursorReadout` draws the words
in each parameter's colour. A continuous value older than the stale limit is not "at that
moment": it shows `--` and when it was last seen, as a tile would; a cuff pressure shows its age.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from html import escape

from PySide6.QtWidgets import QLabel, QSizePolicy

from groupkap.readings import is_hand
from groupkap.review.series import StruckValue
from groupkap.room.readout import NO_VALUE
from groupkap.settings import Settings
from groupkap.store import queries
from ui import theme
from ui.review.pdf_text import clock, duration, t0_offset

READOUT_PARAMS = ("HR", "PR", "SpO2", "SBP", "DBP", "RR")
STALE_AFTER_S = Settings().stale_after_s  # the tiles' own limit, so both speak alike

Value = tuple[float, float, str]  # (t, value, source) as stored


def values_at(
    conn: sqlite3.Connection,
    session_id: str,
    participant_id: str,
    t: float,
    struck: Collection[StruckValue] = (),
) -> dict[str, Value]:
    """Each parameter's newest stored value at or before `t` (absent when there is none),
    passing over hand values whose entry was struck or corrected (`struck`, from
    `session_struck_values`): a typo taken back never shows as what was measured."""
    found = {}
    for param in READOUT_PARAMS:
        gone = {(t_, v) for pid, p, t_, v in struck if pid == participant_id and p == param}
        rows = queries.newest_vitals(
            conn, session_id, participant_id, param, until=t, limit=len(gone) + 1
        )
        for at, value, source in rows:
            if not (is_hand(source) and (at, value) in gone):
                found[param] = (at, value, source)
                break
    return found


def source_words(source: str) -> str:
    """Where a value came from, as a lead says it: `monitor bed-3`, `simulated`, `✎ RN Kim`."""
    if is_hand(source):
        who = source.partition(":")[2]
        return f"✎ {who}" if who else "✎ by hand"
    if source.startswith("hl7:"):
        return f"monitor {source[4:]}"
    return {"sim": "simulated", "replay": "replay", "": "unknown source"}.get(source, source)


@dataclass(frozen=True)
class ReadoutPart:
    """One value of the readout.

    Attributes:
        label: `HR` (or `PR` when there is no heart rate), `SpO2`, `BP`, `RR`.
        text: the value (`78`, `142/88`) or `--`.
        note: its age or when it was last seen (`3 min before`), empty when current.
        source: where it came from, in words.
        colour_param: whose colour it is drawn in.
    """

    label: str
    text: str
    note: str
    source: str
    colour_param: str


def _number(value: float) -> str:
    return f"{value:.0f}"


def _continuous(label: str, param: str, t: float, found: Value | None, unit: str) -> ReadoutPart:
    if found is None:
        return ReadoutPart(label, NO_VALUE, "no data yet", "", param)
    at, value, source = found
    if t - at > STALE_AFTER_S:
        return ReadoutPart(label, NO_VALUE, f"last {clock(at, seconds=True)}", "", param)
    return ReadoutPart(label, f"{_number(value)}{unit}", "", source_words(source), param)


def readout_parts(t: float, values: dict[str, Value]) -> list[ReadoutPart]:
    """HR (PR when the heart rate is missing or stale), SpO2, BP and RR at `t`."""
    heart = "HR"
    hr, pr = values.get("HR"), values.get("PR")
    if pr is not None and (hr is None or t - hr[0] > STALE_AFTER_S):
        heart = "PR"
    parts = [
        _continuous(heart, "HR", t, values.get(heart), ""),
        _continuous("SpO2", "SpO2", t, values.get("SpO2"), " %"),
    ]
    sbp, dbp = values.get("SBP"), values.get("DBP")
    if sbp is None or dbp is None:
        parts.append(ReadoutPart("BP", "--/--", "none yet", "", "SBP"))
    else:
        age = t - sbp[0]
        note = "now" if age < 60 else f"{duration(age)} before"
        bp = f"{_number(sbp[1])}/{_number(dbp[1])}"
        parts.append(ReadoutPart("BP", bp, note, source_words(sbp[2]), "SBP"))
    parts.append(_continuous("RR", "RR", t, values.get("RR"), ""))
    return parts


def common_source(parts: list[ReadoutPart]) -> str:
    """The source most values came from: said once at the end, not after every value."""
    sources = [p.source for p in parts if p.source]
    return max(sources, key=sources.count) if sources else ""


def _extra(part: ReadoutPart, common: str) -> str:
    source = part.source if part.source != common else ""
    return ", ".join(x for x in (part.note, source) if x)


def readout_text(t: float, t0: float | None, values: dict[str, Value]) -> str:
    """The readout as plain text:
    `14:05:09 · T0 +42:17 · HR 78 · SpO2 97 % · BP 142/88 (3 min before) · RR 14 · simulated`.
    A value from elsewhere than most (a BP taken by hand) names its own source."""
    head = " · ".join(x for x in (clock(t, seconds=True), t0_offset(t, t0)) if x)
    parts = readout_parts(t, values)
    common = common_source(parts)
    words = []
    for part in parts:
        extra = _extra(part, common)
        words.append(f"{part.label} {part.text}" + (f" ({extra})" if extra else ""))
    return " · ".join([head, *words, *([common] if common else [])])


class CursorReadout(QLabel):
    """One line under the plots: the cursor's time and every value then, in their colours.

    Attributes:
        plain: the same line as plain text (tests and the window's accessible name read it).
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plain = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setStyleSheet(f"font-size: {theme.px(18)}px; padding: {theme.px(4)}px;")
        self.setWordWrap(True)

    def show_values(
        self, t: float, t0: float | None, values: dict[str, Value], who: str = ""
    ) -> None:
        """Show the values at `t` of the participant `who` (`3 · J.L.`)."""
        self.plain = " · ".join(x for x in (who, readout_text(t, t0, values)) if x)
        self.setAccessibleName(self.plain)
        head = " · ".join(x for x in (who, clock(t, seconds=True), t0_offset(t, t0)) if x)
        html = [f"<b>{escape(head)}</b>"]
        parts = readout_parts(t, values)
        common = common_source(parts)
        dim = theme.TEXT_DIM
        for part in parts:
            shown = part.text not in (NO_VALUE, "--/--")
            colour = theme.PARAM_COLOURS[part.colour_param] if shown else theme.TEXT_DIM
            value = f'<b style="color:{colour}">{escape(f"{part.label} {part.text}")}</b>'
            extra = _extra(part, common)
            html.append(
                value + (f' <span style="color:{dim}">({escape(extra)})</span>' if extra else "")
            )
        if common:
            html.append(f'<span style="color:{dim}">{escape(common)}</span>')
        self.setText("&nbsp;&nbsp;·&nbsp;&nbsp;".join(html))
