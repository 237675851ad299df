"""`groupkap export` and `groupkap review` from the command line, each in a subprocess with
no display: the PDF made offscreen (pages checked with poppler), CSV and JSON counts that
match the store, the esketamine record as PDF, and bad input as exit 2 with one line and no
file left behind."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest

from groupkap.store.proof import current_head


def _run(*args: str, timeout: float = 120):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    return subprocess.run(
        [sys.executable, "-m", "groupkap.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def _pages(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )


def test_export_pdf_headless_carries_the_chain_head(review_db, tmp_path):
    path, sid = review_db
    out = tmp_path / "report.pdf"
    done = _run("export", sid, "--db", str(path), "--format", "pdf", "--out", str(out))
    assert done.returncode == 0, done.stderr
    head = current_head(path)
    with closing(sqlite3.connect(path)) as conn:
        people = conn.execute(
            "select count(*) from participants where session_id = ?", (sid,)
        ).fetchone()[0]
    assert _pages(out) >= 1 + people + 1
    assert f"chain head {head.seq} {head.hash[:16]}" in done.stdout
    assert "page 1 of" in done.stderr  # the progress line
    with closing(sqlite3.connect(path)) as conn:
        seats = conn.execute(
            "select seat, alias from participants where session_id = ? order by seat", (sid,)
        ).fetchall()
    for seat, alias in seats:  # each step shows as it happens, the first seat too
        assert f"exporting reading seat {seat} · {alias} " in done.stderr
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(out), "-"], capture_output=True, text=True
    ).stdout
    assert "CONFIDENTIAL" in text and str(head.seq) in text


def test_export_csv_and_json_match_the_store(review_db, tmp_path):
    path, sid = review_db
    folder, summary = tmp_path / "tables", tmp_path / "summary.json"
    for fmt, out in (("csv", folder), ("json", summary)):
        done = _run("export", sid, "--db", str(path), "--format", fmt, "--out", str(out))
        assert done.returncode == 0, done.stderr
    with closing(sqlite3.connect(path)) as conn:
        vitals = conn.execute("select count(*) from vitals where session_id = ?", (sid,))
        vitals = vitals.fetchone()[0]
        raised = conn.execute(
            "select count(distinct json_extract(data, '$.alarm_id')) from events "
            "where session_id = ? and kind = 'alarm.raised'",
            (sid,),
        ).fetchone()[0]
    lines = (folder / "vitals.csv").read_text().splitlines()
    assert len(lines) - 1 == vitals
    assert len(json.loads(summary.read_text())["session"]["alarms"]) >= raised > 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["export", "nope", "--format", "pdf"], "no session nope"),
        (["export", "SID", "--format", "pdf", "--to-folder"], "unrecognized arguments"),
        (["review", "nope"], "no session nope"),
        (["review", "SID"], "review needs a display"),
    ],
)
def test_bad_input_is_exit_2_with_one_line_and_no_file(review_db, tmp_path, args, says):
    path, sid = review_db
    out = tmp_path / "out.pdf"
    args = [sid if a == "SID" else a for a in args]
    done = (
        _run(*args, "--db", str(path), "--out", str(out))
        if args[0] == "export"
        else _run(*args, "--db", str(path))
    )
    assert done.returncode == 2
    assert says in done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr  # the refusal alone, no progress
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_an_existing_out_is_kept_unless_replace_is_given(review_db, tmp_path):
    """(A suffix that says another format, `--format json --out a.pdf`, is refused the same
    way: tests/core/test_export_target.py.)"""
    path, sid = review_db
    summary = tmp_path / "s.json"
    summary.write_text("kept")
    again = _run("export", sid, "--db", str(path), "--format", "json", "--out", str(summary))
    assert again.returncode == 2
    assert again.stderr == (
        f"groupkap: {summary} already exists; add --replace to overwrite it, "
        "or choose another --out\n"
    )
    assert summary.read_text() == "kept"
    args = ("--format", "json", "--out", str(summary), "--replace")
    replaced = _run("export", sid, "--db", str(path), *args)
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads(summary.read_text())["session"]["id"] == sid
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temporary file left


def test_the_esketamine_record_as_pdf(review_db, tmp_path):
    path, sid = review_db
    with closing(sqlite3.connect(path)) as conn:
        alias = conn.execute(
            "select p.alias from participants p join events e on e.participant_id = p.id "
            "where e.kind = 'dose.given' and json_extract(e.data, '$.route') = 'IN' "
            "and p.session_id = ?",
            (sid,),
        ).fetchone()[0]
    out = tmp_path / "record.pdf"
    done = _run("esketamine-record", sid, alias, "--db", str(path), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert _pages(out) >= 1
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert alias in text


def test_verify_checks_the_log_against_the_head_a_pdf_or_json_export_carries(review_db, tmp_path):
    path, sid = review_db
    for fmt in ("pdf", "json"):
        out = tmp_path / f"export.{fmt}"
        assert (
            _run("export", sid, "--db", str(path), "--format", fmt, "--out", str(out)).returncode
            == 0
        )
        done = _run("verify", "--db", str(path), "--anchor", str(out))
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"1 match ({out})" in done.stdout
    forged = json.loads((tmp_path / "export.json").read_text())
    forged["chain_head"]["hash"] = "0" * 64
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    done = _run("verify", "--db", str(path), "--anchor", str(tmp_path / "forged.json"))
    assert done.returncode == 1 and "is not the one anchored" in done.stdout + done.stderr
