"""The circle view (pytest-qt): right speaker and time, calm-to-amber ring, controls, chime."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from groupkap.circle.circle import Circle
from ui.circle.circle_view import AMBER, CALM, CircleView

PEOPLE = [
    (f"p{i}", alias, i)
    for i, alias in enumerate(
        ["M.K.", "A.R.", "J.L.", "S.T.", "D.P.", "E.W.", "R.N.", "C.H."], start=1
    )
]


@pytest.fixture
def events():
    return []


@pytest.fixture
def circle(clock, events):
    c = Circle(
        clock,
        PEOPLE,
        total_s=3 * 8 * 180 + 240,
        opening_s=120,
        closing_s=120,
        rounds=3,
        prompts=["check-in", "insight", "intention"],
        record=lambda kind, data, pid, actor: events.append((kind, data, pid)),
    )
    c.start()
    return c


@pytest.fixture
def view(qtbot, circle):
    chimes = []
    v = CircleView(circle, lambda: chimes.append(True))
    v.chimes_played = chimes
    qtbot.addWidget(v)
    v.resize(1280, 720)
    v.show()
    return v


def test_it_shows_the_speaker_the_time_left_and_who_is_next(qtbot, view, circle, clock):
    view.refresh()
    assert view.speaker.text() == "Opening"
    clock.advance(120)  # the planned opening, so the share is exactly (total − 4 min) / 24
    qtbot.keyClick(view, Qt.Key.Key_N)  # ends the opening
    assert view.speaker.text() == "M.K."
    assert view.prompt.text() == "round 1 · check-in"
    assert view.next_up.text() == "next: A.R."
    assert view.ring.text == "3:00"
    clock.advance(60)
    view.refresh()
    assert view.ring.text == "2:00"
    assert view.ring.colour == CALM  # more than half the share left: calm
    clock.advance(110)
    view.refresh()
    assert view.ring.colour.red() > CALM.red()  # shifting toward amber, slowly
    clock.advance(10)
    view.refresh()
    assert view.ring.colour == AMBER and view.chimes_played == [True]  # one chime at 0
    clock.advance(30)
    view.refresh()
    assert view.ring.text == "+0:30" and view.speaker.text() == "M.K."  # never cut off
    assert view.chimes_played == [True]


def test_pass_pause_and_extend_from_the_keyboard(qtbot, view, circle, clock):
    qtbot.keyClick(view, Qt.Key.Key_N)
    qtbot.keyClick(view, Qt.Key.Key_P)  # M.K. passes: A.R. speaks, M.K. goes to the end
    assert view.speaker.text() == "A.R."
    assert circle.upcoming[-1].alias == "M.K."
    qtbot.keyClick(view, Qt.Key.Key_B)  # the guardian bell
    before = view.ring.text
    clock.advance(300)
    view.refresh()
    assert view.status.text() == "paused" and view.ring.text == before
    qtbot.keyClick(view, Qt.Key.Key_N)
    assert "resume first" in view.message.text()
    qtbot.keyClick(view, Qt.Key.Key_B)
    qtbot.keyClick(view, Qt.Key.Key_E)
    view.refresh()
    minutes, seconds = view.ring.text.split(":")
    assert int(minutes) * 60 + int(seconds) > 180  # +1 min on top of the share


def test_the_view_never_shows_fairness_figures(qtbot, view, circle, clock):
    qtbot.keyClick(view, Qt.Key.Key_N)
    for _ in range(8 * 3):
        clock.advance(90)
        view.refresh()
        if circle.current is None:
            break
        circle.next()
    texts = [w.text() for w in (view.prompt, view.speaker, view.status, view.next_up, view.message)]
    assert not any("gini" in t.lower() or "%" in t for t in texts)


def test_a_three_round_circle_for_eight_runs_from_the_main_window(
    qtbot, qapp, clock, settings, store, new_session
):
    from contextlib import closing

    from ui.circle.setup import circle_dialog, fairness_text
    from ui.main_window import MainWindow

    live = new_session(8)
    opened = []
    window = MainWindow(
        live,
        settings,
        simulated=True,
        db_path=str(store.path),
        open_circle=lambda c: opened.append(c) or CircleView(c),
    )
    qtbot.addWidget(window)
    dialog = circle_dialog(live, window.circle_started, window)
    qtbot.addWidget(dialog)
    dialog.fields["Total (min)"].setValue(90)
    dialog.fields["Rounds"].setValue(3)
    dialog.fields["Prompts (comma-separated, one per round)"].setText(
        "check-in, insight, intention"
    )
    dialog.try_accept()
    circle = window.circle
    assert opened == [circle] and circle.rounds == 3 and len(circle.speakers) == 8
    view = window.circle_view
    qtbot.addWidget(view)
    clock.advance(180)
    view.next()  # the opening ends
    prompts = set()
    while circle.current is not None:
        prompts.add(circle.prompt)
        clock.advance(150)
        view.next()
    clock.advance(200)
    view.refresh()
    assert circle.phase == "ended" and prompts == {"check-in", "insight", "intention"}
    assert "Gini" in fairness_text(circle, live)
    store.flush()
    with closing(store.reader()) as conn:
        kinds = [r[0] for r in conn.execute("select kind from events where kind like 'circle.%'")]
    assert kinds.count("circle.turn_ended") == 24 and kinds[-1] == "circle.ended"


def test_only_an_explicit_note_puts_text_in_the_log(qtbot, view, circle, clock, events):
    clock.advance(120)
    view.next()
    clock.advance(200)
    view.next()
    assert not any("text" in data for _, data, _ in events)
    view.add_note("tearful; check in at the break")
    [(kind, data, pid)] = [(k, d, p) for k, d, p in events if "text" in d]
    assert (kind, pid, data["text"], data["care_team_only"]) == (
        "circle.note_added",
        "p2",
        "tearful; check in at the break",
        True,
    )


def test_a_shuffled_circle_can_be_started_from_the_dialog(
    qtbot, qapp, clock, settings, store, new_session
):
    from ui.circle.setup import circle_dialog

    live = new_session(5)
    started = []
    dialog = circle_dialog(live, started.append)
    qtbot.addWidget(dialog)
    dialog.fields["Order"].setCurrentText("shuffled")
    dialog.try_accept()
    assert dialog.error.text() == "" and started and started[0].order == "shuffled"
