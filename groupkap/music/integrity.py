"""Does an audio file hold the length its header promises? A truncated copy does not.

mutagen reads a piece's length from its header (WAV's data size, FLAC's sample count, the MP4
`moov` box, an MP3's Xing frame count), and a copy cut short keeps that header: a WAV with a
tenth of its samples still says 52 s, and the log would say it played for 52 s. These checks
look at what is actually there, cheaply, without a decoder: the RIFF/MP4 boxes' sizes against
the file's, the last FLAC frame's sample number, an MP3's bytes against its bitrate. (Ogg and
Opus need no check: mutagen takes their length from the last page present.)

`shortfall` returns the seconds the file really holds when it is short by more than a
moment, else None (complete, or nothing to check).
"""

from __future__ import annotations

import struct
from pathlib import Path

# Shorter than the header by less than this is a rounding matter, not a truncated file.
TOLERANCE_S = 0.5


def shortfall(path: Path, audio) -> float | None:
    """The seconds `path` really holds when that is clearly less than mutagen's `audio.info
    .length`; None when the file is complete or its format has nothing to check."""
    declared = float(getattr(audio.info, "length", 0) or 0)
    name = type(audio).__name__
    try:
        size = path.stat().st_size
        if name == "WAVE":
            present = _riff_present(path, size, declared)
        elif name in ("MP4", "EasyMP4"):
            present = _mp4_present(path, size, declared)
        elif name == "FLAC":
            present = _flac_present(path, size, audio.info)
        elif name in ("MP3", "EasyMP3"):
            bitrate = getattr(audio.info, "bitrate", 0) or 0
            present = size * 8 / bitrate if bitrate > 0 else None
        else:
            present = None
    except (OSError, struct.error):
        return None  # reading the tags just worked; a race is not a truncation
    if present is not None and present < declared - TOLERANCE_S:
        return max(0.0, present)
    return None


def _riff_present(path: Path, size: int, declared: float) -> float | None:
    """WAV: the `data` chunk's declared size against the bytes after it."""
    with path.open("rb") as f:
        if f.read(12)[8:12] != b"WAVE":
            return None
        offset = 12
        while offset + 8 <= size:
            f.seek(offset)
            chunk, length = struct.unpack("<4sI", f.read(8))
            if chunk == b"data":
                there = size - (offset + 8)
                return declared * there / length if length and there < length else None
            offset += 8 + length + (length & 1)
    return None


def _mp4_present(path: Path, size: int, declared: float) -> float | None:
    """MP4/M4A: a top-level box (usually `mdat`, the audio) that runs past the file's end."""
    with path.open("rb") as f:
        offset = 0
        while offset + 8 <= size:
            f.seek(offset)
            length, box = struct.unpack(">I4s", f.read(8))
            header = 8
            if length == 1:
                (length,) = struct.unpack(">Q", f.read(8))
                header = 16
            elif length == 0:  # runs to the end of the file by definition
                return None
            if length < header:
                return None  # not boxes we understand: leave it to the player
            if offset + length > size:
                if box != b"mdat":
                    return 0.0
                there = max(0, size - offset - header)
                return declared * there / (length - header)
            offset += length
    return None


# FLAC frame header (RFC 9639, 9.1): block size codes 1–15 give these sizes (6 and 7 read
# the size from the end of the header).
def _flac_block_size(code: int, extra: bytes) -> tuple[int, int] | None:
    if code == 1:
        return 192, 0
    if 2 <= code <= 5:
        return 576 << (code - 2), 0
    if code == 6:
        return (extra[0] + 1, 1) if len(extra) >= 1 else None
    if code == 7:
        return (int.from_bytes(extra[:2], "big") + 1, 2) if len(extra) >= 2 else None
    if 8 <= code <= 15:
        return 256 << (code - 8), 0
    return None


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def _flac_frame(buf: bytes, i: int, info) -> tuple[int, int] | None:
    """(first sample, block size) of a frame header starting at buf[i], or None when the
    bytes there only look like one (the CRC-8 and the stream's channels must agree)."""
    head = buf[i : i + 16]
    if len(head) < 6 or head[0] != 0xFF or head[1] not in (0xF8, 0xF9) or head[3] & 1:
        return None
    code = head[3] >> 4  # 0–7: that many channels less one; 8–10: stereo, decorrelated
    if (code + 1 if code < 8 else 2 if code <= 10 else 0) != info.channels:
        return None
    # The coded number is UTF-8-like: the lead byte's high bits say how many bytes follow.
    lead = head[4]
    follow = next((n for n in range(8) if not (lead << n) & 0x80), None)
    if follow is None or follow == 1:
        return None
    count = max(0, follow - 1)
    number = lead & (0x7F >> follow)
    for byte in head[5 : 5 + count]:
        if byte & 0xC0 != 0x80:
            return None
        number = (number << 6) | (byte & 0x3F)
    at = 5 + count
    size = _flac_block_size(head[2] >> 4, head[at : at + 2])
    if size is None:
        return None
    block, used = size
    at += used + {12: 1, 13: 2, 14: 2}.get(head[2] & 0x0F, 0)  # sample rate read from the end
    if at >= len(head) or _crc8(head[:at]) != head[at]:
        return None
    first = number if head[1] == 0xF9 else number * info.max_blocksize
    return first, block


def _flac_present(path: Path, size: int, info) -> float | None:
    """FLAC: the last two frames in the file's tail, one after the other, say how many
    samples are there; STREAMINFO says how many there should be."""
    total = getattr(info, "total_samples", 0) or 0
    if not total or not info.sample_rate:
        return None
    window = min(size, max(1 << 16, 4 * (getattr(info, "max_framesize", 0) or 0)))
    with path.open("rb") as f:
        f.seek(size - window)
        buf = f.read(window)
    frames = []
    i = buf.find(b"\xff")
    while i != -1:
        frame = _flac_frame(buf, i, info)
        if frame is not None:
            frames.append(frame)
        i = buf.find(b"\xff", i + 1)
    for (a_first, a_block), (b_first, b_block) in zip(frames[-2::-1], frames[::-1]):
        if b_first == a_first + a_block:  # two real frames in a row, not noise in the data
            return (b_first + b_block) / info.sample_rate
    return None
