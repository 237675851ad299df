"""`groupkap esketamine-record SESSION ALIAS --sign NAME` on a workstation with accounts: the
PIN is read from standard input; a wrong PIN is exit 2 with one line and signs nothing (only
the failed try is logged); a role that may not sign is refused; the right PIN logs a signature
bound to the record's digest, and the HTML shows printed name, time, meaning and how it was
signed. `groupkap cosign` lists and co-signs the notes awaiting a lead."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from argon2 import PasswordHasher

from groupkap.accounts import Accounts
from groupkap.store import Store
from groupkap.store.proof import verify
from tests.core.test_esketamine_record import (
    CLINIC,
    Log,
    clinic_file,
    events_of,
    write_main_session,
)

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def groupkap(*args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "groupkap.cli", *map(str, args)],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
    )


@pytest.fixture
def signed_log(tmp_path):
    log = Log(tmp_path / "sign.sqlite3")
    write_main_session(log)
    with Store.open(log.path, log.clock) as store:  # the session has ended and closed
        accounts = Accounts(store, log.clock, hasher=FAST)
        admin = accounts.add("Ada Admin", "admin", "adminpin")
        accounts.add("Dr Ana Reyes", "medical", "reyes12", by=admin)
        accounts.add("RN Kim", "facilitator", "kimpin1", by=admin)
        accounts.add("Lee Lead", "lead", "leadpin1", by=admin)
    return log


def sign(log, tmp_path, name, pin, meaning="approval"):
    out = tmp_path / "signed.html"
    done = groupkap(
        "esketamine-record",
        log.sid,
        "R.S.",
        "--db",
        log.path,
        "--out",
        out,
        "--config",
        clinic_file(tmp_path),
        "--sign",
        name,
        "--meaning",
        meaning,
        stdin=pin + "\n",
    )
    return done, out


def new_kinds(log, before):
    return [e[1] for e in events_of(log.path)[len(before) :]]


def test_a_wrong_pin_is_exit_2_and_signs_nothing(signed_log, tmp_path):
    before = events_of(signed_log.path)
    done, out = sign(signed_log, tmp_path, "Dr Ana Reyes", "nope123")
    assert done.returncode == 2 and not out.exists()
    assert done.stderr.strip().splitlines() == [
        "groupkap: wrong PIN for Dr Ana Reyes (4 more wrong and the account must wait)"
    ]
    assert new_kinds(signed_log, before) == ["user.sign_in_failed"]


def test_a_facilitator_may_not_sign_the_record(signed_log, tmp_path):
    before = events_of(signed_log.path)
    done, _ = sign(signed_log, tmp_path, "RN Kim", "kimpin1")
    assert done.returncode == 2
    assert "may not sign the esketamine monitoring record: only medical may" in done.stderr
    assert new_kinds(signed_log, before) == ["user.signed_in", "action.refused"]


def test_the_right_pin_signs_and_the_record_shows_it(signed_log, tmp_path):
    done, out = sign(signed_log, tmp_path, "Dr Ana Reyes", "reyes12")
    assert done.returncode == 0, done.stderr
    [(seq, kind, actor, data)] = [e for e in events_of(signed_log.path) if "record.signed" in e[1]]
    data = json.loads(data)
    assert (actor, data["name"], data["role"], data["meaning"], data["method"]) == (
        "Dr Ana Reyes",
        "Dr Ana Reyes",
        "medical",
        "approval",
        "PIN",
    )
    record = signed_log.record("R.S.", clinic=CLINIC)
    assert data["subject"] == {
        "kind": "esketamine_record",
        "alias": "R.S.",
        "record_sha256": record.digest(),
    }
    [shown] = record.signatures
    assert (shown.name, shown.meaning, shown.current, shown.method) == (
        "Dr Ana Reyes",
        "approval",
        True,
        "PIN",
    )
    page = out.read_text(encoding="utf-8")
    assert (
        f"<td>Dr Ana Reyes</td><td>{shown.t}</td><td>approval</td><td>electronic signature, "
        "PIN re-entered (medical), in the session log</td>"
    ) in page
    assert verify(signed_log.path, require_anchor=False).ok


def test_the_lead_cosigns_a_facilitators_note_from_the_command_line(signed_log):
    log = signed_log
    note = {"text": "asked for a blanket", "care_team_only": True, "cosign": "needed"}
    with Store.open(log.path, log.clock) as store:  # as a facilitator's signed note leaves it
        store.record(log.sid, "note.added", note, participant_id="p1", actor="RN Kim").result(10)
    listed = groupkap("cosign", "--db", log.path, "--json")
    assert listed.returncode == 0, listed.stderr
    [note] = json.loads(listed.stdout)
    assert (note["alias"], note["author"], note["text"]) == (
        "R.S.",
        "RN Kim",
        "asked for a blanket",
    )
    refused = groupkap("cosign", note["seq"], "--by", "RN Kim", "--db", log.path, stdin="kimpin1\n")
    assert refused.returncode == 2 and "may not co-sign a note" in refused.stderr
    done = groupkap("cosign", note["seq"], "--by", "Lee Lead", "--db", log.path, stdin="leadpin1\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"note {note['seq']} co-signed: Lee Lead (lead), review, ")
    after = groupkap("cosign", "--session", log.sid, "--db", log.path)
    assert after.stdout.strip() == "0 notes await a clinic lead's co-signature"
