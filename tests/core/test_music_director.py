"""The music director on a simulated clock: arcs from each T0, phase changes, moves, events."""

from __future__ import annotations

from pathlib import Path

import pytest

from groupkap.errors import BadInputError
from groupkap.music.arcs import PhaseArc, PhaseSection
from groupkap.music.director import CROSSFADE, MusicDirector
from groupkap.music.library import Playlist, Track
from groupkap.music.silent_player import SilentPlayer

MIN = 60.0


def _playlist(name: str, *pieces: tuple[str, float]) -> Playlist:
    return Playlist(name, [Track(Path(f"/music/{t}.wav"), t, "test", d) for t, d in pieces])


ARC = PhaseArc(
    "test arc",
    (
        PhaseSection("calm", 0, 10, _playlist("calm", ("Still", 240), ("Fog", 180))),
        PhaseSection("peak", 10, 40, _playlist("peak", ("Wide", 300))),
        PhaseSection("return", 40, 60, _playlist("return", ("Home", 200))),
    ),
)


class Log(list):
    def __call__(self, kind, data, pid, actor):
        self.append((kind, data, pid, actor))

    def started(self, pid=None):
        return [
            (d["piece"], d["phase"])
            for k, d, p, _ in self
            if k == "music.track_started" and (pid is None or p == pid)
        ]


@pytest.fixture
def log():
    return Log()


def _director(clock, log, t0s, **kw):
    return MusicDirector(
        clock,
        {"SL": ARC},
        log,
        lambda seat, on_event: SilentPlayer(seat, clock=clock, on_event=on_event),
        t0_of=t0s.get,
        route_group_of=lambda pid: "SL",
        **kw,
    )


def _run(director, clock, minutes, step=5.0):
    for _ in range(int(minutes * MIN / step)):
        clock.advance(step)
        director.tick()


def test_each_seat_follows_its_own_t0_and_changes_phase_at_the_end_of_a_piece(clock, log, t0):
    t0s = {"a": t0, "b": t0 + 6 * MIN}
    director = _director(clock, log, t0s)
    director.add("a", 1)
    director.add("b", 2)
    _run(director, clock, 25)
    # a: Still (0–4), Fog (4–7), Still (7–11): peak starts when that piece ends at 11 min.
    assert log.started("a")[:4] == [
        ("Still", "calm"),
        ("Fog", "calm"),
        ("Still", "calm"),
        ("Wide", "peak"),
    ]
    assert director.seats["a"].phase == "peak" and director.seats["b"].phase == "peak"
    # b's arc runs 6 min later: its peak cannot begin before 16 min.
    first_peak_b = next(
        i
        for i, (k, d, p, _) in enumerate(log)
        if p == "b" and k == "music.track_started" and d["phase"] == "peak"
    )
    first_peak_a = next(
        i
        for i, (k, d, p, _) in enumerate(log)
        if p == "a" and k == "music.track_started" and d["phase"] == "peak"
    )
    assert first_peak_a < first_peak_b
    assert all(d["seat"] in (1, 2) and d["piece"] for k, d, p, _ in log)


def test_crossfade_mode_changes_phase_at_once(clock, log, t0):
    director = _director(clock, log, {"a": t0}, phase_change=CROSSFADE)
    director.add("a", 1)
    _run(director, clock, 10.5, step=1.0)
    assert log.started("a")[-1] == ("Wide", "peak")
    assert director.chip("a") == "♪ Wide · peak"


def test_before_t0_the_first_section_plays(clock, log):
    director = _director(clock, log, {"a": None})
    director.add("a", 3)
    _run(director, clock, 1)
    assert log.started("a") == [("Still", "calm")]


def test_duck_is_a_toggle_and_all_quiet_silences_every_seat(clock, log, t0):
    director = _director(clock, log, {"a": t0, "b": t0})
    director.add("a", 1)
    director.add("b", 2)
    _run(director, clock, 1)
    assert director.duck("a", "RN Kim") is True
    assert director.chip("a") == "♪ Still · calm · ducked"
    assert director.seats["a"].player.volume == pytest.approx(60 * 10 ** (-15 / 60))
    assert director.duck("a", "RN Kim") is False
    ducks = [(d["on"], a) for k, d, p, a in log if k == "music.ducked"]
    assert ducks == [(True, "RN Kim"), (False, "RN Kim")]
    director.all_quiet("RN Kim")
    assert {m.player.state for m in director.seats.values()} == {"silenced"}
    assert [p for k, d, p, a in log if k == "music.silenced"] == ["a", "b"]
    assert director.chip("b") == "♪ silence · calm · silenced"
    before = len(log.started())
    _run(director, clock, 10)
    assert len(log.started()) == before  # silence holds: nothing new starts


def test_skip_and_hold(clock, log, t0):
    director = _director(clock, log, {"a": t0})
    director.add("a", 1)
    _run(director, clock, 0.5)
    director.skip("a", "RN Kim")
    assert log.started("a")[-1] == ("Fog", "calm")
    director.hold("a", True, "RN Kim")
    _run(director, clock, 7)  # Fog (3 min) repeats while held
    assert [p for p, _ in log.started("a")] == ["Still", "Fog"]
    assert any(k == "music.skipped" and a == "RN Kim" for k, d, p, a in log)


def test_unknown_participant_and_bad_phase_change_mode_are_refused(clock, log):
    director = _director(clock, log, {})
    with pytest.raises(BadInputError, match="no music player"):
        director.duck("nobody", "RN Kim")
    with pytest.raises(BadInputError, match="phase change"):
        _director(clock, log, {}, phase_change="jump")


def test_a_piece_that_cannot_be_played_leaves_a_note_on_the_chip(clock, log, t0):
    director = _director(clock, log, {"a": t0})
    music = director.add("a", 1)
    _run(director, clock, 0.5)
    # What a real SeatPlayer reports for a corrupt file, through the director's event hook.
    music.player._emit(
        "music.skipped", {"seat": 1, "piece": "Broken", "reason": "cannot play: no audio stream"}
    )
    assert director.chip("a").endswith("⚠ skipped Broken: cannot play it")
    assert log[-1][0] == "music.skipped" and log[-1][1]["phase"] == "calm"


def test_volume_steps_are_capped_for_hearing_safety(clock, log, t0):
    director = _director(clock, log, {"a": t0})
    director.add("a", 1)
    for _ in range(5):
        director.volume_step("a", 10, "RN Kim")
    assert director.seats["a"].player.volume_setting == 80  # the default cap
    changes = [d["volume"] for k, d, p, a in log if k == "music.volume_changed"]
    assert changes == [70, 80, 80, 80, 80]


def test_silence_then_resume_does_not_invent_the_pieces_nobody_heard(clock, log, t0):
    director = _director(clock, log, {"a": t0})
    director.add("a", 1)
    _run(director, clock, 1)
    director.silence("a", "RN Kim")
    _run(director, clock, 30)
    before = len(log)
    director.resume("a")
    _run(director, clock, 0.5)
    assert [k for k, *_ in log[before:]] == []  # Still resumes where it stood
    assert director.seats["a"].player.current.title == "Still"
