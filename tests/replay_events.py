"""Moments of the recorded fixture session (`review_db`) that the replay tests look for,
found in its log rather than assumed, so a change of the fixture's simulator keeps them true."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from groupkap.store.queries import epoch


def pid_on(conn: sqlite3.Connection, sid: str, seat: int) -> str:
    """The participant id of whoever was first seated on `seat`."""
    sql = "select id from participants where session_id = ? and seat = ? order by added_at"
    return conn.execute(sql, (sid, seat)).fetchone()[0]


def first_event(conn: sqlite3.Connection, sid: str, kind: str, pid: str, key: str | None = None):
    """The time of the first `kind` event of `pid` (for `key`'s alarm), UTC epoch seconds."""
    sql = "select t, data from events where session_id = ? and kind = ? and participant_id = ?"
    for t, data in conn.execute(sql + " order by seq", (sid, kind, pid)):
        if key is None or json.loads(data).get("key") == key:
            return epoch(t)
    raise AssertionError(f"the fixture has no {kind} for {pid} {key or ''}")


@dataclass(frozen=True)
class Episode:
    """One alarm from raised to cleared, as the log has it."""

    pid: str
    seat: int
    key: str
    raised: float
    cleared: float


def cleared_alarm(conn: sqlite3.Connection, sid: str) -> Episode:
    """The first alarm that ended by itself (cleared, not latched) while its participant was
    still in the room: on the tile between raised and cleared, gone after."""
    raised: dict[str, float] = {}
    sql = (
        "select participant_id, t, kind, data from events where session_id = ? "
        "and kind in ('alarm.raised', 'alarm.cleared') order by seq"
    )
    for pid, t, kind, text in conn.execute(sql, (sid,)):
        data = json.loads(text)
        if kind == "alarm.raised":
            raised.setdefault(data["alarm_id"], epoch(t))
        elif not data.get("latched") and data.get("reason") != "participant left":
            began = raised.pop(data["alarm_id"], None)
            if began is not None and epoch(t) - began >= 2:
                return Episode(pid, data["seat"], data["key"], began, epoch(t))
    raise AssertionError("the fixture has no alarm that cleared by itself")


def pause_broken(conn: sqlite3.Connection, sid: str) -> tuple[float, float, float]:
    """(paused at, pause until, broken at) of the first room pause an alarm sounded through."""
    sql = "select t, data from events where session_id = ? and kind = ? order by seq"
    for t, text in conn.execute(sql, (sid, "alarm.audio_paused")):
        data = json.loads(text)
        if data.get("scope") != "room":
            continue
        for t_raised, raised in conn.execute(sql, (sid, "alarm.raised")):
            if "room" in json.loads(raised).get("broke_through_pause", ()):
                if epoch(t) < epoch(t_raised) < data["until_t"]:
                    return epoch(t), data["until_t"], epoch(t_raised)
    raise AssertionError("the fixture has no room pause an alarm broke through")
