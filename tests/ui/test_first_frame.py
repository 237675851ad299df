"""Start-up work the first frame does not need runs once the room is painted (issue 17), once
only, and still runs for a window that is never painted; the benchmark's marker is printed
only when asked for."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel

from ui import first_frame
from ui.first_frame import MARK, after_first_frame, mark_first_frame


def test_the_work_runs_after_the_first_paint_and_once(qtbot):
    label = QLabel("room")
    qtbot.addWidget(label)
    ran: list[bool] = []
    after_first_frame(label, lambda: ran.append(label.isVisible()), fallback_ms=60_000)
    assert ran == []  # nothing before the window is painted
    label.show()
    qtbot.waitUntil(lambda: ran == [True], timeout=5_000)
    label.repaint()  # a later paint does not run it again
    QApplication.sendPostedEvents()
    assert ran == [True]


def test_a_window_never_painted_still_gets_its_work(qtbot):
    hidden = QLabel("never shown")
    qtbot.addWidget(hidden)
    ran: list[str] = []
    after_first_frame(hidden, lambda: ran.append("done"), fallback_ms=10)
    qtbot.waitUntil(lambda: ran == ["done"], timeout=5_000)


def test_the_marker_is_printed_only_when_asked(qtbot, monkeypatch, capsys):
    monkeypatch.delenv(first_frame.ENV, raising=False)
    quiet = QLabel("room")
    qtbot.addWidget(quiet)
    mark_first_frame(quiet)
    assert quiet.findChildren(first_frame._FirstPaint) == []

    monkeypatch.setenv(first_frame.ENV, "1")
    marked = QLabel("room")
    qtbot.addWidget(marked)
    mark_first_frame(marked)
    marked.show()
    qtbot.waitUntil(lambda: MARK in capsys.readouterr().out, timeout=5_000)
