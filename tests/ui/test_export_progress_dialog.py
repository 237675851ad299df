"""The app's export progress dialog (issue 14): it shows while an export is written, advances
with each step the worker reports, and closes at the end; a failure closes it and says so in a
message; no dialog is kept after its export. The work is a stand-in the
test steps through (threading.Event), so each state is seen for sure; the real export paths
are tested in test_review_desk.py."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtWidgets import QMessageBox

from groupkap.errors import BadInputError
from ui.review import desk as desk_module
from ui.review.desk import ReviewDesk


class SteppedExport:
    """An export that reports what it is told to, when the test lets it go on."""

    def __init__(self, steps, end):
        self.steps, self.end = steps, end
        self.go_on = [threading.Event() for _ in steps]

    def __call__(self, db_path, session_id, fmt, out, progress, deidentify=False):
        for (fraction, word), go_on in zip(self.steps, self.go_on):
            progress(fraction, word)
            assert go_on.wait(20), "the test did not let the export go on"
        if isinstance(self.end, Exception):
            raise self.end
        return self.end


@pytest.fixture
def desk(qapp, tmp_path, settings):
    d = ReviewDesk(tmp_path / "unused.sqlite3", settings)
    yield d
    if d.message is not None:
        d.message.close()


def test_the_dialog_shows_advances_and_closes(qtbot, desk, tmp_path, monkeypatch):
    work = SteppedExport([(0.0, "reading the log"), (0.5, "page 1 of 2")], end="written")
    monkeypatch.setattr(desk_module, "export_session", work)
    assert desk.export("pdf", "S1", tmp_path / "r.pdf")
    dialog = desk.progress
    qtbot.waitUntil(lambda: dialog.isVisible() and "reading the log" in dialog.labelText())
    assert dialog.value() == 0 and dialog.labelText() == "Exporting PDF: reading the log"
    work.go_on[0].set()
    qtbot.waitUntil(lambda: dialog.value() == 50)
    assert dialog.labelText() == "Exporting PDF: page 1 of 2" and dialog.isVisible()
    with qtbot.waitSignal(desk.export_done, timeout=20_000) as done:
        work.go_on[1].set()
    assert done.args == ["written"] and desk.progress is None
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))  # closed and gone
    assert desk.message is None  # success needs no message


def test_a_failure_closes_the_dialog_and_says_so(qtbot, desk, tmp_path, monkeypatch):
    error = BadInputError("cannot write /x/r.pdf: No space left on device; choose another --out")
    steps = [(0.0, "reading the log"), (0.3, "reading seat 1 · M.K.")]
    work = SteppedExport(steps, end=error)
    monkeypatch.setattr(desk_module, "export_session", work)
    assert desk.export("pdf", "S1", tmp_path / "r.pdf")
    dialog = desk.progress
    qtbot.waitUntil(dialog.isVisible)
    work.go_on[0].set()
    qtbot.waitUntil(lambda: dialog.value() == 30)
    with qtbot.waitSignal(desk.export_done, timeout=20_000) as done:
        work.go_on[1].set()
    assert done.args == [error] and desk.last_export is error
    assert desk.message.windowTitle() == "Export failed"
    assert desk.message.icon() == QMessageBox.Icon.Warning
    assert "No space left on device" in desk.message.text()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))


def test_a_failure_before_the_dialog_shows_leaves_no_dialog(qtbot, desk, tmp_path, monkeypatch):
    """Faster than PROGRESS_AFTER_MS: no dialog flashes up, the message says why, and the
    dialog made for it is deleted (not kept hidden behind the window, one per export)."""
    error = BadInputError("the log is damaged")
    monkeypatch.setattr(desk_module, "export_session", SteppedExport([], end=error))
    with qtbot.waitSignal(desk.export_done, timeout=20_000):
        assert desk.export("json", "S1", tmp_path / "s.json")
        dialog = desk.progress  # made, not yet shown: the failure comes back through the loop
    assert "the log is damaged" in desk.message.text()
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))


def test_a_name_that_says_another_format_is_refused_before_any_work(
    qtbot, desk, tmp_path, monkeypatch
):
    started = []
    monkeypatch.setattr(desk_module, "export_session", lambda *a, **k: started.append(a))
    with qtbot.waitSignal(desk.export_done, timeout=5_000) as done:
        assert not desk.export("json", "S1", tmp_path / "report.pdf")
    assert isinstance(done.args[0], BadInputError) and "must not be named .pdf" in str(done.args[0])
    assert started == [] and desk.progress is None and list(tmp_path.iterdir()) == []
