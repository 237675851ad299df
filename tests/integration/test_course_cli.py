"""`groupkap course [PERSON] [--json]` in a subprocess over the recorded course: the people
listing, one person's page by alias or id, JSON that stays the same run after run, and bad
input (an unknown or ambiguous person, a missing database) as exit 2 with one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from course_fixture import ALIAS, PHQ9
from review_fixture import copy_db

from groupkap.accounts import Accounts
from groupkap.clock import SimulatedClock
from groupkap.course import Adjustment, People, adjust_plan
from groupkap.store import Store

PAGE_KEYS = {
    "person",
    "sessions_planned",
    "sessions_done",
    "next_session",
    "next_due",
    "open_flags",
    "sessions",
    "outcomes",
    "plan",
}


def _run(*args: str):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [sys.executable, "-m", "groupkap.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_the_people_listing(course_db):
    done = _run("course", "--db", str(course_db.path))
    assert done.returncode == 0, done.stderr
    assert course_db.person_id in done.stdout and "3 of 6 sessions done" in done.stdout
    assert done.stdout.rstrip().endswith("1 person")
    listed = json.loads(_run("course", "--json", "--db", str(course_db.path)).stdout)
    (person,) = listed["people"]
    assert person["id"] == course_db.person_id and person["sessions_done"] == 3


def test_one_persons_page_by_alias(course_db):
    done = _run("--db", str(course_db.path), "course", ALIAS.lower())
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith(f"{ALIAS}, born 1980 ({course_db.person_id})")
    assert "3 of 6 sessions done · next: session 4 of 6" in out
    assert "sessions (3):" in out and out.count("IM 40 mg") == 3
    for answers in PHQ9:  # the outcome trend, each total with its band
        assert f" {sum(answers)} (" in out
    assert "her brother" not in out  # the free text is for the care team only


def test_the_json_page_is_stable(course_db):
    args = ("course", course_db.person_id, "--json", "--db", str(course_db.path))
    first, second = _run(*args), _run(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    page = json.loads(first.stdout)
    assert set(page) == PAGE_KEYS
    assert [s["session_id"] for s in page["sessions"]] == list(course_db.session_ids)
    assert [p["total"] for p in page["outcomes"]["PHQ-9"]] == [sum(a) for a in PHQ9]
    assert page["sessions"][0]["feedback"]["music_distracting"] is True
    assert "free_text" not in page["sessions"][0]["feedback"]
    assert [p["kind"] for p in page["plan"]["proposals"]] == []


@pytest.fixture
def two_mks(course_db, tmp_path):
    path = copy_db(course_db.path, tmp_path)
    clock = SimulatedClock(start=1_742_400_000.0, speed=0)
    with Store.open(path, clock) as store:
        other = People(store, clock).register(ALIAS, 1975, by=None)
    return path, other


def test_an_ambiguous_alias_lists_the_birth_years(course_db, two_mks):
    path, other = two_mks
    done = _run("course", ALIAS, "--db", str(path))
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert "2 people have the alias M.K." in line
    assert f"born 1975 ({other.id})" in line and f"born 1980 ({course_db.person_id})" in line
    assert _run("course", other.id, "--db", str(path)).returncode == 0  # the id settles it


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("course", "Nobody"), "no person 'Nobody'"),
        (("course", "per-000000000000"), "no person 'per-000000000000'"),
    ],
)
def test_an_unknown_person_is_exit_2_with_one_line(course_db, args, says):
    done = _run(*args, "--db", str(course_db.path))
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert says in line


def test_a_missing_database_is_exit_2_with_one_line(tmp_path):
    done = _run("course", "--db", str(tmp_path / "none.sqlite3"))
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert "there is no database" in line


def test_a_person_registered_twice_is_merged_by_a_lead_and_refused_for_a_facilitator(
    course_db, tmp_path
):
    """The explicit merge step: a facilitator is refused (logged, nothing merged), a clinic
    lead with the PIN merges, and the duplicate's record then counts for the kept one."""
    path = copy_db(course_db.path, tmp_path)
    clock = SimulatedClock(start=1_742_400_000.0, speed=0)
    with Store.open(path, clock) as store:
        dup = People(store, clock).register(ALIAS, 1908, by=None)  # the year typed wrong
        accounts = Accounts(store, clock)
        admin = accounts.add("Ada Admin", "admin", "adminpin1")
        accounts.add("Lee Lead", "lead", "leadpin1", by=admin)
        accounts.add("RN Kim", "facilitator", "kimpin12", by=admin)
    merge = ("course", dup.id, "--merge-into", course_db.person_id, "--db", str(path))

    def run_as(name: str, pin: str, *extra: str):
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        return subprocess.run(
            [sys.executable, "-m", "groupkap.cli", *merge, "--by", name, *extra],
            input=f"{pin}\n",
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )

    no_reason = run_as("Lee Lead", "leadpin1")
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    refused = run_as("RN Kim", "kimpin12", "--reason", "same person")
    assert refused.returncode == 2 and "may not" in refused.stderr
    assert len(json.loads(_run("course", "--json", "--db", str(path)).stdout)["people"]) == 2
    done = run_as("Lee Lead", "leadpin1", "--reason", "birth year typed wrong at intake")
    assert done.returncode == 0, done.stderr
    (person,) = json.loads(_run("course", "--json", "--db", str(path)).stdout)["people"]
    assert person["id"] == course_db.person_id
    assert _run("course", dup.id, "--db", str(path)).stdout.startswith(ALIAS)  # resolves
    assert _run("verify", "--db", str(path)).returncode == 0


def test_a_trusted_persons_contact_stays_out_of_the_command_line(course_db, tmp_path):
    path = copy_db(course_db.path, tmp_path)
    clock = SimulatedClock(start=1_742_400_000.0, speed=0)
    with Store.open(path, clock) as store:
        adjust_plan(
            store,
            course_db.person_id,
            [Adjustment("trusted_contact", "her sister Ana, 0161 000 0000")],
            after_session=course_db.session_ids[-1],
            source="team",
            by=None,
            clock=clock,
        )
    page = _run("course", course_db.person_id, "--db", str(path))
    data = _run("course", course_db.person_id, "--json", "--db", str(path))
    assert page.returncode == 0 and data.returncode == 0, page.stderr + data.stderr
    assert "decided: a trusted person's contact (shown in the course window)" in page.stdout
    for out in (page.stdout, data.stdout):
        assert "0161" not in out and "Ana" not in out
