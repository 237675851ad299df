"""Is the alarm output one a person can hear? The verdicts behind the alarm self-test.

A burst that "plays to its end" proves little: libVLC's dummy output, an output that never
opened, and a PulseAudio null sink all time the burst faithfully while no one hears it.
These checks name each of those cases in words, so the self-test can fail honestly.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field

log = logging.getLogger("groupkap.audio")

# libVLC output modules that take the sound and give it to no one. libVLC never picks
# these by itself (their priority is 0): they are only ever named with --aout.
SILENT_MODULES = {
    "dummy": "libVLC's dummy output, which discards it",
    "adummy": "libVLC's dummy output, which discards it",
    "amem": "libVLC's memory output, a program rather than a speaker",
    "none": "no output at all",
}
# PulseAudio names its null sinks "Null Output" and its fallback sink (auto_null)
# "Dummy Output"; ALSA's "null" device discards all samples.
NULL_DESCRIPTIONS = ("null output", "dummy output", "discard all samples")
NULL_DEVICE_IDS = {"null", "auto_null"}
PACTL_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class SelfTestResult:
    """What the alarm self-test found.

    Attributes:
        heard: per priority, whether its burst reached an output a person can hear.
        problem: why the alarm sound is not working, in words ("" when it is).
    """

    heard: dict[str, bool] = field(default_factory=dict)
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem and bool(self.heard) and all(self.heard.values())

    @classmethod
    def failed(
        cls, problem: str, priorities: Sequence[str] = ("low", "medium", "high")
    ) -> SelfTestResult:
        """No burst was heard, for `problem`."""
        return cls({p: False for p in priorities}, problem)

    def as_event(self) -> dict:
        """The `alarm.sound_tested` data: one key per priority, then ok and problem."""
        return {**self.heard, "ok": self.ok, "problem": self.problem}


def requested_modules(vlc_args: Sequence[str]) -> list[str]:
    """The audio output modules named by `--aout` (or `-A`) in libVLC options, in order.

    The last option wins, as in libVLC; its value may be a list ("pulse,alsa") that libVLC
    tries in turn. Empty when no module is named (libVLC chooses among the real ones).
    """
    value = None
    args = list(vlc_args)
    for i, arg in enumerate(args):
        if arg.startswith("--aout="):
            value = arg.split("=", 1)[1]
        elif arg in ("--aout", "-A") and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("-A") and not arg.startswith("--") and len(arg) > 2:
            value = arg[2:]
    if value is None:
        return []
    return [name.strip().lower() for name in value.split(",") if name.strip()]


def silent_module_problem(vlc_args: Sequence[str]) -> str:
    """Why the libVLC output asked for cannot be heard, or "" when it may be."""
    modules = requested_modules(vlc_args)
    for name in modules:
        if name in SILENT_MODULES:
            return (
                f"the alarm sound goes to {SILENT_MODULES[name]} (libVLC --aout="
                f"{','.join(modules)}): no one hears the alarms"
            )
    return ""


def null_device_problem(device: str, description: str) -> str:
    """Why the output device `device` cannot be heard, or "" when it may be.

    Looks at the name and description libVLC lists, then asks PulseAudio which of its
    sinks are null sinks: a clinic's test set-up may name one after a real headset.
    """
    if device in NULL_DEVICE_IDS or any(n in description.lower() for n in NULL_DESCRIPTIONS):
        return (
            f"the alarm output device {device!r} ({description or 'no description'}) is "
            "a null output that discards the sound: no one hears the alarms"
        )
    if device in pulse_null_sinks():
        return (
            f"the alarm output device {device!r} is a PulseAudio null sink "
            "(module-null-sink) that discards the sound: no one hears the alarms"
        )
    return ""


def pulse_null_sinks() -> set[str]:
    """Names of the PulseAudio sinks made by module-null-sink; empty when PulseAudio does
    not answer (then libVLC is not playing through it either)."""
    if shutil.which("pactl") is None:
        return set()
    try:
        listing = subprocess.run(
            ["pactl", "list", "short", "sinks"],
            capture_output=True,
            text=True,
            timeout=PACTL_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "LC_ALL": "C"},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("could not ask PulseAudio for its sinks: %s", exc)
        return set()
    if listing.returncode != 0:
        return set()
    sinks = set()
    for line in listing.stdout.splitlines():
        columns = line.split("\t")
        # index, name, driver, sample spec, state
        if len(columns) >= 3 and columns[2].startswith("module-null-sink"):
            sinks.add(columns[1])
    return sinks
