"""The dim, low-glare theme for a dark therapy room, with high-contrast numerics.

Backgrounds are near-black so a screen does not light the room; numbers keep the usual
monitor colours (HR green, SpO2 cyan, BP red, RR yellow) at a brightness readable from two
metres. Stale values turn grey: colour is never the only cue (their text says how old).

Every colour drawn on another is named in `COLOUR_PAIRS` with the contrast WCAG 2.2 asks of
it (text 4.5:1, 1.4.3; control boundaries, indicators and the focus ring 3:1, 1.4.11), and a
test walks them all: a new colour goes into a pair here, or it is unchecked.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from ui.theme_controls import ControlStyle, IndicatorColours

# -- surfaces -------------------------------------------------------------------------
BACKGROUND = "#0b0d10"
TILE = "#14171c"
TILE_BORDER = "#2a2f37"  # decoration between tiles, not a control: no contrast asked
EMPTY_TILE = "#101216"
FIELD = "#1b1f26"  # inside an input, a button, a menu, a tooltip
FIELD_HOVER = "#242a33"
LIST_BACKGROUND = "#101216"  # the alarm list
LIST_SELECTED = "#1c222b"  # the alarm list's quiet selection (a light edge marks it)
MENU_SELECTED = "#2a3340"

# -- text -----------------------------------------------------------------------------
TEXT = "#c9ced6"
TEXT_DIM = "#858d99"
STALE = "#7a808a"  # a value too old to trust: grey, yet readable (its age is beside it)
WARNING_TEXT = "#e8b04c"  # a refusal inside a dialog, the status bar's problems
HIGHLIGHT = "#3b6fa3"  # a selected row in a list, a menu or a drop-down
HIGHLIGHTED_TEXT = "#ffffff"
# A control that cannot be used now: dimmer on purpose (WCAG asks no contrast of it).
DISABLED_TEXT = "#5f656e"

# -- controls -------------------------------------------------------------------------
CONTROL_BORDER = "#7b8491"  # checkbox and radio outlines, input and button borders
FOCUS_RING = "#5aa9ff"  # the keyboard focus: 2 px, on every control that takes focus
FOCUS_WIDTH = 2  # at scale 1.0; `px` scales it
CHECK_FILL = "#7fbf8f"  # a ticked box is filled *and* carries a check mark
CHECK_MARK = BACKGROUND

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

# IEC 60601-1-8 alarm colours: high red, medium yellow, low cyan; "dim" is the unlit flash,
# still a clear border (3:1) so a flashing tile never looks calm half of the time.
ALARM_COLOURS = {"high": "#ff3b30", "medium": "#ffc83d", "low": "#3fc8e4"}
ALARM_DIM = {"high": "#b8403a", "medium": "#8a7426", "low": "#3fc8e4"}
# Text drawn on an alarm colour (an out-of-range value shown inverse).
ALARM_INVERSE_TEXT = BACKGROUND

FONT_FAMILY = "DejaVu Sans"

# Nothing a facilitator must read from the chair is drawn smaller than this at scale 1.0
# (1080p read from 2–3 m); `px` applies the clinic's [display] ui_scale to every size.
MIN_READABLE_PX = 18
# Text read at the workstation (forms, toolbar, buttons): closer, but never small.
BASE_PX = 16
_scale = 1.0


def set_scale(factor: float) -> None:
    """Set the screen scale (Settings.ui_scale) once, before any widget is built."""
    global _scale
    _scale = factor


def px(size: float) -> int:
    """A size in pixels at the clinic's scale: `px(18)` is 18 on a 1080p screen."""
    return max(1, round(size * _scale))


