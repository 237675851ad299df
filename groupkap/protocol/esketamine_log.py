"""Reading one participant's session log for the esketamine record: what counts, and when.

A struck entry (`entry.struck`) and an entry a later one corrects (`"corrects": old id`) no
longer count anywhere. Times are when a thing was measured (`t_measured`), falling back to
when it was logged for older logs without one.
"""

from __future__ import annotations

import json
import sqlite3
from bisect import bisect_left
from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime, timezone

from groupkap.errors import BadInputError

Event = namedtuple("Event", "seq t kind actor data")  # t: when it was logged, epoch seconds
Score = namedtuple("Score", "t value")  # a MOAA/S or CADSS total, at the time it was measured
ENTRY_KINDS = ("check.recorded", "observation.entered")
SAME_CUFF_S = 1.0  # a monitor's SBP and DBP within 1 s of each other are one reading


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def when(t: float, t0: float) -> str:
    """`HH:MM UTC (T0 +38:00)`: the clock time, and minutes:seconds from T0 exactly, so a
    reading at T0+34:59 is never shown as "+35 min"."""
    sign, s = ("-" if t < t0 else "+"), round(abs(t - t0))
    hhmm = datetime.fromtimestamp(t, tz=timezone.utc).strftime("%H:%M UTC")
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
    if conn.execute("select 1 from events where session_id = ? limit 1",
                    (session_id,)).fetchone() is None:
        raise BadInputError(f"no session {session_id!r} in this database; "
                            "`groupkap sessions` lists them")
    people = [tuple(r) for r in conn.execute(
        "select id, alias, seat from participants where session_id = ? order by seat, added_at",
        (session_id,))]
    for match in ([p for p in people if p[0] == who], [p for p in people if p[1] == who],
                  [p for p in people if p[1].casefold() == who.strip().casefold()]):
        if len(match) == 1:
            return match[0]
        if len(match) > 1:
            raise BadInputError(f"{len(match)} participants of session {session_id} are "
                                f"called {who!r}; give the participant id: "
                                + ", ".join(p[0] for p in match))
    known = ", ".join(f"{p[1]} (seat {p[2]})" for p in people) or "none"
    raise BadInputError(f"no participant {who!r} in session {session_id}; "
                        f"its participants are: {known}")


def load_events(conn: sqlite3.Connection, session_id: str, pid: str) -> list[Event]:
    """The participant's events in log order, without the entries that no longer count."""
    events = [Event(seq, epoch(t), kind, actor, json.loads(data)) for seq, t, kind, actor, data
              in conn.execute("select seq, t, kind, actor, data from events where "
                              "session_id = ? and participant_id = ? order by seq",
                              (session_id, pid))]
    gone = {e.data.get("entry_id") for e in events if e.kind == "entry.struck"}
    gone |= {e.data.get("corrects") for e in events if e.kind in ENTRY_KINDS}
    gone.discard(None)
    return [e for e in events if e.kind not in ENTRY_KINDS or e.data.get("entry_id") not in gone]


def measured(e: Event) -> float:
    t = e.data.get("t_measured")
    return e.t if t is None else float(t)


def scores(events: list[Event], check: str) -> list[Score]:
    """Every counting MOAA/S or CADSS total, in the order they were measured."""
    return sorted(Score(measured(e), e.data["value"]) for e in events
                  if e.kind == "check.recorded" and e.data.get("check") == check)


def bp_readings(conn: sqlite3.Connection, session_id: str, pid: str,
                events: list[Event]) -> list[BPReading]:
    """Every BP of the participant, monitor and hand, in the order they were measured.

    Monitor BPs come from the vitals table (an SBP and a DBP row within a second, from a
    source other than `hand:…`); hand BPs from their `observation.entered` events, so a
    struck or corrected one drops out. Older logs kept hand BPs only as a `check.recorded`
    without an entry id: those count too.
    """
    rows = {param: [] for param in ("SBP", "DBP")}
    for param, t, value in conn.execute(
            "select param, t, value from vitals where session_id = ? and participant_id = ? "
            "and param in ('SBP', 'DBP') and coalesce(source, '') not like 'hand%' order by t",
            (session_id, pid)):
        rows[param].append((t, value))
    dbp_times = [t for t, _ in rows["DBP"]]
    readings = []
    for t, sbp in rows["SBP"]:
        i = bisect_left(dbp_times, t - SAME_CUFF_S)
        near = [j for j in (i, i + 1) if j < len(dbp_times) and
                abs(dbp_times[j] - t) <= SAME_CUFF_S]
        if near:
            j = min(near, key=lambda k: abs(dbp_times[k] - t))
            readings.append(BPReading(t, sbp, rows["DBP"][j][1], "monitor"))
    for e in events:
        values = e.data.get("values") or {}
        if e.kind == "observation.entered" and "SBP" in values and "DBP" in values:
            readings.append(BPReading(measured(e), float(values["SBP"]), float(values["DBP"]),
                                      f"hand, by {e.data.get('taken_by') or e.actor}"))
        elif (e.kind == "check.recorded" and e.data.get("check") == "BP"
              and e.data.get("source") == "hand" and not e.data.get("entry_id")):
            readings.append(BPReading(measured(e), float(e.data["sbp"]), float(e.data["dbp"]),
                                      f"hand, by {e.actor}"))
    return sorted(readings, key=lambda r: r.t)


OXIMETRY_GAP_S = 5 * 60  # a longer stretch without SpO2 means oximetry was not continuous


def oximetry_gap(conn: sqlite3.Connection, session_id: str, pid: str, t0: float,
                 end_t: float) -> tuple[float, float] | None:
    """The longest stretch between T0 and the end of monitoring without any SpO2 (monitor
    or hand), when it is longer than 5 min; None when oximetry ran throughout. Only with
    oximetry throughout can the record say "no respiratory depression"."""
    times = [t0] + [r[0] for r in conn.execute(
        "select t from vitals where session_id = ? and participant_id = ? and param = 'SpO2' "
        "and t > ? and t <= ? order by t", (session_id, pid, t0, end_t))] + [end_t]
    start, stop = max(zip(times, times[1:]), key=lambda pair: pair[1] - pair[0])
    return (start, stop) if stop - start > OXIMETRY_GAP_S else None


def monitoring_end(conn: sqlite3.Connection, session_id: str, events: list[Event],
                   dose: Event) -> tuple[float, str]:
    """When monitoring ended: the signed discharge, else leaving the room, else session end."""
    discharge = next((e for e in events if e.kind == "discharge.signed"), None)
    if discharge is not None:
        return discharge.t, "discharge signed"
    removed = [e for e in events if e.kind == "participant.removed" and e.seq > dose.seq]
    if removed:
        return removed[0].t, "participant removed"
    ended = conn.execute("select t from events where session_id = ? and kind = 'session.ended' "
                         "order by seq desc limit 1", (session_id,)).fetchone()
    if ended:
        return epoch(ended[0]), "session ended"
    last = conn.execute("select max(t) from events where session_id = ? and kind != "
                        "'esketamine_record.signed'", (session_id,))
    return epoch(last.fetchone()[0]), "last logged event (session not ended)"
