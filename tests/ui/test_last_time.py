"""The preparation's "last time" (issue 16): the last session's date and feedback in words,
the team's changes, and the proposals each with Accept, which records `plan.adjusted` (source
proposal); a dose note is for the prescriber and never applied."""

from __future__ import annotations

from datetime import datetime

import pytest

from groupkap.course import Adjustment, Feedback
from tests.ui import staffed_room
from tests.ui.course_steps import course_log, logged, past_session, register, room
from ui import theme
from ui.course.last_time import FIRST_SESSION, LastTimePanel
from ui.course.plan_words import DOSE_NOTE_LABEL, adjustment_line, feedback_lines

SAID = Feedback(
    liking=2,
    openness=7,
    music_distracting=True,
    avoid_pieces=("Open Water",),
    anxiety=("peak",),
    physical=("nausea",),
    helped="the blanket",
    free_text="spoke about her father",
)


def test_feedback_in_words_leaves_the_care_team_s_free_text_out():
    assert feedback_lines(SAID) == [
        "Music: liking 2 of 10 · resonance not answered · openness 7 of 10",
        "The music was distracting",
        "Pieces to avoid: Open Water",
        "Anxious at: peak",
        "Physical effects: nausea",
        "What helped: the blanket",
        "Filled in with the facilitator",
    ]
    quiet = feedback_lines(Feedback(filled_by="participant"))
    assert quiet[1:] == [
        "No moment of anxiety",
        "No physical effects",
        "Filled in by the participant",
    ]


def test_a_dose_note_is_labelled_for_the_prescriber_and_not_applied():
    line = adjustment_line(Adjustment("dose_note", "dose note for the prescriber: nausea"))
    assert line == "Dose note — for the prescriber — not applied: nausea"
    team = adjustment_line(Adjustment("dose_note", "ask about 20 mg less"))
    assert team == "Dose note — for the prescriber — not applied: ask about 20 mg less"
    assert adjustment_line(Adjustment("comfort", "eye mask")) == "Eye mask"


@pytest.fixture
def prepared(qapp, qtbot, store, clock, settings):
    """(panel, person, last session id): J.D. came once, said SAID, and is being seated for
    their next session now."""
    theme.apply_theme(qapp)
    person = register(store, clock, "J.D.", 1979)
    first_day = datetime.fromtimestamp(clock.now()).strftime("%a %Y-%m-%d")
    last_id, _ = past_session(store, clock, settings, person, SAID)
    live = room(store, clock, settings)
    live.add_participant("J.D.", 1, person_id=person.id)
    panel = LastTimePanel.for_person(store, clock, person, settings=settings)
    qtbot.addWidget(panel)
    panel.first_day = first_day
    return panel, person, last_id


def _texts(labels) -> list[str]:
    return [label.text() for label in labels]


def test_the_panel_shows_last_time_and_proposes_from_it(prepared):
    panel, _, _ = prepared
    assert panel.windowTitle() == "Last time · J.D."
    assert panel.last_session.text() == f"Last session: {panel.first_day}"
    assert _texts(panel.feedback) == feedback_lines(SAID)
    assert panel.changes == []
    assert list(panel.proposals) == [
        "silence",
        "avoid_pieces",
        "grounding",
        "premedicate",
        "dose_note",
    ]
    silence, _ = panel.proposals["silence"]
    assert silence.text() == (
        "Silence next time: the music was distracting; they liked the music 2 of 10"
    )
    note, accept_note = panel.proposals["dose_note"]
    assert note.text().startswith(DOSE_NOTE_LABEL + ": nausea last session")
    assert "no dose is changed" in accept_note.toolTip()


def test_accepting_records_the_plan_from_the_proposal_and_moves_it_to_the_changes(
    qtbot, prepared, store
):
    panel, person, last_id = prepared
    with qtbot.waitSignal(panel.plan_adjusted) as adjusted:
        panel.proposals["silence"][1].click()
    (event,) = course_log(store, "plan.adjusted")
    assert adjusted.args == [event.seq]
    assert event.data == {
        "person_id": person.id,
        "after_session": last_id,
        "adjustments": [
            {
                "kind": "silence",
                "text": "silence next time: the music was distracting; "
                "they liked the music 2 of 10",
                "pieces": [],
            }
        ],
        "source": "proposal",
    }
    assert "silence" not in panel.proposals
    assert _texts(panel.changes) == [
        "✓ Silence next time: the music was distracting; they liked the music 2 of 10"
    ]
    panel.proposals["avoid_pieces"][1].click()
    assert course_log(store, "plan.adjusted")[-1].data["adjustments"][0]["pieces"] == ["Open Water"]


def test_accepting_the_dose_note_changes_no_dose(qtbot, prepared, store):
    panel, _, last_id = prepared
    panel.proposals["dose_note"][1].click()
    (event,) = course_log(store, "plan.adjusted")
    assert [a["kind"] for a in event.data["adjustments"]] == ["dose_note"]
    assert _texts(panel.changes)[0].startswith(f"✓ {DOSE_NOTE_LABEL}: ")
    assert len(logged(store, last_id, "dose.given")) == 1  # only the dose given that day


def test_a_role_that_may_not_adjust_the_plan_is_refused_in_the_panel(
    qtbot, prepared, store, clock, settings
):
    panel, _, _ = prepared
    accounts = staffed_room.staff_accounts(store, clock, settings.security, None)
    panel.account = accounts.sign_in("QA Ray", staffed_room.PINS["QA Ray"])
    assert panel.accept_proposal(panel.shown.plan.proposals[0]) is None
    assert "may not" in panel.error.text()
    assert course_log(store, "plan.adjusted") == []
    assert "silence" in panel.proposals


def test_someone_s_first_session_says_there_is_nothing_from_last_time(
    qapp, qtbot, store, clock, settings
):
    theme.apply_theme(qapp)
    person = register(store, clock, "N.B.", 1990)
    panel = LastTimePanel.for_person(store, clock, person, settings=settings)
    qtbot.addWidget(panel)
    assert panel.last_session.text() == FIRST_SESSION
    assert panel.proposals == {} and panel.feedback == []


def test_screenshot(qtbot, prepared):
    """For a person to look at: /tmp/k4_last_time.png (one change accepted)."""
    panel, _, _ = prepared
    panel.proposals["silence"][1].click()
    panel.show()
    qtbot.waitExposed(panel)
    # Everything fits: the scroll bar (shown while the lines were first wrapped) goes.
    qtbot.waitUntil(lambda: not panel.scroll.verticalScrollBar().isVisible())
    assert len(panel.changes) == 1
    assert panel.grab().save("/tmp/k4_last_time.png")


def test_the_team_adds_a_change_of_its_own_and_an_empty_one_is_refused(qtbot, prepared, store):
    panel, person, last_id = prepared
    panel.team_kind.setCurrentIndex(panel.team_kind.findData("comfort"))
    panel.team_text.setText("a weighted blanket")
    with qtbot.waitSignal(panel.plan_adjusted):
        panel.team_add.click()
    (event,) = course_log(store, "plan.adjusted")
    assert event.data == {
        "person_id": person.id,
        "after_session": last_id,
        "adjustments": [{"kind": "comfort", "text": "Comfort: a weighted blanket", "pieces": []}],
        "source": "team",
    }
    assert "✓ Comfort: a weighted blanket" in _texts(panel.changes)
    panel.team_text.setText("   ")
    assert panel.add_team_change() is None
    assert "say what the change is" in panel.error.text()
    assert len(course_log(store, "plan.adjusted")) == 1
