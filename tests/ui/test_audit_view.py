"""The lead's audit view (issue 15, item 3): who did what, filterable, exportable; failed
sign-ins, lockouts, refusals and emergency access are rows too, flagged in words.

pytest-qt, offscreen, real widgets over a real Store with real Accounts: staff added, a wrong
PIN five times, a refused act, a rename (old → new), and two days later emergency access and
an act done under it.
"""

from __future__ import annotations

import csv
import stat
from contextlib import closing
from datetime import date

import pytest
from PySide6.QtCore import Qt

from groupkap.accounts import Forbidden, SignInRefused
from groupkap.accounts.audit import audit_lines
from groupkap.store import account_queries as aq
from groupkap.store.store import open_read_only
from tests.ui import staffed_room
from tests.ui.staffed_room import PINS, logged, staff_accounts
from ui import theme
from ui.review.audit_view import AuditView
from ui.review.audit_words import (
    COLUMNS,
    FLAG_COLUMN,
    FLAG_WORDS,
    UNDER_EMERGENCY,
    Trail,
    TrailFilter,
    filter_trail,
    shown_cells,
)
from ui.review.desk import ReviewDesk

DAY = 86_400.0
FLAGGED = {"user.locked_out", "action.refused", "access.emergency"}

staffed = staffed_room.staffed  # the fixture (tests/ui/staffed_room.py)


@pytest.fixture
def audited(store, clock, settings, new_session):
    """(db path, session id): a session whose log holds every kind of account event."""
    live = new_session(4)
    accounts = staff_accounts(store, clock, settings.security, live.id)
    for _ in range(5):
        with pytest.raises(SignInRefused):
            accounts.sign_in("Dr Ode", "wrong-pin")
    live.account = accounts.sign_in("RN Kim", PINS["RN Kim"])
    person = live.room.on_seat(1)
    live.rename_participant(person.id, "Q.Z.")
    with pytest.raises(Forbidden):
        live.require("dose.record")
    clock.advance(2 * DAY)
    live.account = accounts.emergency_access("seat 2 alarming, Dr Ode away", claimed_by="RN Bo")
    live.rename_participant(live.room.on_seat(2).id, "E.M.")
    store.flush()
    return store.path, live.id


def core_lines(db_path, session_id=None):
    with closing(open_read_only(db_path)) as conn:
        return audit_lines(aq.audit_rows(conn, session_id))


def shown_texts(view: AuditView) -> list[list[str]]:
    proxy = view.view.model()
    return [
        [proxy.index(r, c).data() for c in range(proxy.columnCount())]
        for r in range(proxy.rowCount())
    ]


def open_view(qtbot, qapp, db_path, session_id=None) -> AuditView:
    theme.apply_theme(qapp)
    view = AuditView(db_path, session_id)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_rows_are_the_cores_audit_lines_in_words(qtbot, qapp, audited):
    db_path, sid = audited
    view = open_view(qtbot, qapp, db_path, sid)
    expected = core_lines(db_path, sid)
    assert view.lines == expected
    assert sorted(shown_texts(view)) == sorted(shown_cells(x, view.trail.roles) for x in expected)
    kinds = {x.what for x in view.lines}
    assert {"user.added", "user.sign_in_failed", "user.locked_out", "user.signed_in"} <= kinds
    assert FLAGGED <= kinds
    rename = next(x for x in view.lines if x.what == "participant.renamed" and x.who == "RN Kim")
    cells = dict(
        zip([c.title for c in COLUMNS], shown_cells(rename, view.trail.roles), strict=True)
    )
    assert cells["Who"] == "RN Kim · facilitator"
    assert cells["What"] == "participant renamed"
    assert cells["Old → new"].endswith("→ Q.Z.")
    assert cells["Participant"] == "Q.Z."
    assert cells["Flag"] == ""
    # The newest act first until the lead sorts.
    assert shown_texts(view)[0][0] == max(c[0] for c in shown_texts(view))


def test_flagged_only_shows_exactly_the_lockout_the_refusal_and_the_emergency_rows(
    qtbot, qapp, audited
):
    view = open_view(qtbot, qapp, *audited)
    view.flagged_box.setChecked(True)
    kinds = sorted(x.what for x in view.lines)
    assert kinds == sorted([*FLAGGED, "participant.renamed"])
    flags = {
        x.what: row[FLAG_COLUMN]
        for x, row in zip(view.shown_lines(), shown_texts(view), strict=True)
    }
    for kind in FLAGGED:
        assert flags[kind] == FLAG_WORDS[kind]  # in words, not colour alone
    assert flags["participant.renamed"] == UNDER_EMERGENCY
    renamed = [x for x in view.lines if x.what == "participant.renamed"]
    assert [x.who for x in renamed] == ["Emergency access: RN Bo"]
    proxy = view.view.model()
    colours = {proxy.index(r, FLAG_COLUMN).data(Qt.ItemDataRole.ForegroundRole).name()
               for r in range(proxy.rowCount())}  # fmt: skip
    assert colours == {theme.WARNING_TEXT, theme.ALARM_COLOURS["high"]}
    view.flagged_box.setChecked(False)
    assert len(view.lines) == len(core_lines(*audited))


