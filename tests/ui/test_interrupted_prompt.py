"""On start, the app offers an interrupted session: resume it, or close it and start anew."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from groupkap.clock import RealClock
from groupkap.store import Store
from groupkap.store.store import list_sessions
from ui.app import _ask_about_interrupted


@pytest.fixture
def interrupted_db(tmp_path):
    """A database whose session was left running by a process that has since exited."""
    db = tmp_path / "x.sqlite3"
    script = (
        "import sys; from groupkap.clock import RealClock; from groupkap.store import Store;"
        "s = Store.open(sys.argv[1], RealClock()); s.start_session(seats=4, source='sim');"
        "s.flush(); import os; os._exit(0)"  # exit without ending the session
    )
    subprocess.run([sys.executable, "-c", script, str(db)], check=True, timeout=60)
    store = Store.open(db, RealClock())  # notices the dead process
    store.close()
    assert [r["status"] for r in list_sessions(db)] == ["interrupted"]
    return db


def _click_when_shown(label: str) -> None:
    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        next(b for b in box.buttons() if b.text() == label).click()

    QTimer.singleShot(0, click)


def test_resume_is_offered_and_chosen(qtbot, interrupted_db):
    _click_when_shown("Resume")
    chosen = _ask_about_interrupted(interrupted_db)
    assert chosen == list_sessions(interrupted_db)[0]["id"]


def test_close_and_start_new_closes_the_interrupted_session(qtbot, interrupted_db):
    _click_when_shown("Close it and start new")
    assert _ask_about_interrupted(interrupted_db) is None
    assert [r["status"] for r in list_sessions(interrupted_db)] == ["ended"]


def test_no_database_no_question(qtbot, tmp_path):
    assert _ask_about_interrupted(tmp_path / "none.sqlite3") is None
