"""A resumed session's tiles show what the log holds (issue 12, item 7): the last BP with who
took it, a trend curve, and the alarm that was shown at the crash, not `BP --/--` and empty
plots. A real session on the simulator and a SQLite file, "killed" and resumed."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from importlib import resources

import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QWidget

from groupkap.options import RunOptions
from groupkap.session_start import open_live_session
from groupkap.sources.simulator import Simulator
from groupkap.store import Store

MIN = 60.0


@pytest.fixture
def limits(tmp_path, monkeypatch):
    """The built-in limits as the clinic's file (nothing from this machine's config)."""
    path = tmp_path / "alarm_limits.toml"
    path.write_text(
        resources.files("groupkap.alarms").joinpath("default_limits.toml").read_text("utf-8"),
        encoding="utf-8",
    )
    monkeypatch.setenv("GROUPKAP_ALARM_LIMITS", str(path))


def open_room(store, clock, settings, **options):
    return open_live_session(
        RunOptions(seats=3, plan={1: "M.K.", 2: "A.R.", 3: "J.L."}, **options),
        store=store,
        clock=clock,
        settings=settings,
        make_source=lambda seats, start: Simulator(
            seats, start, seed=7, scenario="calm", nibp_interval_s=settings.nibp_interval_s
        ),
    )


@pytest.fixture
def resumed(tmp_path, clock, settings, limits):
    """A 25-minute session on a fresh file, killed after a hand BP and a hand SpO2 alarm on
    seat 1, then resumed (nothing after the resume has run yet)."""
    db = tmp_path / "resume.sqlite3"
    store = Store.open(db, clock)
    live = open_room(store, clock, settings)
    pid = live.room.on_seat(1).id
    for _ in range(int(25 * MIN / 5)):
        clock.advance(5)
        live.tick()
    live.enter_reading(pid, {"SBP": 142, "DBP": 91, "SpO2": 86}, "RN Kim")
    store.close()
    with closing(sqlite3.connect(db)) as conn, conn:  # the process dies
        conn.execute("update sessions set pid = ? where id = ?", (2**22 + 99, live.id))
    clock.advance(3 * MIN)  # the room is down a few minutes
    again = Store.open(db, clock)
    back = open_room(again, clock, settings, resume=live.id)
    yield back, pid, again
    again.close()


def trend_points(tile) -> int:
    """How many points the tile's trend curves hold (every plot of the tile but the pleth)."""
    pleth = tile.pleth.widget
    return sum(
        len(item.getData()[0] if item.getData()[0] is not None else ())
        for plot in tile.findChildren(pg.GraphicsView)
        if plot is not pleth
        for item in plot.getPlotItem().listDataItems()
    )


def tile_texts(tile) -> list[str]:
    """Every text the tile shows now (labels and the tile's own text lines)."""
    return [
        w.text()
        for w in tile.findChildren(QWidget)
        if callable(getattr(w, "text", None)) and w.isVisible()
    ]


def test_the_resumed_tile_shows_its_last_bp_trend_and_alarm(qtbot, qapp, resumed, settings):
    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    live, pid, store = resumed
    apply_theme(qapp)
    window = MainWindow(live, settings, db_path=str(store.path))
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    tile = window.grid.tiles[1]
    window.grid.draw_frame(all_plots=True)
    texts = tile_texts(tile)
    assert any(re.fullmatch(r"142/91( \(\d+\))?", t) for t in texts), texts
    assert any("RN Kim" in t and "3 min ago" in t for t in texts), texts  # who, and when
    assert trend_points(tile) > 25 * 60 * 0.9  # HR, SpO2 and SBP of the 25 minutes
    assert live.alarms.top_for(pid).text == "SpO2 86 < 88 (hand)"
    assert any("SpO2 86 < 88" in t for t in texts), texts
    # The other seats come back with their trends too.
    assert all(trend_points(window.grid.tiles[s]) > 0 for s in (2, 3))
