"""The soak's tables (scripts/bench/soak.py): memory, stalls, what the room did, and the
store's rows against what was generated and handed on."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
from soak_count import GENERATED, NUMERIC, SUBMITTED, stored

PARAMS = ("HR", "SpO2", "RR", "SBP", "DBP", "MAP")


def report(soak, db: Path, _np=None) -> None:
    args, run = soak.args, soak.run
    live = run.live
    sim_min = (soak.end_t - soak.t0) / 60
    print(
        f"{args.seats} seats, {args.hours:g} h of session at {args.speed:g}x: "
        f"{sim_min:.1f} session min in {soak.real_s:.0f} s real "
        f"({sim_min * 60 / soak.real_s:.1f}x achieved); {run.beats} heartbeats"
    )
    _memory(soak)
    _stalls(soak)
    _features(soak, db, live)
    _accounts(soak, db, live)


def _memory(soak) -> None:
    warm = soak.args.warmup_min
    print(f"\nRSS (MB) every {soak.args.sample_min:g} session min; warm-up ends at {warm:g} min")
    at_warm = next((mb for m, _, mb in soak.rss if m >= warm - 1e-6), soak.rss[-1][2])
    print(f"{'session min':>12}{'real s':>8}{'RSS MB':>9}{'vs warm-up':>12}")
    for minute, real, mb in soak.rss:
        delta = f"{mb - at_warm:+.1f}" if minute >= warm - 1e-6 else ""
        print(f"{minute:>12.0f}{real:>8.0f}{mb:>9.1f}{delta:>12}")
    after = [mb for m, _, mb in soak.rss if m >= warm - 1e-6] or [at_warm]
    first, last = soak.rss[0][2], soak.rss[-1][2]
    print(
        f"growth after warm-up: {last - at_warm:+.1f} MB (max {max(after) - at_warm:+.1f}; "
        f"aim < 20); start to end {last - first:+.1f} MB"
    )
    minutes = [m for m, _, _ in soak.rss if m >= warm - 1e-6]
    if len(after) >= 3:
        slope = np.polyfit(minutes, after, 1)[0] * 60
        print(f"least-squares slope after warm-up: {slope:+.2f} MB per session hour")
    before, trimmed, after_trim = soak.trimmed
    print(
        f"at the end: RSS {before:.1f} MB, after malloc_trim(0) {after_trim:.1f} MB"
        + ("" if trimmed else " (nothing given back)")
    )
    if soak.traced:
        print(
            "Python's traced memory (tracemalloc, MB) at each sample: "
            + " ".join(f"{mb:.1f}" for mb in soak.traced)
        )
        for line in soak.grew:
            print(f"  grew after warm-up: {line}")
    for phase, values in soak.baseline_rss.items():
        grew = sum(b - a for a, b in zip(values[::2], values[1::2]))
        print(f"baseline {phase}: RSS {values[0]:.1f} MB, grew {grew:+.1f} MB over its blocks")


def _stalls(soak) -> None:
    print(f"\nGUI-thread stalls: lateness of a {10} ms precise timer (ms)")
    head = f"{'phase':<16}{'firings':>9}{'median':>8}{'p99':>8}{'max':>8}{'>100ms':>8}"
    print(head + f"{'p99 x bare':>12}{'p99 x idle':>12}")
    late = {k: np.frombuffer(v, dtype=np.float64) for k, v in soak.probe.late.items()}
    if "warm-up" in late and "after warm-up" in late:
        late["whole room run"] = np.concatenate([late["warm-up"], late["after warm-up"]])
    p99 = {k: np.percentile(v, 99) for k, v in late.items() if len(v)}
    for phase in ("warm-up", "after warm-up", "whole room run", "idle", "bare room"):
        v = late.get(phase)
        if v is None or not len(v):
            continue
        ratios = ""
        for base in ("bare room", "idle"):
            ratios += f"{p99[phase] / max(p99.get(base, np.nan), 0.01):>12.2f}"
        print(
            f"{phase:<16}{len(v):>9}{np.median(v):>8.2f}{p99[phase]:>8.1f}{v.max():>8.1f}"
            f"{int((v > 100).sum()):>8}{ratios}"
        )
    worst = sorted(w for w in soak.probe.worst if w[1] != "baseline warm-up")[::-1][:10]
    if worst:
        print("longest stalls, and where the GUI thread was (the stack sampled most):")
    for ms, phase, minute, begun, ended in worst:
        where = soak.watchdog.at(begun, ended) if ms > 80 else ""
        print(f"  {ms:>4.0f} ms at {minute:6.1f} min ({phase}): {where}")
    print(
        f"(not in these: the session's end, RoomRun.finish in one slot: last pump, circle, last"
        f" frame, the alarm self-test's result logged, session.ended: {soak.finish_ms:.0f} ms; the"
        f" baselines' first 2 s, the bare room's first paints)"
    )
    slow = sorted(soak.slow, reverse=True)[:8]
    if slow:
        print(
            "slowest heartbeats and frames: "
            + "; ".join(f"{what} {ms:.0f} ms at {m:.1f} min" for ms, what, m in slow)
        )
    end_min = (soak.end_t - soak.t0) / 60
    events = [e for e in soak.event_slow if e[3] < end_min - 1e-6]  # not the end's own slot
    if events:
        print("slowest event deliveries (--events; nested ones too):")
        for ms, what, kind, minute in sorted(events, reverse=True)[:20]:
            print(f"  {ms:>4.0f} ms at {minute:6.1f} min: {kind} to {what}")
    gcs = soak.collections
    slow_gc = sorted(gcs.slow, reverse=True)
    print(
        f"garbage collections on the GUI thread (gen 0/1/2): {'/'.join(map(str, gcs.count))};"
        f" over 10 ms: {len(slow_gc)}"
        + (
            ": " + "; ".join(f"gen {g} {ms:.0f} ms at {m:.1f} min" for ms, g, m in slow_gc[:6])
            if slow_gc
            else ""
        )
    )
    for name, values in (("heartbeat", soak.beat_ms), ("grid frame", soak.frame_ms)):
        v = np.frombuffer(values, dtype=np.float64)
        if len(v):
            print(
                f"{name}: {len(v)} runs, wall ms median {np.median(v):.1f}, p99 "
                f"{np.percentile(v, 99):.1f}, max {v.max():.1f}, over 100 ms {(v > 100).sum()}"
            )


def _features(soak, db: Path, live) -> None:
    kinds = stored(db, live.id, soak.t0, 0)["kinds"]
    groups = Counter()
    for kind, n in kinds.items():
        groups[kind.split(".")[0]] += n
    print("\nwhat the room did (events in the store by kind):")
    print("  " + ", ".join(f"{g} {n}" for g, n in sorted(groups.items())))
    wanted = [k for k in sorted(kinds) if k.split(".")[0] in ("alarm", "protocol", "circle")]
    print("  " + ", ".join(f"{k} {kinds[k]}" for k in wanted))
    music = sorted(k for k in kinds if k.startswith("music"))
    print("  " + ", ".join(f"{k} {kinds[k]}" for k in music))
    if soak.sinks is not None:
        print(f"  streams on the null sinks at mid-session: {dict(sorted(soak.sinks.items()))}")


def _accounts(soak, db: Path, live) -> None:
    sim = GENERATED.simulator
    end_s = sim._next  # seconds generated
    got = stored(db, live.id, sim.start, end_s)
    sid = live.id
    print(f"\naccounts of session {sid}: {end_s} s generated, session handed/filed/stored")
    print(
        f"source handed the session: {live.totals.readings} readings, {live.totals.blocks} "
        f"blocks, {live.totals.dropped} dropped by the room (generated: "
        f"{sum(GENERATED.readings.values())} readings, {sum(GENERATED.blocks.values())} blocks)"
    )
    head = f"{'param':<7}{'generated':>11}{'to writer':>11}{'in vitals':>11}{'gen-stored':>11}"
    print(head + f"{'writer-stored':>15}")
    mismatch = []
    for param in PARAMS:
        gen = sum(n for (s, p), n in GENERATED.readings.items() if p == param)
        sub = sum(
            n
            for (ss, s, p, k), n in SUBMITTED.vitals.items()
            if p == param and k == "monitor" and ss == sid
        )
        row = sum(n for (s, p, k), n in got["vitals"].items() if p == param and k == "monitor")
        print(f"{param:<7}{gen:>11}{sub:>11}{row:>11}{gen - row:>11}{sub - row:>15}")
        for (seat, p), n in GENERATED.readings.items():
            rows = got["vitals"].get((seat, p, "monitor"), 0)
            if p == param and rows != n:
                mismatch.append(f"seat {seat} {p}: generated {n}, stored {rows}")
    hand = {k: n for k, n in got["vitals"].items() if k[2] == "hand"}
    print(
        f"hand-entered values in vitals (the demo team's): {sum(hand.values())}; "
        "every seat and parameter matches: "
        + ("yes" if not mismatch else "NO: " + "; ".join(mismatch))
    )
    print(
        "\nseconds with numerics (HR/SpO2/RR) and PLETH per seat: generated, stored; 'quiet'"
        " = session seconds the monitor sent nothing (its sensor off, in the scenario);"
        " 'lost' = quiet in the store but not in the simulator"
    )
    print(
        f"{'seat':<5}{'alias':<7}{'s gen':>7}{'stored':>8}{'quiet':>7}{'lost':>6}"
        f"{'blocks gen':>12}{'stored':>8}{'samples gen':>13}{'stored':>10}{'diff':>6}"
    )
    for seat in sorted(set(GENERATED.blocks) | set(got["seated"])):
        alias = (got["seated"].get(seat) or ("-",))[0]
        gen_s = len(GENERATED.seconds.get(seat, ()))
        row_s = got["seconds"].get(seat, 0)
        rows, samples = got["waves"].get(seat, (0, 0))
        blocks, gen_samples = GENERATED.blocks[seat], GENERATED.samples[seat]
        diff = (blocks - rows) + (gen_samples - samples)
        print(
            f"{seat:<5}{alias:<7}{gen_s:>7}{row_s:>8}{end_s - gen_s:>7}{gen_s - row_s:>6}"
            f"{blocks:>12}{rows:>8}{gen_samples:>13}{samples:>10}{diff:>6}"
        )
    print(f"waveform rows whose bytes are not 4 x n samples: {got['broken_blocks']}")
    print("\nevents: recorded through Store.record vs rows in `events`, per session")
    for session, n in sorted(SUBMITTED.events.items(), key=lambda kv: str(kv[0])):
        rows = got["events"].get(session, 0)
        print(f"  {session}: recorded {n}, stored {rows}, diff {n - rows}")
    kinds = {k: n for (s, k), n in SUBMITTED.event_kinds.items() if s == sid}
    extra = {k: n - kinds.get(k, 0) for k, n in got["kinds"].items() if n != kinds.get(k, 0)}
    if extra:
        print(f"  {sid}: stored but not recorded through Store.record, by kind: {extra}")
        print(
            "  (expected: `vitals.sealed` is written by the store's writer itself, sealing"
            " the vital-sign rows, groupkap/store/writer.py `_seal`)"
        )
    for session, rows in got["events"].items():
        if session not in SUBMITTED.events:
            print(f"  {session}: recorded 0 (not through Store.record), stored {rows}")
    _ = NUMERIC
