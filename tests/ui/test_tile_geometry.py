"""The room grid never reflows: 3, 6, 8 and 10 seats at 1920×1080, every tile in its worst
state at once, with both banners and the alarm bar showing. All tiles stay the same size,
nothing a tile holds leaves it, every number is drawn whole and no text is under 18 px."""

from __future__ import annotations

from importlib import resources

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QToolButton, QWidget

from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import HIGH, MEDIUM, default_limits, parse_limits
from groupkap.protocol.readout import ProtocolReadout
from groupkap.readings import Reading
from ui import theme
from ui.room.text import TileText

DEFAULTS = resources.files("groupkap.alarms").joinpath("default_limits.toml").read_text("utf-8")
OFF = DEFAULTS.replace("[RR]\n", '[RR]\noff = true\nreason = "capnography line off"\n', 1).replace(
    "[DBP]\n", '[DBP]\noff = true\nreason = "cuff on the wrong arm"\n', 1
)
LONG_ALIAS = "Alexandra-Maria Q. Smyth"  # 24 characters, the most an alias may have
LONG_NAME = "Dr Alexandra Featherstonehaugh-Smythe"
LONGEST_ALARM = "SpO2 79 < 88 (hand) — probe re-sited twice, confirm with a second oximeter"
WORST_PROTOCOL = ProtocolReadout(
    header="IM +118 min · ready for discharge",
    next_due="⚑ PHQ-9 item 9 positive · BP (discharge) due 12 min ago",
    overdue=True,
    observed=0.98,
    scores="MOAA/S 3 · 1 h 05 min ago   CADSS 13 · 1 h 05 min ago",
)
WORST_MUSIC = "♪ A Very Long Piece Title Indeed · return · ducked · ⚠ output device lost"


def put_in_worst_state(live, clock, window) -> None:
    """Every participant at once: a 24-character alias, a three-digit HR alarming high, a
    stale SpO2, the longest `***` alarm with two more behind it, the widest BP (or two BPs by
    hand from a long name), a hand temperature, alarms OFF, a paused sound, long protocol,
    score and music lines."""
    limits_off = parse_limits(OFF, "limits with RR and DBP off")
    now = clock.now()
    for seat, person in live.room.by_seat():
        pid, n = person.id, seat.number
        live.rename_participant(pid, LONG_ALIAS)
        live.alarms.clinical_condition(pid, "SpO2", HIGH, LONGEST_ALARM, 79, "< 88", seat=n)
        clock.advance(0.01)  # the oldest high alarm leads
        vitals = live.vitals[pid]
        vitals.add_reading(Reading(n, "SpO2", now - 45, 100, "test"))  # stale: 45 s old
        for param, value in (("HR", 188), ("RR", 38)):
            vitals.add_reading(Reading(n, param, now, value, "test"))
        if n % 2:
            for param, value in (("SBP", 220), ("DBP", 140), ("MAP", 170)):
                vitals.add_reading(Reading(n, param, now, value, "test"))
        else:
            live.enter_reading(pid, {"SBP": 218, "DBP": 139}, LONG_NAME, t=now - 120)
            live.enter_reading(pid, {"SBP": 220, "DBP": 140, "TEMP": 38.9}, LONG_NAME)
        live.alarms.set_limits(limits_off, "dr.lee", pid)
        live.alarms.clinical_condition(pid, "HR", HIGH, "HR 188 > 140", 188, "> 140", seat=n)
        live.alarms.raise_technical(pid, "CHECK_OVERDUE", MEDIUM, "BP check overdue", seat=n)
        live.alarms.pause_audio("rn.kim", pid)
        tile = window.grid.tiles[n]
        tile.show_music(WORST_MUSIC)
        tile.show_protocol(WORST_PROTOCOL)
    window.grid.draw_frame(all_plots=True)
    QApplication.processEvents()


@pytest.fixture
def worst_room(qtbot, qapp, clock, settings, store, new_session):
    """Make a main window of N seats at 1920×1080 with both banners: worst_room(10)."""
    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    apply_theme(qapp)

    def make(seats: int, width: int = 1920):
        live = new_session(seats)
        live.watch_with(AlarmEngine(clock, default_limits(), live.record_event))
        window = MainWindow(live, settings, db_path=str(store.path))
        qtbot.addWidget(window)
        window.show_sound_failure("the alarm sound goes to libVLC's dummy output")
        window.show_log_failure("disk full: /var/lib/groupkap (28 events waiting)")
        window.resize(width, 1080)
        window.show()
        qtbot.waitExposed(window)
        window.grid.draw_frame(all_plots=True)
        QApplication.processEvents()
        return live, window

    return make


def _inside(tile, widget: QWidget) -> bool:
    top_left = widget.mapTo(tile, QPoint(0, 0))
    return tile.rect().contains(QRect(top_left, widget.size()))


