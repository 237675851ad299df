"""The esketamine monitoring record, rebuilt from a real session file after the session.

One session is written once through the real objects (Store, Protocol, AlarmEngine on a
simulated clock) and closed; every test then reads only the file, as a clinic lead would.
  R.S.      IN 84 mg, walked from screening to discharge: three BPs, MOAA/S 5 then 3,
            CADSS 12, an SpO2 desaturation alarm, an adverse event, discharged at T0+125.
  <script>  IN 56 mg, only the pre-dose BP, MOAA/S 4 with no baseline, a high-RR alarm and
            overdue-check alarms (neither is respiratory depression), never discharged.
  J.P.      IM 56 mg: not an esketamine record.
  A.N.      screened and ready, no dose.
  L.W.      IN 84 mg on a clinic schedule with its first check at +30 min: no "+40 min" and
            no "before discharge" label, so the nearest and the last checks stand in.
"""

from __future__ import annotations

import html
import subprocess
import sys
from contextlib import closing
from datetime import datetime, timezone

import pytest

from groupkap import ADJUNCT_NOTICE
from groupkap.alarms.engine import AlarmEngine
from groupkap.alarms.limits import default_limits
from groupkap.clock import SimulatedClock
from groupkap.errors import BadInputError
from groupkap.protocol.config import DEFAULT_SCREENING, ProtocolConfig
from groupkap.protocol.esketamine import EsketamineRecord, Finding, monitoring_record, to_html
from groupkap.protocol.room import Protocol
from groupkap.store import Store
from groupkap.store.store import open_read_only

START = datetime(2023, 11, 15, 9, 0, tzinfo=timezone.utc).timestamp()  # 09:00 UTC
MIN = 60.0
EVIL = "<script>x</script>"
ALL_NO = {rule.id: False for rule in DEFAULT_SCREENING}
READY_ITEMS = {"consent_current": True, "fasting_confirmed": True, "ride_home_name": "Sam Lee",
               "ride_home_phone": "+44 20 7946 0000", "intention": "curiosity",
               "touch_consent": False, "music_choice": "silence"}
MANUAL_OK = {"alert_oriented": True, "steady_gait": True, "escort_present": True,
             "instructions_given": True, "no_driving_acknowledged": True}


def at(minutes: float) -> float:
    return START + minutes * MIN


class Room:
    """A session store with one Protocol and one AlarmEngine, both logging into it."""

    def __init__(self, path, config: ProtocolConfig | None = None) -> None:
        self.clock = SimulatedClock(start=START, speed=0)
        self.store = Store.open(path, self.clock)
        self.sid = self.store.start_session(seats=5, source="test")
        self.alarms = AlarmEngine(self.clock, default_limits(), self.sink)
        self.protocol = Protocol(self.clock, self.sink, config, alarms=self.alarms)

    def sink(self, kind, data, pid, actor) -> None:
        self.store.record(self.sid, kind, data, participant_id=pid, actor=actor)

    def until(self, minute: float) -> None:
        self.clock.advance(at(minute) - self.clock.now())

    def add(self, pid: str, alias: str, seat: int) -> None:
        self.store.record(self.sid, "participant.added", {"alias": alias, "seat": seat},
                          participant_id=pid, projections=[(
                              "insert into participants (id, session_id, alias, full_name, "
                              "seat, added_at) values (?, ?, ?, ?, ?, ?)",
                              (pid, self.sid, alias, None, seat, self.clock.now()))])

    def ready(self, pid: str, bp=(122, 78)) -> None:
        self.protocol.complete_screening(pid, ALL_NO, "Dr Reyes")
        self.protocol.confirm_readiness(pid, READY_ITEMS, "nurse Kim")
        self.protocol.record_bp(pid, *bp)

    def cuff(self, pid: str, seat: int, sbp: float, dbp: float) -> None:
        now = self.clock.now()
        self.protocol.observe(pid, seat, "SBP", now, sbp)
        self.protocol.observe(pid, seat, "DBP", now, dbp)

    def readings(self, pid: str, seat: int, param: str, value: float, seconds: int) -> None:
        """One reading a second for `seconds` seconds, to the alarm engine."""
        for _ in range(seconds):
            self.alarms.observe(pid, seat, param, self.clock.now(), value)
            self.clock.advance(1)

    def close(self) -> None:
        self.store.end_session(self.sid)
        self.store.flush()
        self.store.close()


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """(db path, session id): the main session, written once and closed."""
    path = tmp_path_factory.mktemp("esketamine") / "kap.sqlite3"
    room = Room(path)
    p = room.protocol
    for pid, alias, seat in (("p1", "R.S.", 1), ("p2", EVIL, 2), ("p3", "J.P.", 3),
                             ("p4", "A.N.", 4)):
        room.add(pid, alias, seat)
    room.ready("p1")                                               # 09:00 BP 122/78 by hand
    p.record_moaas("p1", 5, "nurse Kim")                          # the pre-dose baseline
    room.ready("p2", bp=(118, 76))
    room.ready("p3")
    room.ready("p4")
    room.until(5)                                                  # 09:05 = T0 of p1
    p.give_dose("p1", route="IN", dose_mg=84, weight_kg=None, lot="SPR-7", given_by="nurse Kim")
    p.give_dose("p3", route="IM", dose_mg=56, weight_kg=70, lot="KT-2291", given_by="Dr Okafor")
    room.until(10)                                                 # 09:10 = T0 of p2
    p.give_dose("p2", route="IN", dose_mg=56, weight_kg=None, lot="SPR-8", given_by="nurse Kim")
    room.until(15)
    p.record_moaas("p2", 4, "nurse Kim")                           # no baseline: below 5
    p.record_cadss("p2", 0, "nurse Kim")
    room.until(25)
    p.record_cadss("p1", 12, "nurse Kim")                          # T0+20
    room.until(30)
    room.readings("p2", 2, "RR", 35, 25)                           # high RR: not depression
    room.until(43)
    room.cuff("p1", 1, 146, 92)                                    # T0+38 fills "+40 min"
    room.until(50)
    p.record_moaas("p1", 3, "nurse Kim")                           # T0+45: sedated
    room.until(55)
    room.readings("p1", 1, "SpO2", 87, 16)                         # T0+50: raised at 09:55:15
    room.readings("p1", 1, "SpO2", 97, 5)
    room.until(60)
    room.cuff("p1", 1, 128, 80)                                    # T0+55, near baseline
    room.until(65)
    p.record_adverse_event("p1", description="nausea, vomited once", severity="mild",
                           intervention="ondansetron 4 mg", outcome="resolved", actor="Dr Reyes")
    for minute in range(66, 131):
        room.until(minute)
        if minute == 95:                                           # T0+90: resolved
            p.record_moaas("p1", 5, "nurse Kim")
            p.record_cadss("p1", 0, "nurse Kim")
        if minute == 123:
            room.cuff("p1", 1, 124, 78)                            # T0+118 "before discharge"
        p.tick(lambda pid: 97.0)                                   # T0+120: ready to leave
    p.sign_discharge("p1", "Dr Reyes", MANUAL_OK, spo2=97.0)       # 11:10 = T0+125
    room.until(140)
    room.close()                                                   # 11:20
    return path, room.sid


