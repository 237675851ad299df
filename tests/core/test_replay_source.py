"""Replay (issue 14, item 3), the core: a stored session handed out again row by row at its own
times, a stretch at a time, and the room as the log says it stood at any moment (who sat
where, the alarms shown and acknowledged, the protocol, the music), forwards and back.

Real SQLite file: the recorded fixture session (`review_db`, tests/review_fixture.py: a real
LiveSession on the simulated clock), opened read-only.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from contextlib import closing

import pytest
from replay_events import cleared_alarm, first_event, pause_broken, pid_on

from groupkap.errors import BadInputError
from groupkap.protocol.participant import DISCHARGED, DOSED
from groupkap.review.replay import (
    ReplayWritesNothing,
    RoomReplay,
    moment_label,
    since_t0,
)
from groupkap.sources.replay import ReplaySource
from groupkap.store.store import open_read_only

MIN = 60.0
NURSE = "RN B. Demo"


@pytest.fixture
def conn(review_db):
    with closing(open_read_only(review_db[0])) as c:
        yield c


@pytest.fixture
def sid(review_db) -> str:
    return review_db[1]


@pytest.fixture
def start(conn, sid) -> float:
    return conn.execute("select started_at from sessions where id = ?", (sid,)).fetchone()[0]


def shown(replay: RoomReplay, pid: str) -> dict[str, tuple[str, bool]]:
    """key -> (priority, acknowledged) of the participant's alarms at the replay's moment."""
    return {
        a.key: (a.priority, a.acknowledged)
        for a in replay.alarms.alarms.values()
        if a.participant_id == pid
    }


def state(replay: RoomReplay) -> tuple:
    """Everything a tile reads of the room at the moment, comparable."""
    people = sorted((p.id, p.alias, p.seat) for p in replay.room.participants.values())
    alarms = sorted(
        (a.id, a.priority, a.text, a.acknowledged, a.latched) for a in replay.alarms.alarms.values()
    )
    music = sorted((pid, replay.music.chip(pid)) for pid in replay.room.participants)
    protocol = sorted(
        (pid, p.t0, len(p.bp_checks), len(p.bp_readings), len(p.scores), bool(p.discharge))
        for pid, p in replay.protocol.participants.items()
    )
    pauses = (replay.alarms.pause_remaining(None),)
    return people, alarms, music, protocol, pauses


# -- the source ---------------------------------------------------------------------------
def test_every_stored_row_is_handed_out_once_when_the_clock_passes_its_time(conn, sid, start):
    source = ReplaySource(conn, sid, chunk_s=30.0)
    end = conn.execute("select max(t) from vitals where session_id = ?", (sid,)).fetchone()[0]
    seen: list[tuple] = []
    blocks = 0
    after, until = source.position, start
    while until < end + 2:
        until += 7.0
        batch = source.take(until)
        for pid, r in batch.readings:
            assert after < r.t <= until  # at its own time, never early, never twice
            seen.append((pid, r.seat, r.param, r.t, r.value, r.source))
        for _, b in batch.blocks:
            assert b.t_start + len(b.samples) / b.rate_hz <= until + 1e-9  # only once complete
        blocks += len(batch.blocks)
        after = until
    stored = conn.execute(
        "select participant_id, seat, param, t, value, coalesce(source, '') from vitals "
        "where session_id = ? and participant_id is not null order by t, rowid",
        (sid,),
    ).fetchall()
    assert seen == [tuple(row) for row in stored]
    waves = conn.execute("select count(*) from waveforms where session_id = ?", (sid,)).fetchone()
    assert blocks == waves[0]
    # A replayed value keeps where it came from: the monitor, or who typed it in.
    assert {row[5] for row in seen} >= {"sim", f"hand:{NURSE}"}


def test_the_source_holds_a_chunk_never_the_session(conn, sid, start):
    chunk = 30.0
    source = ReplaySource(conn, sid, chunk_s=chunk)
    end = conn.execute("select max(t) from vitals where session_id = ?", (sid,)).fetchone()[0]
    t = start
    while t < end:
        t += 6.0
        source.take(t)
    total = conn.execute(
        "select (select count(*) from vitals where session_id = :s) "
        "+ (select count(*) from waveforms where session_id = :s)",
        {"s": sid},
    ).fetchone()[0]
    busiest = sum(
        conn.execute(
            f"select max(n) from (select count(*) as n from {table} where session_id = ? "
            f"group by cast(({column} - ?) / ? as int))",
            (sid, start, chunk),
        ).fetchone()[0]
        for table, column in (("vitals", "t"), ("waveforms", "t_start"))
    )
    # Two stretches at most (the one being handed out and the next), which an aligned
    # grid of stretches covers with three.
    assert 0 < source.peak_rows <= 3 * busiest
    assert source.peak_rows * 50 < total


def test_one_call_hands_out_at_most_a_chunk_and_says_it_is_behind(conn, sid, start):
    source = ReplaySource(conn, sid, start=start, chunk_s=20.0)
    batch = source.take(start + 3600)
    assert source.position == pytest.approx(start + 20.0)
    assert source.behind(start + 3600)
    assert batch.readings and max(r.t for _, r in batch.readings) <= start + 20.0


def test_a_seek_starts_the_next_stretch_there_forwards_and_back(conn, sid, start):
    source = ReplaySource(conn, sid)
    source.take(start + 30 * MIN)  # one chunk on
    for where in (start + 90 * MIN, start + 10 * MIN):
        source.seek(where)
        readings, blocks = source.generate(where + 5)
        stored = conn.execute(
            "select count(*) from vitals where session_id = ? and participant_id is not null "
            "and t > ? and t <= ?",
            (sid, where, where + 5),
        ).fetchone()[0]
        assert len(readings) == stored > 0
        assert min(r.t for r in readings) > where
        assert blocks and min(b.t_start for b in blocks) > where


def test_an_unknown_session_is_refused_by_name(conn):
    with pytest.raises(BadInputError, match="no session nope"):
        ReplaySource(conn, "nope")
    with pytest.raises(BadInputError, match="groupkap sessions"):
        RoomReplay(conn, "nope")


# -- the room at a moment ------------------------------------------------------------------
def test_alarms_show_from_raised_to_cleared_acknowledged_as_the_log_says(conn, sid):
    seat2, seat3 = (pid_on(conn, sid, n) for n in (2, 3))
    hr_raised = first_event(conn, sid, "alarm.raised", seat3, "HR")
    acked = first_event(conn, sid, "alarm.acknowledged", seat3, "HR")
    replay = RoomReplay(conn, sid, start=acked - 1)
    assert shown(replay, seat3)["HR"] == ("medium", False)
    replay.advance(acked)
    assert shown(replay, seat3)["HR"] == ("medium", True)  # acknowledged at its own moment
    assert acked - hr_raised == pytest.approx(20, abs=2)
    # The desaturation of seat 2 was never acknowledged: still shown, latched, at the end.
    replay.seek(replay.ended_at)
    assert shown(replay, seat2)["SpO2"] == ("high", False)
    # An alarm that cleared by itself is on the tile in between and gone after.
    gone = cleared_alarm(conn, sid)
    replay.seek(gone.raised + (gone.cleared - gone.raised) / 2)
    assert gone.key in shown(replay, gone.pid)
    replay.seek(gone.cleared)
    assert gone.key not in shown(replay, gone.pid)


def test_the_room_pause_runs_from_its_event_until_an_alarm_breaks_through(conn, sid):
    at, until, broke = pause_broken(conn, sid)
    replay = RoomReplay(conn, sid, start=at - 1)
    assert replay.alarms.pause_remaining(None) is None
    replay.advance(at + 5)
    assert replay.alarms.pause_remaining(None) == pytest.approx(until - at - 5)
    replay.advance(broke - 0.5)
    assert replay.alarms.pause_remaining(None) == pytest.approx(until - broke + 0.5)
    replay.advance(broke)
    assert replay.alarms.pause_remaining(None) is None  # the new alarm sounded through it


def test_seating_follows_the_log_and_a_leaver_leaves_the_tile(conn, sid):
    four = pid_on(conn, sid, 4)
    left = first_event(conn, sid, "participant.removed", four)
    replay = RoomReplay(conn, sid, start=left - 1)
    person = replay.room.on_seat(4)
    assert (person.id, person.alias, person.full_name) == (four, "S.T.", None)
    passed = replay.advance(left)
    assert passed.seating and replay.room.on_seat(4) is None
    assert all(a.participant_id != four for a in replay.alarms.alarms.values())
    replay.seek(left - 1)  # and back
    assert replay.room.on_seat(4).id == four


def test_the_protocol_stands_as_it_did_then(conn, sid, start):
    one = pid_on(conn, sid, 1)
    dosed = first_event(conn, sid, "dose.given", one)
    signed = first_event(conn, sid, "discharge.signed", one)
    replay = RoomReplay(conn, sid, start=dosed - 1)
    assert replay.t0_of(one) is None
    replay.advance(dosed)
    assert replay.t0_of(one) == pytest.approx(dosed, abs=1)
    assert replay.protocol.of(one).phase(replay.t) == DOSED
    replay.seek(signed)
    assert replay.protocol.of(one).phase(replay.t) == DISCHARGED
    replay.seek(signed - 1)
    assert replay.protocol.of(one).phase(replay.t) != DISCHARGED


def test_music_chips_follow_the_pieces_the_duck_and_the_discharge(conn, sid):
    one, two = pid_on(conn, sid, 1), pid_on(conn, sid, 2)
    ducked = first_event(conn, sid, "music.ducked", two)
    replay = RoomReplay(conn, sid, start=ducked - 1)
    assert replay.music.chip(two).startswith("♪ ") and "ducked" not in replay.music.chip(two)
    replay.advance(ducked)
    assert replay.music.chip(two).endswith("ducked")
    replay.seek(first_event(conn, sid, "discharge.signed", one) + 10 * MIN)
    assert replay.music.chip(one) == "♪ ended at discharge"


def test_a_struck_hand_value_leaves_the_tile_as_it_did(conn, sid):
    one = pid_on(conn, sid, 1)
    struck = first_event(conn, sid, "entry.struck", one)
    replay = RoomReplay(conn, sid, start=struck - 1)
    passed = replay.advance(struck)
    assert (one, "SpO2", struck, 80.0) in passed.struck
    vitals = replay.fresh_vitals(trend_s=30 * MIN, pleth_s=10)  # a seek's refill
    t, v = vitals[one].trend("SpO2", struck - 5 * MIN)
    assert 80.0 not in v.tolist() and len(v) > 100


def test_playing_forward_ends_where_a_seek_would_land(conn, sid, start):
    played = RoomReplay(conn, sid)
    for minute in (3.2, 6.5, 31, 47, 101, 149):
        target = start + minute * MIN
        while played.t < target:
            played.advance(min(target, played.t + 29.7), cuff_measured=True)
        assert state(played) == state(RoomReplay(conn, sid, start=target)), minute


def test_a_seek_back_matches_a_fresh_replay(conn, sid, start):
    replay = RoomReplay(conn, sid, start=start + 140 * MIN)
    for minute in (100, 31, 3.2, 0):
        replay.seek(start + minute * MIN)
        assert state(replay) == state(RoomReplay(conn, sid, start=start + minute * MIN))


def test_a_replay_writes_nothing(review_db, sid, start):
    path = review_db[0]
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with closing(open_read_only(path)) as c:
        replay = RoomReplay(c, sid)
        source = ReplaySource(c, sid)
        t = start
        while t < replay.ended_at:
            t += 240
            source.take(t)
            replay.advance(min(t, replay.ended_at))
        replay.seek(start + 30 * MIN)
        with pytest.raises(ReplayWritesNothing):  # its protocol cannot log
            replay.protocol.add_note(pid_on(c, sid, 1), "x", NURSE)
        with pytest.raises(sqlite3.OperationalError):  # nor can the connection
            c.execute("create table scribble (a)")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


# -- the moment in words -------------------------------------------------------------------
def test_time_since_t0_counts_whole_minutes_like_the_tile():
    t0 = 1_741_080_000.0
    assert since_t0(t0, None) == ""
    assert since_t0(t0, t0) == "T0 +0 min"
    assert since_t0(t0 + 59.9, t0) == "T0 +0 min"
    assert since_t0(t0 + 60, t0) == "T0 +1 min"
    assert since_t0(t0 + 45 * MIN + 10, t0) == "T0 +45 min"
    assert since_t0(t0 - 0.5, t0) == "T0 −1 min"
    assert since_t0(t0 - 60, t0) == "T0 −1 min"
    assert since_t0(t0 - 60.5, t0) == "T0 −2 min"


def test_the_moment_reads_local_clock_time_and_t0_of_a_seat():
    t = 1_741_085_530.0
    clock = time.strftime("%H:%M:%S", time.localtime(t))
    assert moment_label(t) == f"T = {clock}"
    assert moment_label(t, t - 45 * MIN - 10, 3) == f"T = {clock} (T0 +45 min for seat 3)"
    assert moment_label(t, None, 3) == f"T = {clock}"
