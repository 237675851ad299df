"""A past session as open data: CSV tables for a spreadsheet, a JSON summary for a program.

`export_csv(path, session, DIR)` writes four tables into the folder DIR: `vitals.csv` (every
numeric value stored, with `struck` marking hand values that no longer count), `events.csv`
(the whole log of the session in order), `alarms.csv` (one row per alarm episode with its
response time) and `participants.csv` (dose, extremes, alarm counts and compliance). The
folder is created when it does not exist (its parent must); an existing folder must be
empty or hold only these four files from an earlier export, which are replaced: an export
never mixes with, or overwrites, anything else.

`export_json(path, session, FILE)` writes one file: the whole `SessionSummary` (every time
as epoch seconds and, beside it, `<name>_utc` in ISO UTC), `chain_head` {seq, hash} so the
file can be checked against the database later, and `generated_by`.

Every export is marked: CONFIDENTIAL (the JSON's `marking`, the CSV folder's README.txt), or,
with `deidentify=True`, DE-IDENTIFIED: aliases only, every time shifted by one random whole
number of days, fresh ids, staff by role, free text withheld (`groupkap.review.deidentify`);
relative times (T0 offsets, response times) are unchanged.

Both read the database read-only and write whole or not at all: every file goes to a
temporary name beside its target and is renamed only once all of them are complete, so an
unwritable folder, a full disk or a failure half-way leaves nothing behind (and a folder the
export created is removed again). Files are owner-only (0600): they hold health data.
Aliases only: full names and ride-home contacts in the log are withheld from events.csv.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from groupkap import __version__
from groupkap.errors import BadInputError
from groupkap.files import atomic_write
from groupkap.protocol.config import ProtocolConfig
from groupkap.review.csv_tables import (
    ALARM_COLUMNS,
    EVENT_COLUMNS,
    PARTICIPANT_COLUMNS,
    VITAL_COLUMNS,
    alarm_rows,
    event_rows,
    participant_rows,
    vital_rows,
)
from groupkap.review.deidentify import MARKING, Deidentifier, people_in, staff_roles
from groupkap.review.export_target import check_session
from groupkap.review.model import ChainStatus, SessionSummary
from groupkap.review.series import session_struck_values
from groupkap.review.summary import load_summary
from groupkap.review.times import iso_utc
from groupkap.store import queries, review_queries
from groupkap.store.proof import current_head
from groupkap.store.store import open_read_only, reading

Progress = Callable[[float, str], None]
CSV_TABLES = ("vitals.csv", "events.csv", "alarms.csv", "participants.csv")
README = "README.txt"
CSV_FILES = (*CSV_TABLES, README)
CONFIDENTIAL = "CONFIDENTIAL · health information for the care team"
JSON_FORMAT = "groupkap-session-summary"
JSON_VERSION = 1
TIME_FIELDS = {
    "t",
    "t0",
    "started_at",
    "ended_at",
    "added_at",
    "removed_at",
    "discharged_at",
    "raised_at",
    "acknowledged_at",
    "cleared_at",
}
PROGRESS_STEPS = 20  # the vitals table reports every 5 % of its rows


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote.

    Attributes:
        out: the folder (CSV) or file (JSON) written.
        rows: rows per table (`{"vitals": n, "events": m, ...}`); for JSON, the counts of
            participants, alarms and markers in the summary.
        head_seq, head_hash: the chain head when it was read (None for an empty log).
    """

    out: Path
    rows: dict[str, int]
    head_seq: int | None
    head_hash: str | None


def _quiet(fraction: float, word: str) -> None:
    pass


def _cannot_write(out: Path, exc: OSError | str) -> BadInputError:
    reason = exc if isinstance(exc, str) else (exc.strerror or str(exc))
    return BadInputError(f"cannot write {out}: {reason}; choose another --out")


def _prepare_folder(out: Path) -> bool:
    """Make sure `out` is a folder the export may fill; True when it was created here."""
    if out.exists() and not out.is_dir():
        raise BadInputError(
            f"{out} is a file; give --out a folder for the CSV tables (such as {out.parent}"
            f"/{out.stem or 'export'}-csv)"
        )
    if out.is_dir():
        others = sorted(p.name for p in out.iterdir() if p.name not in CSV_FILES)
        if others:
            raise BadInputError(
                f"{out} already holds {others[0]}"
                + (f" and {len(others) - 1} more" if len(others) > 1 else "")
                + "; give --out a new or empty folder (an export replaces only its own "
                "four tables)"
            )
        if not os.access(out, os.W_OK | os.X_OK):
            raise _cannot_write(out, "the folder is read-only")
        return False
    if not out.parent.is_dir():
        raise BadInputError(
            f"the folder {out.parent} does not exist; create it or choose another --out"
        )
    try:
        out.mkdir(mode=0o700)
    except OSError as exc:
        raise _cannot_write(out, exc) from exc
    return True


