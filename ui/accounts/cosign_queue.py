"""The lead's co-sign queue (issue 15 item 4): the notes others wrote that wait for a clinic
lead's review signature; the lead selects one, reads it whole, re-enters their PIN and
co-signs it (meaning "review"), and the row leaves the queue.

The rules (who may co-sign, the PIN and its waits, what is logged) are the core's
(`groupkap.accounts.cosign`); the window receives two callables, never the store: `load`
(the queue as `groupkap.accounts.cosign_queue` reads it) and `cosign(seq, pin)`. A wrong PIN
writes only the failure, and the window says so with the core's sentence.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
)

from groupkap.accounts import Account
from groupkap.accounts.cosign_queue import QueuedNote
from groupkap.accounts.signatures import Signature
from groupkap.errors import GroupKapError
from ui import theme
from ui.accounts import cosign_words as words
from ui.protocol.signing_fields import PIN_LABEL, signature_rows
from ui.review.tables import Column, RowsModel, fit_columns, source_row, table_view

MAX_COLUMN_PX = 420  # the note's column is cut short (…); the pane below shows it whole


def queue_columns() -> list[Column]:
    """Session date, participant, author and role, when written, the note (one line)."""
    return [
        Column("Session", words.session_day, lambda q: (q.session_started or 0, q.note.seq)),
        Column("Participant", words.alias),
        Column("Author · role", words.author),
        Column("Written (UTC)", words.written_time, lambda q: q.note.seq),
        Column("Note", lambda q: words.preview(q.note.text), tip=lambda q: q.note.text),
    ]


class CosignQueue(QDialog):
    """The notes waiting for a clinic lead's co-signature, of every session in the database.

    Attributes:
        signer: the lead who co-signs (the signed-in account when the window opened).
        items: the notes waiting, oldest first, as last read.
        model, view: the queue's table (one row per note; sortable).
        reader: the selected note, whole (read-only).
        signature_fields: who signs, the meaning, and the PIN box (`PIN_LABEL`).
        pin: the PIN box.
        cosign_button: co-signs the selected note with the PIN typed.
        summary: how many notes wait (above the table).
        message: beside the PIN, what was co-signed last, or why not (in the refusal
            colour).

    Signals:
        cosigned(int): a note (its seq) was co-signed and left the queue.
    """

    cosigned = Signal(int)

    def __init__(
        self,
        signer: Account,
        load: Callable[[], list[QueuedNote]],
        cosign: Callable[[int, str], Signature],
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.signer, self._load, self._cosign = signer, load, cosign
        self.items: list[QueuedNote] = []
        self.setWindowTitle(f"Notes to co-sign · {signer.label}")
        self.setStyleSheet(f"font-size: {theme.px(theme.MIN_READABLE_PX)}px;")
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        self.model = RowsModel([], queue_columns(), self)
        self.view = table_view(self.model, self, widest=MAX_COLUMN_PX)
        self.view.setToolTip("Select a note to read it whole below")
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        layout.addWidget(self.view, 2)
        self.reader = QPlainTextEdit()
        self.reader.setReadOnly(True)
        self.reader.setPlaceholderText("Select a note above to read it whole.")
        layout.addWidget(self.reader, 1)
        self.signature_fields = signature_rows(signer, "review")
        form = QFormLayout()
        for label, widget in self.signature_fields.items():
            form.addRow(label, widget)
        layout.addLayout(form)
        self.pin: QLineEdit = self.signature_fields[PIN_LABEL]
        self.pin.returnPressed.connect(self.cosign_selected)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.cosign_button = buttons.addButton("Co-sign", QDialogButtonBox.ButtonRole.ActionRole)
        self.cosign_button.setToolTip(
            "Sign the selected note as its reviewer, with your PIN; it leaves the queue"
        )
        self.cosign_button.clicked.connect(self.cosign_selected)
        reload = buttons.addButton("Reload", QDialogButtonBox.ButtonRole.ActionRole)
        reload.setToolTip("Read the queue again (notes written since appear)")
        reload.clicked.connect(lambda: self.reload())
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(theme.px(1400), theme.px(820))
        self.reload()

    # -- the queue ------------------------------------------------------------------------
    def reload(self, select_row: int = 0) -> None:
        """Read the queue again and select the row at `select_row` (the next note after a
        co-signature), or none when it is empty."""
        try:
            self.items = self._load()
        except GroupKapError as exc:
            self.items = []
            self._say(f"The queue could not be read: {exc}", problem=True)
        self.summary.setText(words.count_words(len(self.items)))
        self.model.beginResetModel()
        self.model.rows = list(self.items)
        self.model.endResetModel()
        fit_columns(self.view, MAX_COLUMN_PX)
        if self.items:
            self.view.selectRow(min(select_row, len(self.items) - 1))
        self._show_selected()

    def selected(self) -> QueuedNote | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.rows[source_row(self.view, rows[0].row())]

    def _show_selected(self) -> None:
        item = self.selected()
        self.reader.setPlainText(f"{words.heading(item)}\n\n{item.note.text}" if item else "")
        self.cosign_button.setEnabled(item is not None)
        self.pin.setEnabled(item is not None)

    # -- co-signing -----------------------------------------------------------------------
    def cosign_selected(self) -> Signature | None:
        """Co-sign the selected note with the PIN typed; None when refused (the message
        says why; the PIN box is emptied either way, so no PIN stays on screen)."""
        item = self.selected()
        if item is None:
            return None
        self._say("")
        pin = self.pin.text()
        self.pin.clear()
        try:
            signature = self._cosign(item.note.seq, pin)
        except GroupKapError as exc:
            self._say(f"Not co-signed: {exc}", problem=True)
            self.pin.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        row = self.view.selectionModel().selectedRows()[0].row()
        self.reload(select_row=row)
        self._say(words.cosigned_words(item, signature))
        self.cosigned.emit(item.note.seq)
        return signature

    def _say(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {theme.WARNING_TEXT};" if problem else "")
