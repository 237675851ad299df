"""A disk that fills up during a session: a small tmpfs (root only), for the tests and by hand.

    sudo .venv/bin/python tests/faults/full_disk.py    # a 3 MiB disk, a 30-minute demo at 600x

The run must end by itself within a bounded time, exit non-zero and say why.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path


@contextlib.contextmanager
def small_disk(size: str = "3m"):
    """A tmpfs of `size` mounted on a new folder; unmounted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="groupkap-full-"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        folder.rmdir()
        raise PermissionError(f"cannot mount a tmpfs: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        with contextlib.suppress(OSError):
            folder.rmdir()


def run_demo_on_full_disk(timeout_s: float = 120) -> subprocess.CompletedProcess:
    with small_disk() as folder:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "groupkap.cli",
                "demo",
                "--offscreen",
                "--minutes",
                "30",
                "--speed",
                "600",
                "--db",
                str(folder / "g.sqlite3"),
                "--screenshot",
                str(folder.parent / f"{folder.name}.png"),
            ],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=env,
        )


if __name__ == "__main__":
    result = run_demo_on_full_disk()
    print(result.stderr[-2000:])
    print("exit", result.returncode)
