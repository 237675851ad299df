"""Post-session feedback: every value checked at its limits (0 and 10 taken, −1 and 11
refused), recorded in the session's log against the participant who attended, refused with
nothing written for a session they did not attend, an unknown session, an unlinked
participant or a bad correction; the latest (a correction) counts. Real SQLite, simulated
clock."""

from __future__ import annotations

from contextlib import closing

import pytest

from groupkap.accounts import Forbidden
from groupkap.course import (
    ANXIETY_MOMENTS,
    PHYSICAL_EFFECTS,
    Feedback,
    People,
    check_feedback,
    latest_feedback,
    record_feedback,
)
from groupkap.errors import BadInputError
from tests.core.people_helpers import KIM, QA, all_events, log_of, run_session


@pytest.fixture
def people(store, clock):
    return People(store, clock)


@pytest.fixture
def two_sessions(people, store, clock):
    """A.B. (a person) and a guest (not one) in a first session, C.D. in a second."""
    ab = people.register("A.B.", 1980, by=KIM)
    cd = people.register("C.D.", 1975, by=KIM)
    first, ids = run_session(store, clock, [("A.B.", 1, ab.id), ("Guest", 2, None)])
    second, ids2 = run_session(store, clock, [("C.D.", 3, cd.id)])
    return {"first": first.id, "second": second.id, "ab": ab, "cd": cd, **ids, **ids2}


def full() -> Feedback:
    return Feedback(
        liking=2,
        resonance=0,
        openness=10,
        music_distracting=True,
        silence_preferred=False,
        avoid_pieces=("Spiegel im Spiegel", " Weightless "),
        anxiety=("onset", "peak"),
        physical=("nausea",),
        helped="the blanket",
        free_text="said she felt judged in the circle",
        filled_by="participant",
    )


# -- the values ----------------------------------------------------------------------------
@pytest.mark.parametrize("field", ["liking", "resonance", "openness"])
@pytest.mark.parametrize("value", [0, 10, None])
def test_scores_at_their_limits_are_taken(field, value):
    assert getattr(check_feedback(Feedback(**{field: value})), field) == value


@pytest.mark.parametrize("field", ["liking", "resonance", "openness"])
@pytest.mark.parametrize("value", [-1, 11, 5.5, True, "7"])
def test_scores_out_of_range_are_refused_naming_field_and_range(field, value):
    with pytest.raises(BadInputError, match=rf"^{field} must be a whole number from 0 to 10"):
        check_feedback(Feedback(**{field: value}))


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"anxiety": ("at the peak",)}, "anxiety 'at the peak' is not one of: before dosing"),
        ({"physical": ("itching",)}, "physical 'itching' is not one of: nausea"),
        ({"physical": "nausea"}, "physical is a list"),
        ({"avoid_pieces": ("  ",)}, "needs its title"),
        ({"avoid_pieces": ("x" * 201,)}, "at most 200 characters"),
        ({"music_distracting": 1}, "music_distracting is yes or no"),
        ({"silence_preferred": None}, "silence_preferred is yes or no"),
        ({"filled_by": "nurse"}, "filled_by 'nurse' is not one of: with facilitator"),
        ({"helped": "x" * 2001}, "helped is at most 2000 characters"),
        ({"free_text": 3}, "free_text is text"),
    ],
)
def test_other_values_out_of_range_are_refused(changes, says):
    with pytest.raises(BadInputError, match=says):
        check_feedback(Feedback(**changes))


def test_check_trims_texts_and_drops_repeats_and_every_choice_is_taken():
    fb = Feedback(
        avoid_pieces=[" A  piece ", "A piece", "B"],
        anxiety=list(ANXIETY_MOMENTS) + ["peak"],
        physical=PHYSICAL_EFFECTS,
        helped="  music  ",
    )
    clean = check_feedback(fb)
    assert clean.avoid_pieces == ("A piece", "B") and clean.anxiety == ANXIETY_MOMENTS
    assert clean.physical == PHYSICAL_EFFECTS and clean.helped == "music"


def test_as_data_and_from_data_round_trip():
    fb = check_feedback(full())
    data = fb.as_data()
    assert data["avoid_pieces"] == ["Spiegel im Spiegel", "Weightless"]
    assert Feedback.from_data({"person_id": "per-x", "corrects": None, **data}) == fb
    assert Feedback.from_data({}) == Feedback()


