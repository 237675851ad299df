"""Looking after accounts (issue 15): an admin lifts a wrong-PIN wait early or sets a new PIN;
a person changes their own PIN. Each is one event with who and why (a new PIN only as the
digest of its hash), refusals write only themselves, and `verify` rebuilds the users table
from the log afterwards, catching a hand edit. Exact boundaries: a PIN one shorter than the
minimum, the wait's last millisecond, a non-admin, a disabled account."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing

import pytest
from argon2 import PasswordHasher

from groupkap.accounts import (
    ACCOUNTS_LOG,
    DEMO_ACCOUNT,
    Accounts,
    Forbidden,
    SecurityConfig,
    SignInRefused,
    change_own_pin,
    emergency_account,
    set_pin,
    unlock_account,
)
from groupkap.accounts.admin import OWN_CHANGE
from groupkap.errors import BadInputError
from groupkap.store import queries
from groupkap.store.proof import verify

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # real argon2id, cheap
MIN = 6  # SecurityConfig's shortest PIN
WRONG = "wrongpin"


@pytest.fixture
def accounts(store, clock):
    accounts = Accounts(store, clock, SecurityConfig(pin_min_length=MIN), hasher=FAST)
    admin = accounts.add("Ada Admin", "admin", "adminpin")
    accounts.add("RN Kim", "facilitator", "kimpin1", by=admin)
    accounts.add("Lee Lead", "lead", "leadpin1", by=admin)
    return accounts


@pytest.fixture
def admin(accounts):
    return accounts.get("Ada Admin")


def log(store) -> list:
    store.flush()
    with closing(store.reader()) as conn:
        return queries.events(conn, ACCOUNTS_LOG)


def kinds_after(store, before: int) -> list[str]:
    return [e.kind for e in log(store)[before:]]


def lock_out(accounts, name="RN Kim") -> None:
    for _ in range(accounts.config.lockout_after):
        with pytest.raises(SignInRefused):
            accounts.sign_in(name, WRONG)


def stored_hash(db_path, name: str) -> str:
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute("select pin_hash from users where name = ?", (name,)).fetchone()[0]


# -- lifting a wait ---------------------------------------------------------------------
def test_an_admin_lifts_a_wait_and_the_count_starts_again(accounts, admin, store, clock):
    lock_out(accounts)
    clock.advance(29.999)  # the wait's last millisecond
    assert accounts.wait_s("RN Kim") == pytest.approx(0.001, abs=1e-6)
    before = len(log(store))
    lifted = unlock_account(accounts, "rn kim", admin, "  forgot  the new\tPIN ")
    assert lifted.name == "RN Kim" and accounts.wait_s("RN Kim") == 0.0
    [event] = log(store)[before:]
    assert (event.kind, event.actor) == ("user.unlocked", "Ada Admin")
    assert event.data["by"] == "Ada Admin" and event.data["reason"] == "forgot the new PIN"
    assert event.data["failures"] == 5 and event.data["locked_until"] == pytest.approx(
        clock.now() + 0.001
    )
    with pytest.raises(SignInRefused, match="4 more wrong"):  # the first wrong PIN again
        accounts.sign_in("RN Kim", WRONG)
    assert accounts.sign_in("RN Kim", "kimpin1").name == "RN Kim"


def test_after_the_wait_ran_out_an_admin_may_still_forgive_the_count(accounts, admin, store, clock):
    lock_out(accounts)
    clock.advance(30.0)  # the wait is over; the count of 5 is not
    unlock_account(accounts, "RN Kim", admin)
    event = log(store)[-1]
    assert event.data["locked_until"] is None and event.data["failures"] == 5
    assert event.data["reason"] is None
    with pytest.raises(SignInRefused) as wrong:
        accounts.sign_in("RN Kim", WRONG)
    assert wrong.value.wait_s == 0.0  # without the unlock this would be a 60 s wait


def test_a_non_admin_cannot_lift_a_wait_and_the_refusal_is_logged(accounts, store):
    lock_out(accounts)
    lead = accounts.get("Lee Lead")
    before = len(log(store))
    with pytest.raises(Forbidden, match="Lee Lead \\(clinic lead\\) may not .* only admin"):
        unlock_account(accounts, "RN Kim", lead, "she is waiting")
    assert kinds_after(store, before) == ["action.refused"]
    assert log(store)[-1].data["action"] == "user.manage"
    assert accounts.wait_s("RN Kim") == 30.0  # still waiting


@pytest.mark.parametrize(
    "name, needle",
    [
        ("Nobody", "no account called 'Nobody'"),
        ("Lee Lead", "not waiting and has no wrong PINs"),
        ("Dr Gone", "disabled; lifting its wait changes nothing"),
    ],
)
def test_nothing_to_lift_is_refused_and_writes_nothing(accounts, admin, store, name, needle):
    accounts.add("Dr Gone", "medical", "gonepin", by=admin)
    with pytest.raises(SignInRefused):
        accounts.sign_in("Dr Gone", WRONG)
    accounts.disable("Dr Gone", admin)
    before = len(log(store))
    with pytest.raises(BadInputError, match=needle):
        unlock_account(accounts, name, admin)
    assert kinds_after(store, before) == []


# -- an admin sets a PIN ----------------------------------------------------------------
def test_an_admin_sets_a_new_pin_kept_only_as_a_digest(accounts, admin, store, db_path):
    lock_out(accounts)
    before = len(log(store))
    set_pin(accounts, "RN Kim", "fresh77", admin, "forgotten")
    [event] = log(store)[before:]
    assert (event.kind, event.data["by"], event.data["reason"]) == (
        "user.pin_changed",
        "Ada Admin",
        "forgotten",
    )
    new_hash = stored_hash(db_path, "RN Kim")
    assert FAST.verify(new_hash, "fresh77")
    assert event.data["pin_digest"] == hashlib.sha256(new_hash.encode()).hexdigest()
    with closing(sqlite3.connect(db_path)) as conn:
        texts = [r[0] for r in conn.execute("select data from events")]
    assert not any("fresh77" in t or new_hash in t for t in texts)  # never the PIN or hash
    assert accounts.wait_s("RN Kim") == 0.0  # the old PIN's wrong tries are forgotten
    with pytest.raises(SignInRefused, match="wrong PIN"):
        accounts.sign_in("RN Kim", "kimpin1")
    assert accounts.sign_in("RN Kim", "fresh77").name == "RN Kim"


def test_a_pin_one_shorter_than_the_minimum_is_refused_and_the_minimum_taken(
    accounts, admin, store
):
    before = len(log(store))
    with pytest.raises(BadInputError, match=f"at least {MIN} characters"):
        set_pin(accounts, "RN Kim", "a" * (MIN - 1), admin)
    with pytest.raises(BadInputError, match="letters or digits only"):
        set_pin(accounts, "RN Kim", "kim pin7", admin)
    assert kinds_after(store, before) == []
    set_pin(accounts, "RN Kim", "b" * MIN, admin)
    assert accounts.sign_in("RN Kim", "b" * MIN).name == "RN Kim"


def test_only_an_admin_sets_a_pin_and_not_for_a_disabled_account(accounts, admin, store):
    kim = accounts.get("RN Kim")
    before = len(log(store))
    with pytest.raises(Forbidden, match="only admin"):
        set_pin(accounts, "Lee Lead", "takeover1", kim)
    assert kinds_after(store, before) == ["action.refused"]
    accounts.disable("RN Kim", admin)
    before = len(log(store))
    with pytest.raises(BadInputError, match="disabled; its PIN is not changed"):
        set_pin(accounts, "RN Kim", "fresh77", admin)
    assert kinds_after(store, before) == []


# -- changing one's own PIN -------------------------------------------------------------
def test_a_person_changes_their_own_pin_after_proving_the_old(accounts, store):
    kim = accounts.get("RN Kim")
    before = len(log(store))
    change_own_pin(accounts, kim, "kimpin1", "kimnew22")
    signed, changed = log(store)[before:]
    assert (signed.kind, signed.data["purpose"]) == ("user.signed_in", "PIN change")
    assert (changed.kind, changed.actor, changed.data["by"]) == (
        "user.pin_changed",
        "RN Kim",
        "RN Kim",
    )
    assert changed.data["reason"] == OWN_CHANGE
    assert accounts.sign_in("RN Kim", "kimnew22").name == "RN Kim"


def test_a_wrong_old_pin_changes_nothing_and_counts_as_a_wrong_pin(accounts, store):
    kim = accounts.get("RN Kim")
    for _ in range(4):
        with pytest.raises(SignInRefused):
            accounts.sign_in("RN Kim", WRONG)
    before = len(log(store))
    with pytest.raises(SignInRefused, match="wrong PIN for RN Kim, 5 in a row: wait 30 s"):
        change_own_pin(accounts, kim, WRONG, "kimnew22")
    assert kinds_after(store, before) == ["user.sign_in_failed", "user.locked_out"]
    with pytest.raises(SignInRefused, match="try again in 30 s"):  # the wait holds
        change_own_pin(accounts, kim, "kimpin1", "kimnew22")


@pytest.mark.parametrize(
    "old, new, needle",
    [
        ("kimpin1", "k" * (MIN - 1), f"at least {MIN} characters"),
        ("kimpin1", "kimpin1", "same as the old one"),
        (WRONG, "short", f"at least {MIN} characters"),  # checked before the old PIN
    ],
)
def test_a_bad_new_pin_is_refused_before_the_old_is_looked_at(accounts, store, old, new, needle):
    before = len(log(store))
    with pytest.raises(BadInputError, match=needle):
        change_own_pin(accounts, accounts.get("RN Kim"), old, new)
    assert kinds_after(store, before) == []


def test_a_disabled_account_cannot_change_its_pin(accounts, admin, store):
    kim = accounts.get("RN Kim")  # signed in before it was disabled
    accounts.disable("RN Kim", admin)
    before = len(log(store))
    with pytest.raises(SignInRefused, match="disabled"):
        change_own_pin(accounts, kim, "kimpin1", "kimnew22")
    assert kinds_after(store, before) == ["user.sign_in_failed"]
    assert log(store)[-1].data["why"] == "disabled"


@pytest.mark.parametrize("who", [DEMO_ACCOUNT, emergency_account("RN Bo")])
def test_the_demo_and_emergency_access_have_no_pin_to_change(accounts, store, who):
    before = len(log(store))
    with pytest.raises(BadInputError, match="no PIN to change"):
        change_own_pin(accounts, who, "anything1", "kimnew22")
    assert kinds_after(store, before) == []


# -- verify -----------------------------------------------------------------------------
@pytest.fixture
def looked_after(accounts, admin, store):
    """Each new kind as the last word on an account (so the rebuild must read it): RN Kim's
    wait lifted, Lee Lead's PIN set by the admin, the admin's own PIN changed."""
    lock_out(accounts)
    unlock_account(accounts, "RN Kim", admin, "at the desk")
    with pytest.raises(SignInRefused):
        accounts.sign_in("Lee Lead", WRONG)
    set_pin(accounts, "Lee Lead", "leadnew1", admin, "forgotten")
    change_own_pin(accounts, admin, "adminpin", "adminnew1")
    store.close()


def test_verify_rebuilds_the_users_table_after_unlocks_and_pin_changes(looked_after, db_path):
    report = verify(db_path)
    assert report.ok, report.reason


@pytest.mark.parametrize(
    "tamper, needle",
    [
        # The old hash put back: the log says the PIN was changed.
        ("update users set pin_hash = ? where name = 'Lee Lead'", "'Lee Lead' has its PIN hash"),
        ("update users set failed_count = 5 where name = 'RN Kim'", "'RN Kim' has failures 5"),
        ("update users set locked_until = 1e12 where name = 'RN Kim'", "locked_until"),
        ("update users set failed_count = 1 where name = 'Lee Lead'", "failures 1"),
        ("update users set pin_hash = ? where name = 'Ada Admin'", "'Ada Admin' has its PIN"),
    ],
)
def test_verify_catches_a_hand_edit_after_them(accounts, looked_after, db_path, tamper, needle):
    old_hash = FAST.hash("leadpin1")
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute(tamper, (old_hash,) if "?" in tamper else ())
        conn.commit()
    report = verify(db_path)
    assert not report.ok and needle in report.reason, report.reason
