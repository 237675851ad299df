"""The dim, low-glare theme for a dark therapy room, with high-contrast numerics.

Backgrounds are near-black so a screen does not light the room; numbers keep the usual
monitor colours (HR green, SpO2 cyan, BP red, RR yellow) at a brightness readable from two
metres. Stale values turn grey: colour is never the only cue (their text says how old).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

BACKGROUND = "#0b0d10"
TILE = "#14171c"
TILE_BORDER = "#2a2f37"
TEXT = "#c9ced6"
TEXT_DIM = "#7d8591"
STALE = "#4b515b"

PARAM_COLOURS = {
    "HR": "#5fd38a",
    "PR": "#5fd38a",
    "SpO2": "#4cc3e6",
    "RR": "#e6c84c",
    "SBP": "#e87a7a",
    "DBP": "#e87a7a",
    "MAP": "#e87a7a",
    "PLETH": "#4cc3e6",
}

# IEC 60601-1-8 alarm colours: high red, medium yellow, low cyan; "dim" is the unlit flash.
ALARM_COLOURS = {"high": "#ff3b30", "medium": "#ffc83d", "low": "#3fc8e4"}
ALARM_DIM = {"high": "#5a1a17", "medium": "#5a4a1a", "low": "#3fc8e4"}

FONT_FAMILY = "DejaVu Sans"

# Nothing a facilitator must read from the chair is drawn smaller than this at scale 1.0
# (1080p read from 2–3 m); `px` applies the clinic's [display] ui_scale to every size.
MIN_READABLE_PX = 18
_scale = 1.0


def set_scale(factor: float) -> None:
    """Set the screen scale (Settings.ui_scale) once, before any widget is built."""
    global _scale
    _scale = factor


def px(size: float) -> int:
    """A size in pixels at the clinic's scale: `px(18)` is 18 on a 1080p screen."""
    return max(1, round(size * _scale))

STYLESHEET = f"""
QMainWindow, QWidget {{ background: {BACKGROUND}; color: {TEXT};
    font-family: "{FONT_FAMILY}"; font-size: 13px; }}
QToolBar {{ background: {BACKGROUND}; border: 0; spacing: 8px; padding: 4px; }}
QToolButton, QPushButton {{ background: #1b1f26; color: {TEXT}; border: 1px solid {TILE_BORDER};
    border-radius: 4px; padding: 4px 10px; }}
QToolButton:hover, QPushButton:hover {{ background: #242a33; }}
QStatusBar {{ background: {BACKGROUND}; color: {TEXT_DIM}; }}
QFrame#SeatTile {{ background: {TILE}; border: 2px solid {TILE_BORDER}; border-radius: 6px; }}
QFrame#SeatTile[empty="true"] {{ background: #101216; border-style: dashed; }}
QLabel {{ background: transparent; }}
QLineEdit, QComboBox, QSpinBox {{ background: #1b1f26; color: {TEXT};
    border: 1px solid {TILE_BORDER}; padding: 3px; }}
QMenu {{ background: #1b1f26; color: {TEXT}; }}
QMenu::item:selected {{ background: #2a3340; }}
QScrollArea {{ border: 0; }}
"""


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, BACKGROUND),
        (QPalette.ColorRole.Base, "#1b1f26"),
        (QPalette.ColorRole.Text, TEXT),
        (QPalette.ColorRole.WindowText, TEXT),
        (QPalette.ColorRole.Button, "#1b1f26"),
        (QPalette.ColorRole.ButtonText, TEXT),
        (QPalette.ColorRole.Highlight, "#2a5d8a"),
    ):
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    app.setStyleSheet(STYLESHEET)
