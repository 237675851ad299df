"""Music that ends and restores itself (issue 12, item 7): at discharge a seat's music fades
out and stays silent, whatever the phases do later; a duck restores itself after
`[music] duck_restore_min` unless the seat is held. Simulated clock; the last test plays
through real libVLC into a file."""

from __future__ import annotations

import time
import wave
from contextlib import closing
from pathlib import Path

import pytest

from groupkap.clock import SimulatedClock
from groupkap.errors import ConfigError
from groupkap.music.arcs import PhaseArc, PhaseSection
from groupkap.music.director import DISCHARGE_FADE_S, MusicDirector
from groupkap.music.library import Playlist, Track
from groupkap.music.silent_player import SilentPlayer
from groupkap.options import RunOptions
from groupkap.session_start import open_live_session
from groupkap.settings import Settings, settings_from_dict

MIN = 60.0

ARC = PhaseArc(
    "test arc",
    (
        PhaseSection(
            "calm", 0, 10, Playlist("calm", [Track(Path("/m/Still.wav"), "Still", "t", 240)])
        ),
        PhaseSection(
            "peak", 10, 40, Playlist("peak", [Track(Path("/m/Wide.wav"), "Wide", "t", 300)])
        ),
        PhaseSection(
            "return", 40, 60, Playlist("return", [Track(Path("/m/Home.wav"), "Home", "t", 200)])
        ),
    ),
)


class Log(list):
    """The director's event sink: (kind, data, participant, actor) in order."""

    def __call__(self, kind, data, pid, actor):
        self.append((kind, data, pid, actor))

    def of(self, kind, pid=None):
        return [(d, a) for k, d, p, a in self if k == kind and (pid is None or p == pid)]


@pytest.fixture
def log():
    return Log()


def director_for(clock, log, t0, discharged=(), **kw) -> MusicDirector:
    """Seats `a` and `b`, both dosed at `t0`; `discharged` is read on every tick."""
    director = MusicDirector(
        clock,
        {"SL": ARC},
        log,
        lambda seat, on_event: SilentPlayer(seat, clock=clock, on_event=on_event),
        t0_of=lambda pid: t0,
        route_group_of=lambda pid: "SL",
        discharged_of=lambda pid: pid in discharged,
        **kw,
    )
    director.add("a", 1)
    director.add("b", 2)
    return director


def run(director, clock, seconds, step=1.0):
    for _ in range(round(seconds / step)):
        clock.advance(step)
        director.tick()


# -- discharge ---------------------------------------------------------------------------
def test_at_discharge_the_seat_fades_out_and_no_later_phase_starts_it(clock, log, t0):
    discharged: set[str] = set()
    director = director_for(clock, log, t0, discharged)
    run(director, clock, 5 * MIN, step=5)
    discharged.add("a")
    before = len(log)
    run(director, clock, 1)
    [(data, actor)] = log.of("music.silenced", "a")
    assert actor == "system" and data["reason"] == "discharged"
    assert data["fade_s"] == DISCHARGE_FADE_S and data["phase"] == "calm"
    assert [k for k, *_ in log[before:]] == ["music.silenced"]
    assert director.seats["a"].player.state == "silenced"
    assert director.chip("a") == "♪ ended at discharge"
    run(director, clock, 60 * MIN, step=5)  # peak and return would have begun
    assert [k for k, d, p, a in log[before:] if p == "a"] == ["music.silenced"]
    assert director.seats["a"].player.volume == 0
    # the other seat went on through its phases
    assert [d["phase"] for d, _ in log.of("music.track_started", "b")][-1] == "return"


def test_a_seat_already_discharged_when_the_room_resumes_stays_silent_unlogged(clock, log, t0):
    director = director_for(clock, log, t0, {"a"})
    run(director, clock, 20 * MIN, step=5)
    assert [k for k, d, p, a in log if p == "a"] == []
    assert director.seats["a"].player.current is None
    assert director.chip("a") == "♪ ended at discharge"


def test_a_facilitator_may_still_play_music_after_discharge_and_phases_leave_it(clock, log, t0):
    discharged: set[str] = set()
    director = director_for(clock, log, t0, discharged)
    run(director, clock, 2 * MIN)
    discharged.add("a")
    run(director, clock, 1)
    director.resume("a")  # waiting for a ride home, they asked for it back
    run(director, clock, 30 * MIN, step=5)
    assert director.seats["a"].player.state == "playing"
    assert {d["phase"] for d, _ in log.of("music.track_started", "a")} == {"calm"}


# -- a duck restores itself ----------------------------------------------------------------
def test_a_duck_restores_itself_exactly_at_ten_minutes(clock, log, t0):
    director = director_for(clock, log, t0)
    run(director, clock, 1 * MIN)
    director.duck("a", "RN Kim")
    ducked_at = clock.now()
    clock.advance(10 * MIN - 1 - (clock.now() - ducked_at))  # 9:59
    director.tick()
    assert director.seats["a"].player.ducked
    clock.advance(1.0)  # 10:00
    director.tick()
    assert not director.seats["a"].player.ducked
    restored = log.of("music.ducked", "a")[-1]
    assert restored[1] == "system" and restored[0]["on"] is False
    assert restored[0]["reason"] == "restored by itself after 10 min"
    assert director.seats["a"].player.volume == 60
    assert [d["on"] for d, _ in log.of("music.ducked")] == [True, False]


