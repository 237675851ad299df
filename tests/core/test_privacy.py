"""Privacy rules in the core (issue 15): who sees full names, what a de-identified copy keeps
and changes, and who the log says opened the room."""

from __future__ import annotations

from contextlib import closing
from dataclasses import replace
from random import Random

import pytest

from groupkap.accounts import ROLES, Account
from groupkap.clock import SimulatedClock
from groupkap.options import RunOptions
from groupkap.privacy import sees_full_names
from groupkap.review.deidentify import (
    DAY_S,
    SHIFT_DAYS,
    WITHHELD,
    Deidentifier,
    people_in,
    random_offset_s,
    staff_labels,
)
from groupkap.review.model import AlarmEpisode, ChainStatus, Marker, SessionSummary
from groupkap.session_start import open_live_session
from groupkap.settings import Settings
from groupkap.sources.simulator import Simulator
from groupkap.store import Store, queries
from groupkap.store.queries import LoggedEvent

START = 1_741_078_800.0  # 2025-03-04T09:00:00Z


@pytest.mark.parametrize("role", ROLES)
def test_only_medical_and_the_lead_see_full_names(role):
    account = Account(id="x", name="Someone", role=role)
    assert sees_full_names(account) is (role in ("medical", "lead"))
    assert not sees_full_names(replace(account, disabled=True))


def test_without_accounts_the_workstation_shows_them_as_before():
    assert sees_full_names(None)


def test_the_offset_is_whole_days_never_zero_and_differs_between_exports():
    offsets = [random_offset_s(Random(seed)) for seed in range(200)]
    for offset in offsets:
        days = offset / DAY_S
        assert days == int(days) and SHIFT_DAYS[0] <= abs(days) <= SHIFT_DAYS[1]
    assert min(offsets) < 0 < max(offsets) and len(set(offsets)) > 100


def test_staff_are_named_by_role_in_order_and_the_workstation_words_stay():
    roles = {"Dr Ode": "medical", "RN Kim": "facilitator", "Dr Fay": "medical"}
    names = ["system", "facilitator", "RN Kim", "Dr Ode", "RN Kim", "Dr Fay", "Temp Nurse"]
    assert staff_labels(names, roles) == {
        "RN Kim": "facilitator 1",
        "Dr Ode": "medical 1",
        "Dr Fay": "medical 2",
        "Temp Nurse": "staff 1",
    }


def _deid() -> Deidentifier:
    return Deidentifier(
        offset_s=-40 * DAY_S,
        session_id="deid-new",
        original_id="2025-03-04-abcdef",
        participants={"aaa111": "pNEW"},
        staff={"Dr A. Demo": "medical 1", "RN B. Demo": "facilitator 1"},
    )


def test_event_data_loses_names_contacts_and_free_text_and_its_times_move():
    d = _deid()
    data = {
        "full_name": "Margaret Kowalski",
        "ride_home_name": "Peter",
        "ride_home_phone": "555-0100",
        "text": "asked for a blanket",
        "reason": "typo",
        "signed_by": "Dr A. Demo",
        "t_measured": START,
        "due_t": START + 60,
        "duration_s": 634.0,
        "per_speaker": {"aaa111": {"spoken_s": 12.0}},
        "session": "2025-03-04-abcdef",
    }
    out = d.data(data, "readiness.confirmed")
    for key in ("full_name", "ride_home_name", "ride_home_phone", "text", "reason"):
        assert out[key] == WITHHELD
    assert out["signed_by"] == "medical 1" and out["session"] == "deid-new"
    assert out["t_measured"] == START - 40 * DAY_S and out["due_t"] == START + 60 - 40 * DAY_S
    assert out["duration_s"] == 634.0  # a duration is not a time
    assert out["per_speaker"] == {"pNEW": {"spoken_s": 12.0}}
    # An alarm's text is GroupKAP's own words, kept.
    assert d.data({"text": "SpO2 87 < 88"}, "alarm.raised") == {"text": "SpO2 87 < 88"}
    # An empty field stays empty (nothing was said).
    assert d.data({"full_name": None}, "participant.added") == {"full_name": None}


def test_an_event_is_mapped_whole():
    e = LoggedEvent(7, "aaa111", START, "note.added", "RN B. Demo", {"text": "call Peter"})
    out = _deid().event(e)
    assert (out.participant_id, out.t, out.actor) == ("pNEW", START - 40 * DAY_S, "facilitator 1")
    assert out.data == {"text": WITHHELD}
    assert people_in([e]) == ["RN B. Demo"]


def test_a_summary_keeps_every_difference_and_loses_every_name():
    alarm = AlarmEpisode(
        "aaa111:HR", "aaa111", 1, "HR", "high", False, "HR 141 > 120", START + 100,
        acknowledged_at=START + 120, acknowledged_by="RN B. Demo", cleared_at=START + 276,
    )  # fmt: skip
    summary = SessionSummary(
        id="2025-03-04-abcdef",
        title="Tuesday group, Kowalski family",
        seats=4,
        source="sim",
        status="ended",
        started_at=START,
        ended_at=START + 9000,
        facilitators=("facilitator", "RN B. Demo"),
        participants=(),
        alarms=(alarm,),
        markers=(
            Marker(START + 60, "aaa111", "note", "note.added", "note: call Peter", 5),
            Marker(START + 90, "aaa111", "dose", "dose.given", "IM 40 mg", 6),
        ),
        circle=None,
        chain=ChainStatus(True, "intact", None, 418, "ab" * 32),
    )
    out = _deid().summary(summary)
    assert out.id == "deid-new" and "Kowalski" not in out.title
    assert out.facilitators == ("facilitator", "facilitator 1")
    a = out.alarms[0]
    assert (a.response_s, a.duration_s) == (20.0, 176.0)
    assert a.raised_at == START + 100 - 40 * DAY_S and a.acknowledged_by == "facilitator 1"
    assert a.alarm_id == "pNEW:HR"
    assert [m.label for m in out.markers] == ["note", "IM 40 mg"]
    assert out.chain.head_seq is None and out.chain.head_hash is None


def _open(tmp_path, account):
    clock = SimulatedClock(start=START, speed=0)
    settings = Settings()
    store = Store.open(tmp_path / "s.sqlite3", clock)
    live = open_live_session(
        RunOptions(seats=4, scenario="calm", speed=0, plan={1: "M.K."}),
        store=store,
        clock=clock,
        settings=settings,
        make_source=lambda seats, start: Simulator(seats, start, seed=1, scenario="calm"),
        account=account,
    )
    store.flush()
    with closing(store.reader()) as conn:
        events = queries.events(conn, live.id, kinds=("session.started", "participant.added"))
    store.close()
    return events


def test_session_started_carries_the_signed_in_account(tmp_path):
    dr = Account(id="u2", name="Dr Ode", role="medical")
    assert {e.actor for e in _open(tmp_path, dr)} == {"Dr Ode"}


def test_without_an_account_the_workstation_opens_it(tmp_path):
    assert {e.actor for e in _open(tmp_path, None)} == {"facilitator"}