@pytest.fixture
def conn(session):
    with closing(open_read_only(session[0])) as c:
        yield c


def record_of(session, who) -> EsketamineRecord:
    with closing(open_read_only(session[0])) as c:
        return monitoring_record(c, session[1], who)


def refused(session, who, *needles) -> str:
    with pytest.raises(BadInputError) as exc:
        record_of(session, who)
    for needle in needles:
        assert needle in str(exc.value), (needle, str(exc.value))
    return str(exc.value)


# -- the record --------------------------------------------------------------------------------
def test_a_complete_esketamine_record_holds_every_field(session):
    r = record_of(session, "R.S.")
    assert (r.session_id, r.alias, r.seat) == (session[1], "R.S.", 1)
    assert (r.route, r.dose_mg, r.lot, r.given_by) == ("IN", 84, "SPR-7", "nurse Kim")
    assert r.t0 == "2023-11-15T09:05:00.000Z"
    assert r.bp_pre_dose == "122/78 at 09:00 UTC (hand)"
    assert r.bp_40_min == "146/92 at 09:43 UTC (monitor)"
    assert r.bp_discharge == "124/78 at 11:03 UTC (monitor)"
    assert r.missing == ()
    assert r.sedation == Finding(True, ("09:50 UTC (T0 +45 min): MOAA/S 3 (baseline 5)",))
    assert r.dissociation == Finding(True, ("09:25 UTC (T0 +20 min): CADSS 12",))
    assert r.respiratory_depression == Finding(True, ("09:55 UTC (T0 +50 min): SpO2 87 < 88 "
                                                      "(high alarm)",))
    assert r.total_monitoring_minutes == 125.0
    assert r.monitoring_end == "discharge signed"
    assert r.ready_to_leave_minute == 120
    assert r.discharged_by == "Dr Reyes"
    assert r.adverse_events == ("10:05 UTC, mild: nausea, vomited once; intervention: "
                                "ondansetron 4 mg; outcome: resolved",)


def test_the_participant_may_be_named_by_id_or_alias_in_any_case(session):
    assert record_of(session, "p1") == record_of(session, "r.s.") == record_of(session, "R.S.")


def test_missing_readings_are_listed_and_other_alarms_are_not_respiratory_depression(session):
    r = record_of(session, EVIL)
    assert r.bp_pre_dose == "118/76 at 09:00 UTC (hand)"
    assert (r.bp_40_min, r.bp_discharge) == (None, None)
    assert r.missing == ("~40 min BP", "discharge BP")
    # no MOAA/S before the dose: a 4 is below the normal 5
    assert r.sedation == Finding(True, ("09:15 UTC (T0 +5 min): MOAA/S 4 (baseline 5)",))
    assert r.dissociation == Finding(False)  # CADSS 0
    # a high RR and the technical "check overdue" alarms were raised, but they do not count
    with closing(open_read_only(session[0])) as c:
        keys = {row[0] for row in c.execute(
            "select json_extract(data, '$.key') from events where kind = 'alarm.raised' "
            "and participant_id = 'p2'")}
    assert keys == {"RR", "CHECK_OVERDUE"}
    assert r.respiratory_depression == Finding(False)
    assert r.total_monitoring_minutes == 130.0  # T0 09:10 to the session end at 11:20
    assert r.monitoring_end == "session ended"
    assert (r.ready_to_leave_minute, r.discharged_by, r.adverse_events) == (None, None, ())


