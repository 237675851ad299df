"""Talking to the listener as monitors do: python-hl7's `mllp_send` in its own process, and a
raw socket for what no well-behaved client sends (half frames, noise, 2 MB)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hl7"
MLLP_SEND = Path(sys.executable).with_name("mllp_send")


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.hl7").read_bytes()


def acks_of(output: bytes) -> list[tuple[str, str, str]]:
    """(MSA-1, MSA-2, MSA-3) of every ACK in `output`."""
    out = []
    for segment in output.replace(b"\n", b"\r").split(b"\r"):
        segment = segment.strip(b"\x0b\x1c")
        if segment.startswith(b"MSA|"):
            fields = segment.decode("utf-8", "replace").split("|") + ["", ""]
            out.append((fields[1], fields[2], fields[3]))
    return out


def mllp_send(port: int, *messages: bytes, tmp: Path, timeout: float = 30) -> list[tuple]:
    """Send `messages` on one connection with python-hl7's `mllp_send`; returns the ACKs."""
    path = tmp / f"send-{time.monotonic_ns()}.mllp"
    path.write_bytes(b"".join(m + b"\x1c" for m in messages))  # mllp_send splits on <FS>
    done = subprocess.run(
        [str(MLLP_SEND), "-p", str(port), "-f", str(path), "127.0.0.1"],
        capture_output=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return acks_of(done.stdout)


def framed(payload: bytes) -> bytes:
    return b"\x0b" + payload + b"\x1c\r"


def read_ack(sock: socket.socket, timeout: float = 10) -> tuple[str, str, str]:
    """The next ACK on a raw socket."""
    sock.settimeout(timeout)
    data = b""
    while b"\x1c" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {data!r}")
        data += chunk
    return acks_of(data)[0]


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the other end closes the connection within `seconds`."""
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True
