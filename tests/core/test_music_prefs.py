"""The music honours the carried plan (issue 16, item 3): a participant whose plan says silence
hears no piece, a piece on their avoid list never plays on their seat (by title, any case),
a list the avoid list empties falls back to silence and says so; each logged with the
reason "their plan". The other seats play as before. Simulated clock, silent players."""

from __future__ import annotations

from pathlib import Path

import pytest

from groupkap.course.people import People
from groupkap.course.plan import Adjustment, MusicPrefs, adjust_plan
from groupkap.music.arcs import PhaseArc, PhaseSection
from groupkap.music.director import CROSSFADE, MusicDirector
from groupkap.music.library import Playlist, Track
from groupkap.music.room_music import build_room_music
from groupkap.music.silent_player import SilentPlayer
from groupkap.music.their_plan import PLAN_REASON, split_avoided, title_key
from groupkap.options import RunOptions
from groupkap.session_start import open_live_session
from groupkap.settings import Settings
from tests.core.conftest import SteadySource
from tests.core.people_helpers import KIM

MIN = 60.0


def _playlist(name: str, *pieces: tuple[str, float]) -> Playlist:
    return Playlist(name, [Track(Path(f"/music/{t}.wav"), t, "test", d) for t, d in pieces])


ARC = PhaseArc(
    "test arc",
    (
        PhaseSection("calm", 0, 10, _playlist("calm", ("Still", 120), ("Fog", 120))),
        PhaseSection("peak", 10, 40, _playlist("peak", ("Wide Open", 300))),
        PhaseSection("return", 40, 60, _playlist("return", ("Home", 200))),
    ),
)


class Log(list):
    def __call__(self, kind, data, pid, actor):
        self.append((kind, data, pid, actor))

    def of(self, kind, pid):
        return [(d, a) for k, d, p, a in self if k == kind and p == pid]

    def started(self, pid):
        return [(d["piece"], d["phase"]) for d, _ in self.of("music.track_started", pid)]


@pytest.fixture
def log():
    return Log()


def _room(clock, log, t0, prefs: dict, **kw) -> MusicDirector:
    """Seat `a` with `prefs["a"]` and seat `b` without a plan, both dosed at `t0`."""
    director = MusicDirector(
        clock,
        {"SL": ARC},
        log,
        lambda seat, on_event: SilentPlayer(seat, clock=clock, on_event=on_event),
        t0_of=lambda pid: t0,
        route_group_of=lambda pid: "SL",
        prefs_of=prefs.get,
        **kw,
    )
    director.add("a", 1)
    director.add("b", 2)
    return director


def run(director, clock, seconds, step=5.0):
    for _ in range(round(seconds / step)):
        clock.advance(step)
        director.tick()


def test_titles_match_ignoring_case_and_spacing_only():
    assert title_key("  Wide   OPEN ") == title_key("wide open")
    tracks = ARC.sections[1].playlist.tracks + ARC.sections[0].playlist.tracks
    kept, left = split_avoided(tracks, {"WIDE OPEN", "Sti"})  # "Sti" is not a title
    assert [t.title for t in left] == ["Wide Open"]
    assert [t.title for t in kept] == ["Still", "Fog"]


def test_a_plan_of_silence_plays_no_piece_on_that_seat_and_says_so(clock, log, t0):
    director = _room(clock, log, t0, {"a": MusicPrefs(silence=True, avoid=frozenset())})
    run(director, clock, 5)
    assert director.chip("a") == "♪ silence — their plan · calm"
    run(director, clock, 59 * MIN)
    assert log.started("a") == []
    [(data, actor)] = log.of("music.silenced", "a")
    assert actor == "system" and data["reason"] == PLAN_REASON and data["seat"] == 1
    assert director.chip("a") == "♪ silence — their plan · return"
    # the seat beside them plays its whole arc
    assert {phase for _, phase in log.started("b")} == {"calm", "peak", "return"}
    assert log.of("music.silenced", "b") == []


