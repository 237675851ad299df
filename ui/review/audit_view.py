"""The lead's audit view (issue 15, item 3): who did what, when, old → new and why, from the
hash-chained log; filtered by who, kind, dates and "flagged only"; exported as CSV.

Read-only: the lines are the core's (`groupkap.accounts.audit`), their words and the filter's
rule are in `ui.review.audit_words`; this window only shows them. Who may open it
(`audit.read`) is the caller's gate (`ReviewDesk.audit`, the room window's account menu).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
)

from groupkap.accounts.audit import AuditLine
from groupkap.errors import GroupKapError
from groupkap.files import atomic_write
from ui import theme
from ui.review.audit_words import (
    ANY_KIND,
    ANYONE,
    COLUMNS,
    FLAG_COLUMN,
    Trail,
    TrailFilter,
    csv_text,
    days,
    filter_trail,
    flag_colour,
    kinds,
    people,
    read_trail,
    what_words,
)
from ui.review.tables import Column, RowsModel, fit_columns, source_row, table_view

MAX_COLUMN_PX = 360  # a long reason is cut short (…); its tooltip says it all
EXPORT_MODE = 0o600  # the trail names staff and aliases: the owner's eyes only


def audit_columns(roles: dict[str, str]) -> list[Column]:
    """The table's columns: the texts of `audit_words.COLUMNS`, the Flag column coloured
    (amber or red) besides its words, every cell's tooltip the full line."""

    def tip(line: AuditLine) -> str:
        parts = [f"#{line.seq} · {line.what}", line.why or "", line.detail]
        return "\n".join(p for p in parts if p)

    out = []
    for c in COLUMNS:
        colour = flag_colour if c is COLUMNS[FLAG_COLUMN] else None
        out.append(Column(c.title, lambda x, c=c: c.text(x, roles), c.sort, colour=colour, tip=tip))
    return out