def test_without_labels_the_nearest_check_to_40_min_and_the_last_check_stand_in(tmp_path):
    room = Room(tmp_path / "schedule.sqlite3", ProtocolConfig(first_check_min=30))
    p = room.protocol
    room.add("p5", "L.W.", 5)
    room.ready("p5", bp=(120, 80))
    p.give_dose("p5", route="IN", dose_mg=84, weight_kg=None, lot="SPR-9", given_by="nurse Kim")
    labels = []
    for minute, bp in ((30, (150, 95)), (45, (150, 95)), (60, (148, 94)), (75, (146, 92)),
                       (90, (144, 92)), (105, (140, 92)), (120, (126, 82))):
        room.until(minute)
        labels.append(p.record_bp("p5", *bp).label)
    assert "+40 min" not in labels and "before discharge" not in labels
    p.tick(lambda pid: 98.0)
    p.sign_discharge("p5", "Dr Reyes", MANUAL_OK, spo2=98.0)
    room.close()
    with closing(open_read_only(room.store.path)) as c:
        r = monitoring_record(c, room.sid, "L.W.")
    assert r.bp_40_min == "150/95 at 09:45 UTC (hand)"   # +45 is nearer 40 than +30
    assert r.bp_discharge == "126/82 at 11:00 UTC (hand)"  # the "+120 min" check
    assert r.missing == ()
    assert (r.total_monitoring_minutes, r.ready_to_leave_minute) == (120.0, 120)
    assert r.sedation == r.dissociation == r.respiratory_depression == Finding(False)


# -- refusals ----------------------------------------------------------------------------------
def test_an_im_participant_is_refused_naming_the_route(session):
    refused(session, "J.P.", "esketamine", "IM injection (IM)", "J.P.")


def test_a_participant_without_a_dose_is_refused(session):
    refused(session, "A.N.", "A.N.", "no dose")


def test_an_unknown_participant_is_refused_listing_the_aliases(session):
    message = refused(session, "Z.Z.", "'Z.Z.'", "R.S. (seat 1)", "J.P. (seat 3)",
                      "A.N. (seat 4)")
    assert EVIL in message


def test_an_unknown_session_is_refused(conn):
    with pytest.raises(BadInputError, match="no session 'nope'.*groupkap sessions"):
        monitoring_record(conn, "nope", "R.S.")


# -- the document ------------------------------------------------------------------------------
def test_the_html_document_holds_the_record(session):
    r = record_of(session, "R.S.")
    page = to_html(r, SimulatedClock(start=at(200)))
    assert page.startswith("<!DOCTYPE html>")
    assert "<h1>Esketamine monitoring record</h1>" in page
    for text in (r.t0, "SPR-7", "84 mg", "nurse Kim", r.bp_pre_dose, r.bp_40_min,
                 r.bp_discharge, *r.sedation.times, *r.dissociation.times,
                 *r.respiratory_depression.times, "125 min", "Dr Reyes",
                 "nausea, vomited once", ADJUNCT_NOTICE, "Generated 2023-11-15T12:20:00.000Z"):
        assert html.escape(text) in page, text
    assert "Ready to leave (minute after T0)</th><td>120<" in page
    assert "Missing" not in page
    for column in ("Name", "Date and time", "Meaning", "Signature"):
        assert f"<th>{column}" in page
    assert "http" not in page and "<link" not in page and "<script" not in page  # standalone


def test_the_html_escapes_the_alias_and_shows_what_is_missing(session):
    page = to_html(record_of(session, EVIL), SimulatedClock(start=at(200)))
    assert "<script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "Missing: ~40 min BP, discharge BP." in page
    assert page.count("<em>not recorded</em>") >= 2


# -- command line ------------------------------------------------------------------------------
def groupkap(*args):
    return subprocess.run([sys.executable, "-m", "groupkap.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=60)


def test_the_cli_writes_the_document_and_prints_its_path(session, tmp_path):
    out = tmp_path / "rs.html"
    done = groupkap("esketamine-record", session[1], "R.S.", "--db", session[0], "--out", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert "Esketamine monitoring record" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("who, folder, needle", [
    ("J.P.", None, "esketamine"),
    ("Z.Z.", None, "no participant"),
    ("R.S.", "missing", "folder"),
])
def test_the_cli_refuses_bad_input_in_one_line_and_writes_nothing(session, tmp_path, who,
                                                                   folder, needle):
    out = (tmp_path / folder if folder else tmp_path) / "record.html"
    done = groupkap("esketamine-record", session[1], who, "--db", session[0], "--out", out)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and needle in done.stderr
    assert done.stdout == ""
    assert not out.exists()