def test_a_piece_on_the_avoid_list_never_plays_on_that_seat(clock, log, t0):
    director = _room(clock, log, t0, {"a": MusicPrefs(silence=False, avoid=frozenset({"still"}))})
    run(director, clock, 10 * MIN)
    assert {piece for piece, _ in log.started("a")} == {"Fog"}
    assert ("Still", "calm") in log.started("b")
    [(data, actor)] = log.of("music.piece_left_out", "a")
    assert data["entry"] == "Still" and data["reason"] == PLAN_REASON and actor == "system"
    assert log.of("music.silenced", "a") == []


def test_a_list_the_avoid_list_empties_falls_back_to_silence_then_the_next_list_plays(
    clock, log, t0
):
    prefs = MusicPrefs(silence=False, avoid=frozenset({"WIDE OPEN"}))
    director = _room(clock, log, t0, {"a": prefs}, phase_change=CROSSFADE)
    run(director, clock, 11 * MIN)
    [(data, _)] = log.of("music.silenced", "a")
    assert data["reason"] == PLAN_REASON and "'peak'" in data["detail"]
    assert data["phase"] == "peak"
    assert director.chip("a") == "♪ silence — their plan · peak · every piece avoided"
    run(director, clock, 30 * MIN)
    assert [p for p, _ in log.started("a")][-1] == "Home"
    assert "Wide Open" not in {p for p, _ in log.started("a")}
    assert len(log.of("music.silenced", "a")) == 1
    assert director.chip("a").startswith("♪ Home · return")


def test_the_facilitator_may_lift_the_plans_silence_and_the_avoid_list_still_holds(clock, log, t0):
    prefs = MusicPrefs(silence=True, avoid=frozenset({"Still"}))
    director = _room(clock, log, t0, {"a": prefs})
    run(director, clock, 2 * MIN)
    director.resume("a")  # they asked for music after all
    run(director, clock, 5)
    assert log.started("a") == [("Fog", "calm")]
    run(director, clock, 20 * MIN)
    assert ("Wide Open", "peak") in log.started("a")


def test_a_plan_accepted_after_the_seat_was_added_applies_from_its_next_list(clock, log, t0):
    director = _room(clock, log, t0, {})
    run(director, clock, 1 * MIN)
    director.use_plan("a", MusicPrefs(silence=False, avoid=frozenset({"wide open"})))
    run(director, clock, 59 * MIN)
    assert "Wide Open" not in {p for p, _ in log.started("a")}
    assert ("Still", "calm") in log.started("a")


# -- in every session: the room's music reads each known person's carried plan -------------
def test_the_room_music_reads_each_persons_carried_plan_in_any_session(store, clock, tmp_path):
    people = People(store, clock)
    quiet, choosy = (people.register(a, 1980, by=KIM) for a in ("M.K.", "A.R."))

    def session():
        live = open_live_session(
            RunOptions(seats=3, speed=60),
            store=store,
            clock=clock,
            settings=Settings(),
            make_source=lambda seats, start: SteadySource(start),
        )
        ids = [
            live.add_participant("M.K.", 1, person_id=quiet.id).id,
            live.add_participant("A.R.", 2, person_id=choosy.id).id,
            live.add_participant("J.L.", 3).id,  # not a known person
        ]
        return live, ids

    first, _ = session()
    first.end()
    for person, adjustment in (
        (quiet, Adjustment("silence", "silence next time")),
        (choosy, Adjustment("avoid_pieces", "leave out Still", ("STILL",))),
    ):
        adjust_plan(
            store,
            person.id,
            [adjustment],
            after_session=first.id,
            source="team",
            by=KIM,
            clock=clock,
        )
    clock.advance(7 * 24 * 3600)
    live, (m, a, j) = session()
    library = {name: ARC.sections[0].playlist for name in ("calm", "rising", "peak", "return")}
    director, problem = build_room_music(live, live.protocol, live.settings, 60, library, tmp_path)
    assert problem == ""
    assert director.seats[m].prefs == MusicPrefs(silence=True, avoid=frozenset())
    assert director.seats[a].prefs == MusicPrefs(silence=False, avoid=frozenset({"STILL"}))
    assert director.seats[j].prefs is None
    for _ in range(4):
        clock.advance(5)
        director.tick()
    assert director.chip(m) == "♪ silence — their plan · pre-onset"
    assert director.chip(a).startswith("♪ Fog · pre-onset")
    assert director.chip(j).startswith("♪ Still · pre-onset")
