"""The lead's desk: the browser opens review windows, a review window's Replay opens the
room replay, and Export… writes the same files as `groupkap export` on a worker thread, with
a failure shown and nothing left behind. pytest-qt, offscreen, the recorded fixture session."""

from __future__ import annotations

import json

import pytest

from groupkap.errors import BadInputError
from groupkap.review.summary import load_summary
from ui.review.desk import ReviewDesk
from ui.review.replay_window import ReplayWindow
from ui.review.window import ReviewWindow


@pytest.fixture
def desk(qtbot, qapp, review_db, settings):
    d = ReviewDesk(review_db[0], settings)
    yield d
    for w in list(d.windows):
        w.close()


def test_the_browser_opens_a_review_window_whose_replay_opens_the_room(desk, review_db):
    path, sid = review_db
    browser = desk.open(None)
    browser.opened.emit(sid)
    review = [w for w in desk.windows if isinstance(w, ReviewWindow)]
    assert len(review) == 1 and review[0].session_id == sid
    review[0].replay_requested.emit(sid)
    replays = [w for w in desk.windows if isinstance(w, ReplayWindow)]
    assert len(replays) == 1 and replays[0].isVisible()


def test_export_writes_the_summary_on_a_worker_thread(qtbot, desk, review_db, tmp_path):
    path, sid = review_db
    out = tmp_path / "session.json"
    with qtbot.waitSignal(desk.export_done, timeout=30_000) as done:
        assert desk.export("json", sid, out)
    result = done.args[0]
    assert result.out == out
    summary = load_summary(path, sid)
    written = json.loads(out.read_text())
    assert len(written["session"]["alarms"]) == len(summary.alarms)
    assert result.head_seq == summary.chain.head_seq == written["chain_head"]["seq"]


def test_a_failed_export_is_shown_and_leaves_no_file(qtbot, desk, review_db, tmp_path):
    _, sid = review_db
    out = tmp_path / "no such folder" / "report.pdf"
    with qtbot.waitSignal(desk.export_done, timeout=30_000) as done:
        desk.export("pdf", sid, out)
    assert isinstance(done.args[0], BadInputError)
    assert desk.message is not None and str(out.parent) in desk.message.text()
    assert not out.parent.exists()


def test_the_room_opens_the_browser_of_its_own_database(qtbot, window, store):
    browser = window.open_review()
    assert browser.db_path == store.path
    assert window.review_desk.windows == [browser]
    browser.close()


def test_the_windows_de_identified_export_leaves_out_the_session_id(
    qtbot, desk, review_db, tmp_path
):
    path, sid = review_db
    desk.open(sid)
    window = next(w for w in desk.windows if isinstance(w, ReviewWindow))
    window.deidentify_action.setChecked(True)
    out = tmp_path / "copy.json"
    with qtbot.waitSignal(desk.export_done, timeout=30_000) as done:
        desk.export("json", sid, out, deidentify=window.deidentified())
    assert not isinstance(done.args[0], Exception), done.args[0]
    text = out.read_text()
    assert sid not in text and "DE-IDENTIFIED" in text
    assert "chain_head" not in json.loads(text)