@contextmanager
def _staged(folder: Path, names: tuple[str, ...]) -> Iterator[dict[str, Path]]:
    """Temporary files beside their targets; renamed onto them only if the block completes,
    removed if it fails."""
    temps: dict[str, Path] = {}
    try:
        for name in names:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            os.close(fd)
            temps[name] = Path(tmp)
        yield temps
        for name, tmp in temps.items():
            os.replace(tmp, folder / name)
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def _write_table(
    tmp: Path, columns: tuple[str, ...], rows, on_row: Callable[[int], None] | None = None
) -> int:
    n = 0
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
            n += 1
            if on_row is not None:
                on_row(n)
        fh.flush()
        os.fsync(fh.fileno())
    return n


def export_csv(
    path: Path | str,
    session_id: str,
    out: Path | str,
    progress: Progress | None = None,
    *,
    config: ProtocolConfig | None = None,
    deidentify: bool = False,
) -> ExportResult:
    """The session's four CSV tables and a README.txt saying what they are in the folder
    `out` (see the module docstring)."""
    path, out = Path(path).expanduser(), Path(out).expanduser()
    report = progress or _quiet
    check_session(path, session_id)
    created = _prepare_folder(out)
    try:
        return _write_csv(path, session_id, out, report, config, deidentify)
    except OSError as exc:
        raise _cannot_write(out, exc) from exc
    finally:
        if created and not any(out.iterdir()):
            out.rmdir()  # a failed export leaves no trace, not even its folder


def _readme(summary: SessionSummary, deidentified: bool) -> str:
    lines = [
        MARKING if deidentified else CONFIDENTIAL,
        "",
        f"GroupKAP {__version__}: session {summary.id}, exported as CSV tables.",
        "vitals.csv: every stored value; events.csv: the session log; alarms.csv: one row per "
        "alarm; participants.csv: dose, extremes and protocol compliance per participant.",
        "Times: ISO UTC text and epoch seconds. Participants appear by alias only.",
    ]
    if deidentified:
        lines.append(
            "De-identified: every time is shifted by the same whole number of days (not "
            "given), ids are new, staff are named by role and free text is withheld; time "
            "differences (T0 offsets, response times) are as recorded."
        )
    return "\n".join(lines) + "\n"