# -- recording -----------------------------------------------------------------------------
def test_feedback_is_recorded_in_the_sessions_log_against_the_participant(
    store, clock, two_sessions
):
    s = two_sessions
    seq = record_feedback(store, s["first"], s["A.B."], full(), by=KIM, clock=clock)
    event = log_of(store, s["first"])[-1]
    assert (event.seq, event.kind, event.participant_id, event.actor) == (
        seq,
        "feedback.recorded",
        s["A.B."],
        "RN Kim",
    )
    assert event.data == {
        "person_id": s["ab"].id,
        **check_feedback(full()).as_data(),
        "corrects": None,
    }
    with closing(store.reader()) as conn:
        assert latest_feedback(conn, s["A.B."]) == check_feedback(full())
        assert latest_feedback(conn, s["C.D."]) is None


def test_a_correction_replaces_the_earlier_feedback(store, clock, two_sessions):
    s = two_sessions
    first = record_feedback(store, s["first"], s["A.B."], Feedback(liking=2), by=KIM, clock=clock)
    second = record_feedback(
        store, s["first"], s["A.B."], Feedback(liking=8), by=KIM, clock=clock, corrects=first
    )
    assert second > first and log_of(store, s["first"])[-1].data["corrects"] == first
    with closing(store.reader()) as conn:
        assert latest_feedback(conn, s["A.B."]).liking == 8


def refused(store, clock, s, session, participant, fb=None, **kw):
    before = all_events(store)
    with pytest.raises(BadInputError) as exc:
        record_feedback(
            store, s.get(session, session), s.get(participant, participant), fb or Feedback(),
            by=KIM, clock=clock, **kw,
        )  # fmt: skip
    assert all_events(store) == before
    return str(exc.value)


def test_feedback_for_a_session_the_participant_did_not_attend_is_refused(
    store, clock, two_sessions
):
    s = two_sessions
    says = refused(store, clock, s, "first", "C.D.")
    assert says.startswith(f"C.D. ({s['C.D.']}) did not attend session {s['first']}")
    assert f"they were in session {s['second']}" in says
    says = refused(store, clock, s, "first", "0123456789ab")
    assert says.startswith("0123456789ab did not attend session")


def test_feedback_for_an_unknown_session_or_the_courses_log_is_refused(store, clock, two_sessions):
    says = refused(store, clock, two_sessions, "2023-11-14-ffffff", "A.B.")
    assert says.startswith("no session 2023-11-14-ffffff;")
    assert refused(store, clock, two_sessions, "courses", "A.B.").startswith("no session courses")


def test_feedback_for_a_participant_not_linked_to_a_person_is_refused(store, clock, two_sessions):
    says = refused(store, clock, two_sessions, "first", "Guest")
    assert "Guest is not linked to a person: link them first" in says


def test_feedback_with_a_value_out_of_range_is_refused(store, clock, two_sessions):
    says = refused(store, clock, two_sessions, "first", "A.B.", Feedback(openness=11))
    assert says.startswith("openness must be a whole number from 0 to 10")


def test_a_correction_of_something_else_is_refused(store, clock, two_sessions):
    s = two_sessions
    other = record_feedback(store, s["second"], s["C.D."], Feedback(), by=KIM, clock=clock)
    for corrects in (other, 1, 10_000, "1"):
        says = refused(store, clock, s, "first", "A.B.", corrects=corrects)
        assert "is not an earlier feedback of this participant" in says


def test_a_role_that_may_not_record_feedback_is_refused_in_the_sessions_log(
    store, clock, two_sessions
):
    s = two_sessions
    before = all_events(store)
    with pytest.raises(Forbidden, match="may not record a participant's feedback"):
        record_feedback(store, s["first"], s["A.B."], Feedback(), by=QA, clock=clock)
    [new] = all_events(store)[len(before) :]
    assert (new[1], new[3], new[4]) == (s["first"], "action.refused", "Quinn QA")


def test_feedback_during_a_running_session_is_taken(people, store, clock):
    ab = people.register("A.B.", 1980, by=KIM)
    live, ids = run_session(store, clock, [("A.B.", 1, ab.id)], end=False)
    record_feedback(store, live.id, ids["A.B."], Feedback(liking=7), by=None, clock=clock)
    assert log_of(store, live.id)[-1].actor == "facilitator"
