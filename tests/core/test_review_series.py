"""Plotting a past session: `load_series` downsamples in the database without losing a spike,
gives every row of a short stretch, and leaves struck hand values out; `load_waveform` gives
the stored pleth sample by sample. Real SQLite files; the expected buckets are worked out
with numpy from the raw rows."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import numpy as np
import pytest
from review_fixture import HandLog

from groupkap.errors import BadInputError
from groupkap.review.series import (
    has_series,
    load_series,
    load_waveform,
    session_struck_values,
)
from groupkap.store.store import open_read_only

N = 3000  # one value a second for 50 minutes
SPIKE_S, DIP_S = 1234, 2222


@pytest.fixture(scope="module")
def wavy(tmp_path_factory):
    """HR of p1 every second: a slow wave, one spike (220) and one dip (30); p2's HR as a
    decoy with larger values; a hand HR typed in and struck, another one that stands."""
    log = HandLog(tmp_path_factory.mktemp("series") / "s.sqlite3")
    p1, p2 = log.add("p1", "K.W.", 1), log.add("p2", "L.M.", 2)
    values = 80 + 10 * np.sin(np.arange(N) / 300.0)
    values[SPIKE_S], values[DIP_S] = 220.0, 30.0
    rows = [
        (log.sid, p1, 1, "seat1", "HR", log.at(s / 60), float(v), "/min", "sim")
        for s, v in enumerate(values)
    ]
    rows += [
        (log.sid, p2, 2, "seat2", "HR", log.at(s / 60), 300.0, "/min", "sim") for s in range(N)
    ]
    log.store.add_vitals(rows)
    for entry_id, minute, value in (("gone", 10.5, 250.0), ("kept", 20.5, 99.0)):
        log.event(
            minute,
            "observation.entered",
            {
                "entry_id": entry_id,
                "values": {"HR": value},
                "t_measured": log.at(minute),
                "taken_by": "RN Ada",
                "source": "hand",
            },
            p1,
        )
        log.vital(p1, "HR", minute, value, "hand:RN Ada")
    log.event(11, "entry.struck", {"entry_id": "gone", "reason": "typo"}, p1)
    path = log.close(end_minute=60)
    return path, log


@pytest.fixture
def conn(wavy):
    with closing(open_read_only(wavy[0])) as c:
        yield c


def raw(conn, sid, pid="p1"):
    """Every stored HR of pid except the struck hand value, straight from the table."""
    got = conn.execute(
        "select t, value from vitals where session_id = ? and participant_id = ? and "
        "param = 'HR' and value != 250 order by t",
        (sid, pid),
    ).fetchall()
    return np.array(got)


def test_a_long_stretch_keeps_each_bucket_s_lowest_and_highest_value_in_time_order(wavy, conn):
    path, log = wavy
    s = load_series(conn, log.sid, "p1", "HR", max_points=200)
    data = raw(conn, log.sid)
    assert s.downsampled and s.rows == len(data) == N + 1 and len(s.t) <= 200
    assert np.all(np.diff(s.t) >= 0)
    # The same buckets worked out from the raw rows: every point is a bucket's min or max.
    lo, hi = data[0, 0], data[-1, 0]
    width = (hi - lo) / 100 * (1 + 1e-9) + 1e-9
    bucket = ((data[:, 0] - lo) // width).astype(int)
    expected = set()
    for b in np.unique(bucket):
        inside = data[bucket == b]
        expected.add(tuple(inside[np.argmin(inside[:, 1])]))
        expected.add(tuple(inside[np.argmax(inside[:, 1])]))
    assert set(zip(s.t, s.value)) == expected


def test_a_single_spike_and_a_single_dip_survive_downsampling(wavy, conn):
    _, log = wavy
    for points in (2000, 200, 20, 2):
        s = load_series(conn, log.sid, "p1", "HR", max_points=points)
        assert 220.0 in s.value and 30.0 in s.value and len(s.t) <= points
        assert s.t[list(s.value).index(220.0)] == log.at(SPIKE_S / 60)
    assert 300.0 not in load_series(conn, log.sid, "p1", "HR", max_points=20).value  # not p2's


def test_a_short_stretch_comes_back_row_for_row(wavy, conn):
    _, log = wavy
    start, end = log.at(20), log.at(21)
    s = load_series(conn, log.sid, "p1", "HR", start, end)
    data = raw(conn, log.sid)
    inside = data[(data[:, 0] >= start) & (data[:, 0] <= end)]
    assert not s.downsampled and s.rows == len(inside) == 62  # 61 s both ends, the hand 99
    assert np.array_equal(s.t, inside[:, 0]) and np.array_equal(s.value, inside[:, 1])


def test_struck_hand_values_are_left_out_and_standing_ones_kept(wavy, conn):
    _, log = wavy
    s = load_series(conn, log.sid, "p1", "HR", log.at(10), log.at(21))
    assert 250.0 not in s.value and 99.0 in s.value
    assert session_struck_values(conn, log.sid) == {("p1", "HR", log.at(10.5), 250.0)}
    # Given once for the session, the answer is the same.
    again = load_series(
        conn,
        log.sid,
        "p1",
        "HR",
        log.at(10),
        log.at(21),
        struck=session_struck_values(conn, log.sid),
    )
    assert np.array_equal(again.value, s.value)


def test_nothing_stored_is_an_empty_series_and_bad_stretches_are_refused(wavy, conn):
    _, log = wavy
    s = load_series(conn, log.sid, "p1", "SpO2")
    assert s.rows == 0 and len(s.t) == len(s.value) == 0 and not s.downsampled
    with pytest.raises(BadInputError):
        load_series(conn, log.sid, "p1", "HR", max_points=1)
    with pytest.raises(BadInputError):
        load_series(conn, log.sid, "p1", "HR", log.at(5), log.at(4))


def test_the_series_is_read_from_the_participant_index(wavy, conn):
    """What makes a 4-hour series a few milliseconds: the database reads one participant's
    rows of one parameter from a covering index, never the whole session's."""
    _, log = wavy
    plan = conn.execute(
        "explain query plan select t, value from vitals where session_id = ? and "
        "participant_id = ? and param = ? and t >= ? and t <= ?",
        (log.sid, "p1", "HR", 0, 1e12),
    ).fetchall()
    assert "COVERING INDEX idx_vitals_participant_param_t" in str([tuple(r) for r in plan])


