"""The circle's single soft chime, played through libVLC on the room speakers.

It uses the same discipline as the alarm sounder: its own libVLC instance, the device set
again before every play and read back (libVLC 3 forgets it per stream), and no fallback to
another device: a chime that cannot reach the room speakers is not played at all.
"""

from __future__ import annotations

import logging
import queue
from pathlib import Path

from groupkap.alarms.sounder import LIBVLC_MISSING
from groupkap.errors import AudioError

log = logging.getLogger("groupkap.audio")


class Chime:
    """Plays one sound file on one device.

    Attributes:
        path: the chime file.
        device: the room speakers' device id, or None for the system default.
        plays: how many times it has been started (the view's tests read it).
    """

    def __init__(self, path: Path, device: str | None = None,
                 vlc_args: list[str] | None = None) -> None:
        if not Path(path).is_file():
            raise AudioError(f"the chime sound {path} does not exist")
        try:
            import vlc
            self._instance = vlc.Instance(["--no-video", "--quiet", "--file-caching=50",
                                           *(vlc_args or [])])
        except Exception as exc:
            raise AudioError(LIBVLC_MISSING) from exc
        if self._instance is None:
            raise AudioError(LIBVLC_MISSING)
        self._vlc = vlc
        self.path, self.device, self.plays = Path(path), device, 0
        self._player = self._instance.media_player_new()
        self._media = self._instance.media_new_path(str(self.path))
        self._ended: queue.Queue = queue.Queue()
        self._events = self._player.event_manager()
        self._events.event_attach(vlc.EventType.MediaPlayerEndReached,
                                  lambda _event: self._ended.put(True))

    def play(self) -> bool:
        """Start the chime (GUI thread); False if the room device could not be selected."""
        self._player.set_media(self._media)
        if self.device is not None:
            self._player.audio_output_device_set(None, self.device)
            got = self._player.audio_output_device_get()
            if isinstance(got, bytes):
                got = got.decode(errors="replace")
            if got not in (None, self.device):
                log.error("chime not played: room device %s not selected (got %s)",
                          self.device, got)
                return False
        self.plays += 1
        return self._player.play() == 0

    def wait_finished(self, timeout_s: float) -> bool:
        try:
            return self._ended.get(timeout=timeout_s)
        except queue.Empty:
            return False

    def close(self) -> None:
        if self._player is not None:
            self._player.stop()
            self._player.release()
            self._player = None
        if self._instance is not None:
            self._instance.release()
            self._instance = None
