"""The key to the review plots: what a band's colour and a mark's colour stand for.

Colour is never the only cue (the table names each alarm's priority, a mark's tooltip its
kind), but a lead should not have to hover to know a violet line is a dose.
"""

from __future__ import annotations

from html import escape

from ui import theme
from ui.review.marks import MARK_ROWS, MARKER_COLOURS

SWATCH = "\u25a0"  # ■ an alarm band
TICK = "\u2506"  # ┆ a dashed mark line


def _coloured(colour: str, text: str) -> str:
    return f'<span style="color:{colour}">{escape(text)}</span>'


def legend_html() -> str:
    """One line: the three alarm bands, then every kind of mark in its colour."""
    bands = " ".join(
        _coloured(theme.ALARM_COLOURS[p], f"{SWATCH} {p}") for p in ("high", "medium", "low")
    )
    marks = " ".join(
        _coloured(MARKER_COLOURS[c], f"{TICK}{c}") for _, cats in MARK_ROWS for c in cats
    )
    return f"{bands} alarm &nbsp;│&nbsp; {marks}"