# -- contrast (WCAG 2.2) --------------------------------------------------------------
TEXT_CONTRAST = 4.5  # 1.4.3 contrast (minimum), normal-size text
BOUNDARY_CONTRAST = 3.0  # 1.4.11 non-text contrast: boundaries, indicators, focus


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of an sRGB `#rrggbb` colour: 0 for black, 1 for white."""
    code = colour.lstrip("#")
    if len(code) != 6:
        raise ValueError(f"{colour!r} is not a #rrggbb colour")

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(code[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours, 1.0 (same) to 21.0 (black on white); symmetric."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class ColourPair:
    """One colour drawn on another, and the contrast it must keep.

    Attributes:
        what: where the pair is seen, in words ("stale value on a tile").
        foreground: the text, border or indicator colour.
        background: what it is drawn on.
        minimum: TEXT_CONTRAST for text, BOUNDARY_CONTRAST for boundaries and indicators.
    """

    what: str
    foreground: str
    background: str
    minimum: float

    @property
    def ratio(self) -> float:
        return contrast_ratio(self.foreground, self.background)


def _pairs() -> tuple[ColourPair, ...]:
    text, boundary = TEXT_CONTRAST, BOUNDARY_CONTRAST
    pairs = [
        ColourPair("text on the window", TEXT, BACKGROUND, text),
        ColourPair("text on a tile", TEXT, TILE, text),
        ColourPair("text in a field, button, menu or tooltip", TEXT, FIELD, text),
        ColourPair("text on a hovered button", TEXT, FIELD_HOVER, text),
        ColourPair("text on a selected menu item", TEXT, MENU_SELECTED, text),
        ColourPair("text on the alarm list", TEXT, LIST_BACKGROUND, text),
        ColourPair("selected row text", HIGHLIGHTED_TEXT, HIGHLIGHT, text),
        ColourPair("dim text on the window", TEXT_DIM, BACKGROUND, text),
        ColourPair("dim text on a tile", TEXT_DIM, TILE, text),
        ColourPair("placeholder text in a field", TEXT_DIM, FIELD, text),
        ColourPair("dim text on an empty tile", TEXT_DIM, EMPTY_TILE, text),
        ColourPair("stale value on a tile", STALE, TILE, text),
        ColourPair("a refusal in a dialog", WARNING_TEXT, BACKGROUND, text),
        # boundaries and indicators
        ColourPair("control border on the window", CONTROL_BORDER, BACKGROUND, boundary),
        ColourPair("control border on a tile", CONTROL_BORDER, TILE, boundary),
        ColourPair("control border against its field", CONTROL_BORDER, FIELD, boundary),
        ColourPair("focus ring on the window", FOCUS_RING, BACKGROUND, boundary),
        ColourPair("focus ring on a tile", FOCUS_RING, TILE, boundary),
        ColourPair("focus ring against a field", FOCUS_RING, FIELD, boundary),
        ColourPair("ticked box against the window", CHECK_FILL, BACKGROUND, boundary),
        ColourPair("ticked box against an empty box", CHECK_FILL, FIELD, boundary),
        ColourPair("check mark in a ticked box", CHECK_MARK, CHECK_FILL, boundary),
        ColourPair("selected row against the list", HIGHLIGHT, FIELD, boundary),
    ]
    for param, colour in PARAM_COLOURS.items():
        pairs.append(ColourPair(f"{param} value on a tile", colour, TILE, text))
    for priority, colour in ALARM_COLOURS.items():
        pairs += [
            ColourPair(f"{priority} alarm text on a tile", colour, TILE, text),
            ColourPair(f"{priority} alarm row on the alarm list", colour, LIST_BACKGROUND, text),
            ColourPair(f"{priority} alarm row, selected", colour, LIST_SELECTED, text),
            ColourPair(f"value inverse on {priority}", ALARM_INVERSE_TEXT, colour, text),
            ColourPair(f"{priority} alarm border, lit", colour, BACKGROUND, boundary),
        ]
    for priority, colour in ALARM_DIM.items():
        pairs += [
            ColourPair(f"{priority} alarm border, unlit, on a tile", colour, TILE, boundary),
            ColourPair(f"{priority} alarm border, unlit", colour, BACKGROUND, boundary),
        ]
    return tuple(pairs)


COLOUR_PAIRS = _pairs()


# -- the style sheet ------------------------------------------------------------------
_FIELDS = "QLineEdit, QComboBox, QSpinBox, QDoubleSpinBox, QPlainTextEdit, QTextEdit"
_VIEWS = "QListView, QTreeView, QTableView"


def _each(selectors: str, state: str) -> str:
    return ", ".join(f"{s.strip()}{state}" for s in selectors.split(","))


def stylesheet() -> str:
    """The application's style sheet at the current scale (`set_scale` first).

    A focused control trades its 1 px border for the focus ring and gives up as much
    padding, so focus moves without anything in the form shifting.
    """
    base, pad, wide = px(BASE_PX), px(4), px(10)
    ring = px(FOCUS_WIDTH)
    less = ring - 1  # the padding a focused control gives up for its wider border
    indicator = px(28)
    return f"""
