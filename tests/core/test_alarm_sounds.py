"""The alarm bursts have the IEC 60601-1-8 shape: measured from the WAV files they write."""

from __future__ import annotations

import sys
import wave

import numpy as np
import pytest

from groupkap.alarms.burst_files import (
    BurstPattern,
    burst_samples,
    count_pulses,
    ensure_bursts,
    read_wav,
    write_burst,
)
from groupkap.alarms.burst_player import AlarmBurstPlayer
from groupkap.audio.libvlc import LIBVLC_MISSING
from groupkap.errors import AudioError

TOLERANCE_S = 0.010
# The documented table (groupkap/alarms/burst_files.py), written out rather than computed,
# so a change to the pattern has to change the documentation and this test too.
EXPECTED = {
    "high": dict(
        hz=523.0, pulse=0.150, starts=[0.0, 0.25, 0.5, 1.0, 1.25, 1.9, 2.15, 2.4, 2.9, 3.15]
    ),
    "medium": dict(hz=440.0, pulse=0.200, starts=[0.0, 0.325, 0.65]),
    "low": dict(hz=330.0, pulse=0.200, starts=[0.0]),
}


def measured_pulses(path):
    samples, rate = read_wav(path)
    return count_pulses(samples, rate)


@pytest.fixture
def written(tmp_path):
    return {p: write_burst(p, tmp_path / f"{p}.wav") for p in EXPECTED}


def test_files_are_16_bit_mono_at_the_asked_volume(written):
    with wave.open(str(written["high"]), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 44100)
    samples, _ = read_wav(written["high"])
    assert np.max(np.abs(samples)) == pytest.approx(0.6, abs=1e-3)


def test_high_is_ten_pulses_in_two_groups_of_five(written):
    pulses = measured_pulses(written["high"])
    assert len(pulses) == 10
    starts = [s - pulses[0][0] for s, _ in pulses]
    assert starts == pytest.approx(EXPECTED["high"]["starts"], abs=TOLERANCE_S)
    gaps = [b[0] - a[1] for a, b in zip(pulses, pulses[1:])]
    # 3 + 2 within each group (x, x, 2x + td, x), then 0.35-1.3 s between the groups.
    group = [0.100, 0.100, 0.350, 0.100]
    assert gaps == pytest.approx(group + [0.500] + group, abs=TOLERANCE_S)
    assert 0.35 <= gaps[4] <= 1.3


@pytest.mark.parametrize("priority", ["medium", "low"])
def test_medium_and_low_pulse_counts_and_spacing(written, priority):
    pulses = measured_pulses(written[priority])
    starts = [s - pulses[0][0] for s, _ in pulses]
    assert starts == pytest.approx(EXPECTED[priority]["starts"], abs=TOLERANCE_S)


@pytest.mark.parametrize("priority", list(EXPECTED))
def test_pulse_durations(written, priority):
    durations = [e - s for s, e in measured_pulses(written[priority])]
    assert durations == pytest.approx(
        [EXPECTED[priority]["pulse"]] * len(durations), abs=TOLERANCE_S
    )


@pytest.mark.parametrize("priority", list(EXPECTED))
def test_tone_has_a_fundamental_in_range_and_four_harmonics(written, priority):
    samples, rate = read_wav(written[priority])
    start, end = measured_pulses(written[priority])[0]
    steady = samples[int((start + 0.02) * rate) : int((end - 0.02) * rate)]
    n = 1 << 16  # zero-padded: 0.67 Hz bins
    spectrum = np.abs(np.fft.rfft(steady * np.hanning(steady.size), n))
    freqs = np.fft.rfftfreq(n, 1 / rate)
    fundamental = freqs[np.argmax(spectrum)]
    assert 150 <= fundamental <= 1000
    assert fundamental == pytest.approx(EXPECTED[priority]["hz"], abs=2)

    def level(f):
        return spectrum[(freqs > f - 10) & (freqs < f + 10)].max()

    noise = np.median(spectrum)
    top = level(fundamental)
    for k in (2, 3, 4, 5):
        assert level(k * fundamental) > 100 * noise, f"no energy at {k}f"
        # IEC 60601-1-8: at least 4 harmonics within 15 dB of the fundamental.
        assert 20 * np.log10(level(k * fundamental) / top) > -15, f"{k}f too weak"


def test_generation_is_deterministic(tmp_path):
    first = write_burst("high", tmp_path / "a.wav").read_bytes()
    second = write_burst("high", tmp_path / "b.wav").read_bytes()
    assert first == second


def test_ensure_bursts_writes_once_and_repairs_a_changed_file(tmp_path):
    paths = ensure_bursts(tmp_path)
    assert set(paths) == {"high", "medium", "low"}
    stamps = {p: path.stat().st_mtime_ns for p, path in paths.items()}
    good_low = paths["low"].read_bytes()

    assert ensure_bursts(tmp_path) == paths
    assert {p: path.stat().st_mtime_ns for p, path in paths.items()} == stamps

    paths["low"].write_bytes(good_low[:100])  # truncated, as by a full disk
    ensure_bursts(tmp_path)
    assert paths["low"].read_bytes() == good_low
    assert paths["high"].stat().st_mtime_ns == stamps["high"]


def test_a_custom_pattern_is_what_gets_written(tmp_path):
    pattern = BurstPattern(frequency_hz=600.0, pulse_s=0.1, ramp_s=0.015, gaps_s=(0.2, 0.3))
    pulses = measured_pulses(write_burst("high", tmp_path / "x.wav", pattern=pattern))
    starts = [s - pulses[0][0] for s, _ in pulses]
    assert pattern.starts_s() == pytest.approx([0.0, 0.3, 0.7])
    assert starts == pytest.approx(pattern.starts_s(), abs=TOLERANCE_S)


def test_silence_and_faint_noise_have_no_pulses():
    rng = np.random.default_rng(7)
    assert count_pulses(np.zeros(44100), 44100) == []
    assert count_pulses(rng.normal(0, 1e-4, 44100), 44100) == []


def test_unknown_priority_and_bad_volume_are_refused(tmp_path):
    with pytest.raises(ValueError, match="urgent"):
        burst_samples("urgent")
    with pytest.raises(ValueError, match="volume"):
        write_burst("low", tmp_path / "x.wav", volume=1.5)


def test_burst_player_without_libvlc_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "vlc", None)  # `import vlc` now raises ImportError
    with pytest.raises(AudioError) as missing:
        AlarmBurstPlayer(ensure_bursts(tmp_path))
    assert str(missing.value) == LIBVLC_MISSING


def test_burst_player_refuses_a_missing_sound_file(tmp_path):
    paths = ensure_bursts(tmp_path)
    paths["medium"] = tmp_path / "gone.wav"
    with pytest.raises(AudioError, match="gone.wav"):
        AlarmBurstPlayer(paths)
