"""The post-session feedback form (issue 16): offered from a dosed participant's tile, filled
with the pieces their seat heard, recorded through the core as `feedback.recorded`; every
refusal is the core's sentence in the form, and nothing is written."""

from __future__ import annotations

import pytest

from groupkap.course import ANXIETY_MOMENTS, PHYSICAL_EFFECTS
from groupkap.errors import BadInputError
from tests.ui import staffed_room
from tests.ui.course_steps import PIECES, dose, logged, play, register, room
from ui import theme
from ui.course import feedback_form as form
from ui.dialogs import CommandDialog
from ui.main_window import MainWindow
from ui.room.tile_menus import FEEDBACK, tile_menu


@pytest.fixture
def seated(qtbot, qapp, store, clock, settings):
    """(live, window, pid): J.D. (a registered person) on seat 1 of a 4-seat room, in the
    main window; not dosed yet."""
    theme.apply_theme(qapp)
    live = room(store, clock, settings)
    person = register(store, clock, "J.D.", 1979)
    pid = live.add_participant("J.D.", 1, person_id=person.id).id
    window = MainWindow(live, settings, db_path=str(store.path))
    qtbot.addWidget(window)
    return live, window, pid


def _menu_texts(window) -> list[str]:
    window.grid.draw_frame()
    return [a.text() for a in tile_menu(window.grid.tiles[1]).actions()]


def _open(live, window, pid):
    return form.feedback_for(live, pid, window)


def _forms(window) -> list[CommandDialog]:
    return [d for d in window.findChildren(CommandDialog) if d.windowTitle().startswith("Feedback")]


def test_the_tile_offers_feedback_once_dosed_and_the_window_opens_the_form(qtbot, seated):
    live, window, pid = seated
    assert "Feedback…" not in _menu_texts(window)
    with pytest.raises(BadInputError, match="J.D. has not been dosed in this session"):
        _open(live, window, pid)
    window.grid.tiles[1].protocol_requested.emit(pid, FEEDBACK, None)  # as a key would
    assert "J.D. has not been dosed in this session" in window.statusBar().currentMessage()
    assert _forms(window) == []
    dose(live, pid)
    assert "Feedback…" in _menu_texts(window)
    next(a for a in tile_menu(window.grid.tiles[1]).actions() if a.text() == "Feedback…").trigger()
    (opened,) = _forms(window)
    qtbot.waitUntil(opened.isVisible)
    assert opened.windowTitle() == "Feedback after the session · J.D."


def test_the_form_records_what_was_said_with_the_pieces_that_seat_heard(qtbot, seated, store):
    live, window, pid = seated
    dose(live, pid)
    play(live, pid, [*PIECES, PIECES[0]])  # a piece played twice is listed once
    dialog = _open(live, window, pid)
    qtbot.addWidget(dialog)
    f = dialog.fields
    avoid = f[form.AVOID]
    assert list(avoid.boxes) == list(PIECES)
    assert list(f[form.ANXIETY].boxes) == list(ANXIETY_MOMENTS)
    assert list(f[form.PHYSICAL].boxes) == list(PHYSICAL_EFFECTS)
    assert f[form.SCORE_LABELS["liking"]].text() == "not answered"
    f[form.SCORE_LABELS["liking"]].setValue(2)
    assert f[form.SCORE_LABELS["liking"]].text() == "2"  # the number is shown
    f[form.SCORE_LABELS["openness"]].setValue(8)
    f[form.DISTRACTING].setChecked(True)
    avoid.boxes["Open Water"].setChecked(True)
    f[form.ANXIETY].boxes["peak"].setChecked(True)
    f[form.PHYSICAL].boxes["nausea"].setChecked(True)
    f[form.HELPED].setText("the blanket")
    f[form.FREE_TEXT].setPlainText("spoke about her father")
    f[form.FILLED].setCurrentText("participant")
    dialog.try_accept()
    assert dialog.error.text() == "" and dialog.recorded is not None
    (event,) = logged(store, live.id, "feedback.recorded")
    assert event.seq == dialog.recorded and event.participant_id == pid
    assert event.data == {
        "person_id": live.room.participants[pid].person_id,
        "liking": 2,
        "resonance": None,
        "openness": 8,
        "music_distracting": True,
        "silence_preferred": False,
        "avoid_pieces": ["Open Water"],
        "anxiety": ["peak"],
        "physical": ["nausea"],
        "helped": "the blanket",
        "free_text": "spoke about her father",
        "filled_by": "participant",
        "corrects": None,
    }


