"""Where an export may be written, decided before any work: `groupkap export` refuses a bad
`--out` in one line, before its first progress line, so a refusal is never mixed with output.

Why each rule: an export that silently replaced yesterday's report (or a PDF with JSON) loses a
record a lead meant to keep, so an existing `--out` is refused unless `--replace` asks for it;
a name whose suffix says another format (`--format json --out a.pdf`) would open in the wrong
program or be mistaken for the other file, so it is refused too. CSV is a folder of four
tables: an existing empty folder is taken as is (nothing is replaced).
"""

from __future__ import annotations

import os
from pathlib import Path

from groupkap.errors import BadInputError, no_session
from groupkap.store import queries
from groupkap.store.store import open_read_only, reading

FILE_SUFFIX = {"pdf": ".pdf", "json": ".json"}  # csv: a folder, no suffix
# Suffixes that name a format: one of these on --out says which file it is.
FORMAT_SUFFIXES = (".pdf", ".json", ".csv", ".html", ".htm")


def check_session(path: Path, session_id: str) -> None:
    """BadInputError (`no session …`) unless the database at `path` holds `session_id`."""
    conn = open_read_only(path)
    try:
        with reading(path):
            if queries.session_row(conn, session_id) is None:
                raise no_session(session_id, path)
    finally:
        conn.close()


def suffix_conflict(fmt: str, out: Path) -> str | None:
    """Why `out`'s suffix contradicts `fmt`, in one line, or None when it does not: a PDF or
    JSON export to a name ending in another format's suffix, a CSV folder named like a file."""
    suffix = out.suffix.lower()
    if suffix not in FORMAT_SUFFIXES or suffix == FILE_SUFFIX.get(fmt):
        return None
    if fmt == "csv":
        return (
            f"--out {out}: CSV is written as a folder of four tables, not one {suffix} file; "
            f"give --out a folder name such as {out.with_suffix('')}-csv"
        )
    return (
        f"--out {out}: a {fmt.upper()} export must not be named {suffix}; "
        f"give --out {out.with_suffix(FILE_SUFFIX[fmt])}"
    )


def check_target(fmt: str, out: Path, replace: bool = False) -> Path:
    """`out` (expanded) if a `fmt` export may be written there; BadInputError with one line
    saying what to do otherwise. `replace`: an existing file (or an earlier CSV export's
    folder) may be overwritten, as `--replace` asks."""
    out = Path(out).expanduser()
    conflict = suffix_conflict(fmt, out)
    if conflict:
        raise BadInputError(conflict)
    exists = out.exists() or out.is_symlink()
    if exists and fmt != "csv" and out.is_dir():
        raise BadInputError(
            f"{out} is a folder; give --out a file name such as {out}/session{FILE_SUFFIX[fmt]}"
        )
    if exists and fmt == "csv" and not out.is_dir():
        raise BadInputError(f"{out} is a file; give --out a folder for the CSV tables")
    empty_folder = fmt == "csv" and out.is_dir() and not any(out.iterdir())
    if exists and not replace and not empty_folder:
        what = "holds an earlier export" if fmt == "csv" else "already exists"
        raise BadInputError(f"{out} {what}; add --replace to overwrite it, or choose another --out")
    folder = out if fmt == "csv" and out.is_dir() else out.parent
    if not folder.is_dir():
        raise BadInputError(
            f"the folder {folder} does not exist; create it or choose another --out"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BadInputError(f"cannot write {out}: permission denied; choose another --out")
    return out
