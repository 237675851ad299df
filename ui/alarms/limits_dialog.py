"""Per-participant alarm limits, edited in the same words as the clinic's limits file.

The text is checked whole on OK; a mistake is shown with its line and the dialog stays open
with the limits in force unchanged. Each changed parameter becomes a `limits.changed` event.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QPushButton

from groupkap.alarms.limits import parse_limits, to_toml
from groupkap.session import LiveSession
from ui import theme
from ui.dialogs import CommandDialog


def limits_dialog(live: LiveSession, pid: str, parent=None) -> CommandDialog:
    engine = live.alarms
    person = live.room.participants[pid]
    editor = QPlainTextEdit(to_toml(engine.limits_for(pid)))
    # The style sheet's font wins over setFont: name the fixed-width family there.
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
    editor.setStyleSheet(f'font-family: "{fixed}", monospace;')
    editor.setMinimumSize(theme.px(480), theme.px(380))
    editor.setToolTip(
        "This participant's limits, in the clinic's limits-file words; checked whole on OK"
    )

    def submit() -> None:
        limits = parse_limits(editor.toPlainText(), f"limits for {person.alias}")
        live.set_participant_limits(pid, limits)  # refused unless the role may (limits.adjust)

    dialog = CommandDialog(f"Alarm limits for {person.alias} (seat {person.seat})", submit, parent)
    dialog.form.addRow(editor)
    clinic = QPushButton("Use the clinic's limits")
    clinic.setToolTip("Put the clinic's default limits in the editor (saved only on OK)")
    clinic.clicked.connect(lambda: editor.setPlainText(to_toml(engine.limits)))
    dialog.form.addRow(clinic)
    dialog.editor = editor
    return dialog
