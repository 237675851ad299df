"""The session browser (issue 14, item 1): every past session with its date, people, alarms,
compliance and log status; filtered by date and by participant alias; Enter or a double-click
says which session to open.

pytest-qt, offscreen, real widgets over real files: the recorded fixture session, and three
small sessions written through the real Store on three different days.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import QDate, Qt

from ui import theme
from ui.review.browser import SessionBrowser, day_bounds
from ui.review.chain_check import CHECKING

DAY = 86_400.0
FIRST = datetime(2025, 3, 4, 9, 0).astimezone().timestamp()  # local 09:00


@pytest.fixture(scope="module")
def three_days(tmp_path_factory):
    """(path, {alias: session id}): sessions on 4, 6 and 9 March (local), one with M.K. and
    A.R., one with Z.Q., one with M.K. again."""
    from review_fixture import HandLog

    path = tmp_path_factory.mktemp("browse") / "three.sqlite3"
    ids = {}
    for offset, people in ((0, ("M.K.", "A.R.")), (2, ("Z.Q.",)), (5, ("M.K.",))):
        log = HandLog(path, start=FIRST + offset * DAY)
        for seat, alias in enumerate(people, start=1):
            log.add(f"{log.sid}-p{seat}", alias, seat)
        log.close(end_minute=90)
        ids[offset] = log.sid
    return path, ids


@pytest.fixture
def browser(qtbot, qapp, three_days):
    theme.apply_theme(qapp)
    b = SessionBrowser(three_days[0])
    qtbot.addWidget(b)
    b.show()
    qtbot.waitExposed(b)
    qtbot.waitUntil(lambda: b.chain is not None, timeout=30_000)  # the log check is done
    return b


def set_date(edit, day: date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))


def shown_ids(b) -> set[str]:
    return {s.id for s in b.listings}


def test_every_session_is_listed_newest_first_with_its_columns(qtbot, qapp, review_db):
    theme.apply_theme(qapp)
    b = SessionBrowser(review_db[0])
    qtbot.addWidget(b)
    assert b.view.model().index(0, 7).data() in (CHECKING, "✓ intact")  # at once, checked or not
    qtbot.waitUntil(lambda: b.chain is not None, timeout=30_000)
    (row,) = b.listings
    assert row.id == review_db[1]
    model, view = b.model, b.view
    titles = [c.title for c in model.columns]
    assert titles == [
        "Date",
        "Time",
        "Session · room",
        "Facilitators",
        "Participants",
        "Alarms",
        "Compliance",
        "Log",
    ]
    text = {t: view.model().index(0, i).data() for i, t in enumerate(titles)}
    assert text["Participants"] == "M.K., A.R., J.L., S.T."
    assert "unanswered" in text["Alarms"] and "high" in text["Alarms"]
    assert text["Compliance"].startswith("✗")  # seat 4 left undischarged
    assert text["Log"] == "✓ intact"
    assert "review fixture" in text["Session · room"]
    assert "1 session." in b.message.text()


def test_the_alias_filter_keeps_sessions_with_that_participant(browser, qtbot, three_days):
    _, ids = three_days
    assert shown_ids(browser) == set(ids.values())
    assert [s.id for s in browser.listings][0] == ids[5]  # newest first
    browser.alias_edit.setText("m.k")
    qtbot.waitUntil(lambda: shown_ids(browser) == {ids[0], ids[5]})
    browser.alias_edit.setText("Z.Q.")
    qtbot.waitUntil(lambda: shown_ids(browser) == {ids[2]})
    browser.alias_edit.setText("nobody")
    qtbot.waitUntil(lambda: not browser.listings)
    assert browser.message.text().startswith("No sessions with a participant like “nobody”")
    assert not browser.open_button.isEnabled()


def test_the_date_filter_keeps_sessions_on_those_days(browser, qtbot, three_days):
    _, ids = three_days
    set_date(browser.since_edit, date(2025, 3, 5))
    set_date(browser.until_edit, date(2025, 3, 6))
    qtbot.waitUntil(lambda: shown_ids(browser) == {ids[2]})
    set_date(browser.until_edit, date(2025, 3, 9))  # the last day counts whole
    qtbot.waitUntil(lambda: shown_ids(browser) == {ids[2], ids[5]})
    set_date(browser.since_edit, date(2025, 3, 10))  # swapped ends are read as a range
    qtbot.waitUntil(lambda: shown_ids(browser) == {ids[5]})


def test_a_day_runs_from_local_midnight_to_the_next():
    start, end = day_bounds(date(2025, 3, 4), date(2025, 3, 4))
    assert datetime.fromtimestamp(start) == datetime(2025, 3, 4, 0, 0)
    assert datetime.fromtimestamp(end) == datetime(2025, 3, 5, 0, 0)


def test_enter_and_double_click_open_the_selected_session(browser, qtbot, three_days):
    _, ids = three_days
    view = browser.view
    view.setFocus()
    view.selectRow(1)
    chosen = browser.listings[view.model().mapToSource(view.model().index(1, 0)).row()].id
    with qtbot.waitSignal(browser.opened) as opened:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert opened.args == [chosen]
    rect = view.visualRect(view.model().index(2, 2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(browser.opened) as opened:  # a double-click follows a click
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert (
        opened.args[0]
        == browser.listings[view.model().mapToSource(view.model().index(2, 0)).row()].id
    )


def test_a_file_that_is_not_a_database_is_said_plainly(qtbot, qapp, tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"no database here")
    b = SessionBrowser(junk)
    qtbot.addWidget(b)
    qtbot.waitUntil(lambda: b.chain is not None, timeout=30_000)
    assert not b.chain.intact
    assert "not a SQLite database" in b.message.text()
    assert not b.listings and not b.open_button.isEnabled()


def test_a_tampered_log_is_flagged_once_checked(qtbot, qapp, review_db, tmp_path):
    import sqlite3
    from contextlib import closing

    from review_fixture import copy_db

    path = copy_db(review_db[0], tmp_path)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("drop trigger events_no_update")
        conn.execute("update events set actor = 'someone else' where seq = 40")
    b = SessionBrowser(path)
    qtbot.addWidget(b)
    qtbot.waitUntil(lambda: b.chain is not None, timeout=30_000)
    log = b.view.model().index(0, 7)
    assert log.data() == "✗ fails check"
    assert log.data(Qt.ItemDataRole.ForegroundRole).name() == theme.ALARM_COLOURS["high"]
