"""The plan carried to the next session: the proposals at their thresholds (a liking exactly at
`dislike_at_or_below`), the team's adjustments in the courses log, and one person through three
sessions on the simulated clock, where "music distracting" after the second leads the third's
preparation to propose silence and pre-fill the avoid list. Real SQLite."""

from __future__ import annotations

from contextlib import closing

import pytest

from groupkap.accounts import Forbidden
from groupkap.course import (
    COURSES_LOG,
    PLAN_KINDS,
    Adjustment,
    CourseConfig,
    Feedback,
    MusicPrefs,
    People,
    adjust_plan,
    carried_plan,
    propose,
    record_feedback,
)
from groupkap.errors import BadInputError
from groupkap.settings import Settings
from tests.core.people_helpers import KIM, LEAD, QA, all_events, log_of, run_session


@pytest.fixture
def people(store, clock):
    return People(store, clock)


@pytest.fixture
def ab(people):
    return people.register("A.B.", 1980, by=KIM)


def kinds(adjustments) -> list[str]:
    return [a.kind for a in adjustments]


def plan_of(store, person_id, **kw):
    store.flush()
    with closing(store.reader()) as conn:
        return carried_plan(conn, person_id, **kw)


# -- proposals -----------------------------------------------------------------------------
def test_plan_kinds_each_have_words():
    assert tuple(PLAN_KINDS) == (
        "silence",
        "avoid_pieces",
        "grounding",
        "premedicate",
        "dose_note",
        "comfort",
        "trusted_contact",
        "other",
    )
    assert all(PLAN_KINDS.values())


@pytest.mark.parametrize(
    ("liking", "setting", "silence"),
    [(3, None, True), (4, None, False), (0, None, True), (None, None, False)]
    + [(5, 5, True), (6, 5, False), (0, 0, True), (1, 0, False), (10, 10, True)],
)
def test_a_liking_at_or_below_the_setting_proposes_silence(liking, setting, silence):
    settings = (
        None if setting is None else Settings(course=CourseConfig(dislike_at_or_below=setting))
    )
    proposed = propose(Feedback(liking=liking), settings)
    assert kinds(proposed) == (["silence"] if silence else [])
    if silence:
        assert proposed[0].text == f"silence next time: they liked the music {liking} of 10"


def test_a_course_config_is_taken_as_the_settings_too():
    assert kinds(propose(Feedback(liking=5), CourseConfig(dislike_at_or_below=5))) == ["silence"]


@pytest.mark.parametrize(
    ("fb", "want"),
    [
        (Feedback(music_distracting=True), ["silence"]),
        (Feedback(silence_preferred=True, liking=9), ["silence"]),
        (Feedback(avoid_pieces=("Weightless",)), ["avoid_pieces"]),
        (Feedback(anxiety=("peak",)), ["grounding"]),
        (Feedback(physical=("nausea",)), ["premedicate", "dose_note"]),
        (Feedback(physical=("vomiting", "headache")), ["premedicate", "dose_note"]),
        (Feedback(physical=("headache", "dizziness", "fatigue")), []),
        (Feedback(liking=10, resonance=0, openness=0, helped="the blanket"), []),
        (
            Feedback(liking=1, avoid_pieces=("X",), anxiety=("onset",), physical=("nausea",)),
            ["silence", "avoid_pieces", "grounding", "premedicate", "dose_note"],
        ),
    ],
)
def test_proposals_follow_the_feedback(fb, want):
    assert kinds(propose(fb)) == want


def test_the_proposals_say_why_and_the_dose_note_changes_no_dose():
    fb = Feedback(
        liking=1,
        music_distracting=True,
        avoid_pieces=("Weightless", "Spiegel im Spiegel"),
        anxiety=("onset", "peak"),
        physical=("nausea", "vomiting"),
    )
    by_kind = {a.kind: a for a in propose(fb)}
    assert by_kind["silence"].text == (
        "silence next time: the music was distracting; they liked the music 1 of 10"
    )
    assert by_kind["avoid_pieces"].pieces == ("Weightless", "Spiegel im Spiegel")
    assert by_kind["grounding"].text == "more grounding: anxious at onset, peak"
    assert by_kind["premedicate"].text == "pre-medicate for nausea"
    assert by_kind["dose_note"].text.startswith("dose note for the prescriber: nausea and vomiting")
    assert "no dose is changed" in by_kind["dose_note"].text
    assert propose(None) == []


