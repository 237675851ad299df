"""The esketamine monitoring record (REMS Patient Monitoring Form), rebuilt from a real file.

Sessions are scripted event by event through the real Store into a real SQLite file
(events, and vitals rows as the live session writes them), closed, and then read back only
from the file, as a clinic lead would. The main session, R.S. (IN 84 mg, T0 09:05 UTC):
  08:55 hand BP 128/84, corrected at 08:56 to 126/82 (the pre-dose BP); MOAA/S 5, CADSS 10
  09:20 MOAA/S 4 (sedation onset)   09:25 CADSS 22 (dissociation onset), monitor BP 140/88
  09:35 MOAA/S 3   09:45 hand BP 170/100 at exactly T0+40, struck: the ~40 min BP is 09:48
  09:50 MOAA/S 5 (sedation resolved), CADSS 18   09:55:15 SpO2 87 alarm, cleared 09:56
  10:05 MOAA/S 2 corrected to 5; nausea (resolved 10:30)   10:20 CADSS 15 (back within 5)
  11:00 monitor BP 124/80, ready to leave at T0+115   11:10 discharge signed (T0+125)
"""

from __future__ import annotations

import html
import subprocess
import sys
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from groupkap import ADJUNCT_NOTICE
from groupkap.clock import SimulatedClock
from groupkap.errors import BadInputError, ConfigError
from groupkap.protocol.config import DEFAULT_SCREENING, ProtocolConfig
from groupkap.protocol.esketamine import (
    Answer,
    Clinic,
    EsketamineRecord,
    Finding,
    monitoring_record,
    signature_data,
)
from groupkap.protocol.esketamine_html import to_html
from groupkap.settings import settings_from_dict
from groupkap.store import Store
from groupkap.store.proof import verify
from groupkap.store.store import open_read_only

START = datetime(2023, 11, 15, 9, 0, tzinfo=UTC).timestamp()  # 09:00 UTC
MIN = 60.0
EVIL = "<script>x</script>"
ALL_NO = {rule.id: False for rule in DEFAULT_SCREENING}
CLINIC = Clinic("Harbour Clinic", "1 Quay St, Bristol", "Dr Ana Reyes", "+44 117 496 0000")
ITEMS = {
    "minimum observation time met": True,
    "vitals near baseline": True,
    "SpO2 at or above 94 %": True,
    "sedation resolved (MOAA/S 5)": True,
    "alert_oriented": True,
    "steady_gait": True,
    "escort_present": True,
    "instructions_given": True,
    "no_driving_acknowledged": True,
}


def at(minutes: float) -> float:
    return START + minutes * MIN


class Log:
    """A real session file, written event by event as the live session would write it."""

    def __init__(self, path) -> None:
        self.path = path
        self.clock = SimulatedClock(start=at(-15), speed=0)
        self.store = Store.open(path, self.clock)
        self.sid = self.store.start_session(seats=5, source="test")

    def event(
        self, minute: float, kind: str, data: dict, pid: str | None, actor: str = "nurse Kim"
    ) -> None:
        self.clock.advance(max(0.0, at(minute) - self.clock.now()))
        self.store.record(self.sid, kind, data, participant_id=pid, actor=actor).result(10)

    def add(self, pid: str, alias: str, seat: int) -> None:
        self.store.record(
            self.sid,
            "participant.added",
            {"alias": alias, "seat": seat},
            participant_id=pid,
            projections=[
                (
                    "insert into participants (id, session_id, alias, full_name, "
                    "seat, added_at) values (?, ?, ?, ?, ?, ?)",
                    (pid, self.sid, alias, None, seat, self.clock.now()),
                )
            ],
        ).result(10)

    def vital(self, pid: str, param: str, minute: float, value: float, source: str = "sim") -> None:
        self.store.add_vitals([(self.sid, pid, 1, "seat1", param, at(minute), value, "", source)])

    def monitor_bp(self, pid: str, minute: float, sbp: float, dbp: float) -> None:
        self.vital(pid, "SBP", minute, sbp)
        self.vital(pid, "DBP", minute + 0.4 / MIN, dbp)  # the DBP row a moment later

    def hand_bp(
        self,
        pid: str,
        minute: float,
        sbp: float,
        dbp: float,
        entry_id: str,
        corrects: str | None = None,
        by: str = "nurse Kim",
    ) -> None:
        self.event(
            minute,
            "observation.entered",
            {
                "entry_id": entry_id,
                "values": {"SBP": sbp, "DBP": dbp},
                "t_measured": at(minute),
                "taken_by": by,
                "source": "hand",
                "corrects": corrects,
                "reason": "typo" if corrects else None,
            },
            pid,
            by,
        )
        self.vital(pid, "SBP", minute, sbp, f"hand:{by}")
        self.vital(pid, "DBP", minute, dbp, f"hand:{by}")

    def score(
        self,
        pid: str,
        check: str,
        minute: float,
        value: int,
        entry_id: str,
        corrects: str | None = None,
    ) -> None:
        self.event(
            minute,
            "check.recorded",
            {
                "check": check,
                "value": value,
                "entry_id": entry_id,
                "t_measured": at(minute),
                "taken_by": "nurse Kim",
                "corrects": corrects,
                "reason": "wrong patient" if corrects else None,
            },
            pid,
        )

    def dose(
        self,
        pid: str,
        minute: float = 5,
        pre=(126, 82),
        override=None,
        lot: str = "SPR-7",
        route: str = "IN",
    ) -> None:
        self.event(
            minute,
            "dose.given",
            {
                "route": route,
                "dose_mg": 84,
                "weight_kg": 70 if route != "IN" else None,
                "mg_per_kg": None,
                "lot": lot,
                "given_by": "nurse Kim",
                "t0": at(minute),
                "warnings_confirmed": [],
                "override": override,
                "pre_dose_bp": list(pre),
            },
            pid,
        )

    def close(self, minute: float = 140) -> None:
        self.clock.advance(max(0.0, at(minute) - self.clock.now()))
        self.store.end_session(self.sid)
        self.store.flush()
        self.store.close()

    def record(self, who: str, **kw) -> EsketamineRecord:
        with closing(open_read_only(self.path)) as conn:
            return monitoring_record(conn, self.sid, who, **kw)


