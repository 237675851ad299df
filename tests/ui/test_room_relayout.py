"""The room narrowed and widened again (the circle's dock opening and closing): every tile is
laid out and painted once, not once and then again tile by tile (issue 17, the soak's
longest stalls); tile text keeps its own font without a style sheet."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from groupkap.circle.circle import Circle
from ui import theme
from ui.room.text import TileText


class Deliveries(QObject):
    """Counts the resize and paint events each watched widget receives."""

    def __init__(self, widgets) -> None:
        super().__init__()
        self.resizes: Counter = Counter()
        self.paints: Counter = Counter()
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Resize:
            self.resizes[watched] += 1
        elif event.type() == QEvent.Type.Paint:
            self.paints[watched] += 1
        return False

    def clear(self) -> None:
        self.resizes.clear()
        self.paints.clear()


def _settle() -> None:
    for _ in range(5):  # layout requests, then the resizes and paints they bring
        QApplication.processEvents()


def test_the_circle_dock_lays_out_and_paints_each_tile_once(
    qtbot, qapp, clock, settings, store, new_session
):
    from ui.circle.circle_view import CircleView
    from ui.main_window import MainWindow

    theme.apply_theme(qapp)
    live = new_session(10)
    window = MainWindow(live, settings, db_path=str(store.path), open_circle=CircleView)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    qtbot.waitExposed(window)
    window.grid.draw_frame(all_plots=True)
    _settle()
    tiles = list(window.grid.tiles.values())
    plots = [p for t in tiles for p in (t.trend.widget, t.pleth.widget)]
    seen = Deliveries(tiles + plots)
    widths = {t: t.width() for t in tiles}

    people = [(p.id, p.alias, p.seat) for _, p in live.room.by_seat() if p]
    circle = Circle(clock, people, total_s=1800, record=live.record_event)
    circle.start()
    window.circle_started(circle)
    _settle()
    assert all(t.width() < widths[t] for t in tiles)  # the dock took its column
    assert all(seen.resizes[w] == 1 for w in tiles + plots), seen.resizes
    assert all(seen.paints[t] == 1 for t in tiles), seen.paints

    seen.clear()
    window.circle_dock.close_circle()
    _settle()
    assert all(t.width() == widths[t] for t in tiles)  # the room has its width back
    assert all(seen.resizes[w] == 1 for w in tiles + plots), seen.resizes
    assert all(seen.paints[t] == 1 for t in tiles), seen.paints


def test_tile_text_keeps_its_own_font_without_a_style_sheet(qtbot, qapp):
    theme.apply_theme(qapp)  # the window's style sheet sets every widget's font
    text = TileText("188", theme.px(40), bold=True)
    qtbot.addWidget(text)
    text.show()
    qtbot.waitExposed(text)
    text.set_font_size(theme.px(52), bold=True)
    theme.apply_theme(qapp)  # polished again: its font must not fall back to the sheet's
    QApplication.processEvents()
    assert text.styleSheet() == ""
    font = text.font()
    assert font.pixelSize() == theme.px(52) and font.bold()
    assert font.family() == theme.FONT_FAMILY
    assert text.height() == text.fontMetrics().height() > theme.px(52)
    assert text.fontMetrics().horizontalAdvance("188") > 3 * theme.px(52) // 2
