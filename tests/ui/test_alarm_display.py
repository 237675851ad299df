"""Alarms as the facilitator sees them: tile border and text, flash rates, the alarm bar."""

from __future__ import annotations

from contextlib import closing

from PySide6.QtCore import Qt

from groupkap.readings import Reading


def feed(live, clock, seat, param, values):
    """One reading a second on `seat`, as a monitor sends them, through the session; every
    other seat's monitor sends a steady heart rate meanwhile (a silent one would alarm)."""
    for v in values:
        clock.advance(1)
        for other, person in live.room.by_seat():
            if person is None:
                continue
            name, value = (param, v) if other.number == seat else ("HR", 70)
            reading = Reading(other.number, name, clock.now(), value, "test")
            live.vitals[person.id].add_reading(reading)
            live.alarms.observe(person.id, other.number, name, clock.now(), value)
        live.alarms.tick()


def lit_transitions(tile, window, flash, seconds=10.0, step=0.01):
    """Sample the tile's light at 100 Hz and count how often it turns on."""
    flash.t = 0.0
    window.grid.draw_frame()
    count, previous = 0, tile.alarm_lit
    for i in range(1, int(seconds / step)):
        flash.t = i * step
        window.grid.draw_frame()
        if tile.alarm_lit and not previous:
            count += 1
        previous = tile.alarm_lit
    return count / seconds


def test_desaturation_shows_on_the_tile_and_in_the_bar(alarmed, clock, flash):
    live, window = alarmed
    feed(live, clock, 2, "SpO2", [86] * 20)
    window.grid.draw_frame()
    tile = window.grid.tiles[2]
    assert tile.alarm is not None and tile.alarm.priority == "high"
    assert tile.alarm_text.text() == "*** SpO2 86 < 88"
    assert not tile.alarm_icon.pixmap().isNull()  # an icon, not colour alone
    bar = window.alarm_bar
    assert bar.alarm_list.count() == 1
    assert bar.alarm_list.item(0).text().startswith("*** SpO2 86 < 88   —   2 · A.R.")
    assert window.grid.tiles[1].alarm is None


def test_high_alarm_flashes_about_twice_a_second_and_medium_slowly(alarmed, clock, flash):
    live, window = alarmed
    feed(live, clock, 1, "SpO2", [86] * 20)  # high on seat 1
    feed(live, clock, 3, "HR", [130] * 12)  # medium on seat 3
    high_rate = lit_transitions(window.grid.tiles[1], window, flash)
    medium_rate = lit_transitions(window.grid.tiles[3], window, flash)
    assert 1.4 <= high_rate <= 2.8
    assert 0.4 <= medium_rate <= 0.8


def test_low_alarm_is_steady(alarmed, clock, flash):
    live, window = alarmed
    person = live.room.on_seat(4)
    live.alarms.raise_technical(person.id, "CHECK_OVERDUE", "low", "BP check overdue", seat=4)
    tile = window.grid.tiles[4]
    assert lit_transitions(tile, window, flash) == 0 and tile.alarm_lit
    assert tile.alarm_text.text() == "* BP check overdue"