def test_a_held_seat_stays_ducked_until_the_hold_is_released(clock, log, t0):
    director = director_for(clock, log, t0)
    run(director, clock, 1 * MIN)
    director.hold("a", True, "RN Kim")
    director.duck("a", "RN Kim")
    run(director, clock, 30 * MIN, step=5)
    assert director.seats["a"].player.ducked
    director.hold("a", False, "RN Kim")
    director.tick()  # ducked for longer than 10 min already: restored on the next tick
    assert not director.seats["a"].player.ducked
    assert log.of("music.ducked", "a")[-1][1] == "system"


def test_a_duck_pressed_again_counts_from_the_new_duck_and_follows_the_setting(clock, log, t0):
    director = director_for(clock, log, t0, duck_restore_s=2 * MIN)
    run(director, clock, 1 * MIN)
    director.duck("a", "RN Kim")
    run(director, clock, 1 * MIN)
    director.duck("a", "RN Kim")  # restored by hand
    director.duck("a", "RN Kim")  # and ducked again
    run(director, clock, 2 * MIN - 1)
    assert director.seats["a"].player.ducked
    run(director, clock, 1)
    assert not director.seats["a"].player.ducked
    assert log.of("music.ducked")[-1][0]["reason"] == "restored by itself after 2 min"


@pytest.mark.parametrize(
    ("minutes", "ok"), [(1, True), (10, True), (60, True), (0, False), (61, False)]
)
def test_duck_restore_min_is_a_music_setting_from_1_to_60_minutes(minutes, ok):
    doc = {"music": {"duck_restore_min": minutes}}
    if ok:
        assert settings_from_dict(doc).music_duck_restore_min == minutes
    else:
        with pytest.raises(ConfigError, match=r"music\.duck_restore_min .* use 1 to 60 minutes"):
            settings_from_dict(doc)
    assert Settings().music_duck_restore_min == 10


def test_the_room_music_follows_the_protocols_discharge_and_the_setting(
    store, clock, source, tmp_path
):
    from groupkap.music.room_music import build_room_music

    settings = settings_from_dict({"music": {"duck_restore_min": 3}})
    live = open_live_session(
        RunOptions(seats=3, plan={1: "M.K.", 2: "A.R."}, speed=60),
        store=store,
        clock=clock,
        settings=settings,
        make_source=lambda seats, start: source,
    )
    calm = ARC.sections[0].playlist  # the demo's phase names, each with one piece
    library = {name: calm for name in ("calm", "rising", "peak", "return")}
    director, problem = build_room_music(
        live, live.protocol, settings, 60, library, tmp_path / "no lists"
    )
    assert director is not None and problem == ""
    assert director.duck_restore_s == 3 * MIN
    leaving, staying = (live.room.on_seat(s).id for s in (1, 2))
    for _ in range(10):
        clock.advance(1)
        director.tick()
    # The director reads the protocol's discharge record (what sign_discharge keeps).
    live.protocol.of(leaving).discharge = {"signed_by": "Dr Reyes"}
    clock.advance(1)
    director.tick()
    assert director.seats[leaving].player.state == "silenced"
    assert director.seats[staying].player.state == "playing"
    store.flush()
    with closing(store.reader()) as conn:
        rows = conn.execute(
            "select participant_id, json_extract(data, '$.reason') from events "
            "where kind = 'music.silenced'"
        ).fetchall()
    assert [tuple(r) for r in rows] == [(leaving, "discharged")]


# -- the real player says why it fell silent ------------------------------------------------
def test_a_seat_player_logs_the_reason_when_its_fade_to_silence_ends(tmp_path):
    from groupkap.music.player import SeatPlayer

    tone = tmp_path / "tone.wav"
    with wave.open(str(tone), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(2 * 8000 * 20))
    clock, events = SimulatedClock(start=0.0, speed=0), []
    with SeatPlayer(
        5,
        device=None,
        clock=clock,
        on_event=lambda kind, data: events.append((kind, data)),
        vlc_args=["--aout=afile", f"--audiofile-file={tmp_path / 'out.wav'}"],
    ) as player:
        player.load([tone])
        player.play()
        deadline = time.monotonic() + 10  # libVLC opens the file on its own thread
        while not any(k == "music.track_started" for k, _ in events):
            assert time.monotonic() < deadline, "libVLC did not start the piece"
            player.tick()
            time.sleep(0.02)
        player.duck(True, "RN Kim")
        player.duck(False, "system", reason="restored by itself after 10 min")
        player.fade_to_silence("system", DISCHARGE_FADE_S, reason="discharged")
        clock.advance(DISCHARGE_FADE_S - 0.5)
        player.tick()
        assert player.state == "playing"  # still fading out
        clock.advance(0.5)
        player.tick()
        assert player.state == "silenced"
    ducks = [d.get("reason") for k, d in events if k == "music.ducked"]
    assert ducks == [None, "restored by itself after 10 min"]
    [silenced] = [d for k, d in events if k == "music.silenced"]
    assert silenced["reason"] == "discharged" and silenced["actor"] == "system"