def write_main_session(log: Log) -> None:
    p = "p1"
    log.add(p, "R.S.", 1)
    log.add("p3", "J.P.", 3)
    log.add("p4", "A.N.", 4)
    log.add("p2", EVIL, 2)
    log.event(
        -8,
        "screening.completed",
        {
            "outcome": "needs review",
            "reviewer": "Dr Reyes",
            "positive": ["benzodiazepines"],
            "answers": ALL_NO | {"benzodiazepines": True},
        },
        p,
    )
    log.event(
        -7,
        "screening.completed",
        {
            "outcome": "eligible",
            "reviewer": "Dr Reyes",
            "positive": ["benzodiazepines"],
            "approved_by": "Dr Reyes",
            "approval_reason": "lorazepam 0.5 mg at night",
        },
        p,
    )
    log.hand_bp(p, -5, 128, 84, "h1")
    log.hand_bp(p, -4, 126, 82, "h2", corrects="h1")
    log.score(p, "MOAA/S", -2, 5, "m1")
    log.score(p, "CADSS", -2, 10, "c1")
    log.vital(p, "SpO2", -1, 98)
    log.dose(p)  # T0 = 09:05
    log.dose("p3", route="IM", lot="KT-2291")
    log.vital(p, "SpO2", 10, 98)
    log.score(p, "MOAA/S", 20, 4, "m2")  # T0+15: sedated
    log.score(p, "CADSS", 25, 22, "c2")  # T0+20: 10 + 12
    log.monitor_bp(p, 25, 140, 88)
    log.score(p, "MOAA/S", 35, 3, "m3")
    log.hand_bp(p, 45, 170, 100, "h3")  # exactly T0+40 ...
    log.event(47, "entry.struck", {"entry_id": "h3", "reason": "cuff too small"}, p)
    log.monitor_bp(p, 48, 146, 92)  # ... so T0+43 it is
    log.score(p, "MOAA/S", 50, 5, "m4")  # sedation resolved
    log.score(p, "CADSS", 50, 18, "c3")
    log.vital(p, "SpO2", 55.25, 87)
    log.event(
        55.25,
        "alarm.raised",
        {
            "alarm_id": "p1:SpO2",
            "seat": 1,
            "key": "SpO2",
            "priority": "high",
            "text": "SpO2 87 < 88",
            "value": 87,
            "limit": "< 88",
            "technical": False,
        },
        p,
        "system",
    )
    log.event(
        55.5,
        "alarm.raised",
        {
            "alarm_id": "p1:RR",
            "seat": 1,
            "key": "RR",
            "priority": "medium",
            "text": "RR 35 > 30",
            "value": 35,
            "limit": "> 30",
            "technical": False,
        },
        p,
        "system",
    )
    log.event(
        56, "alarm.cleared", {"alarm_id": "p1:SpO2", "key": "SpO2", "latched": True}, p, "system"
    )
    log.event(58, "alarm.reset", {"alarm_id": "p1:SpO2", "key": "SpO2"}, p, "Dr Reyes")
    log.event(
        59,
        "alarm.raised",
        {
            "alarm_id": "p1:CHECK_OVERDUE",
            "seat": 1,
            "key": "CHECK_OVERDUE",
            "priority": "medium",
            "text": "BP check overdue",
            "technical": True,
        },
        p,
        "system",
    )
    log.score(p, "MOAA/S", 65, 2, "m5")  # entered in error ...
    log.event(
        65,
        "adverse_event.recorded",
        {
            "event_id": "ae1",
            "description": "nausea",
            "severity": "mild",
            "intervention": "ondansetron 4 mg",
            "outcome": "settled",
            "t_occurred": at(65),
        },
        p,
        "Dr Reyes",
    )
    log.event(
        66,
        "check.recorded",
        {
            "check": "MOAA/S",
            "value": 5,
            "entry_id": "m6",
            "t_measured": at(65),
            "taken_by": "nurse Kim",
            "corrects": "m5",
            "reason": "wrong row",
        },
        p,
    )  # 5
    log.vital(p, "SpO2", 70, 97)
    log.monitor_bp(p, 80, 132, 84)
    log.score(p, "CADSS", 80, 15, "c4")  # 10 + 5: back within 5
    log.event(
        90,
        "adverse_event.resolved",
        {"event_id": "ae1", "outcome": "resolved", "t_resolved": at(90), "description": "nausea"},
        p,
        "Dr Reyes",
    )
    log.monitor_bp(p, 120, 124, 80)
    log.event(120, "discharge.ready", {"ready_to_leave_minute": 115}, p, "system")
    log.vital(p, "SpO2", 129, 97)
    log.event(
        130,
        "discharge.signed",
        {
            "signed_by": "Dr Reyes",
            "meaning": "approval",
            "minutes_since_t0": 125.0,
            "ready_to_leave_minute": 115,
            "items": ITEMS,
            "spo2": {"value": 97.0, "t": at(129), "source": "sim"},
        },
        p,
        "Dr Reyes",
    )
    log.close(140)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """The main session's Log, written once and closed."""
    log = Log(tmp_path_factory.mktemp("esketamine") / "kap.sqlite3")
    write_main_session(log)
    return log


