"""Every colour pair of the theme meets WCAG 2.2 (text 4.5:1, controls 3:1), the style sheet
and the control style use those colours, and a rendered unticked box can be seen."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QCheckBox, QPlainTextEdit

from ui import theme
from ui.protocol import dialogs
from ui.theme import (
    BOUNDARY_CONTRAST,
    COLOUR_PAIRS,
    TEXT_CONTRAST,
    contrast_ratio,
    relative_luminance,
)


# -- the ratio itself -----------------------------------------------------------------
def test_contrast_ratio_follows_wcag_at_its_limits():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#0b0d10", "#0b0d10") == 1.0
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("#808080") == pytest.approx(0.2158605)
    # #767676 is the darkest grey that passes 4.5:1 on white; #777777 just fails.
    assert contrast_ratio("#767676", "#ffffff") >= TEXT_CONTRAST
    assert contrast_ratio("#777777", "#ffffff") < TEXT_CONTRAST
    assert contrast_ratio("#ffffff", "#767676") == contrast_ratio("#767676", "#ffffff")
    # The checkbox the issue found: #1B1F26 on #0B0D10, "about 1.15:1" (1.18).
    assert contrast_ratio("#1B1F26", "#0B0D10") == pytest.approx(1.18, abs=0.01)
    with pytest.raises(ValueError):
        relative_luminance("#fff")


# -- the theme's pairs ----------------------------------------------------------------
def test_every_colour_pair_of_the_theme_meets_its_minimum():
    failing = [
        f"{p.what}: {p.foreground} on {p.background} is {p.ratio:.2f}:1, needs {p.minimum}:1"
        for p in COLOUR_PAIRS
        if p.ratio < p.minimum
    ]
    assert not failing, "\n".join(failing)
    assert {p.minimum for p in COLOUR_PAIRS} == {TEXT_CONTRAST, BOUNDARY_CONTRAST}


def _named_colours() -> dict[str, str]:
    named = {
        name: value
        for name, value in vars(theme).items()
        if name.isupper() and isinstance(value, str) and value.startswith("#")
    }
    for table in ("PARAM_COLOURS", "ALARM_COLOURS", "ALARM_DIM"):
        named.update({f"{table}[{k}]": v for k, v in getattr(theme, table).items()})
    return named


def test_every_colour_the_theme_names_is_in_a_checked_pair():
    # Decoration between tiles, and disabled controls, are the two things WCAG exempts.
    exempt = {"TILE_BORDER", "DISABLED_TEXT"}
    paired = {c.lower() for p in COLOUR_PAIRS for c in (p.foreground, p.background)}
    unchecked = [
        f"{name} {value}"
        for name, value in _named_colours().items()
        if name not in exempt and value.lower() not in paired
    ]
    assert not unchecked, "colours with no pair in COLOUR_PAIRS: " + ", ".join(unchecked)


def test_the_issue_s_failing_colours_now_pass_on_their_backgrounds():
    assert contrast_ratio(theme.STALE, theme.TILE) >= TEXT_CONTRAST
    assert contrast_ratio(theme.TEXT_DIM, theme.TILE) >= TEXT_CONTRAST
    assert contrast_ratio(theme.TEXT_DIM, theme.FIELD) >= TEXT_CONTRAST
    for priority in ("high", "medium"):
        assert contrast_ratio(theme.ALARM_DIM[priority], theme.TILE) >= BOUNDARY_CONTRAST
        # Still a flash: the unlit border is clearly darker than the lit one.
        assert relative_luminance(theme.ALARM_DIM[priority]) < 0.7 * relative_luminance(
            theme.ALARM_COLOURS[priority]
        )


# -- the style uses them --------------------------------------------------------------
def _rules(sheet: str) -> dict[str, str]:
    """selector → declarations, one entry per selector of a comma-separated rule."""
    rules: dict[str, str] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", sheet):
        for selector in selectors.split(","):
            rules[selector.strip()] = rules.get(selector.strip(), "") + body
    return rules


def test_the_style_sheet_draws_borders_and_focus_in_the_checked_colours(qapp):
    rules = _rules(theme.stylesheet())
    border = f"border: 1px solid {theme.CONTROL_BORDER}"
    ring = f"border: {theme.FOCUS_WIDTH}px solid {theme.FOCUS_RING}"
    for control in (
        "QLineEdit",
        "QPlainTextEdit",
        "QTextEdit",
        "QSpinBox",
        "QDoubleSpinBox",
        "QComboBox",
        "QPushButton",
        "QToolButton",
        "QListView",
    ):
        assert border in rules[control], control
        assert ring in rules[f"{control}:focus"], control
    drawn = theme.control_style().colours  # what apply_theme draws indicators with
    assert (drawn.border, drawn.inside, drawn.fill, drawn.mark, drawn.focus) == (
        theme.CONTROL_BORDER,
        theme.FIELD,
        theme.CHECK_FILL,
        theme.CHECK_MARK,
        theme.FOCUS_RING,
    )


# -- rendered -------------------------------------------------------------------------
def _pixels(image, rect: QRect) -> list[str]:
    return [
        image.pixelColor(x, y).name()
        for x in range(rect.left(), rect.right() + 1)
        for y in range(rect.top(), rect.bottom() + 1)
    ]


def _rendered_boundary(dialog, widget) -> tuple[str, str, int]:
    """(background, the colour that stands out most from it, how many pixels have it) in
    the widget's area of the dialog as drawn."""
    image = dialog.grab().toImage()
    pixels = _pixels(image, QRect(widget.mapTo(dialog, QPoint(0, 0)), widget.size()))
    background = Counter(pixels).most_common(1)[0][0]
    edge = max(set(pixels), key=lambda c: contrast_ratio(c, background))
    return background, edge, pixels.count(edge)


def test_an_unticked_box_in_the_ready_checklist_is_seen(room, qtbot):
    live, window = room
    ready = dialogs.open_entry(live, live.room.on_seat(1).id, "readiness", None, window)
    ready.show()
    qtbot.waitExposed(ready)
    box = ready.fields["fasting confirmed"]
    assert isinstance(box, QCheckBox) and not box.isChecked()
    background, edge, count = _rendered_boundary(ready, box)
    assert background == theme.BACKGROUND
    assert contrast_ratio(edge, background) >= BOUNDARY_CONTRAST
    assert count >= 40  # an outline all round the box, not a stray pixel

    box.setChecked(True)  # ticked: a filled box with a dark check mark on it
    image = ready.grab().toImage()
    pixels = _pixels(image, QRect(box.mapTo(ready, QPoint(0, 0)), box.size()))
    assert pixels.count(theme.CHECK_FILL) >= 100
    assert contrast_ratio(theme.CHECK_MARK, theme.CHECK_FILL) >= BOUNDARY_CONTRAST


def test_the_note_field_has_a_visible_border(room, qtbot):
    live, window = room
    note = dialogs.open_entry(live, live.room.on_seat(1).id, "note", None, window)
    note.show()
    qtbot.waitExposed(note)
    field = next(iter(note.fields.values()))
    assert isinstance(field, QPlainTextEdit)
    field.clearFocus()  # the resting border, not the focus ring
    image = note.grab().toImage()
    top_left = field.mapTo(note, QPoint(0, 0))
    # The field's left edge, half-way down, against the dialog just outside it.
    y = top_left.y() + field.height() // 2
    edge = image.pixelColor(top_left.x(), y).name()
    outside = image.pixelColor(top_left.x() - 3, y).name()
    assert outside == theme.BACKGROUND
    assert contrast_ratio(edge, outside) >= BOUNDARY_CONTRAST
