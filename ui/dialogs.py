"""The dialog every command form is built on, and the small fields the forms share."""

from __future__ import annotations

from collections.abc import Callable

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
        self.error.setStyleSheet("color: #e8b04c;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def try_accept(self) -> None:
        self.error.setText("")
        try:
            self._submit()
        except GroupKapError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


def form_dialog(
    title: str, submit: Callable[[], None], fields: dict[str, QWidget], parent=None
) -> CommandDialog:
    """A `CommandDialog` with one labelled row per field, in order.

    The fields stay reachable as `dialog.fields` by their labels, so the submit and the tests
    name a field the way the clinician reads it.
    """
    dialog = CommandDialog(title, submit, parent)
    for label, widget in fields.items():
        dialog.form.addRow(label, widget)
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
