"""The protocol on a tile: phase and next due, two-click quick entries, step dialogs."""

from __future__ import annotations

import json
from contextlib import closing

import pytest
from ui_test_forms import fill_ready_checklist

from groupkap.protocol.config import DEFAULT_SCREENING
from groupkap.protocol.participant import MANUAL_DISCHARGE_ITEMS
from ui.protocol import dialogs


def _action(menu, *path):
    for label in path[:-1]:
        menu = next(a.menu() for a in menu.actions() if a.text() == label)
    return next(a for a in menu.actions() if a.text() == path[-1])


def _kinds(store):
    store.flush()
    with closing(store.reader()) as conn:
        return [
            (r[0], r[1])
            for r in conn.execute(
                "select kind, data from v_events where kind like 'check.%' or kind like 'dose%' "
                "or kind like 'discharge%' or kind like 'screening%' order by rowid"
            )
        ]


def _walk_to_dose(live, window, pid, clock):
    """Screening, ready checklist and dose, each through its dialog, as a nurse would."""
    screen = dialogs.open_entry(live, pid, "screening", None, window)
    for rule in DEFAULT_SCREENING:
        screen.fields[rule.question].setCurrentText("no")
    screen.fields["Reviewer"].setText("Dr Reyes")
    screen.try_accept()
    assert screen.error.text() == ""
    ready = dialogs.open_entry(live, pid, "readiness", None, window)
    fill_ready_checklist(ready)
    ready.try_accept()
    assert ready.error.text() == ""
    bp = dialogs.open_entry(live, pid, "bp", None, window)
    bp.fields["SBP (mmHg)"].setText("124")
    bp.fields["DBP (mmHg)"].setText("79")
    bp.fields["Taken by"].setText("RN Kim")
    bp.try_accept()
    assert bp.error.text() == ""
    dose = dialogs.open_entry(live, pid, "dose", None, window)
    dose.fields["Route"].setCurrentText("IM")
    dose.fields["Dose (mg)"].setValue(40)
    dose.fields["Lot number"].setText("L-77")
    dose.fields["Given by"].setText("RN Kim")
    dose.try_accept()
    assert "weight in kg is needed" in dose.error.text()  # refused, nothing saved
    dose.fields["Weight (kg, 0 = not known)"].setValue(70)
    dose.try_accept()
    assert dose.error.text() == ""


def test_moaas_is_two_clicks_from_the_tile(room, store):
    live, window = room
    tile = window.grid.tiles[2]
    menu = tile.entry_button.menu()  # click 1: the tile's "+"
    _action(menu, "MOAA/S", "4").trigger()  # click 2: the score
    recorded = [json.loads(d) for k, d in _kinds(store) if k == "check.recorded"]
    assert [(d["check"], d["value"], d["taken_by"]) for d in recorded] == [
        ("MOAA/S", 4, "facilitator")
    ]


def test_a_participant_walks_from_screening_to_monitoring_on_the_tile(room, store, clock):
    live, window = room
    pid = live.room.on_seat(1).id
    tile = window.grid.tiles[1]
    window.grid.draw_frame()
    assert tile.phase.text() == "screening"
    _walk_to_dose(live, window, pid, clock)
    window.grid.draw_frame()
    assert tile.phase.text() == "IM +0 min · dosed"
    assert tile.next_due.text() == "next BP (+40 min) in 40 min"
    clock.advance(44 * 60)
    live.protocol.tick(live.latest_spo2)
    window.grid.draw_frame()
    assert tile.phase.text() == "IM +44 min · monitoring"
    assert tile.next_due.text() == "BP (+40 min) due 4 min ago"
    assert tile.protocol_readout.overdue
    assert live.alarms.top_for(pid).key == "CHECK_OVERDUE"
    assert tile.ring.fraction == pytest.approx(44 / 120, abs=0.01)
    kinds = [k for k, _ in _kinds(store)]
    assert kinds == ["screening.completed", "check.recorded", "dose.given", "check.overdue"]


def test_discharge_is_refused_early_and_says_what_is_open(room, store, clock):
    live, window = room
    pid = live.room.on_seat(3).id
    _walk_to_dose(live, window, pid, clock)
    clock.advance(30 * 60)
    sign = dialogs.open_entry(live, pid, "discharge", None, window)
    for key, label in MANUAL_DISCHARGE_ITEMS.items():
        sign.fields[label].setChecked(True)
    sign.fields["Signed by"].setText("Dr Reyes")
    sign.try_accept()
    assert "discharge refused" in sign.error.text()
    assert "minimum observation time met (120 min)" in sign.error.text()
    assert not any(k == "discharge.signed" for k, _ in _kinds(store))


def test_a_phq9_item_9_flag_shows_on_the_tile(room, clock):
    live, window = room
    pid = live.room.on_seat(4).id
    live.protocol.record_scale(pid, "PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, 1], "Dr Reyes")
    window.grid.draw_frame()
    assert window.grid.tiles[4].next_due.text().startswith("⚑ PHQ-9 item 9 positive")
