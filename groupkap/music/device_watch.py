"""One thread that checks the seats' output devices, so the GUI thread never waits on libVLC.

A seat must fall silent at once when its headphones go away (CLINICAL.md, "Music"): PulseAudio
moves the stream of a vanished sink to the default sink, the room. Asking libVLC which device
a stream is on, and which devices exist, is usually a matter of microseconds, but it takes
PulseAudio's lock and has once blocked for 122 ms (issue 17's soak): ten seats asking ten
times a second on the GUI thread put every such wait into the room's frames and alarms.

So one watcher thread asks instead: every `PERIOD_S` it reads each playing seat's chosen
device, and every `LIST_EVERY_S` the list of devices, once for all seats that share the
same libVLC options (not once per seat). Each seat keeps the verdict, and its `tick` on the
GUI thread only reads it (`SeatPlayer.tick`). A stream moved to the room is seen within
`PERIOD_S` plus one tick (0.2 s); a device gone from the list within `LIST_EVERY_S` plus
one tick (0.6 s).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger("groupkap.music")

PERIOD_S = 0.1  # each seat's chosen device: a moved stream is caught within a tick or two
LIST_EVERY_S = 0.5  # the list of devices, read once per pass for all seats


class Watched(Protocol):
    def probe_device(self, listed: Callable[[Any], set[str]]) -> None:
        """On the watcher's thread: read the seat's device, leave the verdict for its tick."""


class DeviceWatch:
    """Runs `probe_device` of every watched seat on one daemon thread, while there are any.

    `listed(output)` hands a seat the device ids, read from the first output asking in a pass
    (of those opened with the same options) and kept for `list_every_s`; an output that finds
    the list empty reads its own.
    """

    def __init__(self, period_s: float = PERIOD_S, list_every_s: float = LIST_EVERY_S) -> None:
        self.period_s, self.list_every_s = period_s, list_every_s
        self._seats: set[Watched] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.passes = 0  # for tests and benchmarks
        self.lists_read = 0

    def add(self, seat: Watched) -> None:
        with self._lock:
            self._seats.add(seat)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="seat-device-watch", daemon=True
                )
                self._thread.start()

    def discard(self, seat: Watched) -> None:
        with self._lock:
            self._seats.discard(seat)

    def _run(self) -> None:
        lists: dict[tuple, set[str]] = {}
        listed_at = float("-inf")

        def listed(output: Any) -> set[str]:
            key = tuple(output.options)
            ids = lists.get(key)
            if not ids:
                self.lists_read += 1
                ids = output.device_ids()
                if ids:
                    lists[key] = ids
            return ids

        while True:
            with self._lock:
                seats = list(self._seats)
                if not seats:
                    self._thread = None
                    return
            if time.monotonic() - listed_at >= self.list_every_s:
                lists.clear()
                listed_at = time.monotonic()
            for seat in seats:
                try:
                    seat.probe_device(listed)
                except Exception:  # a watcher that dies would leave every seat unwatched
                    log.exception("checking a seat's output device failed")
            self.passes += 1
            time.sleep(self.period_s)


_shared: DeviceWatch | None = None
_shared_lock = threading.Lock()


def shared_watch() -> DeviceWatch:
    """The process's one watcher (seats of every session share it)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = DeviceWatch()
        return _shared
