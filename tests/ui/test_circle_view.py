"""The circle view (pytest-qt): right speaker and time, calm-to-amber ring, chime; the
facilitators' controls apart from what participants see; the circle keys from the main window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QPlainTextEdit

from groupkap.circle.circle import Circle
from ui.circle.circle_view import AMBER, CALM, CircleView
from ui.dialogs import CommandDialog

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
    v.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is v)
    v.setFocus()  # the display's own keys work while it has the focus
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
    assert "resume first" in view.controls.message.text()
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
    texts = [label.text() for label in view.findChildren(QLabel)]
    assert texts and not any("gini" in t.lower() or "%" in t for t in texts)


def test_buttons_refusals_and_notes_stay_on_the_staff_side(qtbot, view, circle, clock):
    controls = view.controls
    qtbot.addWidget(controls)
    assert not view.isAncestorOf(controls)
    assert view.findChildren(QAbstractButton) == [] and view.findChildren(QPlainTextEdit) == []
    view.pass_turn()  # refused: the opening has not ended
    refusal = controls.message.text()
    assert "opening" in refusal
    assert not any(refusal in label.text() for label in view.findChildren(QLabel))
    view.next()
    assert controls.message.text() == ""  # the next command went through
    note = controls.note_dialog()
    qtbot.addWidget(note)
    assert note.parent() is controls  # on the facilitators' screen, not the display's
    note.try_accept()
    assert "needs some text" in note.error.text()


def test_the_staff_summary_says_where_the_circle_is(qtbot, view, circle, clock):
    summary = view.controls.summary
    view.refresh()
    assert summary.text() == "Opening · 2:00 left"
    clock.advance(120)
    view.next()
    assert summary.text() == ("round 1 of 3 · check-in · 24 turns to go\nM.K. · 3:00 · next A.R.")
    view.toggle_pause()
    assert "PAUSED" in summary.text()
    assert view.controls.pause_button.text() == "Resume (Shift+B)"


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
    assert window.isAncestorOf(view)  # one screen: beside the room, inside its window
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


@pytest.fixture
def circle_room(qtbot, qapp, clock, settings, store, new_session):
    """(live, window, circle): 4 seats with a protocol, a running circle, the window active."""
    from groupkap.protocol.group import Protocol
    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    apply_theme(qapp)
    live = new_session(4)
    live.follow_protocol(Protocol(clock, live.record_event))
    window = MainWindow(live, settings, db_path=str(store.path), open_circle=CircleView)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    people = [(p.id, p.alias, p.seat) for _, p in live.room.by_seat() if p]
    circle = Circle(clock, people, total_s=1800, opening_s=60, record=live.record_event)
    circle.start()
    window.circle_started(circle)
    return live, window, circle


def _key(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)


def test_the_circle_keys_work_from_the_main_window_beside_the_seat_keys(qtbot, circle_room, clock):
    live, window, circle = circle_room
    shift = Qt.KeyboardModifier.ShiftModifier
    _key(qtbot, window, Qt.Key.Key_2)  # a seat has the focus: N would be its note
    _key(qtbot, window, Qt.Key.Key_N, shift)
    assert circle.phase == "turns" and circle.current.alias == live.room.on_seat(1).alias
    assert [d for d in window.findChildren(CommandDialog) if d.isVisible()] == []
    _key(qtbot, window, Qt.Key.Key_P, shift)
    assert circle.upcoming[-1].alias == live.room.on_seat(1).alias  # passed, speaks last
    share = circle.remaining_s
    _key(qtbot, window, Qt.Key.Key_E, shift)
    assert circle.remaining_s == pytest.approx(share + 60)
    _key(qtbot, window, Qt.Key.Key_B, shift)
    assert circle.paused
    _key(qtbot, window, Qt.Key.Key_B, shift)
    assert not circle.paused
    _key(qtbot, window, Qt.Key.Key_N)  # plain N on the focused seat: its note, not the circle
    [note] = [d for d in window.findChildren(CommandDialog) if d.isVisible()]
    assert note.windowTitle() == f"Note · {live.room.on_seat(2).alias}"
    assert circle.current.alias == live.room.on_seat(2).alias


def test_a_new_circle_replaces_the_old_one_and_an_ended_one_can_be_closed(
    qtbot, circle_room, clock
):
    live, window, first = circle_room
    old_view = window.circle_view
    people = [(p.id, p.alias, p.seat) for _, p in live.room.by_seat() if p]
    second = Circle(clock, people, total_s=600, record=live.record_event)
    second.start()
    window.seat_keys.focus_seat(2)
    window.circle_started(second)
    # A circle starting (the demo's director starts one) leaves the keyboard where it was.
    assert window.seat_keys.focused_seat() is window.grid.tiles[2]
    view = window.circle_view
    assert view is not old_view and not old_view.timer.isActive()
    assert window.isAncestorOf(view.controls) and not window.isAncestorOf(old_view.controls)
    second.begin_turns()
    while second.current is not None:
        second.next()
    clock.advance(600)
    view.refresh()  # what RoomRun.finish calls: the circle's last cues and its end
    assert second.phase == "ended" and view.speaker.text() == "Thank you"
    assert view.controls.close_button.isVisible()
    view.controls.close_button.click()
    assert window.circle_dock.isHidden() and not view.isVisible()


def test_an_ended_circle_gives_the_room_its_width_back_after_a_minute(qtbot, circle_room, clock):
    live, window, circle = circle_room
    view = window.circle_view
    circle.begin_turns()
    while circle.current is not None:
        circle.next()
    clock.advance(600)
    view.refresh()
    assert circle.phase == "ended" and window.circle_dock.isVisible()
    clock.advance(view.THANK_YOU_S - 1)
    view.refresh()
    assert window.circle_dock.isVisible()  # "Thank you" stays its minute
    clock.advance(1)
    view.refresh()
    assert window.circle_dock.isHidden() and not view.timer.isActive()
