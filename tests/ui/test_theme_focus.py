"""The keyboard focus can be seen on every kind of control, dialogs start at their first
field with OK and Cancel last, and text sizes follow the clinic's scale."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.alarms.alarm_bar import AlarmBar
from ui.protocol import dialogs
from ui.protocol.field_tips import FIELD_TIPS

CONTROLS = {
    "line": lambda: QLineEdit("Sam"),
    "note": QPlainTextEdit,
    "rich text": QTextEdit,
    "number": lambda: QSpinBox(),
    "decimal": lambda: QDoubleSpinBox(),
    "drop-down": lambda: _combo(),
    "button": lambda: QPushButton("Save"),
    "tool button": lambda: _tool_button(),
    "checkbox": QCheckBox,
    "radio": lambda: QRadioButton("yes"),
    "list": lambda: _list(),
}


def _combo() -> QComboBox:
    combo = QComboBox()
    combo.addItems(["", "yes", "no"])
    return combo


def _tool_button() -> QToolButton:
    button = QToolButton()
    button.setText("Playlists")
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a toolbar's buttons take Tab focus
    return button


def _list() -> QListWidget:
    view = QListWidget()
    view.addItems(["Still Water", "Deep Field"])
    view.setMaximumHeight(80)
    return view


def _ring_pixels(widget: QWidget, host: QWidget) -> int:
    """Pixels near the focus ring's colour in the widget's area (antialiasing allowed)."""
    image = host.grab().toImage()
    area = QRect(widget.mapTo(host, QPoint(0, 0)), widget.size()).adjusted(-2, -2, 2, 2)
    ring = QColor(theme.FOCUS_RING)
    near = 0
    for x in range(max(0, area.left()), min(image.width(), area.right() + 1)):
        for y in range(max(0, area.top()), min(image.height(), area.bottom() + 1)):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - ring.red())
                + abs(c.green() - ring.green())
                + abs(c.blue() - ring.blue())
                < 40
            ):
                near += 1
    return near


@pytest.mark.parametrize("kind", list(CONTROLS))
def test_a_focused_control_shows_the_focus_ring_and_an_unfocused_one_does_not(qapp, qtbot, kind):
    theme.apply_theme(qapp)
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    other, control = QLineEdit(), CONTROLS[kind]()
    layout.addWidget(other)
    layout.addWidget(control)
    host.resize(320, 200)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    assert _ring_pixels(control, host) == 0
    control.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(control.hasFocus)
    # A 2 px ring round even the smallest control (a 28 px radio indicator) is over 60.
    assert _ring_pixels(control, host) >= 60


def test_a_dialog_starts_at_its_first_field_and_ends_with_ok_and_cancel(room, qtbot):
    live, window = room
    dose = dialogs.open_entry(live, live.room.on_seat(1).id, "dose", None, window)
    dose.show()
    qtbot.waitExposed(dose)
    dose.activateWindow()
    route = dose.fields["Route"]
    qtbot.waitUntil(route.hasFocus)
    seen = [route]
    for _ in range(40):
        qtbot.keyClick(dose.focusWidget(), Qt.Key.Key_Tab)
        if dose.focusWidget() is route:
            break
        seen.append(dose.focusWidget())
    # Spin boxes take focus through their line edits; name each stop by its form field.
    fields = list(dose.fields.values())
    owners = [next((f for f in fields if f is w or f.isAncestorOf(w)), w) for w in seen]
    ok = dose.buttons.button(QDialogButtonBox.StandardButton.Ok)
    cancel = dose.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert owners == [*fields, ok, cancel]


def test_text_sizes_follow_the_clinic_scale(room, qtbot, qapp):
    live, window = room
    pid = live.room.on_seat(1).id
    try:
        for scale in (1.0, 1.5):
            theme.set_scale(scale)
            theme.apply_theme(qapp)
            ready = dialogs.open_entry(live, pid, "readiness", None, window)
            qtbot.addWidget(ready)
            ready.show()
            qtbot.waitExposed(ready)
            labels = [w for w in ready.findChildren(QLabel) if w.text()]
            assert labels and all(w.font().pixelSize() >= theme.px(theme.BASE_PX) for w in labels)
            assert ready.fields["fasting confirmed"].font().pixelSize() == round(16 * scale)
            bar = AlarmBar(live.alarms, live.room, lambda: "RN Kim")  # built at this scale
            qtbot.addWidget(bar)
            for widget in (bar.alarm_list, bar.summary, bar.pause_label):
                widget.ensurePolished()
                assert widget.font().pixelSize() == round(18 * scale)
    finally:
        theme.set_scale(1.0)
        theme.apply_theme(qapp)


def test_a_field_whose_label_is_not_enough_says_what_it_is_for(room):
    live, window = room
    dose = dialogs.open_entry(live, live.room.on_seat(1).id, "dose", None, window)
    for label in ("Override BP gate: prescriber", "T0: minutes ago", "Given by"):
        field = dose.fields[label]
        assert field.toolTip() == FIELD_TIPS[label]
        assert dose.form.labelForField(field).toolTip() == FIELD_TIPS[label]
    assert dose.fields["Dose (mg)"].toolTip() == ""  # its label says it all
    for button in dose.buttons.buttons():
        assert button.toolTip()
