"""Signatures with meaning (issue 15 item 4): a signed-in account re-enters its PIN; the log
gets printed name, role, UTC time and meaning, bound to the signed row's seq and hash. A wrong
PIN signs nothing and writes only the failure; the 5th wrong PIN makes the account wait; a
role that may not sign is refused and logged; a signed row changed later fails `verify` at
that row. Notes of non-leads wait in the lead's co-sign queue. Real store, simulated clock,
the protocol's events written to the session's log as a running session writes them."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher

from groupkap.accounts import DEMO_ACCOUNT, Accounts, Forbidden, SignInRefused
from groupkap.accounts.cosign import cosign, pending_notes
from groupkap.accounts.signatures import (
    DEMO,
    NOTE,
    PIN,
    event_subject,
    sign,
    signature_problem,
    signing_action,
)
from groupkap.errors import BadInputError
from groupkap.options import RunOptions
from groupkap.session_start import open_live_session
from groupkap.store import chain, queries
from groupkap.store.proof import verify
from tests.core.test_protocol import MANUAL_OK, cuff_every_5_min, dose_im, fresh, make_ready, run

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def room(store, clock, settings, source):
    """A running session (the room as the window opens it), signing as `live.account`."""
    live = open_live_session(
        RunOptions(seats=3, plan={1: "M.K."}),
        store=store,
        clock=clock,
        settings=settings,
        make_source=lambda seats, start: source,
    )
    yield SimpleNamespace(live=live, protocol=live.protocol, store=store, clock=clock)
    live.end()


@pytest.fixture
def accounts(room, store, clock):
    accounts = Accounts(store, clock, hasher=FAST, session_id=room.live.id)
    admin = accounts.add("Ada Admin", "admin", "adminpin")
    accounts.add("Dr Okafor", "medical", "okafor1", by=admin)
    accounts.add("RN Kim", "facilitator", "kimpin1", by=admin)
    accounts.add("Lee Lead", "lead", "leadpin1", by=admin)
    return accounts


def logged(store):
    store.flush()
    with closing(store.reader()) as conn:
        sid = conn.execute("select id from sessions").fetchone()[0]
        return queries.events(conn, sid)


def ready_for_discharge(room):
    pid = next(iter(room.live.room.participants))
    make_ready(room.protocol, pid, bp=(120, 80))
    dose_im(room.protocol, pid)
    t0 = room.protocol.of(pid).t0
    run(room.protocol, room.clock, 125, cuff=cuff_every_5_min(pid, 1, t0, lambda m: (121, 80)))
    room.protocol.record_moaas(pid, 5, "nurse Kim")
    room.protocol.record_cadss(pid, 0, "nurse Kim")
    room.protocol.tick(lambda _pid: fresh(room.clock))  # discharge.ready: a fact, unsigned
    return pid


def as_account(room, accounts, name):
    room.live.account = accounts.get(name)


def test_the_meanings_each_thing_takes_and_who_may_sign_them():
    assert signing_action("discharge", "approval") == "discharge.sign"
    assert signing_action("note", "review") == "record.review"
    with pytest.raises(BadInputError, match="a discharge is signed as approval, not as author"):
        signing_action("discharge", "author")
    with pytest.raises(BadInputError, match="not 'witness'"):
        signing_action("esketamine_record", "witness")


def test_a_signed_discharge_names_the_signer_meaning_time_and_the_signed_row(room, accounts):
    p1 = ready_for_discharge(room)
    as_account(room, accounts, "Dr Okafor")
    record = room.protocol.sign_discharge(
        p1, "typed name", MANUAL_OK, fresh(room.clock), pin="okafor1"
    )
    assert record["signed_by"] == "Dr Okafor"  # the account, not what was typed
    events = logged(room.store)
    kinds = [e.kind for e in events]
    assert kinds[-3:] == ["user.signed_in", "discharge.signed", "signature.applied"]
    assert events[-3].data["purpose"] == "signature"
    signed, signature = events[-2], events[-1]
    assert signature.actor == "Dr Okafor" and signature.participant_id == p1
    with closing(room.store.reader()) as conn:
        row_hash = conn.execute("select hash from events where seq = ?", (signed.seq,)).fetchone()
    assert signature.data == {
        "name": "Dr Okafor",
        "role": "medical",
        "meaning": "approval",
        "signed_at": signature.data["signed_at"],
        "method": PIN,
        "subject": {"kind": "discharge.signed", "seq": signed.seq, "hash": row_hash[0]},
    }
    assert signature.data["signed_at"].endswith("Z")
    assert verify(room.store.path, require_anchor=False).ok


def test_a_wrong_pin_signs_nothing_and_writes_only_the_failure(room, accounts):
    p1 = ready_for_discharge(room)
    as_account(room, accounts, "Dr Okafor")
    before = logged(room.store)
    with pytest.raises(SignInRefused, match="wrong PIN for Dr Okafor"):
        room.protocol.sign_discharge(p1, "x", MANUAL_OK, fresh(room.clock), pin="nope123")
    new = logged(room.store)[len(before) :]
    assert [e.kind for e in new] == ["user.sign_in_failed"]
    assert room.protocol.of(p1).discharge is None
    with pytest.raises(BadInputError, match="enter your PIN to sign"):  # no PIN: no try
        room.protocol.sign_discharge(p1, "x", MANUAL_OK, fresh(room.clock))
    assert len(logged(room.store)) == len(before) + 1


def test_the_fifth_wrong_pin_makes_the_signer_wait(room, accounts):
    p1 = ready_for_discharge(room)
    as_account(room, accounts, "Dr Okafor")
    for _ in range(4):
        with pytest.raises(SignInRefused) as exc:
            room.protocol.sign_discharge(p1, "x", MANUAL_OK, fresh(room.clock), pin="bad1234")
        assert exc.value.wait_s == 0.0
    with pytest.raises(SignInRefused, match="wait 30 s") as exc:
        room.protocol.sign_discharge(p1, "x", MANUAL_OK, fresh(room.clock), pin="bad1234")
    assert exc.value.wait_s == 30.0
    with pytest.raises(SignInRefused, match="try again in 30 s"):  # even the right PIN waits
        room.protocol.sign_discharge(p1, "x", MANUAL_OK, fresh(room.clock), pin="okafor1")
    assert "discharge.signed" not in [e.kind for e in logged(room.store)]
    assert [e.kind for e in logged(room.store)].count("user.locked_out") == 1
    room.clock.advance(30)
    room.protocol.sign_discharge(p1, "x", MANUAL_OK, fresh(room.clock), pin="okafor1")
    assert logged(room.store)[-1].kind == "signature.applied"


def test_a_role_that_may_not_sign_is_refused_and_logged(room, accounts):
    p1 = ready_for_discharge(room)
    # The record's review is the lead's; the lead may not approve (sign) it as medical does.
    lead = accounts.get("Lee Lead")
    as_account(room, accounts, "Lee Lead")
    before = logged(room.store)
    with pytest.raises(Forbidden, match="may not sign a discharge: only medical may"):
        room.protocol.sign_discharge(p1, "x", MANUAL_OK, fresh(room.clock), pin="leadpin1")
    assert [e.kind for e in logged(room.store)[len(before) :]] == ["action.refused"]
    # A signature checked after the PIN: the facilitator may not review a note.
    room.live.account = accounts.get("RN Kim")
    room.protocol.add_note(p1, "tearful, settled with music", "x", pin="kimpin1")
    note = next(e for e in reversed(logged(room.store)) if e.kind == "note.added")
    subject = event_subject(room.store, note.seq, NOTE)
    before = logged(room.store)
    with pytest.raises(Forbidden, match="may not co-sign a note"):
        sign(accounts, "RN Kim", "kimpin1", "review", subject)
    assert [e.kind for e in logged(room.store)[len(before) :]] == [
        "user.signed_in",
        "action.refused",
    ]
    assert sign(accounts, lead.name, "leadpin1", "review", subject).role == "lead"


def test_a_signed_row_changed_later_fails_verify_at_that_row(room, accounts, db_path):
    p1 = ready_for_discharge(room)
    as_account(room, accounts, "Dr Okafor")
    room.protocol.sign_discharge(p1, "x", MANUAL_OK, fresh(room.clock), pin="okafor1")
    signed = next(e for e in logged(room.store) if e.kind == "discharge.signed")
    room.store.flush()
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("drop trigger events_no_update")  # what a forger would do first
        conn.execute(
            "update events set data = replace(data, 'Dr Okafor', 'Dr Nobody') where seq = ?",
            (signed.seq,),
        )
        conn.commit()
    report = verify(db_path, require_anchor=False)
    assert report.broken_seq == signed.seq and "does not match its hash" in report.reason


def test_a_re_chained_forgery_still_disagrees_with_its_signature(room, accounts, db_path):
    """A forger who rewrites the signed row and every hash after it (no anchor kept) is
    still caught: the signature names the hash the row had when it was signed."""
    p1 = ready_for_discharge(room)
    as_account(room, accounts, "Dr Okafor")
    room.protocol.sign_discharge(p1, "x", MANUAL_OK, fresh(room.clock), pin="okafor1")
    signed = next(e for e in logged(room.store) if e.kind == "discharge.signed")
    room.store.flush()
    with closing(sqlite3.connect(db_path)) as conn:
        assert signature_problem(conn) is None
        conn.execute("drop trigger events_no_update")
        conn.execute(
            "update events set data = replace(data, 'Dr Okafor', 'Dr Nobody') where seq = ?",
            (signed.seq,),
        )
        prev = conn.execute("select hash from events where seq = ?", (signed.seq - 1,)).fetchone()[
            0
        ]
        rows = conn.execute(
            "select seq, session_id, participant_id, t, kind, actor, data from events "
            "where seq >= ? order by seq",
            (signed.seq,),
        ).fetchall()
        for seq, sid, pid, t, kind, actor, data in rows:
            new = chain.row_hash(prev, seq, sid, pid, t, kind, actor, data)
            conn.execute(
                "update events set prev_hash = ?, hash = ? where seq = ?", (prev, new, seq)
            )
            prev = new
        assert chain.walk(conn).ok  # the chain alone no longer shows it
        assert signature_problem(conn) == (
            signed.seq,
            f"it was changed after signature {signed.seq + 1} signed it",
        )


def test_a_facilitators_note_waits_for_a_leads_cosign(room, accounts):
    p1 = next(iter(room.live.room.participants))
    as_account(room, accounts, "RN Kim")
    room.protocol.add_note(p1, "asked for a blanket", "x", pin="kimpin1")
    as_account(room, accounts, "Lee Lead")
    room.protocol.add_note(p1, "group settled", "x", pin="leadpin1")
    with closing(room.store.reader()) as conn:
        [waiting] = pending_notes(conn, room.live.id)
        assert pending_notes(conn, "another") == []
    assert (waiting.author, waiting.text) == ("RN Kim", "asked for a blanket")
    with pytest.raises(Forbidden, match="RN Kim"):  # a facilitator may not co-sign
        cosign(accounts, waiting.seq, "RN Kim", "kimpin1")
    lead_note = next(e for e in reversed(logged(room.store)) if e.kind == "note.added")
    with pytest.raises(BadInputError, match="needs no co-signature"):
        cosign(accounts, lead_note.seq, "Lee Lead", "leadpin1")
    signature = cosign(accounts, waiting.seq, "Lee Lead", "leadpin1")
    assert (signature.meaning, signature.subject.seq) == ("review", waiting.seq)
    with closing(room.store.reader()) as conn:
        assert pending_notes(conn) == []
    with pytest.raises(BadInputError, match="already co-signed"):
        cosign(accounts, waiting.seq, "Lee Lead", "leadpin1")
    with pytest.raises(BadInputError, match="is not a note"):
        cosign(accounts, signature.seq, "Lee Lead", "leadpin1")


def test_without_an_account_a_discharge_and_a_note_are_as_before(room):
    p1 = ready_for_discharge(room)
    room.protocol.add_note(p1, "fine", "nurse Kim")
    record = room.protocol.sign_discharge(p1, "Dr Reyes", MANUAL_OK, fresh(room.clock))
    assert record["signed_by"] == "Dr Reyes"
    kinds = [e.kind for e in logged(room.store)]
    assert "signature.applied" not in kinds and kinds[-1] == "discharge.signed"


def test_the_demo_user_signs_without_a_pin_and_the_record_says_demo(room):
    p1 = ready_for_discharge(room)
    room.live.account = DEMO_ACCOUNT
    room.protocol.sign_discharge(p1, "Dr Reyes", MANUAL_OK, fresh(room.clock))
    signature = logged(room.store)[-1]
    assert signature.kind == "signature.applied"
    assert (signature.data["name"], signature.data["method"]) == ("Demo user", DEMO)


def test_emergency_access_cannot_sign(room, accounts):
    p1 = ready_for_discharge(room)
    room.live.account = accounts.emergency_access("airway", "Dr Okafor")
    before = len(logged(room.store))
    with pytest.raises(BadInputError, match="emergency access cannot sign a discharge"):
        room.protocol.sign_discharge(p1, "x", MANUAL_OK, fresh(room.clock), pin="okafor1")
    assert len(logged(room.store)) == before
