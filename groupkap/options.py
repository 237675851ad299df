"""What a run of the room was asked to be: a typed, frozen record built once from the command line.

The command line checks its arguments and builds one `RunOptions`; everything after reads it
and nothing changes it (an offscreen run with defaults filled in is a new `RunOptions` made
with `dataclasses.replace`, never an edited namespace).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType


@dataclass(frozen=True)
class Hl7Options:
    """How a run takes readings from monitors over HL7 (`demo --hl7`, `record`).

    Attributes:
        port: the listener's port (None: the [hl7] setting; 0: any free port).
        bind: the address to listen on (None: the [hl7] setting).
        allow: the peers let in (empty: the [hl7] setting).
        real_seats: the demo's seats fed through the listener (empty: every seat).
        assign: device -> seat to put in place at the start (`record --assign`).
    """

    port: int | None = None
    bind: str | None = None
    allow: tuple[str, ...] = ()
    real_seats: tuple[int, ...] = ()
    assign: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "assign", MappingProxyType(dict(self.assign)))


@dataclass(frozen=True)
class RunOptions:
    """One run of the room (the app, or `groupkap demo`).

    Attributes:
        seats: how many seats the room has (3–10).
        scenario: the simulator's scenario (`calm`, `demo` ...).
        speed: simulated seconds per real second (1 for the real-time app).
        minutes: end by itself after this many session minutes (None: when closed).
        seed: the simulator's seed.
        plan: who sits where at the start (seat -> alias); empty for a resumed session.
        resume: the id of an interrupted session to take up, or None for a new one.
        db: the session database (None: the default path).
        offscreen: no window on a screen (QA, CI).
        screenshot: a PNG of the room written at the end, or None.
        title: what the session is called in the log.
        hl7: readings from monitors over HL7 (None: every seat simulated).
    """

    seats: int = 6
    scenario: str = "calm"
    speed: float = 1.0
    minutes: float | None = None
    seed: int = 1
    plan: Mapping[int, str] = field(default_factory=dict)
    resume: str | None = None
    db: Path | None = None
    offscreen: bool = False
    screenshot: Path | None = None
    title: str = ""
    hl7: Hl7Options | None = None

    def __post_init__(self) -> None:
        # Frozen all the way down: the plan cannot be edited through the options either.
        object.__setattr__(self, "plan", MappingProxyType(dict(self.plan)))
