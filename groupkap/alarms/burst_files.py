"""Alarm bursts in the shape of IEC 60601-1-8, generated as 16-bit mono WAV files.

Facilitators learn the three sounds by their rhythm, so the rhythm follows the standard's
burst table. Times are at the half-amplitude points of each pulse (the raised-cosine ramps
are centred on them), which is also where `count_pulses` measures, so the table below is
what an analysis of the file finds.

=========  ======  =====  =====  ========================================================
priority   tone    pulse  ramps  pulse starts (s), from the first half-amplitude point
=========  ======  =====  =====  ========================================================
high       523 Hz  150ms  20ms   0.00 0.25 0.50 1.00 1.25 | 1.90 2.15 2.40 2.90 3.15
medium     440 Hz  200ms  30ms   0.00 0.325 0.65
low        330 Hz  200ms  30ms   0.00
=========  ======  =====  =====  ========================================================

High: two groups of 5 (3 + 2). Within a group the gaps are x, x, 2x + td, x with
x = 100 ms and td = 150 ms (so 100, 100, 350, 100 ms); the groups are 500 ms apart
(the standard allows 0.35-1.3 s). Medium: 3 pulses 125 ms apart. Low: 1 pulse.
Each pulse is the fundamental plus 4 harmonics (2f-5f, all within 300-4000 Hz and within
-10 dB of the fundamental), so it stays audible and locatable through a headset.
Each file opens with 50 ms and closes with 100 ms of silence (`BurstPattern.lead_s`,
`tail_s`). The burst is played once; repeating it (every 2.5-15 s for high) is the alarm
engine's job.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from groupkap.files import atomic_write

PRIORITIES = ("high", "medium", "low")


@dataclass(frozen=True)
class BurstPattern:
    """The timing and tone of one alarm burst; `DEFAULT_PATTERNS` holds the standard ones.

    Attributes:
        frequency_hz: the fundamental (150-1000 Hz per IEC 60601-1-8).
        harmonics: relative amplitudes of f, 2f, 3f, ...; at least 5 entries keep 4 harmonics.
        pulse_s: each pulse's duration between its half-amplitude points.
        ramp_s: rise (and fall) time of each pulse, centred on the half-amplitude point.
        gaps_s: silence between consecutive pulses (half-amplitude points); one fewer than
            the number of pulses.
        lead_s: silence before the first ramp, so no output device clips the first pulse.
        tail_s: silence after the last ramp, for the same reason at the end.
    """

    frequency_hz: float
    pulse_s: float
    ramp_s: float
    gaps_s: tuple[float, ...]
    harmonics: tuple[float, ...] = (1.0, 0.8, 0.6, 0.45, 0.35)
    lead_s: float = 0.05
    tail_s: float = 0.10

    @property
    def pulses(self) -> int:
        return len(self.gaps_s) + 1

    def starts_s(self) -> list[float]:
        """Where each pulse begins, relative to the first (the table in the module docstring)."""
        starts = [0.0]
        for gap in self.gaps_s:
            starts.append(starts[-1] + self.pulse_s + gap)
        return starts

    @property
    def duration_s(self) -> float:
        return self.lead_s + self.ramp_s + self.starts_s()[-1] + self.pulse_s + self.tail_s


_X = 0.100  # IEC 60601-1-8 high-priority spacing x (50-125 ms)
_TD = 0.150  # high-priority pulse duration td (75-200 ms)
_GROUP = (_X, _X, 2 * _X + _TD, _X)

DEFAULT_PATTERNS: dict[str, BurstPattern] = {
    "high": BurstPattern(
        frequency_hz=523.0, pulse_s=_TD, ramp_s=0.020, gaps_s=_GROUP + (0.500,) + _GROUP
    ),
    "medium": BurstPattern(frequency_hz=440.0, pulse_s=0.200, ramp_s=0.030, gaps_s=(0.125, 0.125)),
    "low": BurstPattern(frequency_hz=330.0, pulse_s=0.200, ramp_s=0.030, gaps_s=()),
}


def _pattern(priority: str, pattern: BurstPattern | None) -> BurstPattern:
    if pattern is not None:
        return pattern
    try:
        return DEFAULT_PATTERNS[priority]
    except KeyError:
        raise ValueError(
            f"unknown alarm priority {priority!r}; expected one of {', '.join(PRIORITIES)}"
        ) from None


def burst_samples(
    priority: str, sample_rate: int = 44100, pattern: BurstPattern | None = None
) -> np.ndarray:
    """The burst as float64 samples peaking at exactly 1.0 (the writer applies the volume)."""
    p = _pattern(priority, pattern)
    n = int(round(p.duration_s * sample_rate))
    t = np.arange(n) / sample_rate
    # Harmonic phases are fixed, not random: the same parameters give the same bytes.
    tone = sum(
        a * np.sin(2 * np.pi * (k + 1) * p.frequency_hz * t + k * np.pi / 4)
        for k, a in enumerate(p.harmonics)
    )
    envelope = np.zeros(n)
    for start in p.starts_s():
        envelope = np.maximum(
            envelope, _pulse_envelope(t, p.lead_s + p.ramp_s / 2 + start, p.pulse_s, p.ramp_s)
        )
    samples = tone * envelope
    return samples / np.max(np.abs(samples))


def _pulse_envelope(t: np.ndarray, start: float, length: float, ramp: float) -> np.ndarray:
    """1 inside the pulse, raised-cosine edges of `ramp` centred on `start` and `start+length`.

    Soft edges stop the clicks a square gate would make; centring them keeps the
    half-amplitude timing exact.
    """
    rise = np.clip((t - (start - ramp / 2)) / ramp, 0.0, 1.0)
    fall = np.clip(((start + length + ramp / 2) - t) / ramp, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * np.minimum(rise, fall))


def _wav_bytes(
    priority: str, sample_rate: int, pattern: BurstPattern | None, volume: float
) -> bytes:
    if not 0.0 < volume <= 1.0:
        raise ValueError(f"volume must be in (0, 1], got {volume}")
    pcm = np.round(burst_samples(priority, sample_rate, pattern) * volume * 32767)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.astype("<i2").tobytes())
    return buf.getvalue()


def write_burst(
    priority: str,
    path: Path,
    *,
    sample_rate: int = 44100,
    pattern: BurstPattern | None = None,
    volume: float = 0.6,
) -> Path:
    """Write one burst as a WAV file, atomically, so a player never opens half a file."""
    path = Path(path)
    atomic_write(path, _wav_bytes(priority, sample_rate, pattern, volume))
    return path


def ensure_bursts(
    folder: Path, *, sample_rate: int = 44100, volume: float = 0.6
) -> dict[str, Path]:
    """The three standard bursts in `folder`, written only where missing or different.

    The expected bytes are regenerated (milliseconds of work) and compared with what is on
    disk, so a file from older parameters, or a damaged one, is replaced and a good one is
    left untouched.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for priority in PRIORITIES:
        path = folder / f"alarm-{priority}.wav"
        data = _wav_bytes(priority, sample_rate, None, volume)
        if not path.is_file() or path.read_bytes() != data:
            atomic_write(path, data)
        paths[priority] = path
    return paths


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit WAV file's samples as float64 in [-1, 1] (channels averaged), and its rate."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit samples, got {8 * w.getsampwidth()}-bit")
        channels, rate = w.getnchannels(), w.getframerate()
        frames = w.readframes(w.getnframes())
    pcm = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768
    return pcm.reshape(-1, channels).mean(axis=1), rate