# -- adjusting the plan --------------------------------------------------------------------
def test_adjust_plan_records_in_the_courses_log_and_changes_no_dose(ab, store, clock):
    first, _ = run_session(store, clock, [("A.B.", 1, ab.id)])
    note = Adjustment("dose_note", "consider a lower dose")
    seq = adjust_plan(
        store, ab.id, [note, Adjustment("comfort", "")], after_session=first.id,
        source="team", by=KIM, clock=clock,
    )  # fmt: skip
    event = log_of(store, COURSES_LOG)[-1]
    assert (event.seq, event.kind, event.actor, event.participant_id) == (
        seq,
        "plan.adjusted",
        "RN Kim",
        None,
    )
    assert event.data == {
        "person_id": ab.id,
        "after_session": first.id,
        "adjustments": [
            {"kind": "dose_note", "text": "consider a lower dose", "pieces": []},
            {"kind": "comfort", "text": PLAN_KINDS["comfort"], "pieces": []},
        ],
        "source": "team",
    }
    assert not [e for e in all_events(store) if e[3] == "dose.given"]


@pytest.mark.parametrize(
    ("person", "adjustments", "after", "source", "says"),
    [
        ("per-0123456789ab", [Adjustment("comfort", "")], None, "team", "no person per-0123"),
        ("ab", [], None, "team", "at least one adjustment"),
        ("ab", Adjustment("comfort", ""), None, "team", "at least one adjustment"),
        ("ab", [Adjustment("dose", "more")], None, "team", "kind 'dose' is not one of"),
        ("ab", [Adjustment("silence", "", ("X",))], None, "team", "only an avoid_pieces"),
        ("ab", [Adjustment("avoid_pieces", "", (" ",))], None, "team", "needs its title"),
        ("ab", [Adjustment("other", "x" * 301)], None, "team", "at most 300 characters"),
        ("ab", [Adjustment("comfort", "")], None, "doctor", "source 'doctor' is not one of"),
        ("ab", [Adjustment("comfort", "")], "other", "team", "did not attend session"),
    ],
)
def test_a_bad_adjustment_is_refused_and_writes_nothing(
    people, ab, store, clock, person, adjustments, after, source, says
):
    cd = people.register("C.D.", 1975, by=KIM)
    other, _ = run_session(store, clock, [("C.D.", 1, cd.id)])
    before = all_events(store)
    with pytest.raises(BadInputError, match=says):
        adjust_plan(
            store, ab.id if person == "ab" else person, adjustments,
            after_session=other.id if after == "other" else after, source=source, by=KIM,
            clock=clock,
        )  # fmt: skip
    assert all_events(store) == before


def test_qa_may_not_adjust_a_plan(ab, store, clock):
    with pytest.raises(Forbidden, match="may not adjust a person's plan"):
        adjust_plan(
            store, ab.id, [Adjustment("comfort", "")], after_session=None, source="team",
            by=QA, clock=clock,
        )  # fmt: skip
    assert [e[3] for e in all_events(store)] == ["person.registered", "action.refused"]


# -- one person through three sessions -----------------------------------------------------
def test_music_distracting_after_session_two_proposes_silence_for_session_three(ab, store, clock):
    week = 7 * 24 * 3600
    assert plan_of(store, ab.id) == plan_of(store, ab.id)  # read twice, same answer
    empty = plan_of(store, ab.id)
    assert (empty.last_session_id, empty.last_feedback, empty.adjustments) == (None, None, ())
    assert empty.music == MusicPrefs(False, frozenset())

    one, ids1 = run_session(store, clock, [("A.B.", 1, ab.id)])
    record_feedback(store, one.id, ids1["A.B."], Feedback(liking=8), by=KIM, clock=clock)
    after_one = plan_of(store, ab.id)
    assert after_one.last_session_id == one.id and after_one.proposals == ()

    clock.advance(week)
    two, ids2 = run_session(store, clock, [("A.B.", 3, ab.id)])
    fb = Feedback(liking=5, music_distracting=True, avoid_pieces=("Weightless",))
    record_feedback(store, two.id, ids2["A.B."], fb, by=KIM, clock=clock)

    clock.advance(week)
    three, _ = run_session(store, clock, [("A.B.", 2, ab.id)], end=False)  # being prepared
    prep = plan_of(store, ab.id)
    assert prep.person_id == ab.id and prep.last_session_id == two.id
    assert prep.last_feedback == fb and prep.adjustments == ()
    assert kinds(prep.proposals) == ["silence", "avoid_pieces"]
    assert prep.music == MusicPrefs(silence=False, avoid=frozenset({"Weightless"}))

    adjust_plan(
        store, ab.id, [prep.proposals[0]], after_session=two.id, source="proposal", by=KIM,
        clock=clock,
    )  # fmt: skip
    accepted = plan_of(store, ab.id)
    assert kinds(accepted.adjustments) == ["silence"] and kinds(accepted.proposals) == [
        "avoid_pieces"
    ]
    assert accepted.music == MusicPrefs(silence=True, avoid=frozenset({"Weightless"}))

    three.end()
    after_three = plan_of(store, ab.id)  # the plan carries one session, not for ever
    assert after_three.last_session_id == three.id
    assert (after_three.last_feedback, after_three.adjustments, after_three.proposals) == (
        None,
        (),
        (),
    )
    # Silence was for one session; a piece asked never to be heard again stays avoided.
    assert after_three.music == MusicPrefs(False, frozenset({"Weightless"}))
    assert plan_of(store, ab.id, before=three.id).last_session_id == two.id


