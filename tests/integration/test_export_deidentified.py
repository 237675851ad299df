"""`groupkap export --deidentify`: the recorded review session, with a full name, a ride-home
phone, a typed note and staff accounts added, exported as PDF, CSV and JSON in a subprocess.
No full name, phone, staff name, original session id or original date may be left anywhere in
the files' bytes (the PDF read with pdftotext as well), and every time difference a lead
relies on (T0 offsets, response times) must be exactly as recorded."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from review_fixture import START, copy_db

from groupkap.accounts import Accounts
from groupkap.clock import SimulatedClock
from groupkap.review.deidentify import DAY_S
from groupkap.store import Store
from groupkap.store.store import list_sessions

FULL_NAME = "Margaret Kowalski"
PHONE = "555-0100"  # the demo team's ride-home phone, in the fixture already
RIDE_HOME = "family member"
PHONE_IN_NOTE = "07700 900123"
NOTE = f"call her son Peter on {PHONE_IN_NOTE}"
STAFF = ("Dr A. Demo", "RN B. Demo")


def _run(*args: str):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.run(
        [sys.executable, "-m", "groupkap.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


@pytest.fixture(scope="module")
def identified(review_db, tmp_path_factory):
    """A copy of the review session with identifying data added: (db, session id)."""
    path, sid = review_db
    db = copy_db(path, tmp_path_factory.mktemp("deid"))
    clock = SimulatedClock(start=START + 3 * 3600, speed=0)
    store = Store.open(db, clock)
    try:
        accounts = Accounts(store, clock)
        admin = accounts.add("Admin One", "admin", "adminpin1")
        accounts.add(STAFF[0], "medical", "medicpin1", by=admin)
        accounts.add(STAFF[1], "facilitator", "nursepin1", by=admin)
        with closing(store.reader()) as conn:
            pid, alias = conn.execute(
                "select id, alias from participants where session_id = ? order by seat",
                (sid,),
            ).fetchone()
        store.record(
            sid,
            "participant.renamed",
            {"old_alias": alias, "alias": alias, "full_name": FULL_NAME},
            participant_id=pid,
            actor=STAFF[0],
        )
        store.record(sid, "note.added", {"text": NOTE}, participant_id=pid, actor=STAFF[1])
        store.flush()
    finally:
        store.close()
    return db, sid


@pytest.fixture(scope="module")
def exports(identified, tmp_path_factory):
    """Each format written plainly and de-identified: {(format, deidentified): path}."""
    db, sid = identified
    folder = tmp_path_factory.mktemp("out")
    written = {}
    for fmt, name in (("json", "s.json"), ("csv", "tables"), ("pdf", "r.pdf")):
        for deid in (False, True):
            out = folder / f"{'deid-' if deid else ''}{name}"
            args = ["export", sid, "--db", str(db), "--format", fmt, "--out", str(out)]
            done = _run(*args, *(["--deidentify"] if deid else []))
            assert done.returncode == 0, done.stderr
            written[fmt, deid] = out
    return written


def _original_dates(db: Path, sid: str) -> list[str]:
    row = next(r for r in list_sessions(db) if r["id"] == sid)
    day = datetime.fromtimestamp(START, tz=UTC)
    local = datetime.fromtimestamp(START)
    return sorted(
        {
            day.strftime("%Y-%m-%d"),
            local.strftime("%Y-%m-%d"),
            local.strftime("%a %Y-%m-%d"),
            str(row["started"])[:10],
        }
    )


def _files(out: Path) -> list[Path]:
    return sorted(out.iterdir()) if out.is_dir() else [out]


def test_the_plain_export_holds_what_must_go(identified, exports):
    """The test can fail: the source and the plain exports do hold these strings."""
    db, sid = identified
    text = exports["csv", False].joinpath("events.csv").read_text()
    assert (
        NOTE in text
        and STAFF[0] in text
        and sid in json.dumps(json.loads(exports["json", False].read_text()))
    )
    assert "CONFIDENTIAL" in exports["json", False].read_text()


@pytest.mark.parametrize("fmt", ["json", "csv", "pdf"])
def test_nothing_identifying_is_left(identified, exports, fmt):
    db, sid = identified
    # Whole strings only: a fragment such as "07700" turns up by chance inside shifted epoch
    # seconds (1701507700 is 100 s into a session moved 458 days back).
    forbidden = [FULL_NAME, PHONE, RIDE_HOME, NOTE, PHONE_IN_NOTE, *STAFF, "Admin One", sid]
    forbidden += _original_dates(db, sid)
    out = exports[fmt, True]
    texts = [p.read_bytes().decode("latin-1") for p in _files(out)]
    if fmt == "pdf":
        texts.append(
            subprocess.run(
                ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
            ).stdout
        )
    for text in texts:
        for word in forbidden:
            assert word not in text, f"{word!r} left in the de-identified {fmt}"
    assert any("DE-IDENTIFIED" in t for t in texts)
    assert not any("CONFIDENTIAL" in t for t in texts)


def test_staff_appear_by_role(exports):
    doc = json.loads(exports["json", True].read_text())
    assert doc["session"]["facilitators"][1:] == ["medical 1", "facilitator 1"]
    assert "chain_head" not in doc and "generated_at" not in doc
    assert doc["session"]["id"].startswith("deid-")


def test_relative_times_are_unchanged_and_dates_move_by_whole_days(exports):
    plain = json.loads(exports["json", False].read_text())["session"]
    deid = json.loads(exports["json", True].read_text())["session"]
    shift = deid["started_at"] - plain["started_at"]
    assert shift != 0 and shift % DAY_S == 0
    for a, b in zip(plain["alarms"], deid["alarms"], strict=True):
        assert b["response_s"] == a["response_s"] and b["duration_s"] == a["duration_s"]
        assert b["raised_at"] - a["raised_at"] == shift
    for a, b in zip(plain["participants"], deid["participants"], strict=True):
        assert (b["t0"] is None) == (a["t0"] is None)
        if a["t0"] is not None:
            assert b["t0"] - b["added_at"] == a["t0"] - a["added_at"]
            if a["discharged_at"] is not None:
                assert b["discharged_at"] - b["t0"] == a["discharged_at"] - a["t0"]
    with (
        open(exports["csv", False] / "vitals.csv") as fa,
        open(exports["csv", True] / "vitals.csv") as fb,
    ):
        rows = list(zip(csv.DictReader(fa), csv.DictReader(fb), strict=True))
    shifts = {float(b["t"]) - float(a["t"]) for a, b in rows}  # its own export, own offset
    assert len(shifts) == 1 and shifts.pop() % DAY_S == 0


def test_each_export_draws_its_own_offset(identified, tmp_path):
    """The offset is random per export (and not written into the file)."""
    db, sid = identified
    starts = set()
    for n in range(3):
        out = tmp_path / f"{n}.json"
        done = _run(
            "export", sid, "--db", str(db), "--format", "json", "--out", str(out), "--deidentify"
        )
        assert done.returncode == 0, done.stderr
        starts.add(json.loads(out.read_text())["session"]["started_at"])
    assert len(starts) > 1
