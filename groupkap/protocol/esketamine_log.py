"""Reading one participant's session log for the esketamine record: what counts, and when.

A struck entry (`entry.struck`) and an entry a later one corrects (`"corrects": old id`) no
longer count anywhere. Times are when a thing was measured (`t_measured`), falling back to
when it was logged for older logs without one.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from collections import namedtuple
from dataclasses import dataclass
from datetime import UTC, datetime

from groupkap.errors import BadInputError
from groupkap.store import queries

Event = namedtuple("Event", "seq t kind actor data")  # t: when it was logged, epoch seconds
Score = namedtuple("Score", "t value")  # a MOAA/S or CADSS total, at the time it was measured
ENTRY_KINDS = ("check.recorded", "observation.entered")
SAME_CUFF_S = 1.0  # a monitor's SBP and DBP within 1 s of each other are one reading


def when(t: float, t0: float) -> str:
    """`HH:MM UTC (T0 +38:00)`: the clock time, and minutes:seconds from T0 exactly, so a
    reading at T0+34:59 is never shown as "+35 min"."""
    sign, s = ("-" if t < t0 else "+"), round(abs(t - t0))
    hhmm = datetime.fromtimestamp(t, tz=UTC).strftime("%H:%M UTC")
    return f"{hhmm} (T0 {sign}{s // 60}:{s % 60:02d})"


@dataclass(frozen=True)
class BPReading:
    """One blood pressure. Attributes: t (measured, epoch), sbp, dbp, source (`monitor` or
    `hand, by NAME`)."""

    t: float
    sbp: float
    dbp: float
    source: str

    def text(self, t0: float) -> str:
        return f"{self.sbp:g}/{self.dbp:g} at {when(self.t, t0)}, {self.source}"


def find_participant(conn: sqlite3.Connection, session_id: str, who: str) -> tuple:
    """(id, alias, seat) of `who`, an id or alias; refused with the session's aliases."""
    if not queries.session_exists(conn, session_id):
        raise BadInputError(
            f"no session {session_id!r} in this database; `groupkap sessions` lists them"
        )
    people = [(p.id, p.alias, p.seat) for p in queries.participants(conn, session_id)]
    for match in (
        [p for p in people if p[0] == who],
        [p for p in people if p[1] == who],
        [p for p in people if p[1].casefold() == who.strip().casefold()],
    ):
        if len(match) == 1:
            return match[0]
        if len(match) > 1:
            raise BadInputError(
                f"{len(match)} participants of session {session_id} are "
                f"called {who!r}; give the participant id: " + ", ".join(p[0] for p in match)
            )
    known = ", ".join(f"{p[1]} (seat {p[2]})" for p in people) or "none"
    raise BadInputError(
        f"no participant {who!r} in session {session_id}; its participants are: {known}"
    )


def load_events(conn: sqlite3.Connection, session_id: str, pid: str) -> list[Event]:
    """The participant's events in log order, without the entries that no longer count."""
    events = [
        Event(e.seq, e.t, e.kind, e.actor, e.data)
        for e in queries.events(conn, session_id, participant_id=pid)
    ]
    gone = {e.data.get("entry_id") for e in events if e.kind == "entry.struck"}
    gone |= {e.data.get("corrects") for e in events if e.kind in ENTRY_KINDS}
    gone.discard(None)
    return [e for e in events if e.kind not in ENTRY_KINDS or e.data.get("entry_id") not in gone]


def measured(e: Event) -> float:
    t = e.data.get("t_measured")
    return e.t if t is None else float(t)


def scores(events: list[Event], check: str) -> list[Score]:
    """Every counting MOAA/S or CADSS total, in the order they were measured."""
    return sorted(
        Score(measured(e), e.data["value"])
        for e in events
        if e.kind == "check.recorded" and e.data.get("check") == check
    )