def small(tmp_path, *, name: str = "s.sqlite3") -> Log:
    """A fresh file with one participant, L.W., dosed at 09:05 after a 120/80 pre-dose BP."""
    log = Log(tmp_path / name)
    log.add("p5", "L.W.", 5)
    log.event(
        -8,
        "screening.completed",
        {"outcome": "eligible", "reviewer": "Dr Reyes", "positive": [], "answers": ALL_NO},
        "p5",
    )
    log.monitor_bp("p5", -3, 120, 80)
    log.dose("p5", pre=(120, 80))
    return log


# -- the record, field for field ---------------------------------------------------------------
def test_the_record_matches_the_hand_checked_form_field_for_field(session):
    expected = EsketamineRecord(
        session_id=session.sid,
        participant_id="p1",
        alias="R.S.",
        seat=1,
        clinic=CLINIC,
        concomitant_medications=(
            ("Psychostimulants", "No"),
            ("Monoamine oxidase inhibitors (MAOIs)", "No"),
            ("Benzodiazepines", "Yes"),
            ("Non-benzodiazepine sedative hypnotics", "No"),
            ("Opioids", "No"),
        ),
        treatment_date="2023-11-15",
        route="IN",
        dose_mg=84,
        lot="SPR-7",
        given_by="nurse Kim",
        t0="2023-11-15T09:05:00.000Z",
        vitals_before_dosing=Answer("Yes", "pre-dose BP 126/82 within the 140/90 gate"),
        vitals_before_completion=Answer(
            "Yes",
            (
                "discharge signed by Dr Reyes: SpO2 at or above 94 %; alert and oriented; escort "
                "present; instructions given; minimum observation time met; no driving "
                "acknowledged; sedation resolved (MOAA/S 5); steady gait; vitals near baseline; "
                "SpO2 97 % (sim)"
            ),
        ),
        bp_pre_dose="126/82 at 08:56 UTC (T0 -9:00), hand, by nurse Kim",
        bp_40_min="146/92 at 09:48 UTC (T0 +43:00), monitor",
        bp_before_completion="124/80 at 11:00 UTC (T0 +115:00), monitor",
        bp_readings=(
            "126/82 at 08:56 UTC (T0 -9:00), hand, by nurse Kim",
            "140/88 at 09:25 UTC (T0 +20:00), monitor",
            "146/92 at 09:48 UTC (T0 +43:00), monitor",
            "132/84 at 10:20 UTC (T0 +75:00), monitor",
            "124/80 at 11:00 UTC (T0 +115:00), monitor",
        ),
        sedation=Finding(
            "Yes",
            "09:20 UTC (T0 +15:00)",
            "09:50 UTC (T0 +45:00)",
            (
                "09:20 UTC (T0 +15:00): MOAA/S 4",
                "09:35 UTC (T0 +30:00): MOAA/S 3",
                "09:50 UTC (T0 +45:00): MOAA/S 5",
                "10:05 UTC (T0 +60:00): MOAA/S 5",
            ),
            "a MOAA/S below the pre-dose 5",
        ),
        dissociation=Finding(
            "Yes",
            "09:25 UTC (T0 +20:00)",
            "10:20 UTC (T0 +75:00)",
            (
                "09:25 UTC (T0 +20:00): CADSS 22",
                "09:50 UTC (T0 +45:00): CADSS 18",
                "10:20 UTC (T0 +75:00): CADSS 15",
            ),
            "a CADSS above the pre-dose 10 by more than 5",
        ),
        respiratory_depression=Finding(
            "Yes",
            "09:55 UTC (T0 +50:15)",
            "09:56 UTC (T0 +51:00)",
            ("09:55 UTC (T0 +50:15): SpO2 87 < 88 (high alarm), cleared 09:56 UTC (T0 +51:00)",),
            "an SpO2 or low-RR alarm after T0",
        ),
        monitoring_ended="11:10 UTC (T0 +125:00), discharge signed",
        total_monitoring_minutes=125.0,
        ready_to_leave_minute=115,
        discharged_by="Dr Reyes",
        adverse_events=(
            "10:05 UTC (T0 +60:00), mild: nausea; intervention: ondansetron 4 mg; "
            "outcome: settled; resolved 10:30 UTC (T0 +85:00): resolved",
        ),
        signatures=(),
    )
    got = session.record("R.S.", clinic=CLINIC)
    for name in EsketamineRecord.__dataclass_fields__:
        assert getattr(got, name) == getattr(expected, name), name
    assert got == expected
    assert got.missing == ()


