"""Seat music through real libVLC (CLINICAL.md, "Music"; issue 5): into a WAV file (afile
output) and into PulseAudio null sinks, one per seat, whose monitors are recorded.

libVLC's file output has no volume control, so fades and ducking are measured on the null
sinks, where PulseAudio applies the stream volume exactly as on a participant's headset.

Seat separation is judged by the other seat's tone, window by window over the whole
recording (`leak`), never by the spectral floor of one window: under load libVLC resamples
a late stream to catch up, which puts sidebands 40-60 dB down into that seat's own sound
(measured: test_a_seats_own_stream_resampled_by_libvlc_is_not_taken_for_a_leak). Once such
a sideband at the other seat's frequency, 59 dB down, failed a -60 dB check in a loaded run.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
import wave

import numpy as np
import pytest

from groupkap.alarms.burst_files import read_wav
from groupkap.clock import RealClock
from groupkap.errors import AudioError, BadInputError
from groupkap.music.library import read_track
from groupkap.music.player import SeatPlayer

RATE = 44100
TICK_S = 0.02
SILENCE_RMS = 1e-4  # a null sink nobody plays into records exact zeros
FADE_S = 3.0
# A seat's stream is routed whole: on the wrong sink, another seat's piece arrives at its own
# level. -30 dB of that level in a 200 ms window catches 5 ms of it anywhere, and stays clear
# of libVLC's resampling sidebands (-49 dB measured at the other seat's frequency) and of the
# splatter of a seat's own piece starting or stopping at full level (-41 dB at worst measured).
LEAK_WINDOW_S = 0.2
LEAK_FRACTION = 10 ** (-30 / 20)


def write_tone(path, hz: float, seconds: float, amplitude: float = 0.5):
    t = np.arange(int(seconds * RATE)) / RATE
    pcm = np.round(amplitude * np.sin(2 * np.pi * hz * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return path


class Events(list):
    """The `on_event` callback: keeps (kind, data) in order."""

    def __call__(self, kind: str, data: dict) -> None:
        self.append((kind, dict(data)))

    def of(self, kind: str) -> list[dict]:
        return [data for k, data in self if k == kind]


def run(
    players, seconds: float | None = None, until=None, timeout: float = 10.0, tick_s: float = TICK_S
) -> None:
    """Tick the players as the GUI thread would, for `seconds` or until `until()` holds."""
    deadline = time.monotonic() + (timeout if seconds is None else seconds)
    while time.monotonic() < deadline:
        for player in players:
            player.tick()
        if until is not None and until():
            return
        time.sleep(tick_s)
    if until is not None:
        raise AssertionError(f"not reached within {timeout} s: {until.__doc__ or ''}")


def afile_args(path) -> list[str]:
    return [
        "--aout=afile",
        f"--audiofile-file={path}",
        "--audiofile-format=s16",
        "--audiofile-channels=1",
    ]


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x * x))) if x.size else 0.0


def db(level: float, reference: float) -> float:
    return 20 * np.log10(level / reference)


def envelope(x: np.ndarray, window_s: float) -> np.ndarray:
    n = int(window_s * RATE)
    return np.array([rms(x[i : i + n]) for i in range(0, len(x) - n + 1, n)])


def spectrum(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    magnitude = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.fft.rfftfreq(len(x), 1 / RATE), magnitude


def tone_level(x: np.ndarray, hz: float) -> float:
    freqs, magnitude = spectrum(x)
    return float(np.sqrt(np.sum(magnitude[abs(freqs - hz) < 15] ** 2)))


def peak_hz(x: np.ndarray) -> float:
    freqs, magnitude = spectrum(x)
    return float(freqs[np.argmax(magnitude)])


def tone_amplitudes(x: np.ndarray, hz: float, window_s: float = LEAK_WINDOW_S) -> np.ndarray:
    """The amplitude of an `hz` tone in Hann windows of x a quarter-window apart (every
    moment is within an eighth of a window of some window's middle)."""
    n = int(window_s * RATE)
    hann = np.hanning(n)
    probe = hann * np.exp(-2j * np.pi * hz * np.arange(n) / RATE)
    starts = range(0, len(x) - n + 1, n // 4)
    return np.array([2 * abs(np.dot(x[i : i + n], probe)) / hann.sum() for i in starts])


def leak(x: np.ndarray, hz: float, their_amplitude: float) -> float:
    """The loudest moment of another seat's `hz` piece in recording x, as a fraction of the
    amplitude that seat plays it at (0: never there; 1: there at full level)."""
    return float(tone_amplitudes(x, hz).max()) / their_amplitude


def now_at(recorder) -> dict[str, int]:
    """Where each recording has got to, in samples: "now" in the recorded audio."""
    return {name: recorder.paths[name].stat().st_size // 2 for name in recorder.sinks}


@pytest.fixture(scope="module")
def tones(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tones")
    return {
        "440": write_tone(folder / "seat1-440.wav", 440, 10),
        "660": write_tone(folder / "seat2-660.wav", 660, 10),
        "short": write_tone(folder / "short-550.wav", 550, 1.0),
        "other": write_tone(folder / "other-330.wav", 330, 1.0),
        "fade": write_tone(folder / "fade-440.wav", 440, 10),
    }


def started(events: Events, count: int = 1):
    def check() -> bool:
        """track_started"""
        return len(events.of("music.track_started")) >= count

    return check


# -- the file output: sound is really produced, and the queue logic ------------------------


def test_a_piece_is_really_played_and_its_events_carry_seat_and_piece(tmp_path, tones):
    out, events = tmp_path / "out.wav", Events()
    with SeatPlayer(
        1, device=None, clock=RealClock(), on_event=events, vlc_args=afile_args(out), fade_s=FADE_S
    ) as player:
        player.load([tones["440"]])
        assert player.state == "stopped" and player.current == tones["440"]
        player.play()
        run([player], until=started(events))
        run([player], seconds=1.5)
        assert player.state == "playing"
        assert player.position_s > 1.0
    samples, rate = read_wav(out)
    assert len(samples) >= 1.2 * rate
    assert rms(samples) > 0.3  # the 0.5 tone at the file output's fixed 100 %
    assert peak_hz(samples) == pytest.approx(440, abs=2)
    (data,) = events.of("music.track_started")
    assert data["seat"] == 1
    assert data["piece"] == "seat1-440"
    assert data["path"] == str(tones["440"])


def test_corrupt_and_missing_files_are_skipped_and_the_next_piece_plays(tmp_path, tones):
    corrupt = tmp_path / "corrupt.ogg"
    corrupt.write_bytes(np.random.default_rng(5).bytes(200_000))
    missing = tmp_path / "gone.ogg"
    events = Events()
    with SeatPlayer(
        2,
        device=None,
        clock=RealClock(),
        on_event=events,
        vlc_args=afile_args(tmp_path / "out.wav"),
        fade_s=FADE_S,
    ) as player:
        player.load([corrupt, missing, tones["short"]])
        player.play()
        run([player], until=started(events))
        assert player.current == tones["short"]
        assert player.state == "playing"
    kinds = [kind for kind, _ in events]
    assert kinds[:3] == ["music.skipped", "music.skipped", "music.track_started"]
    skipped = events.of("music.skipped")
    assert [s["piece"] for s in skipped[:2]] == ["corrupt", "gone"]
    assert all(s["reason"].startswith("cannot play: ") for s in skipped)
    assert "not found" in skipped[1]["reason"]
    assert all(s["seat"] == 2 for s in skipped)
    assert events.of("music.track_started")[0]["piece"] == "short-550"


def test_hold_repeats_the_piece_until_released(tmp_path, tones):
    events = Events()
    with SeatPlayer(
        3,
        device=None,
        clock=RealClock(),
        on_event=events,
        vlc_args=afile_args(tmp_path / "out.wav"),
        fade_s=FADE_S,
    ) as player:
        player.load([tones["short"], tones["other"]])
        player.hold(True, "Ana")
        player.play()
        assert player.state == "held"
        run([player], until=started(events, 2))
        player.hold(False, "Ana")
        run([player], until=started(events, 3))
    pieces = [data["piece"] for data in events.of("music.track_started")]
    assert pieces == ["short-550", "short-550", "other-330"]
    assert [d["reason"] for d in events.of("music.track_ended")][:2] == ["ended", "ended"]


def test_skip_fades_out_then_moves_on(tmp_path, tones):
    events, clock = Events(), RealClock()
    with SeatPlayer(
        4,
        device=None,
        clock=clock,
        on_event=events,
        vlc_args=afile_args(tmp_path / "out.wav"),
        fade_s=FADE_S,
    ) as player:
        player.load([tones["440"], tones["660"]])
        player.play()
        run([player], until=started(events))
        asked = clock.now()
        player.skip("Ben")
        run([player], seconds=1.0)
        assert player.current == tones["440"], "a skip must fade out, not cut"
        assert 0 < player.volume < 60
        run([player], until=started(events, 2))
        took = clock.now() - asked
    assert took >= FADE_S
    (skipped,) = events.of("music.skipped")
    assert skipped == {
        "seat": 4,
        "piece": "seat1-440",
        "path": str(tones["440"]),
        "actor": "Ben",
        "reason": "skipped",
    }
    assert events.of("music.track_started")[1]["piece"] == "seat2-660"


def test_a_list_given_after_the_current_piece_waits_for_its_end(tmp_path, tones):
    events = Events()
    with SeatPlayer(
        5,
        device=None,
        clock=RealClock(),
        on_event=events,
        vlc_args=afile_args(tmp_path / "out.wav"),
        fade_s=FADE_S,
    ) as player:
        player.load([tones["short"]])
        player.play()
        run([player], until=started(events))
        player.load_after_current([tones["other"]])
        assert player.waiting_list and player.current == tones["short"]
        run([player], until=started(events, 2))
        assert not player.waiting_list and player.current == tones["other"]
    assert events.of("music.track_ended")[0]["reason"] == "ended"


def test_a_new_list_while_playing_fades_the_piece_out_first(tmp_path, tones):
    events, clock = Events(), RealClock()
    with SeatPlayer(
        6,
        device=None,
        clock=clock,
        on_event=events,
        vlc_args=afile_args(tmp_path / "out.wav"),
        fade_s=FADE_S,
    ) as player:
        player.load([tones["440"]])
        player.play()
        run([player], until=started(events))
        asked = clock.now()
        player.load([tones["660"], tones["other"]], start=1)
        run([player], until=started(events, 2))
        assert clock.now() - asked >= FADE_S
        assert player.current == tones["other"]
    (ended,) = events.of("music.track_ended")
    assert (ended["piece"], ended["reason"]) == ("seat1-440", "new list")
    assert not events.of("music.skipped")


def test_volume_is_capped_and_out_of_range_refused(tmp_path):
    events = Events()
    with SeatPlayer(
        5,
        device=None,
        clock=RealClock(),
        on_event=events,
        volume_cap=70,
        vlc_args=afile_args(tmp_path / "out.wav"),
    ) as player:
        player.set_volume(95, "Ana")
        for bad in (-1, 101):
            with pytest.raises(BadInputError):
                player.set_volume(bad, "Ana")
    (changed,) = events.of("music.volume_changed")
    assert changed["volume"] == 70 and changed["requested"] == 95 and changed["actor"] == "Ana"


def test_fades_shorter_than_three_seconds_are_refused(tmp_path):
    with pytest.raises(BadInputError, match="at least 3"):
        SeatPlayer(
            1,
            device=None,
            clock=RealClock(),
            on_event=Events(),
            fade_s=1.0,
            vlc_args=afile_args(tmp_path / "out.wav"),
        )


def test_without_libvlc_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "vlc", None)  # import vlc now raises ImportError
    with pytest.raises(AudioError, match="apt-get install libvlc5 vlc-plugin-base"):
        SeatPlayer(1, device="seat1", clock=RealClock(), on_event=Events())


# -- PulseAudio: each seat on its own sink ------------------------------------------------


def test_each_seat_hears_only_its_own_piece_and_ducking_lowers_only_that_seat(
    tones, monitor_recorder
):
    events, clock = Events(), RealClock()
    with (
        SeatPlayer(1, device="seat1", clock=clock, on_event=events, fade_s=FADE_S) as one,
        SeatPlayer(2, device="seat2", clock=clock, on_event=events, fade_s=FADE_S) as two,
    ):
        both = [one, two]
        recorder = monitor_recorder(("seat1", "seat2", "room")).start()
        one.load([tones["440"]])
        two.load([tones["660"]])
        one.play()
        two.play()
        run(both, until=started(events, 2))
        run(both, seconds=1.0)
        before = now_at(recorder)
        one.duck(True, "Ana")
        assert one.state == "ducked" and two.state == "playing"
        run(both, seconds=FADE_S + 0.3)
        ducked_from = now_at(recorder)
        run(both, seconds=0.6)
        ducked_to = now_at(recorder)
        one.duck(False, "Ana")
        run(both, seconds=FADE_S + 0.3)
        back_from = now_at(recorder)
        run(both, seconds=0.6)
        back_to = now_at(recorder)
    audio = recorder.stop()

    half = RATE // 2

    def steady(seat: str) -> np.ndarray:
        return audio[seat][before[seat] - half - RATE // 10 : before[seat] - RATE // 10]

    for seat, mine, other, theirs in (("seat1", 440, 660, "seat2"), ("seat2", 660, 440, "seat1")):
        heard = steady(seat)
        assert rms(heard) > 0.05, f"{seat} heard nothing"
        assert peak_hz(heard) == pytest.approx(mine, abs=3)
        # From before the first sample to after the last: a start on the wrong sink shows too.
        their_amplitude = float(np.median(tone_amplitudes(steady(theirs), other)))
        leaked = leak(audio[seat], other, their_amplitude)
        assert leaked < LEAK_FRACTION, (
            f"the other seat's piece leaked into {seat}: {db(leaked, 1):.0f} dB of its level"
        )
    assert audio["room"].size >= 8 * RATE, "the room was not recorded throughout"
    assert rms(audio["room"]) < SILENCE_RMS, "seat music reached the room speakers"

    def level(seat: str, start: dict, end: dict) -> float:
        return rms(audio[seat][start[seat] : end[seat]])

    def baseline(seat: str) -> float:
        return rms(audio[seat][before[seat] - half - RATE // 10 : before[seat] - RATE // 10])

    assert db(level("seat1", ducked_from, ducked_to), baseline("seat1")) == pytest.approx(
        -15, abs=3
    )
    assert db(level("seat2", ducked_from, ducked_to), baseline("seat2")) == pytest.approx(0, abs=2)
    assert db(level("seat1", back_from, back_to), baseline("seat1")) == pytest.approx(0, abs=2)
    ducked = events.of("music.ducked")
    assert [(d["seat"], d["on"], d["actor"], d["piece"]) for d in ducked] == [
        (1, True, "Ana", "seat1-440"),
        (1, False, "Ana", "seat1-440"),
    ]


def test_a_seats_own_stream_resampled_by_libvlc_is_not_taken_for_a_leak(tones, monitor_recorder):
    """libVLC resamples a stream that runs late (under load) to catch up. Seat 1 is made to
    resample here (a rate 0.055 % off, as its drift correction does): its sidebands reach the
    other seat's frequency, where a -60 dB spectral check once saw a leak that was not there.
    The leak check must pass them and still catch 5 ms of the other seat's real sound."""
    events, clock = Events(), RealClock()
    resampling = ["--no-audio-time-stretch", "--rate=1.00055"]
    with (
        SeatPlayer(
            1, device="seat1", clock=clock, on_event=events, fade_s=FADE_S, vlc_args=resampling
        ) as one,
        SeatPlayer(2, device="seat2", clock=clock, on_event=events, fade_s=FADE_S) as two,
    ):
        recorder = monitor_recorder(("seat1", "seat2", "room")).start()
        one.load([tones["440"]])
        two.load([tones["660"]])
        one.play()
        two.play()
        run([one, two], until=started(events, 2))
        run([one, two], seconds=1.0)
        at = now_at(recorder)
    audio = recorder.stop()

    mine = audio["seat1"][at["seat1"] - RATE // 2 - RATE // 10 : at["seat1"] - RATE // 10]
    theirs = audio["seat2"][at["seat2"] - RATE // 2 - RATE // 10 : at["seat2"] - RATE // 10]
    assert rms(mine) > 0.05 and rms(theirs) > 0.05
    # The condition of the false alarm is really there: seat 1's own sound has energy at
    # seat 2's frequency (a clean stream has 2e-6 of its own level there).
    assert tone_level(mine, 660) > 1e-4 * tone_level(mine, 440), "seat 1 was not resampled"
    their_amplitude = float(np.median(tone_amplitudes(theirs, 660)))
    assert leak(audio["seat1"], 660, their_amplitude) < LEAK_FRACTION
    assert rms(audio["room"]) < SILENCE_RMS
    # The same check catches 5 ms of seat 2's real sound mixed into seat 1's.
    misrouted = audio["seat1"].copy()
    burst = slice(at["seat1"] - RATE // 4, at["seat1"] - RATE // 4 + int(0.005 * RATE))
    misrouted[burst] += audio["seat2"][at["seat2"] - RATE // 4 :][: burst.stop - burst.start]
    assert leak(misrouted, 660, their_amplitude) > LEAK_FRACTION


def test_fade_to_silence_is_gradual_and_play_fades_back_in(tones, monitor_recorder):
    events, clock = Events(), RealClock()
    with SeatPlayer(
        3, device="seat3", clock=clock, on_event=events, volume=80, fade_s=FADE_S
    ) as player:
        recorder = monitor_recorder(("seat3",)).start()
        player.load([tones["fade"]])
        player.play()
        run([player], until=started(events))
        run([player], seconds=1.0)
        asked, mark = clock.now(), now_at(recorder)["seat3"]
        player.fade_to_silence("Ben", FADE_S)
        run([player], until=lambda: player.state == "silenced", timeout=FADE_S + 2)
        took = clock.now() - asked
        run([player], seconds=0.5)
        player.play("Ben")
        resumed = now_at(recorder)["seat3"]
        run([player], seconds=FADE_S + 0.6)
        assert player.state == "playing"
    x = recorder.stop()["seat3"]

    assert FADE_S <= took < FADE_S + 0.5
    (silenced,) = events.of("music.silenced")
    assert (silenced["seat"], silenced["actor"], silenced["piece"]) == (3, "Ben", "fade-440")
    steady = rms(x[mark - RATE // 2 : mark])
    assert steady > 0.1
    # Timing from a fine envelope: the first audible drop to digital silence takes >= 3 s.
    fine = envelope(x[mark:resumed], 0.05)
    drop = int(np.argmax(fine < 0.97 * steady))
    silent = int(np.argmax(fine < 1e-6))
    assert silent > drop > 0
    assert (silent - drop) * 0.05 >= FADE_S - 0.2
    # Shape from 250 ms windows: it only goes down, in steps of at most a third.
    coarse = envelope(x[mark - RATE // 4 : mark + int((FADE_S + 0.25) * RATE)], 0.25)
    steps = np.diff(np.concatenate([coarse, [0.0]]))
    assert np.all(steps <= 0.02 * steady), f"the fade went up: {coarse / steady}"
    assert -steps.min() <= steady / 3, f"a step too large: {coarse / steady}"
    assert coarse[-1] < 0.01 * steady
    # Play after silence comes back up gradually too.
    rising = envelope(x[resumed:], 0.25)[: int(FADE_S / 0.25) + 2]
    assert rising[0] < 0.3 * steady, f"play cut straight in: {rising / steady}"
    assert np.all(np.diff(rising) >= -0.02 * steady), f"not a rise: {rising / steady}"
    assert db(rising[-1], steady) == pytest.approx(0, abs=1)


def test_an_unknown_device_means_no_output_and_nothing_in_the_room(tones, monitor_recorder):
    events = Events()
    with SeatPlayer(6, device="no-such-headset", clock=RealClock(), on_event=events) as player:
        assert player.state == "no output"
        recorder = monitor_recorder(("room",)).start()
        player.load([tones["440"]])
        player.play()
        run([player], seconds=1.5)
        assert player.state == "no output"
        assert player.volume == 0
    audio = recorder.stop()
    (lost,) = events.of("music.device_lost")
    assert lost["seat"] == 6 and lost["device"] == "no-such-headset"
    assert not events.of("music.track_started")
    assert audio["room"].size >= RATE
    assert rms(audio["room"]) < SILENCE_RMS, "a seat without its device played in the room"


def test_a_device_that_disappears_silences_the_seat(tones, pulse_spare_sink, monitor_recorder):
    sink, unplug = pulse_spare_sink
    events = Events()
    with SeatPlayer(7, device=sink, clock=RealClock(), on_event=events) as player:
        recorder = monitor_recorder(("room",)).start()
        player.load([tones["440"]])
        player.play()
        # The app's GUI thread ticks 10 times a second; so does this test.
        run([player], until=started(events), tick_s=0.1)
        run([player], seconds=0.5, tick_s=0.1)
        unplug()
        run([player], until=lambda: player.state == "no output", timeout=3, tick_s=0.1)
        run([player], seconds=1.0, tick_s=0.1)
        player.play()  # the device is still gone: the seat stays silent
        run([player], seconds=0.5, tick_s=0.1)
        assert player.state == "no output"
    room = recorder.stop()["room"]
    (lost,) = events.of("music.device_lost")
    assert (lost["seat"], lost["device"], lost["piece"]) == (7, sink, "seat1-440")
    # PulseAudio moves a stream whose sink vanished to the default sink (the room); the
    # player drops it at its next tick, so at most a moment of it may be heard there.
    heard_s = float(np.sum(envelope(room, 0.01) > SILENCE_RMS)) * 0.01
    assert heard_s <= 0.3, f"{heard_s:.2f} s of the seat's music reached the room"
    assert rms(room[-RATE:]) < SILENCE_RMS


def test_the_heartbeat_leaves_the_device_check_to_the_watcher(tones, pulse_spare_sink):
    """Issue 17: asking libVLC for the devices once blocked the GUI thread for 122 ms, for
    each playing seat on every heartbeat; now the watcher's thread asks, and `tick` reads."""
    sink, _ = pulse_spare_sink
    events = Events()
    with SeatPlayer(8, device=sink, clock=RealClock(), on_event=events) as player:
        player.load([tones["440"]])
        player.play()
        run([player], until=started(events), tick_s=0.1)
        asked: list[bool] = []  # per libVLC device call: was it on this (the owner's) thread?
        for name in ("devices", "chosen_device"):
            real = getattr(player._output, name)

            def spy(real=real):
                asked.append(threading.current_thread() is threading.main_thread())
                return real()

            setattr(player._output, name, spy)
        run([player], seconds=1.2, tick_s=0.1)
        assert player.state == "playing"
    assert asked.count(False) >= 4  # the watcher asked, every 0.1 s (the list every 0.5 s)
    assert True not in asked, "the heartbeat asked libVLC for the device"


def test_an_ogg_vorbis_oga_from_the_library_is_really_played(tmp_path):
    assert shutil.which("sox"), "sox is missing: run scripts/setup.sh"
    oga = tmp_path / "bell.oga"  # the freedesktop sound theme's naming
    subprocess.run(
        ["sox", "-n", "-r", str(RATE), "-c", "1", "-t", "vorbis", str(oga), "synth", "3"]
        + ["sine", "440", "vol", "0.5"],
        check=True,
    )
    track = read_track(oga)  # the library accepts it ...
    out, events = tmp_path / "out.wav", Events()
    with SeatPlayer(
        1, device=None, clock=RealClock(), on_event=events, vlc_args=afile_args(out), fade_s=FADE_S
    ) as player:
        player.load([track])
        player.play()
        run([player], until=started(events))
        run([player], seconds=1.5)
    samples, rate = read_wav(out)  # ... and libVLC plays it
    assert len(samples) >= 1.2 * rate and rms(samples) > 0.2
    assert peak_hz(samples) == pytest.approx(440, abs=2)
    assert events.of("music.skipped") == []