QMainWindow, QWidget {{ background: {BACKGROUND}; color: {TEXT};
    font-family: "{FONT_FAMILY}"; font-size: {base}px; }}
QToolTip {{ background: {FIELD}; color: {TEXT}; border: 1px solid {CONTROL_BORDER};
    padding: {pad}px; font-size: {base}px; }}
QToolBar {{ background: {BACKGROUND}; border: 0; spacing: {px(8)}px; padding: {pad}px; }}
QToolBar QToolButton {{ font-size: {base}px; }}
QToolButton, QPushButton {{ background: {FIELD}; color: {TEXT};
    border: 1px solid {CONTROL_BORDER}; border-radius: 4px; padding: {pad}px {wide}px; }}
QToolButton:hover, QPushButton:hover {{ background: {FIELD_HOVER}; }}
QToolButton:focus, QPushButton:focus {{ border: {ring}px solid {FOCUS_RING};
    padding: {pad - less}px {wide - less}px; }}
QStatusBar {{ background: {BACKGROUND}; color: {TEXT_DIM}; }}
QFrame#SeatTile {{ background: {TILE}; border: 2px solid {TILE_BORDER}; border-radius: 6px; }}
QFrame#SeatTile[empty="true"] {{ background: {EMPTY_TILE}; border-style: dashed; }}
QLabel {{ background: transparent; }}
QLabel#refusal {{ color: {WARNING_TEXT}; }}
CommandDialog {{ min-width: {px(440)}px; }}
{_FIELDS} {{ background: {FIELD}; color: {TEXT}; border: 1px solid {CONTROL_BORDER};
    border-radius: 3px; padding: {pad}px; selection-background-color: {HIGHLIGHT};
    selection-color: {HIGHLIGHTED_TEXT}; }}
{_each(_FIELDS, ":focus")} {{ border: {ring}px solid {FOCUS_RING};
    padding: {pad - less}px; }}
{_VIEWS} {{ background: {FIELD}; border: 1px solid {CONTROL_BORDER}; padding: {less}px;
    selection-background-color: {HIGHLIGHT}; selection-color: {HIGHLIGHTED_TEXT}; }}
{_each(_VIEWS, ":focus")} {{ border: {ring}px solid {FOCUS_RING}; padding: 0; }}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{ width: {px(20)}px; }}
QComboBox::drop-down {{ width: {px(24)}px; }}
QCheckBox, QRadioButton {{ spacing: {px(8)}px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: {indicator}px; height: {indicator}px; }}
QMenu {{ background: {FIELD}; color: {TEXT}; border: 1px solid {CONTROL_BORDER}; }}
QMenu::item:selected {{ background: {MENU_SELECTED}; }}
QScrollArea {{ border: 0; }}
QWidget:disabled {{ color: {DISABLED_TEXT}; }}
QPushButton:disabled, QToolButton:disabled {{ border-color: {DISABLED_TEXT}; }}
"""


def control_style() -> ControlStyle:
    """Fusion with check and radio indicators drawn in the theme's colours."""
    return ControlStyle(
        IndicatorColours(
            border=CONTROL_BORDER,
            inside=FIELD,
            fill=CHECK_FILL,
            mark=CHECK_MARK,
            focus=FOCUS_RING,
            focus_width=px(FOCUS_WIDTH),
        )
    )


def apply_theme(app: QApplication) -> None:
    """Style the whole application: palette, control drawing and the style sheet."""
    app.setStyle(control_style())
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, BACKGROUND),
        (QPalette.ColorRole.Base, FIELD),
        (QPalette.ColorRole.AlternateBase, TILE),
        (QPalette.ColorRole.Text, TEXT),
        (QPalette.ColorRole.WindowText, TEXT),
        (QPalette.ColorRole.Button, FIELD),
        (QPalette.ColorRole.ButtonText, TEXT),
        (QPalette.ColorRole.Highlight, HIGHLIGHT),
        (QPalette.ColorRole.HighlightedText, HIGHLIGHTED_TEXT),
        (QPalette.ColorRole.PlaceholderText, TEXT_DIM),
        (QPalette.ColorRole.ToolTipBase, FIELD),
        (QPalette.ColorRole.ToolTipText, TEXT),
    ):
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    app.setStyleSheet(stylesheet())
