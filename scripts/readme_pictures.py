"""The README's pictures, taken on a real X display (Xvfb is enough), never offscreen:

- docs/room.png: ten seats 45 minutes in, with several alarms;
- docs/circle.png: eight seats during their closing circle (with one screen the display is
  docked beside the grid, the staff controls below it);
- docs/dialog.png: the discharge form over the room, two hours in.

    Xvfb :99 -screen 0 1920x1080x24 &
    DISPLAY=:99 .venv/bin/python scripts/readme_pictures.py

Look at each picture before you commit it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def pictures() -> None:
    """Build real rooms in this process (a real QApplication on the X display), run their
    heartbeats on a simulated clock, and grab the screen."""
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QEventLoop, QTimer

    from groupkap.clock import SimulatedClock
    from groupkap.demo.circle_director import DemoCircleDirector
    from groupkap.demo.plan import demo_plan
    from groupkap.demo.protocol_team import DemoProtocolDirector
    from groupkap.options import RunOptions
    from groupkap.session_start import open_live_session
    from groupkap.settings import Settings
    from groupkap.sources.simulator import Simulator
    from groupkap.store import Store
    from ui.app import open_circle_view, qt_application
    from ui.main_window import MainWindow
    from ui.protocol.dialogs import open_entry

    settings = Settings()
    app = qt_application(settings)

    def settle(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def room(tmp: str, seats: int, minutes: float, circle_for: float | None = None):
        clock = SimulatedClock(start=1_780_000_000.0, speed=0)
        store = Store.open(Path(tmp) / f"room{seats}-{minutes}.sqlite3", clock)
        live = open_live_session(
            RunOptions(seats=seats, scenario="demo", plan=demo_plan(seats)),
            store=store,
            clock=clock,
            settings=settings,
            make_source=lambda s, start: Simulator(s, start, seed=3, scenario="demo"),
        )
        director = DemoProtocolDirector(live, live.protocol, live.source.dose_time)
        director.start()
        live.directors.append(director)
        if circle_for is not None:  # a demo of `circle_for` minutes closes with a circle
            end_at = clock.now() + circle_for * 60
            live.directors.append(DemoCircleDirector(live, end_at, circle_for))
        for _ in range(int(minutes * 12)):  # 5-second heartbeats
            clock.advance(5)
            live.tick()
        window = MainWindow(
            live,
            settings,
            db_path=str(store.path),
            open_circle=lambda c: open_circle_view(c, None, ["--aout=dummy"]),
        )
        window.setGeometry(app.primaryScreen().availableGeometry())
        window.show()
        if live.circle is not None:
            window.circle_started(live.circle)
        settle(800)
        window.grid.draw_frame(all_plots=True)
        return live, window, store

    with tempfile.TemporaryDirectory() as tmp:
        live, window, store = room(tmp, 10, 45)
        settle(300)
        app.primaryScreen().grabWindow(0).save(str(DOCS / "room.png"))
        window.close()
        store.close()

        live, window, store = room(tmp, 8, 78, circle_for=90)
        window.circle_view.refresh()
        settle(300)
        app.primaryScreen().grabWindow(0).save(str(DOCS / "circle.png"))
        window.close()
        store.close()

        live, window, store = room(tmp, 6, 125)
        dialog = open_entry(live, live.room.on_seat(2).id, "discharge", None, window)
        dialog.open()
        settle(800)
        app.primaryScreen().grabWindow(0).save(str(DOCS / "dialog.png"))
        dialog.reject()
        window.close()
        store.close()


def main() -> int:
    if not os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        print("readme_pictures: needs a real X display (Xvfb :99 &, DISPLAY=:99)", file=sys.stderr)
        return 2
    pictures()
    for name in ("room.png", "circle.png", "dialog.png"):
        print(DOCS / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
