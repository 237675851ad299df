"""Test-wide configuration: Qt runs offscreen, set before any QApplication exists."""

import os

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")


@pytest.fixture(scope="session")
def review_db(tmp_path_factory):
    """(database path, session id) of the recorded review fixture session
    (`tests/review_fixture.py`), recorded once per test run. Read it only; a test that
    writes copies it first (`review_fixture.copy_db`)."""
    from review_fixture import record_fixture_session

    path = tmp_path_factory.mktemp("review") / "review.sqlite3"
    return path, record_fixture_session(path)
