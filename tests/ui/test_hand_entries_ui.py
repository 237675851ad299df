"""Hand entries from the tile's `+` menu: forms that start empty, a hand BP that reaches the
tile and the alarms, a discharge that shows the SpO2 it rests on, corrections and strikes."""

from __future__ import annotations

import json
from contextlib import closing

import pytest

from ui.protocol import dialogs


def _events(store, kind):
    store.flush()
    with closing(store.reader()) as conn:
        return [
            json.loads(r[0])
            for r in conn.execute(
                "select data from v_events where kind = ? order by rowid", (kind,)
            )
        ]


def _hand_bp(live, window, pid, sbp, dbp, who="RN Kim"):
    form = dialogs.open_entry(live, pid, "bp", None, window)
    form.fields["SBP (mmHg)"].setText(str(sbp))
    form.fields["DBP (mmHg)"].setText(str(dbp))
    form.fields["Taken by"].setText(who)
    form.try_accept()
    return form


def test_entry_forms_start_empty_and_an_empty_ok_records_nothing(room, store):
    live, window = room
    pid = live.room.on_seat(1).id
    bp = dialogs.open_entry(live, pid, "bp", None, window)
    values = [w.text() for label, w in bp.fields.items() if label != "Measured: minutes ago"]
    assert values == [""] * len(values)
    bp.fields["Taken by"].setText("RN Kim")
    bp.try_accept()
    assert "enter at least one value" in bp.error.text() and bp.result() == 0  # stays open
    cadss = dialogs.open_entry(live, pid, "cadss", None, window)
    assert cadss.fields["CADSS total (0–92)"].text() == ""
    cadss.try_accept()
    assert "enter the CADSS total" in cadss.error.text()
    assert _events(store, "observation.entered") == _events(store, "check.recorded") == []


def test_a_hand_bp_shows_on_the_tile_marked_as_hand(room, store, clock):
    live, window = room
    pid = live.room.on_seat(2).id
    form = _hand_bp(live, window, pid, 171, 104)
    assert form.error.text() == ""
    window.grid.draw_frame()
    tile = window.grid.tiles[2]
    assert tile.bp_value.text() == "171/104"
    assert tile.bp_age.text() == "· ✎ RN Kim · just now"
    assert _events(store, "observation.entered")[0]["values"] == {"SBP": 171.0, "DBP": 104.0}


def test_a_hand_spo2_is_marked_on_its_numeric(room, clock):
    live, window = room
    pid = live.room.on_seat(3).id
    form = dialogs.open_entry(live, pid, "bp", None, window)
    form.fields["SpO2 (%)"].setText("86")
    form.fields["Taken by"].setText("RN Kim")
    form.try_accept()
    window.grid.draw_frame()
    tile = window.grid.tiles[3]
    assert "SpO2 ✎" in tile.boxes[1].name.text() and tile.boxes[1].value.text() == "86"
    assert not tile.temperature.isVisible()
    assert live.alarms.top_for(pid).text == "SpO2 86 < 88 (hand)"


def test_a_hand_temperature_shows_on_the_tile(room, clock):
    live, window = room
    pid = live.room.on_seat(1).id
    form = dialogs.open_entry(live, pid, "bp", None, window)
    form.fields["Temp (°C)"].setText("37,9")  # a decimal comma is read as a point
    form.fields["Taken by"].setText("RN Kim")
    form.try_accept()
    assert form.error.text() == ""
    window.grid.draw_frame()
    tile = window.grid.tiles[1]
    assert tile.temperature.isVisible()
    assert tile.temperature.text() == "Temp 37.9 °C · ✎ RN Kim · just now"


def test_discharge_shows_the_spo2_it_rests_on_and_says_when_it_is_too_old(room, clock):
    live, window = room
    pid = live.room.on_seat(4).id
    clock.advance(5)
    live.pump()
    sign = dialogs.open_entry(live, pid, "discharge", None, window)
    assert sign.fields["SpO2"].text() == "97 % (monitor, just now)"
    live.source.remove_seat(4)  # the probe is off from here on
    clock.advance(5 * 60 + 1)
    sign = dialogs.open_entry(live, pid, "discharge", None, window)
    assert (
        sign.fields["SpO2"].text() == "97 % (monitor, 5 min ago): older than 5 min, take a reading"
    )


def test_an_entry_is_struck_from_its_dialog_and_leaves_the_tile(room, store, clock):
    live, window = room
    pid = live.room.on_seat(1).id
    _hand_bp(live, window, pid, 150, 95)
    fix = dialogs.open_entry(live, pid, "correct", None, window)
    assert fix.fields["Entry"].currentText().startswith("SBP 150, DBP 95 (hand, RN Kim)")
    fix.fields["Action"].setCurrentText("strike")
    fix.fields["By"].setText("RN Kim")
    fix.try_accept()
    assert "needs its reason" in fix.error.text()
    fix.fields["Reason"].setText("wrong participant")
    fix.try_accept()
    assert fix.error.text() == ""
    window.grid.draw_frame()
    assert window.grid.tiles[1].bp_value.text() == "--/--"
    assert _events(store, "entry.struck")[0]["reason"] == "wrong participant"


def test_a_moaas_is_corrected_from_the_dialog(room, store):
    live, window = room
    pid = live.room.on_seat(2).id
    live.protocol.record_moaas(pid, 1, "RN Kim")
    assert live.alarms.top_for(pid).key == "MOAA/S"
    fix = dialogs.open_entry(live, pid, "correct", None, window)
    fix.fields["Action"].setCurrentText("correct")
    fix.fields["Corrected value(s)"].setText("4")
    fix.fields["Reason"].setText("scored the wrong row")
    fix.fields["By"].setText("RN Kim")
    fix.try_accept()
    assert fix.error.text() == ""
    assert live.alarms.top_for(pid) is None
    window.grid.draw_frame()
    assert window.grid.tiles[2].scores.text() == "MOAA/S 4 · now"


@pytest.mark.parametrize("typed", ["nan", "inf", "1e400", "-inf"])
def test_a_number_that_is_not_finite_is_refused_inside_the_dialog(room, store, typed):
    live, window = room
    pid = live.room.on_seat(2).id
    cadss = dialogs.open_entry(live, pid, "cadss", None, window)
    cadss.fields["CADSS total (0–92)"].setText(typed)
    cadss.try_accept()
    assert "is not a number" in cadss.error.text()
    assert _events(store, "check.recorded") == []