def test_the_latest_adjustment_of_a_kind_counts_and_the_team_list_replaces_the_wish(
    ab, store, clock
):
    one, ids = run_session(store, clock, [("A.B.", 1, ab.id)])
    fb = Feedback(avoid_pieces=("A", "B"))
    record_feedback(store, one.id, ids["A.B."], fb, by=KIM, clock=clock)
    for pieces in (("A", "B"), ("A",)):
        adjust_plan(
            store, ab.id, [Adjustment("avoid_pieces", "", pieces)], after_session=one.id,
            source="team", by=KIM, clock=clock,
        )  # fmt: skip
    plan = plan_of(store, ab.id)
    assert [a.pieces for a in plan.adjustments] == [("A",)] and plan.proposals == ()
    assert plan.music.avoid == frozenset({"A"})


def test_the_avoid_list_carries_over_the_course_and_later_wishes_join_the_team_list(
    ab, store, clock
):
    one, ids = run_session(store, clock, [("A.B.", 1, ab.id)])
    record_feedback(
        store, one.id, ids["A.B."], Feedback(avoid_pieces=("A", "B")), by=KIM, clock=clock
    )
    adjust_plan(
        store, ab.id, [Adjustment("avoid_pieces", "", ("A",))], after_session=one.id,
        source="team", by=KIM, clock=clock,
    )  # fmt: skip
    clock.advance(7 * 86_400)
    two, ids = run_session(store, clock, [("A.B.", 1, ab.id)])
    record_feedback(store, two.id, ids["A.B."], Feedback(avoid_pieces=("C",)), by=KIM, clock=clock)
    clock.advance(7 * 86_400)
    run_session(store, clock, [("A.B.", 1, ab.id)])  # no feedback after session three
    assert plan_of(store, ab.id).music.avoid == frozenset({"A", "C"})


def test_an_adjustment_before_the_first_session_counts_until_a_session_ends(ab, store, clock):
    adjust_plan(
        store, ab.id, [Adjustment("trusted_contact", "her sister, 0161 000 0000")],
        after_session=None, source="team", by=KIM, clock=clock,
    )  # fmt: skip
    assert kinds(plan_of(store, ab.id).adjustments) == ["trusted_contact"]
    clock.advance(3600)
    run_session(store, clock, [("A.B.", 1, ab.id)])
    assert plan_of(store, ab.id).adjustments == ()


def test_a_merged_duplicates_session_and_feedback_count_for_the_kept_person(
    people, ab, store, clock
):
    dup = people.register("AB", 1908, by=KIM)
    one, ids = run_session(store, clock, [("AB", 1, dup.id)])
    record_feedback(store, one.id, ids["AB"], Feedback(anxiety=("peak",)), by=KIM, clock=clock)
    people.merge(dup.id, ab.id, "birth year typed as 1908", by=LEAD)
    plan = plan_of(store, dup.id)
    assert plan.person_id == ab.id and plan.last_session_id == one.id
    assert kinds(plan.proposals) == ["grounding"]


def test_carried_plan_of_an_unknown_person_is_refused(store):
    with closing(store.reader()) as conn, pytest.raises(BadInputError, match="no person per-0"):
        carried_plan(conn, "per-000000000000")
