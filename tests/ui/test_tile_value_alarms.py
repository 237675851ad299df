"""The value speaks: an alarming number is drawn inverse in its priority colour with ▲/▼, a
stale one grey with its age; every alarm is reachable from the tile (`+N`, tooltip, menu);
an acknowledged alarm says `ACK`, stops flashing and is drawn steady and quieter."""

from __future__ import annotations

from PySide6.QtGui import QColor

from groupkap.alarms.tile_alarms import ABOVE, BELOW
from groupkap.readings import Reading
from ui import theme
from ui.room.numerics import INVERSE_TEXT
from ui.room.tile_menus import tile_menu
from ui.room.tile_parts import dimmer


def feed(live, clock, seat, values: dict[str, float], seconds: int):
    """One reading a second of each parameter on `seat`, through buffers and alarms."""
    person = live.room.on_seat(seat)
    for _ in range(seconds):
        clock.advance(1)
        for param, v in values.items():
            live.vitals[person.id].add_reading(Reading(seat, param, clock.now(), v, "test"))
            live.alarms.observe(person.id, seat, param, clock.now(), v)
        live.alarms.tick()


def share_of(widget, colour: str, tolerance: int = 40) -> float:
    """The share of `widget`'s pixels close to `colour`."""
    image = widget.grab().toImage()
    target, hits, total = QColor(colour), 0, 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            total += 1
            hits += (
                abs(c.red() - target.red())
                + abs(c.green() - target.green())
                + abs(c.blue() - target.blue())
            ) < tolerance
    return hits / max(1, total)


def test_a_low_spo2_is_drawn_inverse_in_its_colour_with_a_down_arrow(alarmed, clock):
    live, window = alarmed
    feed(live, clock, 2, {"SpO2": 86, "HR": 72, "RR": 14}, 20)
    window.grid.draw_frame()
    tile = window.grid.tiles[2]
    hr, spo2, rr = tile.boxes
    assert spo2.mark.priority == "high" and spo2.arrow.text() == BELOW
    assert spo2.arrow.isVisible() and not hr.arrow.isVisible()
    assert spo2.value.text() == "86" and spo2.value.colour() == INVERSE_TEXT
    assert share_of(spo2, theme.ALARM_COLOURS["high"]) > 0.4  # a filled red block
    assert share_of(hr, theme.ALARM_COLOURS["high"]) == 0
    assert hr.value.colour() == QColor(theme.PARAM_COLOURS["HR"]).name()
    assert rr.mark is None


def test_a_high_heart_rate_gets_an_up_arrow_and_the_bp_line_its_own_mark(alarmed, clock):
    live, window = alarmed
    feed(live, clock, 3, {"HR": 131}, 12)  # medium: > 120 for 10 s
    pid = live.room.on_seat(3).id
    live.enter_reading(pid, {"SBP": 185, "DBP": 96}, "RN Kim")
    clock.advance(60)
    live.enter_reading(pid, {"SBP": 186, "DBP": 97}, "RN Kim")  # confirmed: two in a row
    window.grid.draw_frame()
    tile = window.grid.tiles[3]
    assert tile.boxes[0].mark.priority == "medium" and tile.boxes[0].arrow.text() == ABOVE
    assert share_of(tile.boxes[0], theme.ALARM_COLOURS["medium"]) > 0.4
    assert tile.bp.mark.key == "SBP" and tile.bp.arrow.text() == ABOVE
    assert tile.bp_value.text() == "186/97" and tile.bp_value.colour() == INVERSE_TEXT
    assert "✎" in tile.bp_age.text()


def test_every_alarm_is_reachable_and_the_worst_leads(alarmed, clock):
    live, window = alarmed
    feed(live, clock, 1, {"HR": 131}, 12)  # medium
    feed(live, clock, 1, {"SpO2": 86, "HR": 131}, 20)  # then high
    person = live.room.on_seat(1)
    live.alarms.raise_technical(person.id, "CHECK_OVERDUE", "low", "BP check overdue", seat=1)
    window.grid.draw_frame()
    tile = window.grid.tiles[1]
    assert tile.alarm_text.text() == "*** SpO2 86 < 88"
    assert tile.alarm_more.text() == "+2" and tile.alarm_more.isVisible()
    for label in ("** HR 131 > 120", "* BP check overdue"):
        assert label in tile.alarm_more.toolTip() and label in tile.alarm_text.toolTip()
    menu = tile_menu(tile)
    texts = [a.text() for a in menu.actions()]
    assert {"*** SpO2 86 < 88", "** HR 131 > 120", "* BP check overdue"} <= set(texts)
    assert "Acknowledge alarms" in texts


def test_acknowledged_says_ack_stops_flashing_and_is_drawn_quieter(alarmed, clock, flash):
    live, window = alarmed
    feed(live, clock, 2, {"SpO2": 86}, 20)
    tile = window.grid.tiles[2]
    lights = set()
    for step in range(40):  # two seconds of a 2 Hz flash
        flash.t = step * 0.05
        window.grid.draw_frame()
        lights.add(tile.alarm_lit)
    assert lights == {True, False} and not tile.alarm_ack.isVisible()
    filled = share_of(tile.boxes[1], theme.ALARM_COLOURS["high"])
    assert filled > 0.4

    tile.acknowledge_requested.emit(tile.participant.id)
    borders = set()
    for step in range(40):
        flash.t = step * 0.05
        window.grid.draw_frame()
        lights.add(tile.alarm_lit)
        borders.add(tile.border_colour())
    assert tile.alarm_ack.isVisible() and tile.alarm_ack.text() == "ACK"
    assert borders == {dimmer(theme.ALARM_COLOURS["high"], 0.55)}  # steady and dimmer
    box = tile.boxes[1]
    assert box.mark.acknowledged and box.value.colour() == theme.ALARM_COLOURS["high"]
    assert 0 < share_of(box, theme.ALARM_COLOURS["high"]) < filled / 2  # outlined, not filled


def test_a_stale_value_is_grey_with_its_age(alarmed, clock):
    live, window = alarmed
    feed(live, clock, 4, {"SpO2": 97, "HR": 70}, 3)
    feed(live, clock, 4, {"HR": 70}, 40)  # the oximeter has gone quiet
    window.grid.draw_frame()
    tile = window.grid.tiles[4]
    spo2 = tile.boxes[1]
    assert spo2.value.text() == "97" and spo2.value.colour() == QColor(theme.STALE).name()
    assert spo2.name.text() == "SpO2 40 s"
    assert tile.boxes[0].name.text() == "HR /min"  # fresh: its unit, no age
