"""The lead's desk: one place that opens review windows for a database and carries out what
they ask for (Replay in room…, Export…), for `groupkap review` and the room's Open session….

Exports run on a worker thread (the PDF is painted there too: a QPdfWriter may be painted
off the GUI thread), so the window stays responsive while a long session is written; their
progress and outcome come back through `ui.bridges.ExportBridge`, and a progress dialog
shows them (only if it lasts over PROGRESS_AFTER_MS). The place is checked before the work
(`groupkap.review.export_target`): a name whose suffix says another format is refused at
once; an existing file has already been confirmed in the file dialog, which asks before
replacing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from groupkap.errors import BadInputError, GroupKapError
from groupkap.review.export_target import check_target
from groupkap.settings import Settings
from ui.bridges import ExportBridge

SUFFIX = {"pdf": ".pdf", "json": ".json", "csv": ""}
PROGRESS_AFTER_MS = 300  # a quicker export finishes without a dialog flashing up


def export_session(
    db_path: Path, session_id: str, fmt: str, out: Path, progress, deidentify: bool = False
) -> object:
    """Write one export (any thread): the same functions `groupkap export` calls."""
    if fmt == "pdf":
        from ui.review.pdf_report import write_report

        return write_report(db_path, session_id, out, progress, deidentify=deidentify)
    from groupkap.review.export_data import export_csv, export_json

    write = export_csv if fmt == "csv" else export_json
    return write(db_path, session_id, out, progress, deidentify=deidentify)


class ReviewDesk(QObject):
    """Opens the browser and review windows of one database and wires their actions.

    Attributes:
        db_path: the database reviewed (read-only).
        settings: the clinic's settings (the replay's protocol figures).
        windows: every window it opened and that is still open.
        last_export: the last export's result or error (tests and the status line read it).
    """

    export_done = Signal(object)

    def __init__(
        self,
        db_path: Path,
        settings: Settings,
        parent: QObject | None = None,
        *,
        may: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.settings = settings
        # The room window's access gate (`WindowAccess.may`: refuses, says why, logs it);
        # `groupkap review` at the command line has no accounts, so anyone may there.
        self.may: Callable[[str], bool] = may or (lambda _action: True)
        self.windows: list[QWidget] = []
        self.last_export: object = None
        self.message: QMessageBox | None = None  # the last message shown (tests read it)
        self.progress: QProgressDialog | None = None  # the running export's dialog
        self._busy: ExportBridge | None = None

    def open(self, session_id: str | None = None) -> QWidget:
        """The review window of `session_id`, or the session browser; shown."""
        if session_id is None:
            from ui.review.browser import SessionBrowser

            browser = SessionBrowser(self.db_path)
            browser.opened.connect(lambda sid: self._review(sid, browser.chain))
            browser.audit_requested.connect(self.audit)
            return self._keep(browser)
        return self._review(session_id, None)

    def _review(self, session_id: str, chain) -> QWidget:
        from ui.review.window import ReviewWindow

        window = ReviewWindow(self.db_path, session_id, chain=chain)
        window.replay_requested.connect(self.replay)
        window.export_requested.connect(
            lambda fmt, sid, w=window: self.export(fmt, sid, parent=w, deidentify=w.deidentified())
        )
        return self._keep(window)

    def audit(self, session_id: str | None = None) -> QWidget | None:
        """The audit trail of `session_id` (of every log when None), for a role with
        `audit.read`; None when refused (the gate has said why)."""
        if not self.may("audit.read"):
            return None
        from ui.review.audit_view import AuditView

        return self._keep(AuditView(self.db_path, session_id))

    def replay(self, session_id: str) -> QWidget:
        """The session played back in the room's own grid, in its own window."""
        from ui.review.replay_window import ReplayWindow

        return self._keep(ReplayWindow(self.db_path, session_id, self.settings))

    def _keep(self, window: QWidget) -> QWidget:
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.windows.append(window)
        window.destroyed.connect(lambda *_: self._forget(window))
        window.show()
        return window

    def _forget(self, window: QWidget) -> None:
        if window in self.windows:
            self.windows.remove(window)

    # -- exports -----------------------------------------------------------------------
    def export(
        self,
        fmt: str,
        session_id: str,
        out: Path | None = None,
        parent: QWidget | None = None,
        *,
        deidentify: bool = False,
    ) -> bool:
        """Export `session_id` as `fmt` to `out` (asked for when None) on a worker thread,
        with a progress dialog; False when nothing was started (cancelled, or one running).
        `deidentify`: aliases only, dates shifted, staff by role (`--deidentify`)."""
        if self._busy is not None:
            self._tell(parent, QMessageBox.Icon.Information, "Export", "An export is still "
                       "being written; try again when it is done.")  # fmt: skip
            return False
        if out is None:
            out = self._ask_where(fmt, session_id, parent, deidentify)
            if out is None:
                return False
        try:  # the dialog asked before replacing a file; a wrong suffix is refused here
            out = check_target(fmt, Path(out), replace=True)
        except BadInputError as exc:
            self._failed_before_start(exc, parent)
            return False
        bridge = ExportBridge(self)
        dialog = QProgressDialog(f"Exporting {fmt.upper()}…", "", 0, 100, parent)
        dialog.setCancelButton(None)  # a half-written export is never kept: nothing to cancel
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(PROGRESS_AFTER_MS)
        self.progress = dialog
        bridge.progress.connect(
            lambda fraction, word: (
                dialog.setValue(int(fraction * 100)),
                dialog.setLabelText(f"Exporting {fmt.upper()}: {word}"),
            )
        )
        bridge.finished.connect(lambda result: self._finished(result, dialog, parent))
        self._busy = bridge

        def work() -> None:
            try:
                result = export_session(
                    self.db_path, session_id, fmt, Path(out), bridge.progress.emit, deidentify
                )
            except GroupKapError as exc:
                result = exc
            except Exception as exc:  # a fault must reach the lead, never vanish with the thread
                result = GroupKapError(f"the export failed: {type(exc).__name__}: {exc}")
            bridge.finished.emit(result)

        threading.Thread(target=work, name="groupkap-export", daemon=True).start()
        return True

    def _failed_before_start(self, exc: BadInputError, parent: QWidget | None) -> None:
        self.last_export = exc
        self._tell(parent, QMessageBox.Icon.Warning, "Export failed", str(exc))
        self.export_done.emit(exc)

    def _finished(self, result: object, dialog: QProgressDialog, parent: QWidget | None) -> None:
        dialog.close()
        dialog.deleteLater()  # not kept hidden behind the window, one per export
        self.progress = None
        self._busy = None
        self.last_export = result
        if isinstance(result, Exception):
            self._tell(parent, QMessageBox.Icon.Warning, "Export failed", str(result))
        self.export_done.emit(result)

    def _tell(self, parent: QWidget | None, icon, title: str, text: str) -> None:
        """A message that does not block the event loop (the room may be running behind it)."""
        self.message = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
        self.message.open()

    def _ask_where(
        self, fmt: str, session_id: str, parent: QWidget | None, deidentify: bool
    ) -> Path | None:
        name = f"groupkap-{session_id}{'-deidentified' if deidentify else ''}{SUFFIX[fmt]}"
        caption = "Export CSV tables into a new folder" if fmt == "csv" else f"Export {fmt.upper()}"
        path, _ = QFileDialog.getSaveFileName(parent, caption, str(Path.home() / name))
        return Path(path) if path else None