def bp_readings(
    conn: sqlite3.Connection, session_id: str, pid: str, events: list[Event]
) -> list[BPReading]:
    """Every BP of the participant, monitor and hand, in the order they were measured.

    Monitor BPs come from the vitals table (an SBP and a DBP row within a second, from a
    source other than `hand:…`); hand BPs from their `observation.entered` events, so a
    struck or corrected one drops out. Older logs kept hand BPs only as a `check.recorded`
    without an entry id: those count too.
    """
    rows = queries.monitor_blood_pressures(conn, session_id, pid)
    dbp_times = [t for t, _ in rows["DBP"]]
    readings = []
    for t, sbp in rows["SBP"]:
        i = bisect_left(dbp_times, t - SAME_CUFF_S)
        near = [
            j for j in (i, i + 1) if j < len(dbp_times) and abs(dbp_times[j] - t) <= SAME_CUFF_S
        ]
        if near:
            j = min(near, key=lambda k: abs(dbp_times[k] - t))
            readings.append(BPReading(t, sbp, rows["DBP"][j][1], "monitor"))
    for e in events:
        values = e.data.get("values") or {}
        if e.kind == "observation.entered" and "SBP" in values and "DBP" in values:
            readings.append(
                BPReading(
                    measured(e),
                    float(values["SBP"]),
                    float(values["DBP"]),
                    f"hand, by {e.data.get('taken_by') or e.actor}",
                )
            )
        elif (
            e.kind == "check.recorded"
            and e.data.get("check") == "BP"
            and e.data.get("source") == "hand"
            and not e.data.get("entry_id")
        ):
            readings.append(
                BPReading(
                    measured(e), float(e.data["sbp"]), float(e.data["dbp"]), f"hand, by {e.actor}"
                )
            )
    return sorted(readings, key=lambda r: r.t)


OXIMETRY_GAP_S = 5 * 60  # a longer stretch without SpO2 means oximetry was not continuous


def oximetry_gap(
    conn: sqlite3.Connection,
    session_id: str,
    pid: str,
    events: list[Event],
    t0: float,
    end_t: float,
) -> tuple[float, float] | None:
    """The longest stretch between T0 and the end of monitoring without any SpO2 (the
    monitor's, or a hand value that still counts), when it is longer than 5 min; None when
    oximetry ran throughout. Only then can the record say "no respiratory depression"."""
    hand = [
        measured(e)
        for e in events
        if e.kind == "observation.entered"
        and "SpO2" in (e.data.get("values") or {})
        and t0 < measured(e) <= end_t
    ]
    times = [
        t0,
        *sorted([*queries.monitor_spo2_times(conn, session_id, pid, t0, end_t), *hand]),
        end_t,
    ]
    start, stop = max(zip(times, times[1:]), key=lambda pair: pair[1] - pair[0])
    return (start, stop) if stop - start > OXIMETRY_GAP_S else None


def struck_hand_values(
    conn: sqlite3.Connection, session_id: str, pid: str
) -> set[tuple[str, float]]:
    """(param, value) of every hand value whose entry was struck or corrected: an alarm
    such a value raised says nothing about the participant."""
    logged = queries.events(
        conn, session_id, participant_id=pid, kinds=("observation.entered", "entry.struck")
    )
    gone = {e.data.get("entry_id") for e in logged if e.kind == "entry.struck"}
    gone |= {e.data.get("corrects") for e in logged if e.kind == "observation.entered"}
    return {
        (param, float(value))
        for e in logged
        if e.kind == "observation.entered" and e.data.get("entry_id") in gone
        for param, value in (e.data.get("values") or {}).items()
    }


def monitoring_end(
    conn: sqlite3.Connection, session_id: str, events: list[Event], dose: Event
) -> tuple[float, str]:
    """When monitoring ended: the signed discharge, else leaving the room, else session end."""
    discharge = next((e for e in events if e.kind == "discharge.signed"), None)
    if discharge is not None:
        return discharge.t, "discharge signed"
    removed = [e for e in events if e.kind == "participant.removed" and e.seq > dose.seq]
    if removed:
        return removed[0].t, "participant removed"
    ended = queries.session_ended_at(conn, session_id)
    if ended is not None:
        return ended, "session ended"
    # Signing the record later is no part of the session.
    last = queries.last_event_time(conn, session_id, ignoring=("esketamine_record.signed",))
    return last, "last logged event (session not ended)"
