"""The one place that opens libVLC: shared options, a player of one's own, its output device.

Every sound the program makes (the alarm bursts, each seat's music, the circle chime) goes
through a `VlcPlayer` of its own, so a device chosen for one can never carry another's sound
(CLINICAL.md: alarms never reach a participant's headphones, one seat never hears another).

libVLC 3 facts this relies on (measured: tests/integration/test_libvlc.py and the alarm,
seat and chime tests beside it):
- Without its plugins, libVLC creates an instance that plays nothing.
- A device chosen on a player applies to its next stream only; the setter reports no errors.
- PulseAudio accepts any device name and reads it back unchanged, then plays to the default
  sink; a stream whose sink disappears is moved to the default sink.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from groupkap.errors import AudioError

LIBVLC_MISSING = "libVLC is not installed: apt-get install libvlc5 vlc-plugin-base"
# libVLC 3 reads files 1 s ahead by default: an alarm would sound a second late, and a burst
# shorter than that could end (and its output stream close) before it was heard at all.
DEFAULT_VLC_ARGS = ("--no-video", "--quiet", "--file-caching=50")


def vlc_options(vlc_args: Sequence[str] | None = None) -> list[str]:
    """The options an instance opens with: the shared defaults, then `vlc_args` (which win)."""
    return [*DEFAULT_VLC_ARGS, *(vlc_args or [])]


def open_instance(vlc_args: Sequence[str] | None = None) -> tuple[ModuleType, Any]:
    """A new libVLC instance with the shared options: (the python-vlc module, the instance).

    Raises:
        AudioError: python-vlc or libVLC is missing, or libVLC has no audio output modules
            (then it would create an instance that plays nothing, and say nothing).
    """
    try:
        import vlc

        instance = vlc.Instance(vlc_options(vlc_args))
    except Exception as exc:  # ImportError, OSError, NotImplementedError, NameError
        raise AudioError(LIBVLC_MISSING) from exc
    if instance is None:
        raise AudioError(LIBVLC_MISSING)
    head = instance.audio_output_list_get()
    if not head:
        instance.release()
        raise AudioError(LIBVLC_MISSING + " (no audio output modules found)")
    vlc.libvlc_audio_output_list_release(head)
    return vlc, instance


def output_devices(vlc_args: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(id, description) of each output device libVLC sees, to assign seats and the room."""
    with VlcPlayer(vlc_args) as output:
        return output.devices()


class VlcPlayer:
    """A libVLC instance with one media player of its own, and the output device chosen on it.

    Control calls run on the owner's thread (the GUI thread in the app). Callbacks given to
    `attach` run on libVLC's own thread: they may only copy plain values, since calling
    libVLC from one deadlocks.

    Attributes:
        vlc: the python-vlc module (for `EventType`, `MediaStats`).
        instance: the libVLC instance; None once closed.
        player: the instance's media player; None once closed.
        options: the libVLC options it was opened with (`DEFAULT_VLC_ARGS` first).
    """

    def __init__(self, vlc_args: Sequence[str] | None = None) -> None:
        self.options = vlc_options(vlc_args)
        self.vlc, self.instance = open_instance(vlc_args)
        self._events: Any = None  # kept: the event manager holds the callbacks
        self._attached: list[Any] = []
        try:
            self.player = self.instance.media_player_new()
        except BaseException:
            self.instance.release()
            raise

    def media(self, path: Path | str) -> Any:
        """A libVLC media for a local file (the caller releases it)."""
        return self.instance.media_new_path(str(path))

    def attach(self, callback: Callable[[Any, Any], None], events: Mapping[str, Any]) -> None:
        """Call `callback(event, value)` on libVLC's thread for each event named in `events`
        (a python-vlc `EventType` name, such as "MediaPlayerEndReached", to its value)."""
        if self._events is None:
            self._events = self.player.event_manager()
        for name, value in events.items():
            event_type = getattr(self.vlc.EventType, name)
            self._events.event_attach(event_type, callback, value)
            self._attached.append(event_type)

    # -- output devices -----------------------------------------------------------------
    def devices(self) -> list[tuple[str, str]]:
        """(id, description) of each device the player's audio output can use."""
        head = self.player.audio_output_device_enum()
        devices = []
        try:
            node = head
            while node:
                item = node.contents
                devices.append((_text(item.device), _text(item.description)))
                node = item.next
        finally:
            if head:
                self.vlc.libvlc_audio_output_device_list_release(head)
        return devices

    def device_ids(self) -> set[str]:
        return {dev_id for dev_id, _ in self.devices()}

    def chosen_device(self) -> str | None:
        """The device libVLC reports as the player's output; None for an output without
        devices (a file) or no output at all."""
        chosen = self.player.audio_output_device_get()
        return chosen.decode("utf-8", "replace") if isinstance(chosen, bytes) else chosen

    def set_device(self, device: str) -> None:
        """Ask for `device` as the output of the next stream, unchecked (see `choose_device`)."""
        self.player.audio_output_device_set(None, device)

    def require_device(self, device: str) -> None:
        """Refuse a device the output does not list: PulseAudio would accept any name and
        read it back unchanged, then play to the default sink.

        Raises:
            AudioError: naming the devices that are available.
        """
        available = self.devices()
        if device not in {dev_id for dev_id, _ in available}:
            raise AudioError(
                f"audio output device {device!r} not found; available: "
                + (", ".join(f"{i} ({d})" for i, d in available) or "none")
            )

    def choose_device(self, device: str, role: str = "the output device") -> None:
        """Make `device` the output of the stream about to start, and read the choice back.

        Call it for every new media: libVLC 3 applies a choice to the next stream only, and
        later streams go to the default output. `role` names the device in the messages.

        Raises:
            AudioError: `device` is no longer listed (PulseAudio would take the stream and
                move it to the default sink), or libVLC reads back another device.
        """
        listed = self.device_ids()
        if listed and device not in listed:
            # An empty list means libVLC has no output open; the read-back catches that.
            raise AudioError(f"{role} {device!r} is gone (unplugged or removed)")
        self.set_device(device)
        chosen = self.chosen_device()
        if chosen != device:
            raise AudioError(f"{role} {device!r} could not be chosen (libVLC reports {chosen!r})")

    # -- end --------------------------------------------------------------------------
    def close(self) -> None:
        """Detach the callbacks, stop and release libVLC (an afile output completes its file
        only now). Closing twice is harmless."""
        if self.player is not None:
            for event_type in self._attached:
                self._events.event_detach(event_type)
            self._attached = []
            self.player.stop()
            self.player.release()
            self.player = None
        if self.instance is not None:
            self.instance.release()
            self.instance = None

    def __enter__(self) -> VlcPlayer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _text(value: bytes | str | None) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value or ""