def _problems(tile) -> list[str]:
    problems = []
    for widget in tile.findChildren(QWidget):
        if not widget.isVisibleTo(tile) or widget.isWindow():
            continue
        name = type(widget).__name__ + (f" {widget.text()!r}" if hasattr(widget, "text") else "")
        if not _inside(tile, widget):
            problems.append(f"{name} at {widget.mapTo(tile, QPoint(0, 0))} {widget.size()}")
        elif not widget.parentWidget().rect().contains(widget.geometry()):
            problems.append(f"{name} spills out of its {type(widget.parentWidget()).__name__}")
        if isinstance(widget, TileText) and widget.font_size() < theme.px(theme.MIN_READABLE_PX):
            problems.append(f"{name} is {widget.font_size()} px")
        if isinstance(widget, QToolButton) and widget.font().pixelSize() < theme.px(18):
            problems.append(f"{name} button text is {widget.font().pixelSize()} px")
    for box in (*tile.boxes, tile.bp):
        if not box.value_fits():
            problems.append(f"{box.value.text()!r} does not fit {box.value.size()}")
    hr, spo2 = tile.boxes[0], tile.boxes[1]
    hr_ink = hr.value.mapTo(tile, QPoint(0, 0)).x() + hr.value.fontMetrics().horizontalAdvance(
        hr.value.text()
    )
    if hr_ink >= spo2.value.mapTo(tile, QPoint(0, 0)).x() - theme.px(8):
        problems.append("a three-digit HR runs into SpO2")
    if tile.ring.text_font().pixelSize() < theme.px(18):
        problems.append("the observation ring's text is under 18 px")
    return problems


@pytest.mark.parametrize(
    ("seats", "width"),
    # 1500 px: what is left beside the circle's column when it has no screen of its own.
    [(3, 1920), (6, 1920), (8, 1920), (10, 1920), (10, 1500)],
)
def test_every_tile_in_its_worst_state_fits_and_nothing_moves(worst_room, clock, seats, width):
    live, window = worst_room(seats, width)
    grid = window.grid
    before = {n: t.geometry() for n, t in grid.tiles.items()}
    put_in_worst_state(live, clock, window)

    bars = (window.scroll.verticalScrollBar(), window.scroll.horizontalScrollBar())
    assert not any(bar.isVisible() for bar in bars)
    # Nothing reflowed: each tile is its seat's cell of the grid, whatever it shows (the
    # window's status line may take a pixel or two from the grid's height, never a width).
    cell = grid.tile_size()
    for n, tile in grid.tiles.items():
        x = grid.margin + tile.seat.col * (cell.width() + grid.spacing)
        y = grid.margin + tile.seat.row * (cell.height() + grid.spacing)
        assert tile.geometry() == QRect(x, y, cell.width(), cell.height())
        assert tile.geometry().left() == before[n].left() and tile.width() == before[n].width()
    sizes = {t.size().toTuple() for t in grid.tiles.values()}
    assert len(sizes) == 1, sizes
    viewport = window.scroll.viewport().rect()
    for n, tile in grid.tiles.items():
        assert viewport.contains(
            QRect(tile.mapTo(window.scroll.viewport(), QPoint(0, 0)), tile.size())
        )
        assert tile.alarm.text == LONGEST_ALARM and tile.alarms_view.more in ("+2", "+3")
        assert tile.alarms_off.isVisible() and tile.boxes[0].value.text() == "188"
        assert _problems(tile) == [], f"seat {n}: {_problems(tile)}"


def test_at_ten_seats_the_numbers_stay_large_and_the_plots_keep_room(worst_room, clock):
    live, window = worst_room(10)
    put_in_worst_state(live, clock, window)
    for tile in window.grid.tiles.values():
        assert tile.boxes[0].value.font_size() >= theme.px(36)
        assert tile.trend.widget.isVisible() and tile.trend.widget.height() >= theme.px(50)


def test_long_texts_elide_with_the_whole_text_in_the_tooltip(worst_room, clock):
    live, window = worst_room(10)
    put_in_worst_state(live, clock, window)
    tile = window.grid.tiles[1]
    assert tile.title.text() == f"1 · {LONG_ALIAS}"
    assert tile.title.is_elided() and tile.title.shown_text().endswith("…")
    assert tile.title.text() in tile.title.toolTip()
    assert tile.alarm_text.text() == f"*** {LONGEST_ALARM}"
    assert tile.alarm_text.is_elided() and LONGEST_ALARM in tile.alarm_text.toolTip()
    assert not tile.alarm_more.is_elided() and tile.alarm_more.shown_text() == "+2"


def test_at_its_minimum_size_a_tile_still_has_its_plots(qtbot):
    from groupkap.room.model import Participant, Seat
    from groupkap.settings import Settings
    from ui.room.tile import SeatTile

    tile = SeatTile(Seat(1, 0, 0), Settings())
    qtbot.addWidget(tile)
    tile.bind(Participant(LONG_ALIAS, 1))
    tile.show_alarms_off({"RR": "line off"})  # the worst case: every row shown
    tile.resize(tile.minimumSize())
    tile.show()
    qtbot.waitExposed(tile)
    QApplication.processEvents()  # the layout pass after the numbers were sized
    assert tile.trend.widget.isVisible() and tile.trend.widget.height() >= theme.px(50)
    assert _problems(tile) == []
