"""The demo continues courses (issue 16, item 6): the demo's people are persons (alias and a
fixed birth year) registered once and found again; near discharge or the end, the demo team
records each participant's simulated feedback and accepts its proposals, and the next
session's music follows that plan. Real sessions on the simulated clock, one database."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import pytest

from groupkap.accounts import DEMO_ACCOUNT
from groupkap.course.feedback import Feedback, check_feedback
from groupkap.course.people import People
from groupkap.course.plan import Adjustment, propose
from groupkap.demo.courses import (
    DEMO_BIRTH_YEARS,
    FEEDBACK_LEAD_S,
    demo_birth_year,
    seat_demo_people,
)
from groupkap.demo.feedback_sim import demo_feedback
from groupkap.demo.plan import DEMO_ALIASES
from groupkap.music.library import Playlist, Track
from groupkap.music.room_music import build_room_music
from groupkap.options import RunOptions
from groupkap.session_start import open_live_session
from groupkap.settings import Settings
from tests.core.conftest import SteadySource

MIN = 60.0
PLAN = {1: "M.K.", 2: "A.R.", 3: "J.L."}
LIBRARY = {
    name: Playlist(name, [Track(Path(f"/m/{t}.wav"), t, "demo", 90) for t in titles])
    for name, titles in {
        "calm": ("Still Water", "Morning Fog"),
        "rising": ("Slow Tide",),
        "peak": ("Deep Field",),
        "return": ("Soft Landing",),
    }.items()
}


def _open(store, clock, minutes: float = 30):
    """A demo session as `groupkap demo` builds it: the demo user, its people seated, the
    room's music; returns (session, the demo team's course director, end time)."""
    live = open_live_session(
        RunOptions(seats=3, speed=60),
        store=store,
        clock=clock,
        settings=Settings(),
        make_source=lambda seats, start: SteadySource(start),
        account=DEMO_ACCOUNT,
    )
    live.account = DEMO_ACCOUNT
    end_at = clock.now() + minutes * MIN
    team = seat_demo_people(live, PLAN, end_at)
    live.directors.append(team)
    live.music, problem = build_room_music(
        live, live.protocol, live.settings, 60, LIBRARY, Path("/nonexistent/lists")
    )
    assert problem == ""
    return live, team, end_at


def _run_until(live, clock, until: float, step: float = 15.0) -> None:
    while clock.now() + step <= until:
        clock.advance(step)
        live.tick()


def _events(store, kind: str) -> list[tuple[str, str | None, dict, str]]:
    store.flush()
    with closing(store.reader()) as conn:
        rows = conn.execute(
            "select session_id, participant_id, data, actor from events where kind = ? "
            "order by seq",
            (kind,),
        ).fetchall()
    return [(s, p, json.loads(d), a) for s, p, d, a in rows]


def test_every_demo_alias_has_a_fixed_birth_year_and_any_other_alias_a_stable_one():
    assert set(DEMO_BIRTH_YEARS) == set(DEMO_ALIASES)
    assert demo_birth_year("M.K.") == 1984
    other = demo_birth_year("Q.Z.")
    assert other == demo_birth_year("q.z.") and 1950 <= other < 1995


def test_the_first_demo_registers_its_people_and_a_later_demo_finds_them(store, clock):
    live, team, end_at = _open(store, clock)
    first = {s.seat: s for s in team.seats.values()}
    assert all(s.registered and s.number == 1 and s.planned == 6 for s in first.values())
    assert (
        team.describe()[0] == "course: M.K. (born 1984) on seat 1 (registered now) — session 1 of 6"
    )
    live.end()
    clock.advance(7 * 24 * 3600)
    live2, team2, _ = _open(store, clock)
    second = {s.seat: s for s in team2.seats.values()}
    assert {n: s.person.id for n, s in second.items()} == {n: s.person.id for n, s in first.items()}
    assert not any(s.registered for s in second.values())
    assert {s.number for s in second.values()} == {2}
    assert team2.describe()[1].startswith("course: A.R. (born 1971) on seat 2 — session 2 of 6")
    assert len(People(store, clock).list()) == 3
    assert len(_events(store, "person.registered")) == 3
    added = [(s, d.get("person_id")) for s, _, d, _ in _events(store, "participant.added")]
    assert [p for s, p in added if s == live2.id] == [second[n].person.id for n in (1, 2, 3)]


def test_feedback_comes_near_the_end_once_each_and_the_team_accepts_what_it_proposes(store, clock):
    live, team, end_at = _open(store, clock)
    _run_until(live, clock, live.clock.now() + 14 * MIN)  # the first half: nobody yet
    assert _events(store, "feedback.recorded") == []
    _run_until(live, clock, end_at - FEEDBACK_LEAD_S - 20)
    assert _events(store, "feedback.recorded") == []
    _run_until(live, clock, end_at)
    feedback = _events(store, "feedback.recorded")
    assert sorted(p for _, p, _, _ in feedback) == sorted(team.seats)
    assert {(s, a) for s, _, _, a in feedback} == {(live.id, DEMO_ACCOUNT.name)}
    by_person = {d["person_id"]: Feedback.from_data(d) for _, _, d, _ in feedback}
    for fb in by_person.values():
        assert check_feedback(fb) == fb  # plausible: every value in range
    distracted = team.seats[team.distracted].person.id
    assert by_person[distracted].music_distracting
    plans = _events(store, "plan.adjusted")
    assert {d["person_id"] for _, _, d, _ in plans} == {
        p for p, fb in by_person.items() if propose(fb)
    }
    for session, _, data, _ in plans:
        assert session == "courses" and data["source"] == "proposal"
        assert data["after_session"] == live.id
        proposed = propose(by_person[data["person_id"]])
        assert [Adjustment.from_data(a) for a in data["adjustments"]] == proposed
    assert "silence" in {a["kind"] for _, _, d, _ in plans for a in d["adjustments"]}


def test_a_discharged_participant_gives_feedback_at_once(store, clock):
    live, team, _ = _open(store, clock)
    _run_until(live, clock, clock.now() + 2 * MIN)
    leaving = live.room.on_seat(2).id
    live.protocol.of(leaving).discharge = {"signed_by": "Dr A. Demo"}
    _run_until(live, clock, clock.now() + 10, step=5)
    assert [p for _, p, _, _ in _events(store, "feedback.recorded")] == [leaving]


def test_the_next_demo_session_plays_as_the_last_one_planned(store, clock):
    live, team, end_at = _open(store, clock)
    _run_until(live, clock, end_at)
    live.end()
    plans = {d["person_id"]: d["adjustments"] for _, _, d, _ in _events(store, "plan.adjusted")}
    silent = team.seats[team.distracted].person.id
    clock.advance(7 * 24 * 3600)
    live2, team2, end2 = _open(store, clock)
    pid_of = {s.person.id: pid for pid, s in team2.seats.items()}
    assert team2.seats[pid_of[silent]].carried.music.silence
    assert "carried: silence" in next(
        line
        for line in team2.describe()
        if line.startswith(f"course: {PLAN[team.seats[team.distracted].seat]}")
    )
    _run_until(live2, clock, end2)
    started = [
        (p, d["piece"]) for s, p, d, _ in _events(store, "music.track_started") if s == live2.id
    ]
    assert [piece for p, piece in started if p == pid_of[silent]] == []
    silenced = [d for s, p, d, _ in _events(store, "music.silenced") if p == pid_of[silent]]
    assert silenced[0]["reason"] == "their plan"
    naming = team.seats[team.names_a_piece].person.id  # someone always names a piece
    [avoided] = [t for a in plans[naming] for t in a["pieces"]]
    left_out = [
        d
        for s, p, d, _ in _events(store, "music.piece_left_out")
        if s == live2.id and p == pid_of[naming]
    ]
    assert [(d["entry"], d["reason"]) for d in left_out] == [(avoided, "their plan")]
    for person, adjustments in plans.items():
        avoid = {t.casefold() for a in adjustments for t in a["pieces"]}
        heard = {piece.casefold() for p, piece in started if p == pid_of[person]}
        assert not avoid & heard
    assert pid_of[naming] in {p for p, _ in started}  # their music played on, without it


@pytest.mark.parametrize("session", [f"2026-03-0{n}-abcdef" for n in range(1, 10)])
def test_simulated_feedback_is_the_same_for_the_same_person_and_session_and_plausible(session):
    heard = ["Still Water", "Slow Tide"]
    fb = demo_feedback("per-0123456789ab", session, heard, names_a_piece=True)
    assert fb == demo_feedback("per-0123456789ab", session, reversed(heard), names_a_piece=True)
    assert check_feedback(fb) == fb
    assert not fb.music_distracting  # the piece is what they name, not all the music
    assert len(fb.avoid_pieces) == 1 and fb.avoid_pieces[0] in heard
    distracted = demo_feedback("per-0123456789ab", session, heard, distracted=True)
    assert distracted.music_distracting and distracted.avoid_pieces == ()
    assert [a.kind for a in propose(distracted)][0] == "silence"
    quiet = demo_feedback("per-0123456789ab", session, [], had_silence=True)
    assert quiet.liking is None and quiet.avoid_pieces == () and not quiet.music_distracting