def count_pulses(
    samples: np.ndarray,
    sample_rate: int,
    *,
    threshold: float = 0.5,
    min_level: float = 1e-3,
    min_pulse_s: float = 0.03,
    min_gap_s: float = 0.03,
) -> list[tuple[float, float]]:
    """Find the pulses in recorded or generated audio: (start, end) seconds of each.

    The envelope is a centred 5 ms moving RMS; a pulse is where it is above `threshold`
    times its maximum (0.5: the half-amplitude points the pattern is specified at).
    Silence (maximum envelope below `min_level`) has no pulses; gaps shorter than
    `min_gap_s` are bridged and blips shorter than `min_pulse_s` dropped, so noise and
    a device's start-up click do not count.
    """
    x = np.asarray(samples, dtype=np.float64).ravel()
    if x.size == 0:
        return []
    window = max(1, int(sample_rate * 0.005))
    power = np.convolve(x * x, np.ones(window) / window, mode="same")
    envelope = np.sqrt(np.maximum(power, 0.0))
    peak = envelope.max()
    if peak < min_level:
        return []
    above = np.concatenate(([False], envelope >= threshold * peak, [False]))
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    spans = [[s / sample_rate, e / sample_rate] for s, e in zip(edges[::2], edges[1::2])]
    merged: list[list[float]] = []
    for span in spans:
        if merged and span[0] - merged[-1][1] < min_gap_s:
            merged[-1][1] = span[1]
        else:
            merged.append(span)
    return [(s, e) for s, e in merged if e - s >= min_pulse_s]
