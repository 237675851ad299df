"""The circle's single soft chime, played through libVLC on the room speakers.

It uses the same discipline as the alarm bursts: its own libVLC player, the device chosen
again before every play and read back (libVLC 3 forgets it per stream), and no fallback to
another device: a chime that cannot reach the room speakers is not played at all.
"""

from __future__ import annotations

import logging
import queue
from pathlib import Path
from typing import Any

from groupkap.audio.libvlc import VlcPlayer
from groupkap.errors import AudioError

log = logging.getLogger("groupkap.audio")


class Chime:
    """Plays one sound file on one device.

    Attributes:
        path: the chime file.
        device: the room speakers' device id, or None for the system default.
        plays: how many times it has been started (the view's tests read it).
    """

    def __init__(
        self, path: Path, device: str | None = None, vlc_args: list[str] | None = None
    ) -> None:
        if not Path(path).is_file():
            raise AudioError(f"the chime sound {path} does not exist")
        self.path, self.device, self.plays = Path(path), device, 0
        self._ended: queue.Queue[bool] = queue.Queue()
        self._output = VlcPlayer(vlc_args)
        self._media = self._output.media(self.path)
        self._output.attach(self._on_vlc_event, {"MediaPlayerEndReached": True})

    def _on_vlc_event(self, event: Any, ended: bool) -> None:
        # libVLC's thread: queue a plain value only; calling libVLC here would deadlock.
        self._ended.put(ended)

    def play(self) -> bool:
        """Start the chime (GUI thread); False if the room device could not be selected."""
        self._output.player.set_media(self._media)
        if self.device is not None:
            try:
                self._output.choose_device(self.device, "the chime's output device")
            except AudioError as exc:
                log.error("chime not played: %s", exc)
                return False
        self.plays += 1
        return self._output.player.play() == 0

    def wait_finished(self, timeout_s: float) -> bool:
        try:
            return self._ended.get(timeout=timeout_s)
        except queue.Empty:
            return False

    def close(self) -> None:
        self._output.close()
        if self._media is not None:
            self._media.release()
            self._media = None
