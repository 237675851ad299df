"""Wrong PINs make an account wait, on the simulated clock, at the exact boundaries: the 4th
wrong PIN in a row costs nothing, the 5th a 30 s wait (refused at 29.999 s, allowed at 30 s),
each further wrong PIN doubles it, the right PIN after the wait resets it; every failure is an
event, and the count survives a restart (it is in the database)."""

from __future__ import annotations

from contextlib import closing

import pytest
from argon2 import PasswordHasher

from groupkap.accounts import ACCOUNTS_LOG, Accounts, SecurityConfig, SignInRefused
from groupkap.store import Store, queries

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
WRONG, RIGHT = "wrongpin", "kimpin1"


@pytest.fixture
def accounts(store, clock):
    accounts = Accounts(store, clock, hasher=FAST)
    admin = accounts.add("Ada Admin", "admin", "adminpin")
    accounts.add("RN Kim", "facilitator", RIGHT, by=admin)
    return accounts


def wrong(accounts, times=1) -> SignInRefused:
    for _ in range(times):
        with pytest.raises(SignInRefused) as exc:
            accounts.sign_in("RN Kim", WRONG)
    return exc.value


def kinds(store):
    store.flush()
    with closing(store.reader()) as conn:
        return [e.kind for e in queries.events(conn, ACCOUNTS_LOG)]


def test_the_fourth_wrong_pin_costs_no_wait(accounts, store):
    refused = wrong(accounts, 4)
    assert refused.wait_s == 0.0 and "1 more wrong" in str(refused)
    assert accounts.wait_s("RN Kim") == 0.0
    assert accounts.sign_in("RN Kim", RIGHT).name == "RN Kim"  # at once, no wait
    assert kinds(store)[-5:] == ["user.sign_in_failed"] * 4 + ["user.signed_in"]


def test_the_fifth_waits_30_s_to_the_millisecond(accounts, store, clock):
    wrong(accounts, 4)
    refused = wrong(accounts)
    assert refused.wait_s == 30.0 and "wait 30 s" in str(refused)
    assert kinds(store)[-2:] == ["user.sign_in_failed", "user.locked_out"]
    clock.advance(29.999)
    with pytest.raises(SignInRefused, match="try again in 1 s") as exc:
        accounts.sign_in("RN Kim", RIGHT)  # the right PIN is not even looked at yet
    assert exc.value.wait_s == pytest.approx(0.001, abs=1e-6)
    assert kinds(store)[-1] == "user.sign_in_failed"
    clock.advance(0.001)
    assert accounts.wait_s("RN Kim") == 0.0
    assert accounts.sign_in("RN Kim", RIGHT).name == "RN Kim"


def test_each_further_wrong_pin_doubles_the_wait(accounts, clock):
    wrong(accounts, 5)
    waits = []
    for _ in range(3):
        clock.advance(accounts.wait_s("RN Kim"))
        waits.append(wrong(accounts).wait_s)
    assert waits == [60.0, 120.0, 240.0]


def test_a_try_during_the_wait_does_not_lengthen_it(accounts, clock):
    wrong(accounts, 5)
    clock.advance(10)
    assert wrong(accounts).wait_s == 20.0  # refused unread: still the first wait
    clock.advance(20)
    assert wrong(accounts).wait_s == 60.0  # the 6th wrong PIN read


def test_the_right_pin_after_the_wait_resets_the_count(accounts, clock, store):
    wrong(accounts, 5)
    clock.advance(30)
    accounts.sign_in("RN Kim", RIGHT)
    refused = wrong(accounts, 4)
    assert refused.wait_s == 0.0
    assert wrong(accounts).wait_s == 30.0  # the first wait again, not a doubled one


def test_one_account_waiting_leaves_the_others_alone(accounts):
    wrong(accounts, 5)
    assert accounts.sign_in("Ada Admin", "adminpin").name == "Ada Admin"


def test_the_wait_survives_a_restart(accounts, store, clock, db_path):
    wrong(accounts, 5)
    store.close()
    with Store.open(db_path, clock) as again:
        fresh = Accounts(again, clock, hasher=FAST)
        assert fresh.wait_s("RN Kim") == 30.0
        with pytest.raises(SignInRefused):
            fresh.sign_in("RN Kim", RIGHT)


def test_the_clinic_sets_the_count_and_the_first_wait(store, clock):
    strict = Accounts(
        store, clock, SecurityConfig(lockout_after=3, lockout_first_s=60), hasher=FAST
    )
    admin = strict.add("Ada Admin", "admin", "adminpin")
    strict.add("RN Kim", "facilitator", RIGHT, by=admin)
    assert wrong(strict, 2).wait_s == 0.0
    assert wrong(strict).wait_s == 60.0


def test_an_unknown_name_is_logged_and_locks_nothing(accounts, store):
    with pytest.raises(SignInRefused, match="no account called 'RN Kym'"):
        accounts.sign_in("RN Kym", RIGHT)
    store.flush()
    with closing(store.reader()) as conn:
        last = queries.events(conn, ACCOUNTS_LOG)[-1]
    assert last.kind == "user.sign_in_failed" and last.data["why"] == "unknown name"
    assert last.data["user_id"] is None
