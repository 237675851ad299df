"""MLLP framing (HL7's Minimal Lower Layer Protocol): <VT> message <FS><CR> out of a byte stream.

Pure and network-free, so the framing rules are tested byte by byte: what counts as a
message, what is noise between messages, what happens to a message too large to keep.
The listener feeds it whatever `recv` returned and acts on what comes out.
"""

from __future__ import annotations

from dataclasses import dataclass

START, END, CR = b"\x0b", b"\x1c", b"\x0d"
HEAD_KEPT = 4096  # of an oversized message, enough to read its MSH for the AR


def frame(payload: bytes) -> bytes:
    """One message in its MLLP envelope."""
    return START + payload + END + CR


@dataclass(frozen=True, slots=True)
class Message:
    """A whole message between <VT> and <FS>."""

    payload: bytes


@dataclass(frozen=True, slots=True)
class Noise:
    """Bytes outside any frame (or a frame cut off by a new <VT>), dropped.

    Attributes:
        size: how many bytes were dropped.
        why: one line for the log.
    """

    size: int
    why: str


@dataclass(frozen=True, slots=True)
class TooLarge:
    """A message grew past the limit before its <FS>: the rest of it is dropped as it comes.

    Attributes:
        head: its first bytes (its MSH), so the answer can name its control id.
        limit: the limit in bytes.
    """

    head: bytes
    limit: int


class Framer:
    """Cuts one connection's byte stream into messages.

    - Bytes before a <VT> are noise (one `Noise` per run, not per byte).
    - <FS> ends a message; the <CR> after it is optional (some senders leave it out).
    - A <VT> inside a message means the sender started over: the part before is noise.
    - A message longer than `max_bytes` is reported once as `TooLarge` (with its head) and
      everything up to its <FS> is dropped without being kept, so memory stays bounded.

    Attributes:
        max_bytes: the largest message kept.
        in_frame: True while a message has begun and not ended (the listener's deadline
            for slow senders runs while this holds).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._buffer = bytearray()
        self.in_frame = False
        self._oversized = False
        self._skip_cr = False

    def feed(self, data: bytes) -> list[Message | Noise | TooLarge]:
        out: list[Message | Noise | TooLarge] = []
        i, n = 0, len(data)
        while i < n:
            if self._skip_cr:
                self._skip_cr = False
                if data[i] == CR[0]:
                    i += 1
                    continue
            if not self.in_frame:
                start = data.find(START, i)
                end = n if start < 0 else start
                junk = end - i
                if junk and data[i:end].strip(b"\r\n") != b"":
                    out.append(Noise(junk, f"{junk} bytes outside a message"))
                if start < 0:
                    return out
                self.in_frame, self._oversized = True, False
                self._buffer.clear()
                i = start + 1
                continue
            end = data.find(END, i)
            restart = data.find(START, i, n if end < 0 else end)
            if restart >= 0:  # the sender began again before ending this one
                cut = len(self._buffer) + (restart - i)
                out.append(Noise(cut, f"a message cut off after {cut} bytes by a new one"))
                self._buffer.clear()
                self._oversized = False
                i = restart + 1
                continue
            chunk_end = n if end < 0 else end
            self._keep(data[i:chunk_end], out)
            if end < 0:
                return out
            if not self._oversized:
                out.append(Message(bytes(self._buffer)))
            self._buffer.clear()
            self.in_frame, self._oversized, self._skip_cr = False, False, True
            i = end + 1
        return out

    def _keep(self, chunk: bytes, out: list) -> None:
        if self._oversized:
            return
        if len(self._buffer) + len(chunk) > self.max_bytes:
            self._buffer += chunk[: max(0, HEAD_KEPT - len(self._buffer))]
            out.append(TooLarge(bytes(self._buffer[:HEAD_KEPT]), self.max_bytes))
            self._buffer.clear()
            self._oversized = True
            return
        self._buffer += chunk

    @property
    def pending(self) -> int:
        """Bytes of the unfinished message held now."""
        return len(self._buffer)
