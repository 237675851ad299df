"""The seats' heartbeat on the GUI thread: 10 seats playing real libVLC streams, each on a
PulseAudio null sink of its own (a private server, soak_pulse.py), ticked as the room does.

Run: .venv/bin/python scripts/bench/seat_ticks.py [--beats 600]

Interleaved in one process, beat by beat (the order alternating), so load hits both alike:
- "before": `SeatPlayer.tick` plus the device check it used to make on every beat for every
  playing seat (`_device_problem`: libVLC's chosen device and device list, which once
  blocked for 122 ms on PulseAudio in the soak);
- "after": `tick` alone, which reads the device watcher's verdict (device_watch.py);
- a volume step on all ten seats, the one libVLC call left in `tick` (only when the volume
  changes: during a fade or a duck).
Prints the GUI-thread ms per beat for the ten seats: median, p99, max, beats over 2 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from soak_pulse import PrivatePulse  # noqa: E402  (beside this script)

from groupkap.clock import RealClock  # noqa: E402
from groupkap.music.player import SeatPlayer  # noqa: E402

RATE = 44100


def tone(folder: Path) -> Path:
    path = folder / "tone.wav"
    t = np.arange(RATE * 20) / RATE
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.round(0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2").tobytes())
    return path


def row(name: str, ms: list[float]) -> None:
    a = np.array(ms)
    print(
        f"{name:<40}{np.median(a):>8.3f}{np.percentile(a, 99):>8.3f}{a.max():>8.2f}"
        f"{int((a > 2).sum()):>8}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beats", type=int, default=600)
    args = parser.parse_args()
    sinks = [f"seat{n}" for n in range(1, 11)]
    pulse = PrivatePulse(["facilitator", "room", *sinks])
    try:
        piece = tone(Path(tempfile.mkdtemp(prefix="groupkap-seat-ticks-")))
        players = [
            SeatPlayer(n, device=sink, clock=RealClock(), on_event=lambda kind, data: None)
            for n, sink in enumerate(sinks, 1)
        ]
        for player in players:
            player.load([piece])
            player.play()
        time.sleep(1.0)
        before: list[float] = []
        after: list[float] = []
        volume: list[float] = []
        for beat in range(args.beats):
            for checked in (True, False) if beat % 2 == 0 else (False, True):
                t0 = time.perf_counter()
                for player in players:
                    player.tick()
                    if checked and player._active:
                        player._device_problem()
                (before if checked else after).append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            for player in players:
                player._player.audio_set_volume(59 + beat % 2)
            volume.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.05)
        playing = [p.state for p in players]
        for player in players:
            player.close()
    finally:
        pulse.stop()
    print(f"{args.beats} beats of 10 playing seats ({playing.count('playing')} playing at the end)")
    print(f"{'GUI-thread ms per beat, 10 seats':<40}{'median':>8}{'p99':>8}{'max':>8}{'> 2 ms':>8}")
    row("before: tick + device check per seat", before)
    row("after: tick (the watcher's verdict)", after)
    row("volume step on all 10 seats", volume)
    print(
        f"after / before: median {np.median(after) / np.median(before):.2f}, "
        f"p99 {np.percentile(after, 99) / np.percentile(before, 99):.2f}"
    )


if __name__ == "__main__":
    main()