def test_opened_again_it_starts_from_the_feedback_that_counts_and_corrects_it(qtbot, seated, store):
    live, window, pid = seated
    dose(live, pid)
    first = _open(live, window, pid)
    qtbot.addWidget(first)
    assert first.fields[form.AVOID].text() == form.NO_PIECES  # no music at that seat
    first.fields[form.SCORE_LABELS["liking"]].setValue(3)
    first.fields[form.SILENCE].setChecked(True)
    first.try_accept()
    again = _open(live, window, pid)
    qtbot.addWidget(again)
    assert again.fields[form.SCORE_LABELS["liking"]].score() == 3
    assert again.fields[form.SILENCE].isChecked() and "Correcting" in again.fields
    again.fields[form.SCORE_LABELS["liking"]].setValue(5)
    again.try_accept()
    events = logged(store, live.id, "feedback.recorded")
    assert [e.data["liking"] for e in events] == [3, 5]
    assert events[1].data["corrects"] == events[0].seq


def test_someone_not_linked_to_a_person_is_told_at_once_and_nothing_is_written(
    qtbot, seated, store
):
    live, window, _ = seated
    pid = live.add_participant("X.Y.", 2).id  # seated without a person record
    dose(live, pid)
    dialog = _open(live, window, pid)
    qtbot.addWidget(dialog)
    assert "X.Y. is not linked to a person: link them first" in dialog.error.text()
    dialog.fields[form.SCORE_LABELS["liking"]].setValue(7)
    dialog.try_accept()
    assert "link them first" in dialog.error.text()
    assert logged(store, live.id, "feedback.recorded") == []


def test_feedback_for_a_session_they_did_not_attend_is_refused(qtbot, seated, store, clock):
    live, window, pid = seated
    other = room(store, clock, live.settings)
    dialog = form.feedback_dialog(store, clock, other.id, pid, "J.D.", pieces=[], parent=window)
    qtbot.addWidget(dialog)
    dialog.try_accept()
    assert f"did not attend session {other.id}" in dialog.error.text()
    assert logged(store, other.id, "feedback.recorded") == []
    assert logged(store, live.id, "feedback.recorded") == []


def test_a_role_that_may_not_record_feedback_sees_the_core_s_refusal(
    qtbot, seated, store, clock, settings
):
    live, window, pid = seated
    dose(live, pid)
    accounts = staffed_room.staff_accounts(store, clock, settings.security, live.id)
    live.account = accounts.sign_in("QA Ray", staffed_room.PINS["QA Ray"])
    dialog = _open(live, window, pid)
    qtbot.addWidget(dialog)
    said = dialog.error.text()
    assert "QA" in said and "may not record a participant's feedback" in said  # said at once
    assert logged(store, live.id, "action.refused") == []
    dialog.try_accept()
    assert dialog.error.text() == said
    assert logged(store, live.id, "feedback.recorded") == []
    (refused,) = logged(store, live.id, "action.refused")
    assert refused.data["action"] == "feedback.record"


def test_screenshot(qtbot, seated, tmp_path):
    """For a person to look at: /tmp/k4_feedback.png."""
    live, window, pid = seated
    dose(live, pid)
    play(live, pid)
    dialog = _open(live, window, pid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.grab().save("/tmp/k4_feedback.png")
