"""Opening a session, new or resumed, with its alarm engine and protocol: the part of building
a room that the window and a headless recorder share.

A resumed session comes back as its log says it was: its participants, each one's protocol
(screening to discharge, every clock from their own T0), their own alarm limits, the
vital-sign alarms that were shown, and their tiles (trend, last BP) refilled from the store;
on a simulated clock, session time resumes after the last logged event so times never run
back.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing

from groupkap.accounts import Account
from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import LimitSet, clinic_limits_path, load_clinic_limits
from groupkap.alarms.limits_file import LimitsFile
from groupkap.clock import Clock
from groupkap.options import RunOptions
from groupkap.protocol.group import Protocol
from groupkap.protocol.replay import (
    restore_alarms,
    restore_participant_limits,
    restore_protocol,
)
from groupkap.session import LiveSession
from groupkap.settings import Settings
from groupkap.sources.base import VitalsSource
from groupkap.store import Store

SourceFactory = Callable[[list[int], float], VitalsSource]
"""make_source(seat numbers, start time) -> the room's vitals source."""


def open_live_session(
    options: RunOptions,
    *,
    store: Store,
    clock: Clock,
    settings: Settings,
    make_source: SourceFactory,
    account: Account | None = None,
) -> LiveSession:
    """Start the session `options` asks for (or resume `options.resume`), watched by an alarm
    engine with the clinic's limits (recorded as applied) and following the protocol.

    `account`: who is signed in; `session.started` (or `session.resumed`) and the seats
    planned on the command line are recorded under its name, so the log says who opened the
    room. The caller sets `live.account` afterwards (its permissions guard what follows);
    without one the acts are the workstation's ("facilitator"), as before accounts.

    The limits are read first: a refused limits file raises ConfigError before anything is
    written."""
    limits = load_clinic_limits()
    actor = account.name if account is not None else "facilitator"
    if options.resume:
        live = _resume(
            options.resume,
            store=store,
            clock=clock,
            settings=settings,
            make_source=make_source,
            actor=actor,
        )
    else:
        source = make_source(list(range(1, options.seats + 1)), clock.now())
        live = LiveSession.start(
            seat_count=options.seats,
            clock=clock,
            source=source,
            store=store,
            settings=settings,
            speed=options.speed,
            title=options.title,
            actor=actor,
        )
        for seat in sorted(options.plan):
            live.add_participant(options.plan[seat], seat)
    watch_alarms(live, limits)
    live.follow_protocol(Protocol(clock, live.record_event, settings.protocol, alarms=live.alarms))
    if options.resume:
        with closing(store.reader()) as conn:
            restore_protocol(live.protocol, conn, live.id)
            restore_participant_limits(live.alarms, conn, live.id)
            restore_alarms(live.alarms, conn, live.id, live.room.participants)
        live.protocol.judge_scores()  # a standing MOAA/S alarm comes back with the room
    return live


def _resume(
    session_id: str,
    *,
    store: Store,
    clock: Clock,
    settings: Settings,
    make_source: SourceFactory,
    actor: str,
) -> LiveSession:
    row = store.session(session_id)
    last = store.last_recorded_time(session_id)
    advance = getattr(clock, "advance", None)
    if last is not None and last > clock.now() and advance is not None:
        # A simulated session runs ahead of the wall clock: resume after the last thing it
        # recorded (event, vital sign or waveform), so no table's times run backwards and
        # every T0 stays in the past.
        advance(last - clock.now() + 1.0)
    source = make_source(list(range(1, row["seats"] + 1)), clock.now())
    return LiveSession.resume(
        session_id, clock=clock, source=source, store=store, settings=settings, actor=actor
    )


def watch_alarms(live: LiveSession, limits: LimitSet | None = None) -> None:
    """Give the session its alarm engine with the clinic's limits, recorded as applied (with
    any parameter switched off, and why), and a watcher of the clinic's limits file when
    there is one, so edits apply live."""
    limits = load_clinic_limits() if limits is None else limits
    engine = AlarmEngine(live.clock, limits, live.record_event, live.settings.alarms)
    live.watch_with(engine)
    live.record_event(
        "limits.applied",
        {
            "source": limits.source,
            "limits": {name: p.describe() for name, p in limits.params.items()},
            "off": limits.off(),
        },
        None,
        "system",
    )
    path = clinic_limits_path()
    live.limits_file = LimitsFile(path, engine) if path.exists() else None
