"""A live session acting as a signed-in account: a forbidden act raises Forbidden with its
sentence, writes one `action.refused` event in the session's log and changes nothing else;
an allowed act is recorded under the account's name. Without an account (None) every act is
allowed, as before accounts. Real store, simulated clock, the room as the window opens it."""

from __future__ import annotations

from contextlib import closing

import pytest

from groupkap.accounts import Account, Forbidden
from groupkap.alarms.limits import parse_limits, to_toml
from groupkap.errors import BadInputError
from groupkap.options import RunOptions
from groupkap.protocol.config import DEFAULT_SCREENING
from groupkap.session_start import open_live_session
from groupkap.store import queries

MIN = 60.0
KIM = Account(id="k1", name="RN Kim", role="facilitator")
OKAFOR = Account(id="m1", name="Dr Okafor", role="medical")
QUINN = Account(id="q1", name="Q. Quinn", role="qa")
READY_ITEMS = {
    "consent_current": True,
    "fasting_confirmed": True,
    "ride_home_name": "Sam Lee",
    "ride_home_phone": "+44 20 7946 0000",
    "intention": "rest",
    "touch_consent": False,
    "music_choice": "arc",
}


@pytest.fixture
def live(store, clock, settings, source):
    live = open_live_session(
        RunOptions(seats=4, plan={1: "M.K.", 3: "A.R."}),
        store=store,
        clock=clock,
        settings=settings,
        make_source=lambda seats, start: source,
    )
    yield live
    live.end()


def pid_of(live, alias):
    return next(p.id for p in live.room.participants.values() if p.alias == alias)


def logged(live):
    live.store.flush()
    with closing(live.store.reader()) as conn:
        return queries.events(conn, live.id)


def ready_to_dose(live, pid):
    live.protocol.complete_screening(pid, {r.id: False for r in DEFAULT_SCREENING}, "Dr Okafor")
    live.protocol.confirm_readiness(pid, READY_ITEMS, "RN Kim")
    live.enter_reading(pid, {"SBP": 120, "DBP": 80}, "RN Kim")
    live.clock.advance(5 * MIN)


def dose(live, pid):
    return live.protocol.give_dose(
        pid, route="IM", dose_mg=56, weight_kg=70, lot="KT-1", given_by=live.actor
    )


def refused_once(live, before, action, account):
    """Exactly one new event, `action.refused`, by `account`, naming `action`."""
    new = logged(live)[len(before) :]
    assert [e.kind for e in new] == ["action.refused"]
    assert new[0].actor == account.name and new[0].data["action"] == action
    assert new[0].data["role"] == account.role


def test_without_an_account_every_act_is_allowed_as_before(live):
    assert live.account is None and live.actor == "facilitator"
    pid = pid_of(live, "M.K.")
    ready_to_dose(live, pid)
    assert dose(live, pid)["given_by"] == "facilitator"


def test_signing_in_makes_the_account_the_actor(live):
    live.account = KIM
    pid = pid_of(live, "M.K.")
    live.protocol.record_moaas(pid, 5, live.actor)  # a note is signed: test_signatures.py
    assert logged(live)[-1].kind == "check.recorded" and logged(live)[-1].actor == "RN Kim"


def test_a_facilitator_may_not_record_a_dose_and_nothing_changes(live):
    pid = pid_of(live, "M.K.")
    ready_to_dose(live, pid)
    live.account = KIM
    state = live.protocol.of(pid)
    before = logged(live)
    with pytest.raises(Forbidden, match=r"^RN Kim \(facilitator\) may not record a dose: only"):
        dose(live, pid)
    refused_once(live, before, "dose.record", KIM)
    assert state.dose is None and state.t0 is None
    live.account = OKAFOR  # the medical monitor records it
    assert dose(live, pid)["given_by"] == "Dr Okafor"
    assert logged(live)[-1].kind == "dose.given" and logged(live)[-1].actor == "Dr Okafor"


def test_only_medical_signs_a_discharge(live):
    pid = pid_of(live, "A.R.")
    live.account = KIM
    before = logged(live)
    with pytest.raises(Forbidden, match="may not sign a discharge: only medical may"):
        live.protocol.sign_discharge(pid, "RN Kim", {}, live.latest_spo2(pid))
    refused_once(live, before, "discharge.sign", KIM)
    assert pid not in live.protocol.participants  # not even an empty record was made
    live.account = OKAFOR
    with pytest.raises(BadInputError, match="no dose is recorded") as exc:
        live.protocol.sign_discharge(pid, "Dr Okafor", {}, live.latest_spo2(pid))
    assert not isinstance(exc.value, Forbidden)  # allowed: refused on the facts instead


def test_a_participants_limits_are_medical_or_lead(live):
    pid = pid_of(live, "M.K.")
    old = to_toml(live.alarms.limits_for(pid))
    wider = parse_limits(old.replace('medium = "< 92"', 'medium = "< 90"', 1), "test")
    live.account = KIM
    before = logged(live)
    with pytest.raises(Forbidden, match="may not change one participant's alarm limits"):
        live.set_participant_limits(pid, wider)
    refused_once(live, before, "limits.adjust", KIM)
    assert to_toml(live.alarms.limits_for(pid)) == old
    live.account = OKAFOR
    assert live.set_participant_limits(pid, wider) >= 1
    assert logged(live)[-1].kind == "limits.changed" and logged(live)[-1].actor == "Dr Okafor"


@pytest.mark.parametrize(
    "act, action",
    [
        (lambda live, pid: live.add_participant("J.D.", 2), "participant.manage"),
        (lambda live, pid: live.rename_participant(pid, "M.Q."), "participant.manage"),
        (lambda live, pid: live.reseat_participant(pid, 4), "participant.manage"),
        (lambda live, pid: live.remove_participant(pid, "left"), "participant.manage"),
        (lambda live, pid: live.enter_reading(pid, {"HR": 70}, "Q"), "check.record"),
        (lambda live, pid: live.protocol.record_moaas(pid, 5, "Q"), "check.record"),
        (lambda live, pid: live.protocol.add_note(pid, "hello", "Q"), "note.add"),
    ],
)
def test_qa_changes_nothing_in_a_live_session(live, act, action):
    pid = pid_of(live, "M.K.")
    live.account = QUINN
    room = {p.id: (p.alias, p.seat) for p in live.room.participants.values()}
    before = logged(live)
    with pytest.raises(Forbidden, match=r"Q\. Quinn \(QA\) may not"):
        act(live, pid)
    refused_once(live, before, action, QUINN)
    assert {p.id: (p.alias, p.seat) for p in live.room.participants.values()} == room
    assert live.hand_entries == {} and live.protocol.participants == {}


def test_a_disabled_account_is_refused_everything(live):
    gone = Account(id="g", name="Dr Gone", role="medical", disabled=True)
    live.account = gone
    with pytest.raises(Forbidden, match="Dr Gone's account is disabled"):
        live.protocol.add_note(pid_of(live, "M.K."), "hello", "Dr Gone")


def test_require_is_for_the_acts_the_window_checks_itself(live):
    live.account = QUINN
    before = logged(live)
    with pytest.raises(Forbidden, match="may not acknowledge an alarm"):
        live.require("alarm.acknowledge")
    refused_once(live, before, "alarm.acknowledge", QUINN)
    live.account = KIM
    live.require("alarm.acknowledge")  # no event, no exception
    assert len(logged(live)) == len(before) + 1