def test_the_participant_may_be_named_by_id_or_alias_in_any_case(session):
    assert session.record("p1") == session.record("r.s.") == session.record("R.S.")


def test_fields_the_log_does_not_hold_are_not_recorded_never_no(session, tmp_path):
    r = session.record("R.S.")  # no [clinic] settings
    assert r.clinic == Clinic()
    assert r.missing == (
        "healthcare setting name",
        "healthcare setting address",
        "monitoring provider",
        "provider contact",
    )
    log = small(tmp_path)
    log.close(30)
    bare = log.record("L.W.", clinic=Clinic("  ", "", None, "x"))
    assert bare.clinic == Clinic(None, None, None, "x")  # blanks are not an answer
    assert (bare.sedation, bare.dissociation) == (
        Finding(None, rule="no pre-dose MOAA/S, so a MOAA/S below 5 counts"),
        Finding(None, rule="no pre-dose CADSS, so any CADSS above 5 counts"),
    )
    assert bare.respiratory_depression.value is None
    assert bare.respiratory_depression.rule.startswith("pulse oximetry was not continuous")
    assert bare.vitals_before_completion == Answer(None)
    assert (bare.bp_40_min, bare.bp_before_completion, bare.ready_to_leave_minute) == (
        None,
        None,
        None,
    )
    assert bare.monitoring_ended == "09:30 UTC (T0 +25:00), session ended"
    assert bare.total_monitoring_minutes == 25.0
    assert "respiratory depression" in bare.missing and "~40 min BP" in bare.missing
    page = to_html(bare, SimulatedClock(start=at(200)))
    for row in ("Sedation (MOAA/S)", "Dissociation (CADSS)", "Treatment session completion"):
        assert f"{row}</th><td><em>not recorded</em>" in page, row
    assert "~40 min post-administration</th><td><em>not taken</em>" in page
    assert "Respiratory depression (SpO2 / RR alarm)</th><td><em>not recorded</em>" in page


# -- dissociation against the pre-dose CADSS ---------------------------------------------------
@pytest.mark.parametrize("post, answer", [(12, "No"), (15, "No"), (16, "Yes")])
def test_dissociation_is_a_rise_of_more_than_the_margin_over_the_pre_dose_cadss(
    tmp_path, post, answer
):
    log = small(tmp_path)
    log.score("p5", "CADSS", -10, 10, "c1")  # measured before T0, logged earlier
    log.score("p5", "CADSS", 25, post, "c2")
    log.close(30)
    f = log.record("L.W.").dissociation
    assert f.value == answer
    assert f.rule == "a CADSS above the pre-dose 10 by more than 5"
    assert f.onset == ("09:25 UTC (T0 +20:00)" if answer == "Yes" else None)


def test_the_cadss_margin_comes_from_the_protocol_settings(tmp_path):
    log = small(tmp_path)
    log.score("p5", "CADSS", -10, 10, "c1")
    log.score("p5", "CADSS", 25, 13, "c2")
    log.close(30)
    config = ProtocolConfig()
    assert log.record("L.W.", config=replace(config, cadss_margin=2)).dissociation.value == "Yes"


def test_without_a_pre_dose_cadss_any_total_above_the_margin_counts_and_says_so(tmp_path):
    log = small(tmp_path)
    log.score("p5", "CADSS", 25, 6, "c1")
    log.score("p5", "CADSS", 40, 4, "c2")
    log.close(45)
    f = log.record("L.W.").dissociation
    assert f == Finding(
        "Yes",
        "09:25 UTC (T0 +20:00)",
        "09:40 UTC (T0 +35:00)",
        ("09:25 UTC (T0 +20:00): CADSS 6", "09:40 UTC (T0 +35:00): CADSS 4"),
        "no pre-dose CADSS, so any CADSS above 5 counts",
    )


def test_an_attestation_resolves_dissociation_and_a_struck_cadss_never_counts(tmp_path):
    log = small(tmp_path)
    log.score("p5", "CADSS", 25, 30, "c1")
    log.score("p5", "CADSS", 30, 40, "c2")
    log.event(31, "entry.struck", {"entry_id": "c2", "reason": "another participant's"}, "p5")
    log.event(
        50,
        "dissociation.attested",
        {"attested_by": "Dr Reyes", "reason": "oriented, talking"},
        "p5",
        "Dr Reyes",
    )
    log.close(60)
    f = log.record("L.W.").dissociation
    assert f.evidence == ("09:25 UTC (T0 +20:00): CADSS 30",)
    assert f.resolved == "09:50 UTC (T0 +45:00), attested by Dr Reyes: oriented, talking"


