"""`groupkap user add|list|disable` and `groupkap audit` in subprocesses, PINs on standard input
(not a terminal): the first admin from the command line, later accounts by an admin, bad input
as exit 2 with one line and nothing written, a list without hashes, an audit trail with old →
new and why, and `groupkap verify` still passing after it all."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest

from groupkap.alarms.limits import default_limits, parse_limits, to_toml
from groupkap.clock import SimulatedClock
from groupkap.session import LiveSession
from groupkap.session_start import watch_alarms
from groupkap.settings import Settings
from groupkap.sources.simulator import Simulator
from groupkap.store import Store


def run(db, *args: str, stdin: str = ""):
    env = {k: v for k, v in os.environ.items() if k not in ("GROUPKAP_DB", "GROUPKAP_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "groupkap.cli", *args, "--db", str(db)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def one_line_refusal(result, needle: str) -> None:
    assert result.returncode == 2, result
    assert result.stderr.count("\n") == 1 and needle in result.stderr, result.stderr
    assert result.stdout == ""


def events(db) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("select count(*) from events").fetchone()[0]


@pytest.fixture
def db(tmp_path):
    return tmp_path / "groupkap.sqlite3"


@pytest.fixture
def staffed(db):
    """A database with an admin (PIN adminpin) and RN Kim (facilitator, PIN kimpin1)."""
    assert run(db, "user", "add", "Ada Admin", "--role", "admin", stdin="adminpin\nadminpin\n")
    added = run(
        db,
        "user",
        "add",
        "RN Kim",
        "--role",
        "facilitator",
        "--by",
        "Ada Admin",
        stdin="adminpin\nkimpin1\nkimpin1\n",
    )
    assert added.returncode == 0 and added.stdout == "added RN Kim (facilitator)\n", added
    return db


@pytest.mark.parametrize(
    "args, stdin, needle",
    [
        (("RN Kim", "--role", "facilitator"), "kimpin1\nkimpin1\n", "first one must be an admin"),
        (("Ada", "--role", "superuser"), "adminpin\nadminpin\n", "unknown role 'superuser'"),
        (("Ada", "--role", "admin"), "abc12\nabc12\n", "at least 6 characters"),
        (("Ada", "--role", "admin"), "adminpin\nadminpix\n", "the two PINs differ"),
        (("Ada", "--role", "admin"), "adminpin\n", "expected on standard input"),
    ],
)
def test_a_first_account_refused_leaves_no_database(db, args, stdin, needle):
    one_line_refusal(run(db, "user", "add", *args, stdin=stdin), needle)
    assert not db.exists()


def test_the_first_admin_is_made_from_the_command_line(db):
    made = run(db, "user", "add", "Ada Admin", "--role", "admin", stdin="adminpin\nadminpin\n")
    assert made.returncode == 0 and made.stdout == "added Ada Admin (admin)\n"
    with closing(sqlite3.connect(db)) as conn:
        [(pin_hash,)] = conn.execute("select pin_hash from users").fetchall()
    assert pin_hash.startswith("$argon2id$")
    assert b"adminpin" not in db.read_bytes()


@pytest.mark.parametrize(
    "args, stdin, needle",
    [
        (("Dr Lee", "--role", "medic", "--by", "Ada Admin"), "", "unknown role 'medic'"),
        (("Dr Lee", "--role", "medical", "--by", "Ada Admin"), "adminpin\nlee\nlee\n", "6 char"),
        (("Dr Lee", "--role", "medical"), "leepin1\nleepin1\n", "only an admin may add"),
        (
            ("rn kim", "--role", "medical", "--by", "Ada Admin"),
            "adminpin\nabcdef\nabcdef\n",
            "already an account called RN Kim",
        ),
    ],
)
def test_bad_input_for_a_later_account_writes_nothing(staffed, args, stdin, needle):
    before = events(staffed)
    one_line_refusal(run(staffed, "user", "add", *args, stdin=stdin), needle)
    assert events(staffed) - before in (0, 1)  # at most the admin's own sign-in
    listed = json.loads(run(staffed, "user", "list", "--json").stdout)
    assert [a["name"] for a in listed] == ["Ada Admin", "RN Kim"]


def test_a_wrong_admin_pin_or_a_non_admin_is_refused_and_logged(staffed):
    wrong = run(
        staffed,
        "user",
        "add",
        "Dr Lee",
        "--role",
        "medical",
        "--by",
        "Ada Admin",
        stdin="adminpix\nleepin1\nleepin1\n",
    )
    one_line_refusal(wrong, "wrong PIN for Ada Admin")
    kim = run(
        staffed,
        "user",
        "add",
        "Dr Lee",
        "--role",
        "medical",
        "--by",
        "RN Kim",
        stdin="kimpin1\nleepin1\nleepin1\n",
    )
    one_line_refusal(
        kim,
        "RN Kim (facilitator) may not manage accounts (add, disable, unlock, set a PIN): "
        "only admin",
    )
    trail = json.loads(run(staffed, "audit", "accounts", "--json").stdout)
    assert [(x["who"], x["what"]) for x in trail][-3:] == [
        ("Ada Admin", "user.sign_in_failed"),
        ("RN Kim", "user.signed_in"),
        ("RN Kim", "action.refused"),
    ]
    assert trail[-1]["flagged"] and not trail[-3]["flagged"]


def test_list_shows_no_hash_and_disable_needs_the_admins_pin(staffed):
    listing = run(staffed, "user", "list")
    assert listing.returncode == 0 and "argon2" not in listing.stdout
    assert "RN Kim" in listing.stdout and "facilitator" in listing.stdout
    gone = run(
        staffed,
        "user",
        "disable",
        "RN Kim",
        "--by",
        "Ada Admin",
        "--reason",
        "left",
        stdin="adminpin\n",
    )
    assert gone.returncode == 0 and gone.stdout == "disabled RN Kim (facilitator)\n"
    rows = json.loads(run(staffed, "user", "list", "--json").stdout)
    assert {r["name"]: r["disabled"] for r in rows} == {"Ada Admin": False, "RN Kim": True}
    assert all("hash" not in key for r in rows for key in r)
    one_line_refusal(
        run(staffed, "user", "disable", "Ada Admin", "--by", "Ada Admin", stdin="adminpin\n"),
        "last admin",
    )
    refused = run(
        staffed,
        "user",
        "add",
        "X Y",
        "--role",
        "qa",
        "--by",
        "RN Kim",
        stdin="kimpin1\nqapin12\nqapin12\n",
    )
    one_line_refusal(refused, "RN Kim's account is disabled")


def test_the_audit_trail_of_a_session_says_who_old_new_and_why(staffed, tmp_path):
    clock = SimulatedClock(start=1_700_000_000.0)
    with Store.open(staffed, clock) as store:
        live = LiveSession.start(
            seat_count=3,
            clock=clock,
            source=Simulator([1], clock.now(), seed=1),
            store=store,
            settings=Settings(),
            actor="Dr Okafor",
        )
        person = live.add_participant("M.K.", 1, full_name="Mary Kay Secret")
        watch_alarms(live, default_limits())
        wider = to_toml(default_limits()).replace('medium = "< 92"', 'medium = "< 90"', 1)
        live.set_participant_limits(person.id, parse_limits(wider, "test"))
        live.reseat_participant(person.id, 2)
        live.remove_participant(person.id, "felt unwell, went home with escort")
        live.end()
        sid = live.id
    trail = json.loads(run(staffed, "audit", sid, "--json").stdout)
    assert {x["session_id"] for x in trail} == {sid}
    limits = next(x for x in trail if x["what"] == "limits.changed")
    assert (limits["who"], limits["participant"]) == ("Dr Okafor", "M.K.")
    assert "92" in limits["old"]["medium"][0] and "90" in limits["new"]["medium"][0]
    seated = next(x for x in trail if x["what"] == "participant.seated")
    assert (seated["old"], seated["new"]) == (1, 2)
    removed = next(x for x in trail if x["what"] == "participant.removed")
    assert removed["why"] == "felt unwell, went home with escort"
    text = run(staffed, "audit", sid)
    assert text.returncode == 0 and "Dr Okafor participant.seated [M.K.] 1 → 2" in text.stdout
    assert "Mary Kay Secret" not in text.stdout + json.dumps(trail)  # aliases only
    assert "alarm." not in text.stdout  # the program's own events only with --all
    one_line_refusal(run(staffed, "audit", "no-such-session"), "no session no-such-session")
    checked = run(staffed, "verify")
    assert checked.returncode == 0, checked.stdout + checked.stderr
