"""The dialog every command form is built on, and the small fields the forms share."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from groupkap.errors import GroupKapError


class CommandDialog(QDialog):
    """A small form whose OK runs a core command and closes only if it succeeds.

    A refusal (seat taken, empty alias, a score out of range) is shown inside the dialog,
    which stays open, and nothing changes.

    Attributes:
        form: the layout the builder adds its rows to.
        error: the label that shows a refusal.
    """

    def __init__(self, title: str, submit: Callable[[], None], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._submit = submit
        self.form = QFormLayout()
        self.error = QLabel("")
        self.error.setObjectName("refusal")  # the theme colours it (ui/theme.py)
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip(
            "Save this entry (Enter); the dialog stays open if something is missing"
        )
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            "Close without saving anything (Esc)"
        )
        self.buttons = buttons
        self._tab_order_set = False
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        # The form's fields are added after the buttons were made, so Tab would start at OK
        # and Enter would save an empty form: put OK and Cancel last, and start at the form.
        if not self._tab_order_set:
            self._tab_order_set = True
            self._buttons_last()
        super().showEvent(event)

    def _buttons_last(self) -> None:
        chain, widget = [], self.nextInFocusChain()
        while widget is not self and widget is not None:
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and self.isAncestorOf(widget):
                chain.append(widget)
            widget = widget.nextInFocusChain()
        buttons = [b for b in chain if self.buttons.isAncestorOf(b)]
        fields = [w for w in chain if w not in buttons]
        if not fields:
            return
        previous = fields[-1]
        for button in buttons:
            QWidget.setTabOrder(previous, button)
            previous = button
        fields[0].setFocus(Qt.FocusReason.TabFocusReason)

    def try_accept(self) -> None:
        self.error.setText("")
        try:
            self._submit()
        except GroupKapError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


def form_dialog(
    title: str,
    submit: Callable[[], None],
    fields: dict[str, QWidget],
    parent=None,
    tips: dict[str, str] | None = None,
) -> CommandDialog:
    """A `CommandDialog` with one labelled row per field, in order.

    The fields stay reachable as `dialog.fields` by their labels, so the submit and the tests
    name a field the way the clinician reads it. `tips` (label → what the field is for) become
    the tooltips of the field and its label, for fields whose label does not say it all.
    """
    dialog = CommandDialog(title, submit, parent)
    for label, widget in fields.items():
        dialog.form.addRow(label, widget)
        if tip := (tips or {}).get(label):
            widget.setToolTip(tip)
            dialog.form.labelForField(widget).setToolTip(tip)
    dialog.fields = fields
    return dialog


def spin_box(lo: float, hi: float, value: float, decimals: int = 0) -> QSpinBox | QDoubleSpinBox:
    """A number box from `lo` to `hi`; whole numbers unless `decimals` is given."""
    box = QDoubleSpinBox() if decimals else QSpinBox()
    if decimals:
        box.setDecimals(decimals)
    box.setRange(lo, hi)
    box.setValue(value)
    return box


def choice(*items: str) -> QComboBox:
    """A drop-down of `items`; an empty first item means nothing is chosen yet."""
    combo = QComboBox()
    combo.addItems(list(items))
    return combo
