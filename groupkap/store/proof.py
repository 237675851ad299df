"""What proves the log: `verify` (the chain, its anchored heads, the projections and the
seals), `reanchor` after an anchor file is lost for good, and `backup` with its own anchor.

Each reads the database read-only; only `reanchor` and `backup` write, and only new files.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from groupkap.accounts.signatures import signature_problem
from groupkap.errors import StorageError
from groupkap.store import chain
from groupkap.store.account_queries import account_problem
from groupkap.store.anchor import (
    Head,
    anchor_path,
    append_head,
    chain_head,
    check_heads,
    read_heads,
)
from groupkap.store.people_queries import people_problem
from groupkap.store.projections import count_problem, projection_problem
from groupkap.store.seals import first_seal, seal_problem, unsealed_problem, unsealed_rows
from groupkap.store.store import _create_owner_only, open_read_only, quick_check, reading

log = logging.getLogger("groupkap.store")


def verify(
    path: Path, anchor: Path | None = None, *, require_anchor: bool = True
) -> chain.ChainReport:
    """Walk the whole chain and check it against the anchored heads: those in `anchor` (a
    head file kept elsewhere, or an export), else in the anchor file beside the database;
    then rebuild the sessions and participants rows from the log and compare them, and
    recount every session's participants, events and vitals against `session_counts`.
    A damaged file is refused (StorageError) before the walk."""
    path = Path(path).expanduser()
    conn = open_read_only(path)
    try:
        conn.row_factory = None
        quick_check(conn, path)
        with reading(path):
            report = chain.walk(conn)
            file = Path(anchor).expanduser() if anchor is not None else anchor_path(path)
            if anchor is not None or file.exists():
                heads = read_heads(file)
                report = replace(report, anchored=len(heads), anchor=str(file))
                if report.ok:
                    problem = check_heads(conn, heads)
                    if problem is not None:
                        return replace(report, broken_seq=problem.seq, reason=problem.reason)
            elif require_anchor and report.ok and (sealed := first_seal(conn)) is not None:
                # Every store that seals also anchors: this log had an anchor file.
                return replace(
                    report,
                    broken_seq=sealed,
                    reason=f"its anchor file {file.name} is missing, so a cut-short or "
                    "rewritten log cannot be told apart: restore the anchor file from "
                    "backup, or give --anchor a head file kept elsewhere",
                )
            if report.ok:
                differs = (
                    projection_problem(conn)
                    or account_problem(conn)
                    or people_problem(conn)
                    or signature_problem(conn)
                    or seal_problem(conn)
                    or unsealed_problem(conn)
                    or count_problem(conn)
                )
                if differs is not None:
                    return replace(report, broken_seq=differs[0], reason=differs[1])
                open_rows = tuple(
                    (sid, table, rows) for sid, status, table, rows in unsealed_rows(conn)
                )
                report = replace(report, unsealed=open_rows)
            return report
    finally:
        conn.close()


def current_head(path: Path) -> Head | None:
    """The chain head of the database at `path`, read-only (what an export carries)."""
    conn = open_read_only(path)
    try:
        conn.row_factory = None
        with reading(path):
            return chain_head(conn)
    finally:
        conn.close()


def backup(path: Path, out: Path) -> tuple[Head | None, chain.ChainReport]:
    """A consistent copy of `path` at `out` through SQLite's online backup API (events still
    in the WAL included, a session may be writing), owner-only, with its own anchor file
    holding the source's heads and the copy's head. Refuses an existing `out`; returns the
    copy's head and its verification."""
    path, out = Path(path).expanduser(), Path(out).expanduser()
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise StorageError(
            f"the backup folder {folder} does not exist; create it or choose another --out"
        )
    if out.is_dir():
        raise StorageError(f"{out} is a folder; give --out a file name such as {out}/copy.sqlite3")
    for existing in (out, Path(f"{out}-wal"), anchor_path(out)):
        if existing.exists():
            raise StorageError(f"{existing} already exists; a backup never overwrites a file")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(f"cannot write in {folder}; choose another --out")
    source = open_read_only(path)
    try:
        _create_owner_only(out)
        try:
            with reading(path), closing(sqlite3.connect(out)) as copy:
                source.backup(copy)
        except BaseException:
            out.unlink(missing_ok=True)
            raise
    finally:
        source.close()
    with closing(sqlite3.connect(f"file:{out}?mode=ro", uri=True)) as copy:
        head = chain_head(copy)
    own = anchor_path(path)
    heads = read_heads(own) if own.exists() else []
    fd = os.open(anchor_path(out), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.writelines(h.to_json() + "\n" for h in heads)
    if head is not None:
        append_head(anchor_path(out), head, f"backup of {path.name}")
        try:
            append_head(own, head, f"backup to {out}")
        except OSError as exc:  # an archived, read-only source: its copy still has the head
            log.warning("could not anchor the head beside %s: %s", path, exc.strerror)
    return head, verify(out)


def reanchor(path: Path, reason: str) -> Head:
    """Start a new anchor file for a log whose anchor file is lost for good: only when the
    whole chain, its projections and its seals verify, and with `reason` written into the
    first head (a copy of an older anchor file kept elsewhere still checks the log)."""
    path = Path(path).expanduser()
    if not reason.strip():
        raise StorageError("give --reason: why the anchor file was lost, for the record")
    file = anchor_path(path)
    if file.exists():
        raise StorageError(f"{file} exists; `groupkap verify` checks the log against it")
    report = verify(path, anchor=None, require_anchor=False)
    if not report.ok:
        raise StorageError(
            f"the chain is broken at seq {report.broken_seq} ({report.reason}); a broken log "
            "is never re-anchored: restore it from backup"
        )
    conn = open_read_only(path)
    try:
        with reading(path):
            head = chain_head(conn)
    finally:
        conn.close()
    if head is None:
        raise StorageError(f"the log at {path} has no events yet; nothing to anchor")
    return append_head(file, head, f"re-anchored: {reason.strip()}")
