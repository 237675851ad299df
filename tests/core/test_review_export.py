"""Exports of a past session (issue 14): the CSV tables match the store row for row, the JSON
summary carries the right alarm counts and response times, both read the database without
changing it, and bad input (an unknown session, a path that cannot be written, a failure
half-way) leaves no file behind. Real files; the unwritable cases run in a child process
without root's power to ignore permissions (`setpriv`), so the kernel really refuses."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from review_fixture import copy_db

from groupkap.errors import BadInputError
from groupkap.review.export_data import CSV_FILES, export_csv, export_json
from groupkap.review.model import ChainStatus
from groupkap.review.progress import ProgressLine
from groupkap.review.summary import load_summary
from groupkap.store.proof import current_head

REPO = Path(__file__).resolve().parents[2]


def count(path, sql, *params) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return conn.execute(sql, params).fetchone()[0]


def table(folder: Path, name: str) -> list[dict]:
    with open(folder / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def file_state(path: Path):
    return path.stat().st_mtime_ns, path.stat().st_size, current_head(path)


@pytest.fixture(scope="module")
def untouched(review_db):
    """The database file as it was before this module exported anything."""
    return file_state(review_db[0])


@pytest.fixture(scope="module")
def csv_export(review_db, untouched, tmp_path_factory):
    path, sid = review_db
    calls: list[tuple[float, str]] = []
    out = tmp_path_factory.mktemp("csv") / "session-csv"
    result = export_csv(path, sid, out, lambda f, w: calls.append((f, w)))
    return result, calls


@pytest.fixture(scope="module")
def json_export(review_db, untouched, tmp_path_factory):
    path, sid = review_db
    return export_json(path, sid, tmp_path_factory.mktemp("json") / "session.json")


@pytest.fixture(scope="module")
def summary(review_db):
    """The summary the exports are compared with (the chain is checked elsewhere)."""
    placeholder = ChainStatus(False, "not checked here")
    return load_summary(*review_db, chain=placeholder)


# -- CSV -----------------------------------------------------------------------------------
def test_csv_row_counts_equal_the_store_s(review_db, csv_export, summary):
    path, sid = review_db
    result, _ = csv_export
    vitals = count(path, "select count(*) from vitals where session_id = ?", sid)
    events = count(path, "select count(*) from events where session_id = ?", sid)
    assert result.rows == {
        "vitals": vitals,
        "events": events,
        "alarms": len(summary.alarms),
        "participants": 4,
    }
    for name, n in result.rows.items():
        assert len(table(result.out, f"{name}.csv")) == n
    assert sorted(os.listdir(result.out)) == sorted(CSV_FILES)  # no temporary file left
    assert (result.head_seq, result.head_hash) == (
        current_head(path).seq,
        current_head(path).hash,
    )


def test_csv_vitals_mark_the_struck_values_as_v_vitals_does(review_db, csv_export):
    path, sid = review_db
    result, _ = csv_export
    struck = [r for r in table(result.out, "vitals.csv") if r["struck"] == "1"]
    assert len(struck) == count(
        path, "select count(*) from v_vitals where session_id = ? and struck = 1", sid
    )
    assert {(r["participant"], r["param"], float(r["value"])) for r in struck} == {
        ("M.K.", "SpO2", 80.0),
        ("M.K.", "SBP", 190.0),
        ("M.K.", "DBP", 110.0),
    }


def test_csv_events_are_the_log_in_order_without_full_names_or_phone_numbers(csv_export):
    result, _ = csv_export
    text = (result.out / "events.csv").read_text(encoding="utf-8")
    assert "555-0100" not in text and "family member" not in text
    events = table(result.out, "events.csv")
    assert [int(e["seq"]) for e in events] == sorted(int(e["seq"]) for e in events)
    ready = next(e for e in events if e["kind"] == "readiness.confirmed")
    assert json.loads(ready["data"])["ride_home_phone"] == "(withheld)"
    assert ready["participant"] == "M.K."


def test_csv_alarms_and_participants_carry_response_times_and_compliance(csv_export):
    result, _ = csv_export
    alarms = table(result.out, "alarms.csv")
    hr = next(a for a in alarms if a["participant"] == "J.L." and a["key"] == "HR")
    assert hr["response_s"] == "20.0" and hr["acknowledged_by"] == "RN B. Demo"
    spo2 = next(a for a in alarms if a["participant"] == "A.R." and a["key"] == "SpO2")
    assert spo2["response_s"] == "" and spo2["acknowledged_utc"] == ""
    people = {p["participant"]: p for p in table(result.out, "participants.csv")}
    assert people["S.T."]["compliant"] == "0" and people["S.T."]["discharge_signed"] == "0"
    assert people["M.K."]["compliant"] == "1" and people["M.K."]["first_check_bp"] == "1"


def test_progress_runs_from_0_to_1_at_least_every_10_percent_of_the_vitals(csv_export):
    _, calls = csv_export
    fractions = [f for f, _ in calls]
    assert fractions[0] == 0.0 and calls[-1] == (1.0, "done")
    assert fractions == sorted(fractions)
    vitals = [f for f, w in calls if w == "vitals"]
    assert max(b - a for a, b in zip(vitals, vitals[1:])) <= 0.8 * 0.1  # 80 % span for vitals


def test_a_second_export_into_its_own_folder_replaces_its_four_tables(
    review_db, csv_export, tmp_path
):
    path, sid = review_db
    out = shutil.copytree(csv_export[0].out, tmp_path / "again")
    (out / "vitals.csv").write_text("old")
    export_csv(path, sid, out)
    assert (out / "vitals.csv").read_text().startswith("t_utc,")


def test_a_folder_holding_anything_else_is_refused_and_left_alone(review_db, tmp_path):
    path, sid = review_db
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(BadInputError, match=r"already holds notes.txt; give --out a new"):
        export_csv(path, sid, out)
    assert os.listdir(out) == ["notes.txt"]
    file = tmp_path / "file.csv"
    file.write_text("x")
    with pytest.raises(BadInputError, match="is a file; give --out a folder"):
        export_csv(path, sid, file)


def test_a_failure_half_way_leaves_nothing_behind(review_db, csv_export, tmp_path):
    path, sid = review_db

    def fail_midway(fraction, word):
        if fraction >= 0.3:  # a third into the vitals
            raise OSError(28, "No space left on device")

    out = tmp_path / "new-folder"
    with pytest.raises(BadInputError, match=f"cannot write {out}: No space left on device"):
        export_csv(path, sid, out, fail_midway)
    assert not out.exists()  # the folder it made is gone too
    kept = shutil.copytree(csv_export[0].out, tmp_path / "earlier")
    before = {n: (kept / n).read_bytes() for n in CSV_FILES}
    with pytest.raises(BadInputError):
        export_csv(path, sid, kept, fail_midway)
    assert {n: (kept / n).read_bytes() for n in os.listdir(kept)} == before  # untouched

    def stopped_before_writing(fraction, word):
        if word == "writing":
            raise KeyboardInterrupt  # Ctrl+C

    with pytest.raises(KeyboardInterrupt):
        export_json(path, sid, tmp_path / "s.json", stopped_before_writing)
    assert sorted(os.listdir(tmp_path)) == ["earlier"]  # no JSON, no temporary file


# -- JSON ----------------------------------------------------------------------------------
def test_json_holds_the_summary_with_alarm_counts_and_response_times(
    review_db, json_export, summary
):
    path, sid = review_db
    result = json_export
    doc = json.loads(result.out.read_text(encoding="utf-8"))
    session = doc["session"]
    assert doc["format"] == "groupkap-session-summary" and "GroupKAP" in doc["generated_by"]
    assert doc["chain_head"] == {"seq": current_head(path).seq, "hash": current_head(path).hash}
    assert session["id"] == sid and session["chain"]["intact"] is True
    assert [a["response_s"] for a in session["alarms"]] == [a.response_s for a in summary.alarms]
    raised = count(
        path,
        "select count(*) from events where session_id = ? and kind = 'alarm.raised' "
        "and json_extract(data, '$.from_priority') is null",
        sid,
    )
    assert len(session["alarms"]) == raised
    hr = next(a for a in session["alarms"] if a["key"] == "HR" and a["seat"] == 3)
    assert hr["response_s"] == 20.0 and hr["raised_at_utc"].endswith("Z")
    people = {p["alias"]: p for p in session["participants"]}
    for p in summary.participants:
        assert people[p.alias]["alarm_counts"] == dict(p.alarm_counts)
    assert people["S.T."]["compliant"] is False
    assert people["M.K."]["t0_utc"] == "2025-03-04T09:02:00.000Z"
    assert result.rows["alarms"] == len(summary.alarms)
    assert oct(result.out.stat().st_mode & 0o777) == "0o600"


def test_exports_change_nothing_in_the_database(review_db, untouched, csv_export, json_export):
    assert file_state(review_db[0]) == untouched


# -- bad input -----------------------------------------------------------------------------
def test_an_unknown_session_is_refused_before_anything_is_made(review_db, tmp_path):
    path, _ = review_db
    for export, out in ((export_csv, tmp_path / "c"), (export_json, tmp_path / "j.json")):
        with pytest.raises(BadInputError, match="no session nope in .*`groupkap sessions`"):
            export(path, "nope", out)
    assert os.listdir(tmp_path) == []
    with pytest.raises(BadInputError, match="does not exist; create it or choose another"):
        export_json(path, review_db[1], tmp_path / "missing" / "j.json")


CHILD = """
import sys
from groupkap.errors import BadInputError
from groupkap.review.export_data import export_csv, export_json
from groupkap.review.summary import load_summary
db, sid, folder = sys.argv[1:]
print(len(load_summary(db, sid).participants))
for export, name in ((export_csv, "csv"), (export_json, "s.json")):
    try:
        export(db, sid, folder + "/" + name)
    except BadInputError as exc:
        print(exc)
