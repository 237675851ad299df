"""The seats' device watcher (issue 17): one thread reads the device list once for all seats
that share libVLC's options, not once per seat, and every seat's own device each pass; a
seat it stops watching is no longer asked, and the thread ends when no seat is left."""

from __future__ import annotations

import threading

from groupkap.music.device_watch import DeviceWatch


class Output:
    def __init__(self, options: list[str], ids: set[str]) -> None:
        self.options, self.ids, self.asked = options, ids, 0

    def device_ids(self) -> set[str]:
        self.asked += 1
        return set(self.ids)


class Seat:
    def __init__(self, output: Output, passes: int = 3) -> None:
        self.output, self.seen = output, []
        self.done = threading.Event()
        self.passes = passes

    def probe_device(self, listed) -> None:
        self.seen.append(listed(self.output))
        if len(self.seen) >= self.passes:
            self.done.set()


def test_the_list_is_read_once_for_every_seat_sharing_options_and_kept():
    pulse = [Output(["--aout=pulse"], {"seat1", "seat2"}) for _ in range(10)]
    other = Output(["--aout=alsa"], {"hw:1"})
    seats = [Seat(output) for output in [*pulse, other]]
    watch = DeviceWatch(period_s=0.005, list_every_s=60.0)
    for seat in seats:
        watch.add(seat)
    assert all(seat.done.wait(5.0) for seat in seats)
    for seat in seats:
        watch.discard(seat)

    assert sum(output.asked for output in pulse) == 1  # one read, for ten seats, every pass
    assert other.asked == 1  # other options: their own list
    assert all(seen == {"seat1", "seat2"} for seat in seats[:10] for seen in seat.seen)
    assert seats[10].seen[0] == {"hw:1"}


def test_an_empty_list_is_not_shared_and_a_discarded_seat_is_not_asked():
    closed = Output(["--aout=pulse"], set())  # an output not open lists nothing
    open_ = Output(["--aout=pulse"], {"seat1"})
    first, second = Seat(closed), Seat(open_)
    watch = DeviceWatch(period_s=0.005, list_every_s=60.0)
    watch.add(first)
    watch.add(second)
    assert first.done.wait(5.0) and second.done.wait(5.0)
    watch.discard(first)
    asked = len(first.seen)
    second.passes, second.done = len(second.seen) + 3, threading.Event()
    assert second.done.wait(5.0)  # three more passes without the first seat
    watch.discard(second)
    assert len(first.seen) <= asked + 1  # at most the pass under way when it was discarded
    assert all(seen == {"seat1"} for seen in second.seen)  # never the empty list
    thread = watch._thread
    if thread is not None:
        thread.join(5.0)
    assert watch._thread is None  # no seat left: the thread has ended
