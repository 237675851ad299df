"""Replacing a file whole or not at all, so a crash never leaves half a file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path | str, data: bytes | str, *, mode: int = 0o644) -> Path:
    """Write `data` to `path` through a temporary file in the same folder, then rename it.

    A reader (VLC, a clinician's editor, the next start) sees the old file or the new one,
    never a mix: the rename is atomic on one file system, which is why the temporary file
    sits beside its target. `str` data is written as UTF-8 with the newlines it has. The
    data is flushed to disk before the rename and the folder after it, so a power cut keeps
    one of the two versions. On any failure the temporary file is removed, the old file is
    left as it was, and an OSError naming `path` is raised. The folder must exist.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _failed(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)  # mkstemp makes it private; these files are read by others
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _failed(path, exc) from exc
        raise
    _fsync_folder(path.parent)
    return path


def _failed(path: Path, exc: OSError) -> OSError:
    """An OSError naming `path` rather than the temporary file, and saying so plainly when
    the folder is missing; OSError picks the subclass from errno (FileNotFoundError ...)."""
    reason = exc.strerror or str(exc)
    if not path.parent.is_dir():
        reason = f"folder {path.parent} does not exist"
    return OSError(exc.errno, reason, str(path))


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; Windows cannot open a folder, and some file systems
    # refuse fsync on one, which costs only durability, never the file's content.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