"""


def test_an_archived_copy_reads_and_an_unwritable_folder_is_refused(review_db, tmp_path):
    """The database 0444 in a 0555 folder, the output folder 0555: as a clinic's archive."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() == 0 and setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be made to bind")
    prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]
    archive = tmp_path / "archive"
    archive.mkdir()
    db = copy_db(review_db[0], archive)
    locked = tmp_path / "locked"
    locked.mkdir()
    for f in archive.iterdir():
        f.chmod(0o444)
    for folder in (archive, locked):
        folder.chmod(0o555)
    try:
        done = subprocess.run(
            [*(prefix if os.geteuid() == 0 else []), sys.executable, "-c", CHILD]
            + [str(db), review_db[1], str(locked)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
    finally:
        for folder in (archive, locked):
            folder.chmod(0o755)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "4"
    assert lines[1] == f"cannot write {locked}/csv: Permission denied; choose another --out"
    assert lines[2] == f"cannot write {locked}/s.json: Permission denied; choose another --out"
    assert os.listdir(locked) == []


def test_the_terminal_progress_line_logs_every_10_percent_into_a_file(tmp_path):
    with open(tmp_path / "log.txt", "w") as fh:
        line = ProgressLine(fh)
        for i in range(101):
            line(i / 100, "vitals")
        line(1.0, "done")
        line.done()
    lines = (tmp_path / "log.txt").read_text().splitlines()
    assert lines[0] == "exporting vitals 0 %" and lines[-1] == "exporting vitals 100 %"
    assert len(lines) == 11