# -- respiratory depression -------------------------------------------------------------------
def test_respiratory_depression_needs_spo2_after_t0_to_say_no(tmp_path):
    log = small(tmp_path, name="before.sqlite3")
    log.vital("p5", "SpO2", 4, 98)  # before T0 only
    log.close(30)
    f = log.record("L.W.").respiratory_depression
    assert f.value is None
    assert f.rule == (
        "pulse oximetry was not continuous: no SpO2 from 09:05 UTC (T0 +0:00) "
        "to 09:30 UTC (T0 +25:00)"
    )


@pytest.mark.parametrize(("gap_min", "value"), [(5, "No"), (5 + 1 / MIN, None)])
def test_no_respiratory_depression_needs_oximetry_throughout(tmp_path, gap_min, value):
    """A probe off for more than 5 minutes: the record cannot say "No" for that time."""
    log = small(tmp_path)
    minute = 0.0
    while minute <= 30:
        log.vital("p5", "SpO2", 5 + minute, 98)
        minute += gap_min if 10 <= minute < 10 + gap_min else 1
    log.close(35)
    assert log.record("L.W.").respiratory_depression.value == value


def test_an_uncleared_low_rr_alarm_is_respiratory_depression_without_a_resolution(tmp_path):
    log = small(tmp_path)
    log.vital("p5", "RR", 20, 7)
    log.event(
        20,
        "alarm.raised",
        {
            "alarm_id": "p5:RR",
            "key": "RR",
            "priority": "high",
            "text": "RR 7 < 8",
            "limit": "< 8",
            "technical": False,
        },
        "p5",
        "system",
    )
    log.close(30)
    f = log.record("L.W.").respiratory_depression
    assert (f.value, f.onset, f.resolved) == ("Yes", "09:20 UTC (T0 +15:00)", None)
    assert "respiratory depression resolution" in log.record("L.W.").missing


def hand_spo2(log, minute, value, entry_id):
    log.event(
        minute,
        "observation.entered",
        {
            "entry_id": entry_id,
            "values": {"SpO2": value},
            "t_measured": at(minute),
            "taken_by": "nurse Kim",
            "source": "hand",
            "corrects": None,
            "reason": None,
        },
        "p5",
    )
    log.vital("p5", "SpO2", minute, value, "hand:nurse Kim")


def test_an_alarm_from_a_struck_hand_spo2_is_no_respiratory_depression(tmp_path):
    log = small(tmp_path)
    for minute in range(6, 35):
        log.vital("p5", "SpO2", minute, 97)
    hand_spo2(log, 30, 58, "s1")
    log.event(
        30,
        "alarm.raised",
        {
            "alarm_id": "p5:SpO2",
            "key": "SpO2",
            "priority": "high",
            "text": "SpO2 58 < 88 (hand)",
            "value": 58.0,
            "limit": "< 88",
            "technical": False,
        },
        "p5",
        "system",
    )
    log.event(31, "entry.struck", {"entry_id": "s1", "reason": "typed 58 for 98"}, "p5")
    log.close(35)
    assert log.record("L.W.").respiratory_depression.value == "No"


def test_struck_hand_spo2_values_are_no_oximetry(tmp_path):
    log = small(tmp_path)  # no monitor SpO2 at all: a hand value every 4 min, all struck
    for i, minute in enumerate(range(6, 34, 4)):
        hand_spo2(log, minute, 97, f"s{i}")
        log.event(
            minute + 0.5, "entry.struck", {"entry_id": f"s{i}", "reason": "wrong chair"}, "p5"
        )
    log.close(35)
    assert log.record("L.W.").respiratory_depression.value is None


# -- blood pressure ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "offset_s, counted",
    [(35 * 60, True), (35 * 60 - 1, False), (55 * 60, True), (55 * 60 + 1, False)],
)
def test_the_40_min_bp_is_taken_only_inside_the_check_window(tmp_path, offset_s, counted):
    log = small(tmp_path)
    log.monitor_bp("p5", 5 + offset_s / MIN, 150, 95)
    log.close(90)
    r = log.record("L.W.")
    m, s = divmod(offset_s, 60)
    text = (
        f"150/95 at {datetime.fromtimestamp(at(5) + offset_s, UTC):%H:%M} UTC "
        f"(T0 +{m}:{s:02d}), monitor"
    )
    assert r.bp_readings == ("120/80 at 08:57 UTC (T0 -8:00), monitor", text)
    assert r.bp_40_min == (text if counted else None)
    assert r.bp_before_completion == (None if counted else text)


def test_the_nearest_bp_to_40_min_wins_and_a_struck_hand_bp_is_ignored(tmp_path):
    log = small(tmp_path)
    log.monitor_bp("p5", 5 + 36, 150, 95)  # 4 min early
    log.hand_bp("p5", 5 + 40, 190, 110, "h1", by="RN Ode")
    log.event(5 + 41, "entry.struck", {"entry_id": "h1", "reason": "cuff too small"}, "p5")
    log.monitor_bp("p5", 5 + 45, 148, 94)  # 5 min late
    log.hand_bp("p5", 5 + 70, 130, 84, "h2", by="RN Ode")
    log.close(90)
    r = log.record("L.W.")
    assert r.bp_40_min == "150/95 at 09:41 UTC (T0 +36:00), monitor"
    assert r.bp_before_completion == "130/84 at 10:15 UTC (T0 +70:00), hand, by RN Ode"
    assert not any("190/110" in line for line in r.bp_readings)