def _write_csv(
    path: Path,
    session_id: str,
    out: Path,
    report: Progress,
    config: ProtocolConfig | None,
    deidentify: bool = False,
) -> ExportResult:
    report(0.0, "reading")
    head = current_head(path)
    seq, digest = (head.seq, head.hash) if head is not None else (None, None)
    summary = load_summary(
        path,
        session_id,
        config=config,
        chain=ChainStatus(False, "not checked by the CSV export", None, seq, digest),
    )
    report(0.05, "reading")
    counts: dict[str, int] = {}
    conn = open_read_only(path)
    try:
        with reading(path), _staged(out, CSV_FILES) as temps:
            logged = queries.events(conn, session_id)
            deid = None
            if deidentify:
                deid = Deidentifier.for_session(summary, people_in(logged), staff_roles(conn))
                summary = deid.summary(summary)
                logged = [deid.event(e) for e in logged]
            struck = session_struck_values(conn, session_id)
            total = max(1, review_queries.vitals_count(conn, session_id))
            every = max(1, total // PROGRESS_STEPS)

            def vitals_done(n: int) -> None:
                if n % every == 0 or n == total:
                    report(min(0.85, 0.05 + 0.8 * n / total), "vitals")

            report(0.05, "vitals")
            cursor = review_queries.vitals_for_export(conn, session_id)
            vitals = vital_rows(cursor, struck)
            if deid is not None:
                vitals = map(deid.vital_row, vitals)
            counts["vitals"] = _write_table(temps["vitals.csv"], VITAL_COLUMNS, vitals, vitals_done)
            report(0.85, "events")
            aliases = {p.id: p.alias for p in summary.participants}
            counts["events"] = _write_table(
                temps["events.csv"], EVENT_COLUMNS, event_rows(logged, aliases)
            )
            report(0.95, "alarms")
            counts["alarms"] = _write_table(temps["alarms.csv"], ALARM_COLUMNS, alarm_rows(summary))
            counts["participants"] = _write_table(
                temps["participants.csv"], PARTICIPANT_COLUMNS, participant_rows(summary)
            )
            _write_text(temps[README], _readme(summary, deid is not None))
            for tmp in temps.values():
                os.chmod(tmp, 0o600)
    finally:
        conn.close()
    report(1.0, "done")
    if deid is not None:
        seq = digest = None  # the copy does not carry the original log's head
    return ExportResult(out, counts, seq, digest)


def _write_text(tmp: Path, text: str) -> None:
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _with_utc(value):
    """asdict() output with an `<name>_utc` ISO text beside every epoch time."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out[key] = _with_utc(item)
            if key in TIME_FIELDS and (item is None or isinstance(item, (int, float))):
                out[f"{key}_utc"] = iso_utc(item)
        return out
    if isinstance(value, (list, tuple)):
        return [_with_utc(item) for item in value]
    return value


def summary_document(summary: SessionSummary, deidentified: bool = False) -> dict:
    """The JSON export's content: its marking, the summary with its derived figures (each
    alarm's response and duration, each participant's compliance), chain head and
    provenance. De-identified (`summary` already mapped): no chain head and no export time,
    which would date the session."""
    body = asdict(summary)
    for alarm, episode in zip(body["alarms"], summary.alarms):
        alarm["response_s"], alarm["duration_s"] = episode.response_s, episode.duration_s
    for person, participant in zip(body["participants"], summary.participants):
        person["compliant"] = participant.compliant
        person["alarm_counts"] = dict(participant.alarm_counts)
    document = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "marking": MARKING if deidentified else CONFIDENTIAL,
        "generated_by": f"GroupKAP {__version__} (groupkap export --format json)",
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "chain_head": {"seq": summary.chain.head_seq, "hash": summary.chain.head_hash},
        "session": _with_utc(body),
    }
    if deidentified:
        del document["generated_at"], document["chain_head"]
    return document


def export_json(
    path: Path | str,
    session_id: str,
    out: Path | str,
    progress: Progress | None = None,
    *,
    config: ProtocolConfig | None = None,
    chain: ChainStatus | None = None,
    deidentify: bool = False,
) -> ExportResult:
    """The session's summary as one JSON file `out` (see the module docstring)."""
    path, out = Path(path).expanduser(), Path(out).expanduser()
    report = progress or _quiet
    check_session(path, session_id)
    if out.is_dir():
        raise BadInputError(f"{out} is a folder; give --out a file name such as {out}/session.json")
    if not out.parent.is_dir():
        raise BadInputError(
            f"the folder {out.parent} does not exist; create it or choose another --out"
        )
    report(0.0, "reading")
    summary = load_summary(path, session_id, config=config, chain=chain)
    if deidentify:
        summary = deidentified_summary(path, summary)
    report(0.8, "writing")
    document = summary_document(summary, deidentified=deidentify)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        atomic_write(out, text, mode=0o600)
    except OSError as exc:
        raise _cannot_write(out, exc) from exc
    report(1.0, "done")
    rows = {
        "participants": len(summary.participants),
        "alarms": len(summary.alarms),
        "markers": len(summary.markers),
        "events": summary.events,
    }
    return ExportResult(out, rows, summary.chain.head_seq, summary.chain.head_hash)


def deidentified_summary(
    path: Path, summary: SessionSummary, deid: Deidentifier | None = None
) -> SessionSummary:
    """`summary` de-identified with a fresh `Deidentifier` (one offset) built from its log,
    or with `deid` when given."""
    if deid is None:
        deid = deidentifier(path, summary)
    return deid.summary(summary)


def deidentifier(path: Path, summary: SessionSummary) -> Deidentifier:
    """One export's de-identification for `summary`: its people from the log, their roles
    from the accounts table."""
    conn = open_read_only(path)
    try:
        with reading(path):
            people = people_in(queries.events(conn, summary.id))
            return Deidentifier.for_session(summary, people, staff_roles(conn))
    finally:
        conn.close()