def test_the_fixture_s_whole_session_fits_2000_points(review_db):
    path, sid = review_db
    with closing(open_read_only(path)) as c:
        pid = c.execute("select id from participants where alias = 'J.L.'").fetchone()[0]
        (n, top) = c.execute(
            "select count(*), max(value) from vitals where participant_id = ? and param = 'HR'",
            (pid,),
        ).fetchone()
        s = load_series(c, sid, pid, "HR")
    assert s.rows == n > 2000 and s.downsampled and len(s.t) <= 2000
    assert s.value.max() == top  # the tachycardia's peak is on the plot


def test_the_waveform_is_every_stored_sample_at_its_own_time(review_db):
    path, sid = review_db
    with closing(sqlite3.connect(path)) as c:
        pid, t_start, rate, blob = c.execute(
            "select participant_id, t_start, rate_hz, samples from waveforms "
            "where session_id = ? order by t_start limit 1 offset 400",
            (sid,),
        ).fetchone()
    with closing(open_read_only(path)) as c:
        w = load_waveform(c, sid, pid, t_start, t_start + 3)
    stored = np.frombuffer(blob, dtype="<f4")
    assert w.param == "PLETH" and len(w.t) == 3 * rate + 1
    assert np.allclose(np.diff(w.t), 1 / rate, atol=1e-6)  # epoch floats: µs
    assert np.array_equal(w.value[: len(stored)], stored.astype(np.float64))
    assert w.t[0] == t_start


def test_has_series_answers_as_load_series_would_without_reading_the_rows(tmp_path):
    """The window asks it whether the heart lane shows HR or the pulse rate: a parameter
    whose only value was typed in and struck has nothing to show, as load_series says."""
    log = HandLog(tmp_path / "h.sqlite3")
    log.add("p1", "K.W.", 1)
    log.vital("p1", "PR", 1, 71.0)
    entered = {"entry_id": "typo", "values": {"HR": 700.0}, "t_measured": log.at(2)}
    log.event(2, "observation.entered", {**entered, "taken_by": "RN Ada", "source": "hand"}, "p1")
    log.vital("p1", "HR", 2, 700.0, "hand:RN Ada")
    log.event(3, "entry.struck", {"entry_id": "typo", "reason": "typo"}, "p1")
    with closing(open_read_only(log.close(end_minute=5))) as c:
        for param in ("PR", "HR", "SpO2"):
            found = has_series(c, log.sid, "p1", param)
            assert found == (load_series(c, log.sid, "p1", param).rows > 0)
            assert found == (param == "PR")
        assert has_series(c, log.sid, "p1", "HR", struck=set())  # the typo, were it standing