def test_above_the_gate_only_a_prescriber_override_makes_the_pre_dose_vitals_acceptable(tmp_path):
    log = small(tmp_path)
    log.add("p6", "K.O.", 2)
    log.add("p7", "T.B.", 3)
    log.dose("p6", pre=(152, 94), override={"prescriber": "Dr Okafor", "reason": "white coat"})
    log.dose("p7", pre=(141, 80))
    log.close(30)
    assert log.record("K.O.").vitals_before_dosing == Answer(
        "Yes", "prescriber override by Dr Okafor: white coat (pre-dose BP 152/94, gate 140/90)"
    )
    assert log.record("T.B.").vitals_before_dosing == Answer(
        "No", "pre-dose BP 141/80 above the 140/90 gate, no override"
    )
    assert log.record("L.W.").vitals_before_dosing == Answer(
        "Yes", "pre-dose BP 120/80 within the 140/90 gate"
    )


# -- refusals ----------------------------------------------------------------------------------
def refused(session, who, *needles) -> str:
    with pytest.raises(BadInputError) as exc:
        session.record(who)
    for needle in needles:
        assert needle in str(exc.value), (needle, str(exc.value))
    return str(exc.value)


def test_an_im_participant_is_refused_naming_the_route(session):
    refused(session, "J.P.", "esketamine", "IM injection (IM)", "J.P.")


def test_a_participant_without_a_dose_is_refused(session):
    refused(session, "A.N.", "A.N.", "no dose")


def test_an_unknown_participant_is_refused_listing_the_aliases(session):
    message = refused(session, "Z.Z.", "'Z.Z.'", "R.S. (seat 1)", "J.P. (seat 3)", "A.N. (seat 4)")
    assert EVIL in message


def test_an_unknown_session_is_refused(session):
    with (
        closing(open_read_only(session.path)) as conn,
        pytest.raises(BadInputError, match="no session 'nope'.*groupkap sessions"),
    ):
        monitoring_record(conn, "nope", "R.S.")


def test_an_incomplete_record_cannot_be_signed(session):
    with pytest.raises(
        BadInputError,
        match="not recorded: healthcare setting name, "
        "healthcare setting address, monitoring provider, provider contact$",
    ):
        signature_data(session.record("R.S."), "Dr Reyes", "author")
    with pytest.raises(BadInputError, match="author, review, approval"):
        signature_data(session.record("R.S.", clinic=CLINIC), "Dr Reyes", "witness")


# -- settings ----------------------------------------------------------------------------------
def test_the_clinic_section_holds_the_setting_and_the_monitoring_provider():
    s = settings_from_dict(
        {
            "clinic": {
                "name": "Harbour Clinic",
                "address": "1 Quay St",
                "monitoring_provider": "Dr Ana Reyes",
                "provider_contact": " +44 117 496 0000 ",
            }
        }
    )
    assert (s.clinic_name, s.clinic_address, s.monitoring_provider, s.provider_contact) == (
        "Harbour Clinic",
        "1 Quay St",
        "Dr Ana Reyes",
        "+44 117 496 0000",
    )
    with pytest.raises(ConfigError, match="unknown setting clinic.phone"):
        settings_from_dict({"clinic": {"phone": "1"}})
    with pytest.raises(ConfigError, match="clinic.name = 5 must be text"):
        settings_from_dict({"clinic": {"name": 5}})


def test_screening_asks_each_concomitant_medication_class_separately():
    ids = [rule.id for rule in DEFAULT_SCREENING]
    assert "comedication" not in ids
    for key in ("psychostimulants", "maoi", "benzodiazepines", "sedative_hypnotics", "opioids"):
        assert next(r for r in DEFAULT_SCREENING if r.id == key).outcome_if_yes == "needs review"


# -- the document ------------------------------------------------------------------------------
def test_the_html_document_holds_every_field_of_the_form(session):
    r = session.record("R.S.", clinic=CLINIC)
    page = to_html(r, SimulatedClock(start=at(200)))
    assert page.startswith("<!DOCTYPE html>")
    assert "<h1>Esketamine monitoring record</h1>" in page
    for text in (
        "Harbour Clinic",
        "1 Quay St, Bristol",
        "Dr Ana Reyes",
        "+44 117 496 0000",
        "2023-11-15",
        "84 mg",
        "SPR-7",
        "09:05 UTC",
        r.bp_pre_dose,
        r.bp_40_min,
        r.bp_before_completion,
        *r.bp_readings,
        *r.sedation.evidence,
        r.sedation.onset,
        r.sedation.resolved,
        r.dissociation.resolved,
        *r.respiratory_depression.evidence,
        r.vitals_before_dosing.detail,
        "125 minutes",
        r.monitoring_ended,
        "nausea",
        ADJUNCT_NOTICE,
        "by 2023-11-22",
        "Generated 2023-11-15T12:20:00.000Z",
    ):
        assert html.escape(text) in page, text
    assert "Benzodiazepines</th><td>Yes" in page and "Opioids</th><td>No" in page
    assert "(minutes from T0)</th><td>115<" in page
    assert "Not recorded" not in page and "not recorded" not in page
    assert "http" not in page and "<link" not in page and "<script" not in page  # standalone


