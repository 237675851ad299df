"""Test-wide configuration: Qt runs offscreen, set before any QApplication exists."""

import os
import pickle
import shutil
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")


def recorded_once(name: str, tmp_path_factory, record):
    """What `record(folder)` returns, recorded once per test run. `make test` runs pytest
    twice (the core under the Qt block, then the rest; scripts/run-tests.sh) and gives both
    one folder in GROUPKAP_TEST_RECORDINGS: the second run takes what the first recorded
    (the same simulated session, byte for byte) instead of recording it again."""
    shared = os.environ.get("GROUPKAP_TEST_RECORDINGS")
    if not shared:
        return record(tmp_path_factory.mktemp(name))
    folder = Path(shared) / name
    done = folder / "recorded.pickle"
    if done.exists():
        return pickle.loads(done.read_bytes())
    shutil.rmtree(folder, ignore_errors=True)  # a run that died half-way leaves no result
    folder.mkdir(parents=True)
    result = record(folder)
    done.write_bytes(pickle.dumps(result))
    return result


@pytest.fixture(scope="session")
def review_db(tmp_path_factory):
    """(database path, session id) of the recorded review fixture session
    (`tests/review_fixture.py`), recorded once per test run. Read it only; a test that
    writes copies it first (`review_fixture.copy_db`)."""
    from review_fixture import record_fixture_session

    def record(folder: Path):
        path = folder / "review.sqlite3"
        return path, record_fixture_session(path)

    return recorded_once("review", tmp_path_factory, record)


@pytest.fixture(scope="session")
def course_db(tmp_path_factory):
    """The recorded course (`tests/course_fixture.py`): one person through three sessions
    a week apart, recorded once per test run (a `RecordedCourse`). Read it only; a test that
    writes copies it first (`review_fixture.copy_db`)."""
    from course_fixture import record_course

    return recorded_once("course", tmp_path_factory, lambda f: record_course(f / "course.sqlite3"))
