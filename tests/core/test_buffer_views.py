"""The ring buffers hand the frame views, not copies (issue 17): read-only, in time order
across every wrap, and holding their samples until `capacity - len(view)` more are written."""

from __future__ import annotations

import numpy as np
import pytest

from groupkap.params import PLETH_RATE_HZ
from groupkap.readings import Reading, WaveformBlock
from groupkap.room.buffers import RingBuffer, SeatVitals


def _filled(capacity: int, count: int) -> RingBuffer:
    buf = RingBuffer(capacity)
    for i in range(count):
        buf.append(float(i), float(i) * 10)
    return buf


def test_since_is_a_read_only_view_not_a_copy():
    buf = _filled(8, 5)
    t, v = buf.since(1.0)
    assert not t.flags.owndata and not v.flags.owndata  # views of the buffer's memory
    assert not t.flags.writeable and not v.flags.writeable
    with pytest.raises(ValueError):
        t[0] = 99.0  # a reader cannot write into the buffer
    buf.append(5.0, 50.0)
    assert buf.since(0.0)[0][-1] == 5.0  # the buffer itself still takes writes


def test_ordered_stays_a_copy_to_edit():
    buf = _filled(4, 6)
    t, v = buf.ordered()
    assert t.flags.owndata and t.flags.writeable
    t[0] = 99.0
    assert buf.ordered()[0][0] == 2.0


@pytest.mark.parametrize("count", range(0, 20))
def test_views_are_in_time_order_wherever_the_ring_has_wrapped(count):
    capacity = 6
    buf = _filled(capacity, count)
    held = list(range(max(0, count - capacity), count))
    t, v = buf.since(-1.0)
    np.testing.assert_array_equal(t, held)
    np.testing.assert_array_equal(v, [10 * i for i in held])
    for t_from in range(-1, count + 2):
        t, _ = buf.since(float(t_from))
        np.testing.assert_array_equal(t, [i for i in held if i >= t_from])


@pytest.mark.parametrize("start", range(0, 7))
def test_extend_across_the_end_reads_back_as_one_stretch(start):
    buf = _filled(7, start)
    times = np.arange(100.0, 105.0)
    buf.extend(times, times.astype(np.float32) * 2)
    t, v = buf.since(100.0)
    np.testing.assert_array_equal(t, times)
    np.testing.assert_array_equal(v, times * 2)


def test_a_view_holds_until_capacity_minus_its_length_more_are_written():
    capacity, shown = 10, 4
    buf = _filled(capacity, 23)  # wrapped twice over
    t, v = buf.since(19.0)
    assert list(t) == [19, 20, 21, 22]
    for i in range(capacity - shown):  # exactly as many as the view can bear
        buf.append(23.0 + i, 0.0)
    assert list(t) == [19, 20, 21, 22] and list(v) == [190, 200, 210, 220]
    buf.append(99.0, 0.0)  # one more reaches into the memory the view shows
    assert list(t) != [19, 20, 21, 22]


def test_a_back_dated_entry_and_a_strike_keep_both_copies_in_step():
    buf = _filled(5, 8)  # holds 3..7
    buf.append(4.5, 45.0)  # typed in late: into its place in time
    np.testing.assert_array_equal(buf.since(0.0)[0], [4, 4.5, 5, 6, 7])
    assert buf.remove(5.0, 50.0)
    np.testing.assert_array_equal(buf.since(0.0)[0], [4, 4.5, 6, 7])
    buf.extend(np.array([8.0, 9.0, 10.0]), np.array([80, 90, 100], dtype=np.float32))
    np.testing.assert_array_equal(buf.since(0.0)[0], [4.5, 6, 7, 8, 9, 10][-5:])
    assert buf.last() == (10.0, 100.0)


def test_the_seats_trend_and_pleth_are_views():
    vitals = SeatVitals(1)
    for s in range(5):
        vitals.add_reading(Reading(1, "HR", 100.0 + s, 70 + s, "sim"))
    samples = np.linspace(0, 1, PLETH_RATE_HZ, dtype=np.float32)
    vitals.add_block(WaveformBlock(1, "PLETH", 100.0, PLETH_RATE_HZ, samples, "sim"))
    for t, v in (vitals.trend("HR", 102.0), vitals.pleth(100.5)):
        assert not t.flags.owndata and not t.flags.writeable and not v.flags.writeable
    assert list(vitals.trend("HR", 102.0)[1]) == [72, 73, 74]
    assert len(vitals.pleth(100.5)[0]) == PLETH_RATE_HZ // 2
