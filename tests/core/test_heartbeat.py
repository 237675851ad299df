"""The heartbeat lives in the core: `open_live_session` builds (or resumes) a session with its
alarm engine and protocol, and `LiveSession.tick()` runs pump, limits file, protocol,
directors, music and alarms in one order, without any widget (a headless recorder runs it
unchanged). Real store file, simulated clock."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import FrozenInstanceError, replace

import pytest

from groupkap.alarms.limits import default_limits
from groupkap.options import RunOptions
from groupkap.readings import Reading
from groupkap.session_start import open_live_session
from groupkap.store import Store

MIN = 60.0


@pytest.fixture
def limits_path(tmp_path, monkeypatch):
    """The clinic's limits file: the defaults, watched for edits."""
    from importlib import resources

    path = tmp_path / "alarm_limits.toml"
    path.write_text(
        resources.files("groupkap.alarms")
        .joinpath("default_limits.toml")
        .read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    monkeypatch.setenv("GROUPKAP_ALARM_LIMITS", str(path))
    return path


def open_room(store, clock, settings, source, **options):
    return open_live_session(
        RunOptions(seats=4, plan={1: "M.K.", 3: "A.R."}, **options),
        store=store,
        clock=clock,
        settings=settings,
        make_source=lambda seats, start: source,
    )


def cuff(live, seat: int, sbp: float, dbp: float) -> None:
    """One monitor cuff reading, filed the way the pump files the source's readings."""
    rows: list[tuple] = []
    for param, value in (("SBP", sbp), ("DBP", dbp)):
        live._file_reading(Reading(seat, param, live.clock.now(), value, "steady"), rows)
    live.store.add_vitals(rows)


class Recorder:
    """A director that notes the order it was called in, against the others."""

    def __init__(self, calls: list, name: str) -> None:
        self.calls, self.name = calls, name

    def tick(self) -> None:
        self.calls.append(self.name)


def test_a_session_opens_with_its_alarm_engine_protocol_and_limits_applied(
    store, clock, settings, source, limits_path
):
    live = open_room(store, clock, settings, source)
    assert [p.alias for _, p in live.room.by_seat() if p] == ["M.K.", "A.R."]
    assert live.alarms is not None and live.protocol is not None
    assert live.protocol.config is settings.protocol
    assert live.limits_file is not None and live.limits_file.path == limits_path
    store.flush()
    with closing(store.reader()) as conn:
        kinds = [r[0] for r in conn.execute("select kind from events order by seq")]
    assert kinds == ["session.started", "participant.added", "participant.added", "limits.applied"]


def test_tick_runs_every_part_in_order_and_returns_the_sounds(
    store, clock, settings, source, limits_path
):
    live = open_room(store, clock, settings, source)
    calls: list[str] = []
    live.directors += [Recorder(calls, "team"), Recorder(calls, "circle")]
    pid = live.room.on_seat(1).id
    clock.advance(5)
    first = live.tick()
    assert calls == ["team", "circle"] and first.until == clock.now()
    assert first.cues == [] and first.problems == []
    live.alarms.raise_technical(pid, "CHECK_OVERDUE", "medium", "BP check overdue", seat=1)
    clock.advance(1)
    assert [c.priority for c in live.tick().cues] == ["medium"]


def test_a_refused_limits_file_is_a_problem_of_the_tick_and_the_limits_stay(
    store, clock, settings, source, limits_path
):
    live = open_room(store, clock, settings, source)
    limits_path.write_text('[SpO2]\nmedium = "< 200"\n', encoding="utf-8")
    problems = []
    for _ in range(20):  # the file is looked at every 20 ticks (2 s in the window)
        clock.advance(0.1)
        problems += live.tick().problems
    assert len(problems) == 1 and str(limits_path) in problems[0]
    assert live.alarms.limits.get("SpO2") == default_limits().get("SpO2")


def test_a_resumed_session_comes_back_with_its_protocol_and_participant_limits(
    store, clock, settings, source, db_path, limits_path
):
    live = open_room(store, clock, settings, source)
    pid = live.room.on_seat(3).id
    live.protocol.record_moaas(pid, 1, "RN Kim")
    assert live.alarms.top_for(pid).key == "MOAA/S"
    store.close()
    with closing(sqlite3.connect(db_path)) as conn, conn:  # the process dies
        conn.execute("update sessions set pid = ? where id = ?", (2**22 + 4242, live.id))

    again = Store.open(db_path, clock)
    try:
        back = open_room(again, clock, settings, type(source)(clock.now()), resume=live.id)
        assert back.id == live.id and back.room.on_seat(3).id == pid
        assert [e.value for e in back.protocol.of(pid).scores] == [1]
        assert back.alarms.top_for(pid).text == "MOAA/S 1 <= 2"  # raised again
        again.flush()
        with closing(again.reader()) as conn:
            kinds = [r[0] for r in conn.execute("select kind from events order by seq")]
        assert kinds[-4:] == [
            "session.interrupted",
            "session.resumed",
            "limits.applied",
            "alarm.raised",
        ]
    finally:
        again.close()


def test_run_options_cannot_be_changed_on_their_way(tmp_path):
    options = RunOptions(seats=3, plan={1: "M.K."})
    with pytest.raises(FrozenInstanceError):
        options.seats = 4
    with pytest.raises(TypeError):
        options.plan[2] = "A.R."
    assert replace(options, offscreen=True).plan == {1: "M.K."}
    assert json.dumps(dict(options.plan)) == '{"1": "M.K."}'


def test_a_resumed_protocol_reads_the_newest_cuff_reading_even_outside_a_check(
    store, clock, settings, source, db_path, limits_path
):
    """A high cuff reading between checks must still hold "BP back near baseline" after a
    restart, as it did before it."""
    from groupkap.protocol.config import DEFAULT_SCREENING

    live = open_room(store, clock, settings, source)
    pid = live.room.on_seat(1).id
    protocol = live.protocol
    protocol.complete_screening(pid, {r.id: False for r in DEFAULT_SCREENING}, "Dr Reyes")
    protocol.confirm_readiness(
        pid,
        {
            "consent_current": True,
            "fasting_confirmed": True,
            "ride_home_name": "Sam",
            "ride_home_phone": "555",
            "intention": "rest",
            "touch_consent": False,
            "music_choice": "silence",
        },
        "RN Kim",
    )
    live.enter_reading(pid, {"SBP": 120, "DBP": 78}, "RN Kim")
    protocol.give_dose(pid, route="IM", dose_mg=40, weight_kg=70, lot="L1", given_by="Dr O")
    t0 = clock.now()
    for minute, (sbp, dbp) in ((55, (122, 80)), (70, (176, 104))):  # +70 is in no window
        clock.advance(t0 + minute * MIN - clock.now())
        cuff(live, 1, sbp, dbp)
    before = protocol.of(pid).clinical_criteria(clock.now(), None)
    store.close()
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("update sessions set pid = ? where id = ?", (2**22 + 777, live.id))
    again = Store.open(db_path, clock)
    try:
        back = open_room(again, clock, settings, type(source)(clock.now()), resume=live.id)
        after = back.protocol.of(pid).clinical_criteria(clock.now(), None)
        assert after == before
        assert not next(ok for text, ok in after.items() if text.startswith("BP back"))
    finally:
        again.close()
