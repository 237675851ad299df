"""`groupkap user unlock NAME` and `groupkap user pin NAME` in subprocesses, PINs on standard
input (not a terminal: the admin's PIN first, then the new PIN twice): an admin lifts a
wrong-PIN wait and sets a new PIN; a non-admin is refused and logged; a PIN one shorter than
the minimum, two PINs that differ, a missing line or an unknown name are exit 2 with one line
and nothing written; the trail says who and why, never the PIN; `groupkap verify` passes."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest
from argon2 import PasswordHasher

from tests.integration.test_user_cli import events, one_line_refusal, run

ADMIN = ("--by", "Ada Admin")


@pytest.fixture
def staffed(tmp_path):
    """A database with an admin (PIN adminpin) and RN Kim (facilitator, PIN kimpin1)."""
    db = tmp_path / "groupkap.sqlite3"
    assert run(db, "user", "add", "Ada Admin", "--role", "admin", stdin="adminpin\nadminpin\n")
    added = run(
        db, "user", "add", "RN Kim", "--role", "facilitator", *ADMIN,
        stdin="adminpin\nkimpin1\nkimpin1\n",
    )  # fmt: skip
    assert added.returncode == 0, added
    return db


def waiting(db, name: str) -> str | None:
    rows = json.loads(run(db, "user", "list", "--json").stdout)
    return next(r["waiting_until_utc"] for r in rows if r["name"] == name)


def lock_out_kim(db) -> None:
    """Five wrong PINs for RN Kim (trying an admin's command as her)."""
    for _ in range(5):
        tried = run(db, "user", "unlock", "Ada Admin", "--by", "RN Kim", stdin="wrongpin\n")
        assert tried.returncode == 2, tried
    assert waiting(db, "RN Kim") is not None


def pin_hash(db, name: str) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("select pin_hash from users where name = ?", (name,)).fetchone()[0]


def test_an_admin_lifts_a_wait_and_the_trail_says_who_and_why(staffed):
    lock_out_kim(staffed)
    lifted = run(
        staffed, "user", "unlock", "RN Kim", *ADMIN, "--reason", "at the desk", stdin="adminpin\n"
    )
    assert lifted.returncode == 0, lifted
    assert lifted.stdout == "RN Kim (facilitator) may try a PIN again now\n"
    assert waiting(staffed, "RN Kim") is None
    trail = json.loads(run(staffed, "audit", "accounts", "--json").stdout)
    last = trail[-1]
    assert (last["who"], last["what"], last["why"]) == ("Ada Admin", "user.unlocked", "at the desk")
    # Nothing left to lift: refused, nothing written but the admin's own sign-in.
    before = events(staffed)
    again = run(staffed, "user", "unlock", "RN Kim", *ADMIN, stdin="adminpin\n")
    one_line_refusal(again, "RN Kim is not waiting and has no wrong PINs")
    assert events(staffed) - before == 1


def test_a_non_admin_cannot_lift_a_wait_and_the_refusal_is_logged(staffed):
    added = run(
        staffed, "user", "add", "Lee Lead", "--role", "lead", *ADMIN,
        stdin="adminpin\nleadpin1\nleadpin1\n",
    )  # fmt: skip
    assert added.returncode == 0
    lock_out_kim(staffed)
    refused = run(staffed, "user", "unlock", "RN Kim", "--by", "Lee Lead", stdin="leadpin1\n")
    one_line_refusal(refused, "Lee Lead (clinic lead) may not")
    assert "only admin" in refused.stderr
    trail = json.loads(run(staffed, "audit", "accounts", "--json").stdout)
    assert [(x["who"], x["what"]) for x in trail][-2:] == [
        ("Lee Lead", "user.signed_in"),
        ("Lee Lead", "action.refused"),
    ]
    assert trail[-1]["flagged"]
    assert waiting(staffed, "RN Kim") is not None  # still waiting


def test_an_admin_sets_a_new_pin_read_twice_from_stdin(staffed):
    lock_out_kim(staffed)
    old_hash = pin_hash(staffed, "RN Kim")
    done = run(
        staffed, "user", "pin", "RN Kim", *ADMIN, "--reason", "forgotten",
        stdin="adminpin\nfresh77\nfresh77\n",
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout == "new PIN set for RN Kim (facilitator)\n"
    new_hash = pin_hash(staffed, "RN Kim")
    assert new_hash != old_hash and PasswordHasher().verify(new_hash, "fresh77")
    assert waiting(staffed, "RN Kim") is None  # the old PIN's wrong tries are forgotten
    assert b"fresh77" not in staffed.read_bytes()
    trail = json.loads(run(staffed, "audit", "accounts", "--json").stdout)
    assert (trail[-1]["what"], trail[-1]["why"]) == ("user.pin_changed", "forgotten")
    assert "pin_digest" not in trail[-1]["detail"]
    # The new PIN is RN Kim's now: signing in with it works (and she is then refused as a
    # facilitator), the old one is a wrong PIN.
    as_kim = run(staffed, "user", "unlock", "Ada Admin", "--by", "RN Kim", stdin="fresh77\n")
    one_line_refusal(as_kim, "may not")
    as_old = run(staffed, "user", "unlock", "Ada Admin", "--by", "RN Kim", stdin="kimpin1\n")
    one_line_refusal(as_old, "wrong PIN for RN Kim")
    checked = run(staffed, "verify")
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    "name, stdin, needle",
    [
        ("RN Kim", "adminpin\nabc12\nabc12\n", "at least 6 characters"),  # one short
        ("RN Kim", "adminpin\nfresh77\nfresh78\n", "the two PINs differ"),
        ("RN Kim", "adminpin\nfresh77\n", "expected on standard input"),
        ("Nobody", "adminpin\nfresh77\nfresh77\n", "no account called 'Nobody'"),
    ],
)
def test_bad_input_for_a_new_pin_writes_nothing(staffed, name, stdin, needle):
    before, old_hash = events(staffed), pin_hash(staffed, "RN Kim")
    one_line_refusal(run(staffed, "user", "pin", name, *ADMIN, stdin=stdin), needle)
    assert events(staffed) - before in (0, 1)  # at most the admin's own sign-in
    assert pin_hash(staffed, "RN Kim") == old_hash


def test_a_pin_of_exactly_the_minimum_is_taken(staffed):
    done = run(staffed, "user", "pin", "RN Kim", *ADMIN, stdin="adminpin\nabc123\nabc123\n")
    assert done.returncode == 0, done
    assert PasswordHasher().verify(pin_hash(staffed, "RN Kim"), "abc123")


def test_a_disabled_accounts_pin_is_not_set(staffed):
    gone = run(staffed, "user", "disable", "RN Kim", *ADMIN, stdin="adminpin\n")
    assert gone.returncode == 0
    refused = run(staffed, "user", "pin", "RN Kim", *ADMIN, stdin="adminpin\nfresh77\nfresh77\n")
    one_line_refusal(refused, "RN Kim's account is disabled; its PIN is not changed")