def test_who_kind_and_dates_narrow_the_rows_by_the_cores_rule(qtbot, qapp, audited):
    db_path, sid = audited
    view = open_view(qtbot, qapp, db_path, sid)
    every = core_lines(db_path, sid)
    view.who_box.setCurrentIndex(view.who_box.findData("Dr Ode"))
    assert view.lines == [x for x in every if x.who == "Dr Ode"]
    assert sorted({x.what for x in view.lines}) == ["user.locked_out", "user.sign_in_failed"]
    view.kind_box.setCurrentIndex(view.kind_box.findData("user.sign_in_failed"))
    assert len(view.lines) == 5
    view.who_box.setCurrentIndex(0)  # everyone: still only the failed sign-ins
    assert len(view.lines) == 5
    view.kind_box.setCurrentIndex(0)
    # The dates open on the trail's first and last day; the last alone holds the emergency.
    first, last = view.since_edit.date().toPython(), view.until_edit.date().toPython()
    assert (last - first).days == 2
    view.since_edit.setDate(view.until_edit.date())
    assert {x.what for x in view.lines} == {"access.emergency", "participant.renamed"}
    assert "2 of" in view.message.text()


def test_a_day_filter_keeps_its_last_second_and_drops_the_next_day(audited):
    rows = [
        {"seq": 1, "session_id": "s", "t": "2027-01-15T23:59:59.999Z", "kind": "user.added",
         "actor": "Admin Lee", "participant": None, "data": {}},
        {"seq": 2, "session_id": "s", "t": "2027-01-16T00:00:00.000Z", "kind": "user.added",
         "actor": "Admin Lee", "participant": None, "data": {}},
    ]  # fmt: skip
    trail = Trail(rows, {})
    day = date(2027, 1, 15)
    assert [x.seq for x in filter_trail(trail, TrailFilter(last_day=day))] == [1]
    assert [x.seq for x in filter_trail(trail, TrailFilter(first_day=day))] == [1, 2]
    next_day = TrailFilter(first_day=date(2027, 1, 16))
    assert [x.seq for x in filter_trail(trail, next_day)] == [2]


def test_the_csv_is_the_shown_rows_in_their_order_owner_only(qtbot, qapp, audited, tmp_path):
    view = open_view(qtbot, qapp, *audited)
    view.view.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # by who
    view.kind_box.setCurrentIndex(view.kind_box.findData("user.sign_in_failed"))
    view.kind_box.setCurrentIndex(0)
    view.flagged_box.setChecked(False)
    out = view.export_csv(tmp_path / "audit.csv")
    assert out == tmp_path / "audit.csv"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    assert header[: len(COLUMNS)] == [c.title for c in COLUMNS]
    assert [r[: len(COLUMNS)] for r in rows] == shown_texts(view)
    assert [int(r[len(COLUMNS)]) for r in rows] == [x.seq for x in view.shown_lines()]
    # Narrowed: only what is shown is written.
    view.flagged_box.setChecked(True)
    view.export_csv(out)
    with out.open(newline="", encoding="utf-8") as f:
        _, *rows = list(csv.reader(f))
    assert [r[: len(COLUMNS)] for r in rows] == shown_texts(view)
    assert len(rows) == 4


def test_the_browser_opens_the_selected_sessions_trail_or_everything(
    qtbot, qapp, audited, settings
):
    db_path, sid = audited
    desk = ReviewDesk(db_path, settings)
    browser = desk.open(None)
    qtbot.waitExposed(browser)
    assert browser.selected_id() == sid
    browser.audit_session_action.trigger()
    view = desk.windows[-1]
    assert isinstance(view, AuditView) and view.session_id == sid
    browser.audit_button.menu().actions()[1].trigger()
    assert desk.windows[-1].session_id is None
    assert desk.windows[-1].lines == core_lines(db_path)


def test_only_lead_qa_and_admin_see_and_may_open_it_from_the_window(qtbot, staffed):
    window, access = staffed.window, staffed.window.access
    assert not access.audit_action.isVisible()  # RN Kim, a facilitator
    assert window.open_audit() is None
    assert "may not" in window.statusBar().currentMessage()
    [refusal] = logged(staffed.store, staffed.live.id, "action.refused")
    assert (refusal.actor, refusal.data["action"]) == ("RN Kim", "audit.read")
    access._signed_in(staffed.accounts.sign_in("QA Ray", PINS["QA Ray"]))
    assert access.audit_action.isVisible()
    access.audit_action.trigger()
    view = window.review_desk.windows[-1]
    assert isinstance(view, AuditView) and view.session_id is None
    assert any(x.what == "action.refused" and x.who == "RN Kim" for x in view.lines)
