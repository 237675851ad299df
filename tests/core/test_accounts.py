"""Accounts in the session database: the first admin, adding and disabling by an admin, PINs
only as argon2 hashes, every change an event in the hash-chained log, and `verify` passing
after account events and failing on a users row changed by hand. Real SQLite, simulated clock."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest
from argon2 import PasswordHasher
from sqlite_utils import Database

from groupkap.accounts import (
    ACCOUNTS_LOG,
    DEMO_ACCOUNT,
    Account,
    Accounts,
    Forbidden,
    SecurityConfig,
    SignInRefused,
)
from groupkap.errors import BadInputError, ConfigError
from groupkap.settings import settings_from_dict
from groupkap.store import Store, queries
from groupkap.store.proof import verify
from groupkap.store.schema import migrations

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # real argon2id, cheap


@pytest.fixture
def accounts(store, clock):
    return Accounts(store, clock, hasher=FAST)


@pytest.fixture
def admin(accounts):
    return accounts.add("Ada Admin", "admin", "adminpin")


def log_of(store, session_id=ACCOUNTS_LOG):
    store.flush()
    with closing(store.reader()) as conn:
        return queries.events(conn, session_id)


def raw_users(db_path):
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute("select name, role, pin_hash from users order by name").fetchall()


def test_a_fresh_database_has_no_users_and_the_first_must_be_an_admin(accounts, store):
    assert accounts.has_users() is False
    with pytest.raises(BadInputError, match="first account must be an admin"):
        accounts.add("RN Kim", "facilitator", "kimpin1")
    assert log_of(store) == [] and accounts.has_users() is False
    ada = accounts.add("Ada Admin", "admin", "adminpin")
    assert ada.role == "admin" and accounts.has_users()
    [event] = log_of(store)
    assert event.kind == "user.added" and event.actor == "Ada Admin"
    assert event.data["by"] is None and "pin" not in json.dumps(event.data).replace("pin_", "")


def test_the_pin_is_stored_only_as_an_argon2id_hash(store, clock, db_path):
    accounts = Accounts(store, clock)  # the default hasher: argon2-cffi's own profile
    accounts.add("Ada Admin", "admin", "adminpin")
    store.flush()
    [(name, role, pin_hash)] = raw_users(db_path)
    assert pin_hash.startswith("$argon2id$") and "adminpin" not in pin_hash
    assert "adminpin" not in db_path.read_bytes().decode("latin-1")
    assert accounts.sign_in("ada admin", "adminpin").name == "Ada Admin"


def test_later_accounts_need_an_admin_and_a_refusal_is_logged(accounts, admin, store):
    with pytest.raises(BadInputError, match="only an admin may add an account"):
        accounts.add("RN Kim", "facilitator", "kimpin1")
    kim = accounts.add("RN Kim", "facilitator", "kimpin1", by=admin)
    before = len(log_of(store))
    with pytest.raises(Forbidden, match=r"RN Kim \(facilitator\) may not manage accounts"):
        accounts.add("Dr Lee", "medical", "leepin1", by=kim)
    events = log_of(store)
    assert [e.kind for e in events[before:]] == ["action.refused"]
    assert events[-1].data["action"] == "user.manage" and events[-1].actor == "RN Kim"
    assert accounts.get("Dr Lee") is None


@pytest.mark.parametrize(
    "name, role, pin, needle",
    [
        ("RN Kim", "nurse", "kimpin1", "unknown role 'nurse'"),
        ("RN Kim", "facilitator", "kim12", "at least 6 characters"),
        ("RN Kim", "facilitator", "kim 123", "letters or digits only"),
        ("   ", "facilitator", "kimpin1", "needs a name"),
        ("Demo user", "medical", "kimpin1", "keeps for itself"),
        ("ada ADMIN", "lead", "kimpin1", "already an account called Ada Admin"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(accounts, admin, store, name, role, pin, needle):
    before = log_of(store)
    with pytest.raises(BadInputError, match=needle):
        accounts.add(name, role, pin, by=admin)
    assert log_of(store) == before
    assert [r.name for r in accounts.list()] == ["Ada Admin"]


def test_the_pin_length_comes_from_the_settings(store, clock, admin):
    strict = Accounts(store, clock, SecurityConfig(pin_min_length=8), hasher=FAST)
    with pytest.raises(BadInputError, match="at least 8 characters"):
        strict.add("RN Kim", "facilitator", "kimpin1", by=admin)
    assert strict.add("RN Kim", "facilitator", "kimpin12", by=admin).name == "RN Kim"


def test_a_disabled_account_cannot_sign_in_or_act(accounts, admin, store):
    kim = accounts.add("RN Kim", "facilitator", "kimpin1", by=admin)
    assert accounts.disable("rn kim", admin, "left the clinic").disabled
    with pytest.raises(SignInRefused, match="RN Kim's account is disabled") as exc:
        accounts.sign_in("RN Kim", "kimpin1")
    assert exc.value.wait_s == 0.0
    with pytest.raises(Forbidden, match="disabled"):
        accounts.require(kim, "note.add")  # an account signed in before is read again
    kinds = [e.kind for e in log_of(store)]
    assert kinds[-3:] == ["user.disabled", "user.sign_in_failed", "action.refused"]
    [row] = [r for r in accounts.list() if r.name == "RN Kim"]
    assert row.disabled and row.created_by == "Ada Admin"


def test_the_last_admin_is_never_disabled_and_only_an_admin_disables(accounts, admin):
    with pytest.raises(BadInputError, match="last admin who can sign in"):
        accounts.disable("Ada Admin", admin)
    lead = accounts.add("Dr Lead", "lead", "leadpin", by=admin)
    with pytest.raises(Forbidden, match="only admin may"):
        accounts.disable("Ada Admin", lead)
    second = accounts.add("Bo Admin", "admin", "bopin12", by=admin)
    accounts.disable("Ada Admin", second)
    with pytest.raises(BadInputError, match="already disabled"):
        accounts.disable("Ada Admin", second)


def test_the_list_never_holds_a_hash(accounts, admin, clock):
    accounts.add("RN Kim", "facilitator", "kimpin1", by=admin)
    clock.advance(60)
    accounts.sign_in("RN Kim", "kimpin1")
    rows = accounts.list()
    assert [(r.name, r.role) for r in rows] == [("Ada Admin", "admin"), ("RN Kim", "facilitator")]
    assert rows[1].last_sign_in_at == clock.now() and rows[0].last_sign_in_at is None
    assert "argon2" not in repr(rows)


def test_events_go_to_the_running_sessions_log_when_there_is_one(accounts, admin, store):
    sid = store.start_session(seats=3, source="steady")
    accounts.session_id = sid
    accounts.sign_in("Ada Admin", "adminpin")
    accounts.lock(admin, "idle")
    accounts.unlock("Ada Admin", "adminpin", current=admin)
    assert [e.kind for e in log_of(store, sid)][-4:] == [
        "user.signed_in",
        "session.locked",
        "user.signed_in",
        "session.unlocked",
    ]
    assert [e.kind for e in log_of(store)] == ["user.added"]


def test_a_quick_switch_says_who_it_switched_from(accounts, admin, store):
    accounts.add("RN Kim", "facilitator", "kimpin1", by=admin)
    kim = accounts.unlock("RN Kim", "kimpin1", current=admin)
    assert kim.name == "RN Kim"
    last = log_of(store)[-1]
    assert last.kind == "session.unlocked" and last.data["switched_from"] == "Ada Admin"


def test_emergency_access_needs_a_reason_and_is_flagged(accounts, store):
    with pytest.raises(BadInputError, match="needs a reason"):
        accounts.emergency_access("   ")
    assert log_of(store) == []
    who = accounts.emergency_access("participant 3 seizing, nurse's PIN locked", "Dr Lee")
    assert who.emergency and who.role == "medical" and who.name == "Emergency access: Dr Lee"
    [event] = log_of(store)
    assert event.kind == "access.emergency" and event.data["flag"] == "for the lead"
    assert event.data["reason"].startswith("participant 3") and event.actor == who.name


def test_the_demo_user_is_medical_and_says_it_is_the_demo():
    assert DEMO_ACCOUNT == Account(id="demo", name="Demo user", role="medical", is_demo=True)


def test_verify_passes_after_account_events(accounts, admin, store, db_path, clock):
    sid = store.start_session(seats=3, source="steady")
    accounts.add("RN Kim", "facilitator", "kimpin1", by=admin)
    for _ in range(5):
        with pytest.raises(SignInRefused):
            accounts.sign_in("RN Kim", "wrongpin")
    accounts.session_id = sid
    accounts.emergency_access("code blue")
    store.end_session(sid)
    store.close()
    report = verify(db_path)
    assert report.ok, report.reason


@pytest.mark.parametrize(
    "tamper, needle",
    [
        ("update users set role = 'admin' where name = 'RN Kim'", "role 'admin'"),
        ("update users set disabled_at = null where name = 'Dr Gone'", "disabled False"),
        (
            "update users set pin_hash = (select pin_hash from users where name = 'Ada Admin') "
            "where name = 'RN Kim'",
            "its PIN hash",
        ),
        ("update users set failed_count = 0 where name = 'RN Kim'", "failures 0"),
        ("delete from users where name = 'RN Kim'", "in the log but not in users"),
        (
            "insert into users (id, name, role, pin_hash, created_at) values "
            "('x', 'Mallory', 'admin', 'h', 0)",
            "'Mallory' is in the users table but not",
        ),
    ],
)
def test_verify_catches_an_account_changed_by_hand(accounts, admin, store, db_path, tamper, needle):
    accounts.add("RN Kim", "facilitator", "kimpin1", by=admin)
    accounts.add("Dr Gone", "medical", "gonepin", by=admin)
    accounts.disable("Dr Gone", admin)
    with pytest.raises(SignInRefused):
        accounts.sign_in("RN Kim", "wrongpin")
    store.close()
    assert verify(db_path).ok
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute(tamper)
        conn.commit()
    report = verify(db_path)
    assert not report.ok and needle in report.reason


def test_the_accounts_migration_applied_twice_changes_nothing(db_path, clock):
    Store.open(db_path, clock).close()
    with closing(sqlite3.connect(db_path)) as conn:
        before = conn.execute("select sql from sqlite_master order by name").fetchall()
        migrations.apply(Database(conn))
        after = conn.execute("select sql from sqlite_master order by name").fetchall()
    assert before == after and any("TABLE users" in (s or "") for (s,) in after)


def test_security_settings_are_range_checked():
    s = settings_from_dict({"security": {"lock_after_min": 10, "pin_min_length": 8}})
    assert s.security == SecurityConfig(lock_after_min=10, pin_min_length=8)
    assert settings_from_dict({}).security == SecurityConfig(5, 6, 5, 30)
    for bad, needle in [
        ({"lock_after_min": 0}, "use 1 to 60 minutes"),
        ({"lock_after_min": 61}, "use 1 to 60 minutes"),
        ({"pin_min_length": 5}, "use 6 to 64"),
        ({"pin_min_length": 6.5}, "whole number"),
        ({"lockout_after": 2}, "use 3 to 10"),
        ({"lockout_first_s": True}, "must be a number"),
        ({"pin": 6}, "unknown setting security.pin"),
    ]:
        with pytest.raises(ConfigError, match=needle):
            settings_from_dict({"security": bad})
    assert settings_from_dict({"security": {"lock_after_min": 1}}).security.lock_after_min == 1
    assert settings_from_dict({"security": {"lock_after_min": 60}}).security.lock_after_min == 60
