"""The soak's music baseline: bare libVLC, no GroupKAP, playing what the soak's seats play.

Run: .venv/bin/python scripts/bench/soak_music.py [--seats 10] [--seconds 240]

One libVLC instance and player per seat (as `groupkap.music.player.SeatPlayer` opens them),
each on its own PulseAudio null sink (a private server, scripts/bench/soak_pulse.py),
playing the demo library's pieces one after another and setting the volume ten times a
second (as the seat players do), for as long as the 4-hour soak runs at 60x. RSS every 10 s:
what libVLC and PulseAudio's client library do to memory on their own, to set beside the
soak's growth.
"""

from __future__ import annotations

import argparse
import os
import time

from soak_pulse import PrivatePulse  # beside this script

from groupkap.audio.libvlc import VlcPlayer
from groupkap.demo.music_library import demo_library_folder, ensure_demo_library


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=240.0)
    parser.add_argument("--warmup-s", type=float, default=60.0)
    args = parser.parse_args()
    folder = demo_library_folder()
    ensure_demo_library(folder)
    pieces = sorted(folder.glob("*.wav"))
    seats = [f"seat{n}" for n in range(1, args.seats + 1)]
    pulse = PrivatePulse(["facilitator", "room", *seats])
    players, playing = [], []
    try:
        for n, sink in enumerate(seats):
            out = VlcPlayer()
            players.append(out)
            playing.append(n % len(pieces))
            _play(out, pieces[playing[-1]], sink)
        t0, rss, changes = time.perf_counter(), [], 0
        next_sample = t0
        volume = 0
        while (now := time.perf_counter()) - t0 < args.seconds:
            if now >= next_sample:
                rss.append((now - t0, rss_mb()))
                next_sample += 10
            volume = (volume + 1) % 50
            for i, out in enumerate(players):
                out.player.audio_set_volume(50 + volume)
                if out.player.get_state() == out.vlc.State.Ended:
                    playing[i] = (playing[i] + 1) % len(pieces)
                    _play(out, pieces[playing[i]], seats[i])
                    changes += 1
            time.sleep(0.1)
        rss.append((time.perf_counter() - t0, rss_mb()))
        streams = pulse.sink_inputs()
    finally:
        for out in players:
            out.close()
        pulse.stop()
    print(
        f"bare libVLC: {args.seats} players on null sinks for {args.seconds:g} s; "
        f"{changes} piece changes; streams at the end: {sum(streams.values())}"
    )
    at_warm = next(mb for s, mb in rss if s >= args.warmup_s - 1e-6)
    print(f"{'real s':>8}{'RSS MB':>9}{'vs warm-up':>12}")
    for s, mb in rss:
        print(f"{s:>8.0f}{mb:>9.1f}{mb - at_warm:>+12.1f}")
    print(f"growth after {args.warmup_s:g} s: {rss[-1][1] - at_warm:+.1f} MB (pid {os.getpid()})")


def _play(out: VlcPlayer, path, sink: str) -> None:
    media = out.media(path)
    out.player.set_media(media)
    media.release()
    out.set_device(sink)
    out.player.play()


if __name__ == "__main__":
    main()