def test_keyboard_acknowledge_pause_and_reset(qtbot, alarmed, clock, flash, store):
    live, window = alarmed
    bar = window.alarm_bar
    feed(live, clock, 2, "SpO2", [86] * 20)
    bar.refresh()
    bar.alarm_list.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_A)
    alarm = live.alarms.active()[0]
    assert alarm.acknowledged
    qtbot.keyClick(
        window,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    window.grid.draw_frame()
    tile = window.grid.tiles[2]
    assert not tile.pause_icon.isHidden() and tile.pause_text.text() == "2:00"
    clock.advance(45)
    window.grid.draw_frame()
    assert tile.pause_text.text() == "1:15"
    # Reset is refused while the condition persists, and says why.
    with qtbot.waitSignal(bar.action_failed) as refused:
        qtbot.keyClick(window, Qt.Key.Key_R)
    assert "still present" in refused.args[0]
    feed(live, clock, 2, "SpO2", [97] * 3)  # recovered: the high alarm stays latched
    window.grid.draw_frame()
    assert tile.alarm is not None and "(latched)" in tile.alarm_text.text()
    qtbot.keyClick(window, Qt.Key.Key_R)
    window.grid.draw_frame()
    assert tile.alarm is None and bar.alarm_list.count() == 0
    store.flush()
    with closing(store.reader()) as conn:
        kinds = [
            r[0]
            for r in conn.execute(
                "select kind from v_events where kind like 'alarm.%' order by rowid"
            )
        ]
    # 86 % crosses both bounds at once: it raises high directly after the 15 s delay.
    assert kinds == [
        "alarm.raised",
        "alarm.acknowledged",
        "alarm.audio_paused",
        "alarm.cleared",
        "alarm.reset",
    ]


def test_tile_menu_acknowledges_and_pauses_that_participant_only(alarmed, clock, flash):
    live, window = alarmed
    feed(live, clock, 2, "SpO2", [86] * 20)
    feed(live, clock, 5, "HR", [150] * 12)
    window.grid.draw_frame()
    tile = window.grid.tiles[2]
    tile.pause_requested.emit(tile.participant.id)
    tile.acknowledge_requested.emit(tile.participant.id)
    window.grid.draw_frame()
    by_seat = {a.seat: a for a in live.alarms.active()}
    assert by_seat[2].acknowledged and not by_seat[5].acknowledged
    assert tile.pause_text.text() == "2:00"
    assert window.grid.tiles[5].pause_icon.isHidden()


def test_participant_limits_dialog_refuses_a_mistake_then_applies(qtbot, alarmed, clock, store):
    from ui.alarms.limits_dialog import limits_dialog

    live, window = alarmed
    pid = live.room.on_seat(3).id
    dialog = limits_dialog(live, pid, window)
    qtbot.addWidget(dialog)
    text = dialog.editor.toPlainText()
    dialog.editor.setPlainText(text.replace('high = "< 88"', 'high = "< 95"'))
    dialog.try_accept()
    assert "line" in dialog.error.text() and "less extreme" in dialog.error.text()
    assert pid not in live.alarms.participant_limits
    dialog.editor.setPlainText(text.replace('medium = "< 92"', 'medium = "< 90"'))
    dialog.try_accept()
    assert live.alarms.limits_for(pid).get("SpO2").medium[0].value == 90
    assert live.alarms.limits_for(live.room.on_seat(4).id).get("SpO2").medium[0].value == 92
    feed(live, clock, 3, "SpO2", [91] * 20)  # below the clinic's 92, above this person's 90
    assert live.alarms.top_for(pid) is None
    store.flush()
    with closing(store.reader()) as conn:
        rows = conn.execute(
            "select actor, data from v_events where kind = 'limits.changed'"
        ).fetchall()
    assert len(rows) == 1 and rows[0][0] == "facilitator"


def test_an_older_alarm_changes_its_row_in_place_and_keeps_the_choice(alarmed, clock, flash):
    """Only the ages moved on: the bar keeps its rows (and the facilitator's chosen row)
    and rewrites the ages; a new alarm rebuilds the list."""
    live, window = alarmed
    feed(live, clock, 1, "HR", [130] * 12)  # medium on seat 1
    feed(live, clock, 2, "SpO2", [86] * 20)  # high on seat 2 (its HR silent meanwhile)
    bar = window.alarm_bar
    bar.refresh()
    count = bar.alarm_list.count()
    assert count >= 2
    bar.alarm_list.setCurrentRow(count - 1)
    chosen = bar.selected_id()
    rows = [bar.alarm_list.item(i) for i in range(count)]
    texts = [row.text() for row in rows]
    clock.advance(120)  # no beat: the same alarms, two minutes older
    bar.refresh()
    assert [bar.alarm_list.item(i) for i in range(count)] == rows  # same rows, not rebuilt
    assert all(bar.alarm_list.item(i) is rows[i] for i in range(count))
    assert bar.selected_id() == chosen
    now = [row.text() for row in rows]
    assert all(a != b for a, b in zip(texts, now, strict=True))
    assert all("2 min ago" in t for t in now)
    feed(live, clock, 3, "SpO2", [86] * 20)  # one more alarm: the list is built again
    bar.refresh()
    assert bar.alarm_list.count() > count
    assert bar.alarm_list.item(0) is not rows[0]
    assert bar.alarm_list.currentRow() >= 0  # a rebuilt list still has a chosen row