class AuditView(QDialog):
    """The audit trail of one session, or of every log in the database.

    Attributes:
        db_path: the database read (read-only).
        session_id: the session shown, or None for every log (sessions and the workstation's).
        trail: what was read (`reload` reads it again).
        lines: the lines the filters let through, in the log's order.
        who_box, kind_box, since_edit, until_edit, flagged_box: the filters.
        model, view: the table (sortable by any column).
        message: the count, or what went wrong.
        export_button: "Export CSV…"; `last_export` is the last file written.
    """

    def __init__(self, db_path: Path, session_id: str | None = None, parent=None) -> None:
        super().__init__(parent)
        self.db_path, self.session_id = Path(db_path), session_id
        self.trail = Trail([], {}, session_id)
        self.lines: list[AuditLine] = []
        self.last_export: Path | None = None
        scope = f"session {session_id}" if session_id else "every session and sign-in"
        self.setWindowTitle(f"Audit trail · {scope} · {self.db_path.name} (read-only)")
        self.setStyleSheet(f"font-size: {theme.px(theme.MIN_READABLE_PX)}px;")
        layout = QVBoxLayout(self)
        layout.addLayout(self._filters())
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.model = RowsModel([], audit_columns({}), self)
        self.view = table_view(self.model, self, widest=MAX_COLUMN_PX)
        self.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # the newest act first
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = buttons.addButton(
            "Export CSV…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.export_button.setToolTip("Write the rows shown, in their order, to a CSV file")
        self.export_button.clicked.connect(lambda: self.export_csv())
        reload = buttons.addButton("Reload", QDialogButtonBox.ButtonRole.ActionRole)
        reload.setToolTip("Read the log again (a running session adds to it)")
        reload.clicked.connect(self.reload)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(theme.px(1600), theme.px(800))
        self.reload()

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.who_box, self.kind_box = QComboBox(), QComboBox()
        self.since_edit = QDateEdit(calendarPopup=True)
        self.until_edit = QDateEdit(calendarPopup=True)
        self.flagged_box = QCheckBox("Flagged only")
        self.flagged_box.setToolTip("Emergency access, lockouts, refused acts, and what was "
                                    "done under emergency access")  # fmt: skip
        for edit in (self.since_edit, self.until_edit):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(lambda *_: self.apply_filters())
        for box in (self.who_box, self.kind_box):
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(24)
            box.currentIndexChanged.connect(lambda *_: self.apply_filters())
        self.flagged_box.toggled.connect(lambda *_: self.apply_filters())
        for words, widget in (
            ("Who", self.who_box),
            ("What", self.kind_box),
            ("From (UTC)", self.since_edit),
            ("to", self.until_edit),
        ):
            label = QLabel(words)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
        row.addWidget(self.flagged_box)
        row.addStretch(1)
        return row

    # -- reading and filtering ------------------------------------------------------------
    def reload(self) -> None:
        """Read the trail again; the filters keep their choices where they still apply."""
        try:
            self.trail = read_trail(self.db_path, self.session_id)
        except GroupKapError as exc:
            self.trail = Trail([], {}, self.session_id)
            self._say(str(exc), problem=True)
        self.model.columns = audit_columns(self.trail.roles)
        everything = self.trail.lines
        self._fill(self.who_box, ANYONE, [(n, n) for n in people(everything)])
        self._fill(
            self.kind_box, ANY_KIND, [(f"{what_words(k)} ({k})", k) for k in kinds(everything)]
        )
        span = days(everything)
        if span is not None:
            for edit, day in zip((self.since_edit, self.until_edit), span, strict=True):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        self.apply_filters()

    def _fill(self, box: QComboBox, anything: str, items: list[tuple[str, str]]) -> None:
        chosen = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(anything, None)
        for words, value in items:
            box.addItem(words, value)
        found = box.findData(chosen) if chosen is not None else -1
        box.setCurrentIndex(max(found, 0))
        box.blockSignals(False)

    def current_filter(self) -> TrailFilter:
        first = self.since_edit.date().toPython()
        last = self.until_edit.date().toPython()
        return TrailFilter(
            who=self.who_box.currentData(),
            kind=self.kind_box.currentData(),
            first_day=min(first, last),
            last_day=max(first, last),
            flagged_only=self.flagged_box.isChecked(),
        )

    def apply_filters(self) -> None:
        """Show the lines the filters let through (newest first until the lead sorts)."""
        if not self.trail.rows:
            self.lines = []
        else:
            self.lines = filter_trail(self.trail, self.current_filter())
        self.model.beginResetModel()
        self.model.rows = list(self.lines)
        self.model.endResetModel()
        fit_columns(self.view, MAX_COLUMN_PX)
        self.export_button.setEnabled(bool(self.lines))
        if self.trail.rows or not self.message.text():
            self._say(self._count_words())

    def _count_words(self) -> str:
        if not self.trail.rows:
            return "Nothing recorded by anyone yet."
        flagged = sum(x.flagged for x in self.lines)
        noun = "act" if len(self.lines) == 1 else "acts"
        shown = f"{len(self.lines)} of {len(self.trail.rows)} recorded {noun} shown"
        return shown + (f"; {flagged} flagged (⚑) for the lead" if flagged else "")

    def _say(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {theme.WARNING_TEXT};" if problem else "")

    def shown_lines(self) -> list[AuditLine]:
        """The lines as the table shows them now, in its (sorted) order."""
        count = self.view.model().rowCount()
        return [self.model.rows[source_row(self.view, r)] for r in range(count)]

    # -- export ---------------------------------------------------------------------------
    def export_csv(self, out: Path | None = None) -> Path | None:
        """Write the rows shown, in the table's order, to `out` (asked for when None), whole
        or not at all, readable by its owner only; None when nothing was written."""
        if out is None:
            scope = self.session_id or "all"
            suggested = Path.home() / f"groupkap-audit-{scope}.csv"
            name, _ = QFileDialog.getSaveFileName(
                self, "Export the audit trail as CSV", str(suggested), "CSV (*.csv)"
            )
            if not name:
                return None
            out = Path(name)
        try:
            atomic_write(out, csv_text(self.shown_lines(), self.trail.roles), mode=EXPORT_MODE)
        except OSError as exc:
            self._say(f"The CSV was not written: {exc}", problem=True)
            return None
        self.last_export = out
        self._say(f"{self._count_words()}. Written to {out} (only you can read it).")
        return out