def test_the_html_escapes_the_alias_and_lists_what_is_missing(tmp_path):
    log = Log(tmp_path / "evil.sqlite3")
    log.add("p2", EVIL, 2)
    log.dose("p2", lot="")
    log.close(30)
    page = to_html(log.record(EVIL), SimulatedClock(start=at(200)))
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "Not recorded: healthcare setting name," in page and "lot number," in page
    assert "concomitant medication: Opioids" in page


# -- command line ------------------------------------------------------------------------------
def groupkap(*args):
    return subprocess.run(
        [sys.executable, "-m", "groupkap.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def clinic_file(tmp_path):
    path = tmp_path / "groupkap.toml"
    path.write_text(
        '[clinic]\nname = "Harbour Clinic"\naddress = "1 Quay St, Bristol"\n'
        'monitoring_provider = "Dr Ana Reyes"\n'
        'provider_contact = "+44 117 496 0000"\n',
        encoding="utf-8",
    )
    return path


def events_of(path) -> list:
    with closing(open_read_only(path)) as conn:
        return [tuple(r) for r in conn.execute("select seq, kind, actor, data from events")]


def test_the_cli_writes_the_document_and_prints_its_path(session, tmp_path):
    out = tmp_path / "rs.html"
    done = groupkap(
        "esketamine-record",
        session.sid,
        "R.S.",
        "--db",
        session.path,
        "--out",
        out,
        "--config",
        clinic_file(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    page = out.read_text(encoding="utf-8")
    assert "Esketamine monitoring record" in page and "Harbour Clinic" in page
    assert "not recorded" not in page


def test_the_cli_reads_the_cadss_margin_from_the_protocol_section(session, tmp_path):
    config = clinic_file(tmp_path)
    config.write_text(
        config.read_text(encoding="utf-8") + "\n[protocol]\ncadss_margin = 12\n", encoding="utf-8"
    )
    out = tmp_path / "rs.html"
    done = groupkap(
        "esketamine-record",
        session.sid,
        "R.S.",
        "--db",
        session.path,
        "--out",
        out,
        "--config",
        config,
    )
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "a CADSS above the pre-dose 10 by more than 12" in page  # 22 is not above 22
    assert "Dissociation (CADSS)</th><td>No" in page


def test_signing_an_incomplete_record_is_refused_and_writes_nothing(session, tmp_path):
    before = events_of(session.path)
    out = tmp_path / "rs.html"
    done = groupkap(
        "esketamine-record",
        session.sid,
        "R.S.",
        "--db",
        session.path,
        "--out",
        out,
        "--sign",
        "Dr Reyes",
        "--config",
        tmp_path / "none.toml",
    )
    assert done.returncode == 2 and "does not exist" in done.stderr  # a bad --config
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    done = groupkap(
        "esketamine-record",
        session.sid,
        "R.S.",
        "--db",
        session.path,
        "--out",
        out,
        "--sign",
        "Dr Reyes",
        "--config",
        empty,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "groupkap: cannot sign the record of R.S.: not recorded: healthcare setting name, "
        "healthcare setting address, monitoring provider, provider contact"
    ]
    assert done.stdout == "" and not out.exists()
    assert events_of(session.path) == before


def test_signing_a_complete_record_logs_the_signature_and_shows_it(tmp_path):
    log = Log(tmp_path / "sign.sqlite3")
    write_main_session(log)
    out = tmp_path / "signed.html"
    config = clinic_file(tmp_path)
    done = groupkap(
        "esketamine-record",
        log.sid,
        "R.S.",
        "--db",
        log.path,
        "--out",
        out,
        "--config",
        config,
        "--sign",
        "Dr Ana Reyes",
        "--meaning",
        "approval",
    )
    assert done.returncode == 0, done.stderr
    signed = [e for e in events_of(log.path) if e[1] == "esketamine_record.signed"]
    assert len(signed) == 1 and signed[0][2] == "Dr Ana Reyes"
    r = log.record("R.S.", clinic=CLINIC)
    assert [(s.name, s.meaning, s.current) for s in r.signatures] == [
        ("Dr Ana Reyes", "approval", True)
    ]
    page = out.read_text(encoding="utf-8")
    assert f"<td>Dr Ana Reyes</td><td>{r.signatures[0].t}</td><td>approval</td>" in page
    assert verify(log.path).ok
    # the same record under other clinic details is another record: the signature says so
    other = log.record("R.S.", clinic=Clinic("Elsewhere", "x", "y", "z"))
    assert [s.current for s in other.signatures] == [False]
    assert "for an earlier version of this record" in to_html(other)


@pytest.mark.parametrize(
    "who, folder, needle",
    [
        ("J.P.", None, "esketamine"),
        ("Z.Z.", None, "no participant"),
        ("R.S.", "missing", "folder"),
    ],
)
def test_the_cli_refuses_bad_input_in_one_line_and_writes_nothing(
    session, tmp_path, who, folder, needle
):
    out = (tmp_path / folder if folder else tmp_path) / "record.html"
    done = groupkap("esketamine-record", session.sid, who, "--db", session.path, "--out", out)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and needle in done.stderr
    assert done.stdout == ""
    assert not out.exists()


# -- the real path: LiveSession, Protocol and AlarmEngine write the log -------------------------
READY_ITEMS = {
    "consent_current": True,
    "fasting_confirmed": True,
    "ride_home_name": "Sam Lee",
    "ride_home_phone": "+44 20 7946 0000",
    "intention": "curiosity",
    "touch_consent": False,
    "music_choice": "silence",
}
MANUAL_OK = {
    "alert_oriented": True,
    "steady_gait": True,
    "escort_present": True,
    "instructions_given": True,
    "no_driving_acknowledged": True,
}


def test_a_session_run_through_the_live_objects_gives_the_same_kind_of_record(
    tmp_path, clock, source, settings
):
    from groupkap.alarms.engine import AlarmEngine
    from groupkap.alarms.limits import default_limits
    from groupkap.protocol.group import Protocol
    from groupkap.session import LiveSession

    store = Store.open(tmp_path / "live.sqlite3", clock)
    live = LiveSession.start(
        seat_count=3, clock=clock, source=source, store=store, settings=settings
    )
    alarms = AlarmEngine(clock, default_limits(), live.record_event)
    protocol = Protocol(clock, live.record_event, alarms=alarms)
    live.watch_with(alarms)
    live.follow_protocol(protocol)
    pid = live.add_participant("R.S.", 1).id
    protocol.complete_screening(pid, ALL_NO | {"opioids": True}, "Dr Reyes")
    protocol.approve_screening(pid, "Dr Reyes", "tramadol stopped last month")
    protocol.confirm_readiness(pid, READY_ITEMS, "nurse Kim")
    live.enter_reading(pid, {"SBP": 124.0, "DBP": 78.0}, "nurse Kim")
    protocol.record_moaas(pid, 5, "nurse Kim")
    protocol.record_cadss(pid, 8, "nurse Kim")
    clock.advance(60)
    protocol.give_dose(
        pid, route="IN", dose_mg=56, weight_kg=None, lot="SPR-1", given_by="nurse Kim"
    )
    t0 = clock.now()

    def until(minutes: float) -> None:
        while clock.now() < t0 + minutes * MIN:
            clock.advance(min(30.0, t0 + minutes * MIN - clock.now()))
            live.pump()
            alarms.tick()
            protocol.tick(live.latest_spo2)

    until(20)
    protocol.record_cadss(pid, 20, "nurse Kim")  # 8 + 12: dissociated
    wrong = protocol.record_moaas(pid, 1, "nurse Kim")
    protocol.record_moaas(pid, 5, "nurse Kim", corrects=wrong, reason="another chair")
    until(40)
    struck = live.enter_reading(pid, {"SBP": 182.0, "DBP": 112.0}, "RN Ode")
    live.strike_entry(pid, struck, "cuff too small", "RN Ode")
    until(42)
    live.enter_reading(pid, {"SBP": 150.0, "DBP": 92.0}, "RN Ode")
    until(60)
    protocol.record_cadss(pid, 12, "nurse Kim")  # back within 5 of 8
    live.enter_reading(pid, {"SBP": 130.0, "DBP": 80.0}, "RN Ode")
    until(116)
    live.enter_reading(pid, {"SBP": 126.0, "DBP": 80.0}, "RN Ode")  # the check before discharge
    until(121)
    protocol.sign_discharge(pid, "Dr Reyes", MANUAL_OK, live.latest_spo2(pid))
    store.end_session(live.id)
    store.flush()
    store.close()
    with closing(open_read_only(tmp_path / "live.sqlite3")) as conn:
        r = monitoring_record(conn, live.id, "R.S.", clinic=CLINIC)
    assert dict(r.concomitant_medications)["Opioids"] == "Yes"
    assert r.bp_pre_dose.startswith("124/78 at ") and r.bp_pre_dose.endswith(
        "(T0 -1:00), hand, by nurse Kim"
    )
    assert r.bp_40_min.endswith("(T0 +42:00), hand, by RN Ode")
    assert r.bp_before_completion.endswith("(T0 +116:00), hand, by RN Ode")
    assert not any("182/112" in line for line in r.bp_readings)
    assert r.sedation.value == "No"  # the MOAA/S 1 was corrected to 5
    assert (r.dissociation.value, r.dissociation.resolved) == ("Yes", when_text(t0, 60))
    assert r.respiratory_depression.value == "No"  # SpO2 97 every second, no alarm
    assert r.vitals_before_dosing.value == r.vitals_before_completion.value == "Yes"
    assert r.ready_to_leave_minute is not None and r.total_monitoring_minutes == 121.0
    assert r.missing == ()


def when_text(t0: float, minutes: int) -> str:
    return f"{datetime.fromtimestamp(t0 + minutes * MIN, UTC):%H:%M} UTC (T0 +{minutes}:00)"
