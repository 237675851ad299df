"""A recorded session for the review tests: a real `LiveSession` on the simulated clock.

Four seats of the simulator's `demo` scenario (seat 1 a BP rise, seat 2 a desaturation,
seat 3 a tachycardia), the demo team walking the protocol (screening, readiness, doses at
each seat's T0, MOAA/S and CADSS, discharge when ready), silent music players following
each T0, and the demo's closing circle. On top of that a few scripted moments a lead must
be able to find again:

  start +3 min    the tachycardia alarm of seat 3 is acknowledged by RN B. Demo (after 20 s),
                  and reset once latched at +8 min (seat 2's desaturation is never answered)
  start +6 min    a hand SpO2 of 80 for seat 1, struck at once as a typo (must not count)
  start +7 min    a hand BP 190/110 for seat 1, corrected to 128/82 (190 must not count)
  start +20 min   music: seat 1 skipped, seat 2 ducked, seat 3 volume down
  start +25 min   a note and an adverse event (nausea) for seat 2, resolved at +40 min
  start +30 min   the room's alarm sound paused for 2 min
  T0 +100 min     seat 4 leaves early, undischarged (compliance: discharge not signed)

Ended normally after 150 simulated minutes. The same file every run (fixed start, seed).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from groupkap.clock import SimulatedClock
from groupkap.demo.circle_director import DemoCircleDirector
from groupkap.demo.plan import demo_plan
from groupkap.demo.protocol_team import TEAM, DemoProtocolDirector
from groupkap.music.library import Playlist, Track
from groupkap.music.room_music import build_room_music
from groupkap.options import RunOptions
from groupkap.session import LiveSession
from groupkap.session_start import open_live_session
from groupkap.settings import Settings
from groupkap.sources.simulator import Simulator
from groupkap.store import Store

START = 1_741_078_800.0  # 2025-03-04T09:00:00Z
MINUTES = 150
STEP_S = 2.0
SEATS = 4
TITLE = "review fixture"
NURSE = TEAM["nurse"]


def _library() -> dict[str, Playlist]:
    """The demo library's phase lists, with pieces that exist only on the simulated clock
    (silent players never open the files)."""

    def playlist(name: str, *pieces: tuple[str, float]) -> Playlist:
        return Playlist(
            name, [Track(Path(f"/fixture/{title}.wav"), title, "", s) for title, s in pieces]
        )

    return {
        "calm": playlist("calm", ("Still Water", 240), ("Morning Fog", 200)),
        "rising": playlist("rising", ("Open Sky", 300)),
        "peak": playlist("peak", ("Wide Field", 420), ("Deep Blue", 360)),
        "return": playlist("return", ("Home Shore", 300), ("Evening", 280)),
    }


class _Script:
    """The scripted moments of the module docstring, each done once when its time comes."""

    def __init__(self, live: LiveSession, start: float) -> None:
        self.live, self.start = live, start
        self.done: set[str] = set()
        self.seat = {p.seat: p.id for p in live.room.participants.values()}

    def _once(self, name: str, minute: float) -> bool:
        if name in self.done or self.live.clock.now() < self.start + minute * 60:
            return False
        self.done.add(name)
        return True

    def tick(self) -> None:
        live, now = self.live, self.live.clock.now()
        alarms = live.alarms
        tachy = alarms.alarms.get(f"{self.seat[3]}:HR")
        if tachy is not None and not tachy.acknowledged and "ack" not in self.done:
            if now - tachy.raised_at >= 20:
                self.done.add("ack")
                alarms.acknowledge(tachy.id, NURSE)
        if self._once("reset", 8) and tachy is not None and tachy.latched:
            alarms.reset(tachy.id, NURSE)
        if live.circle is not None and live.circle.phase != "ended":
            live.circle.tick()  # the circle view's timer does this in the window
        if self._once("typo", 6):
            entry = live.enter_reading(self.seat[1], {"SpO2": 80}, NURSE)
            live.strike_entry(self.seat[1], entry, "typo: meant 98", NURSE)
        if self._once("correction", 7):
            entry = live.enter_reading(self.seat[1], {"SBP": 190, "DBP": 110}, NURSE)
            live.enter_reading(
                self.seat[1], {"SBP": 128, "DBP": 82}, NURSE, corrects=entry, reason="misread"
            )
        if self._once("music", 20) and live.music is not None:
            live.music.skip(self.seat[1], NURSE)
            live.music.duck(self.seat[2], NURSE)
            live.music.volume_step(self.seat[3], -10, NURSE)
        if self._once("note", 25):
            live.protocol.add_note(self.seat[2], "asked for a blanket", NURSE)
            self.nausea = live.protocol.record_adverse_event(
                self.seat[2],
                description="nausea",
                severity="mild",
                intervention="ondansetron 4 mg",
                outcome="settled",
                actor=NURSE,
            )
        if self._once("resolved", 40):
            live.protocol.resolve_adverse_event(
                self.seat[2], self.nausea["event_id"], outcome="settled", actor=NURSE
            )
        if self._once("pause", 30):
            alarms.pause_audio(NURSE, duration_s=120)
        four = self.seat[4]
        t0 = live.protocol.of(four).t0 if four in live.room.participants else None
        if t0 is not None and now >= t0 + 100 * 60 and "leave" not in self.done:
            self.done.add("leave")
            live.remove_participant(four, "left early against advice")


def record_fixture_session(db_path: Path | str) -> str:
    """Record the fixture session into a new database at `db_path`; returns its id."""
    clock = SimulatedClock(start=START, speed=0)
    settings = Settings()
    store = Store.open(Path(db_path), clock)
    try:
        live = open_live_session(
            RunOptions(seats=SEATS, scenario="demo", speed=0, plan=demo_plan(SEATS), title=TITLE),
            store=store,
            clock=clock,
            settings=settings,
            make_source=lambda seats, start: Simulator(
                seats, start, seed=7, scenario="demo", nibp_interval_s=settings.nibp_interval_s
            ),
        )
        team = DemoProtocolDirector(live, live.protocol, live.source.dose_time)
        team.start()
        end_at = START + MINUTES * 60
        live.directors += [
            team,
            DemoCircleDirector(live, end_at, MINUTES),
            _Script(live, START),
        ]
        empty = Path(db_path).with_name("no-playlists")  # no clinic playlists: the library's
        live.music, problem = build_room_music(
            live, live.protocol, settings, 0, _library(), playlists=empty
        )
        assert live.music is not None, problem
        while clock.now() < end_at:
            clock.advance(STEP_S)
            live.tick()
        live.end()
        return live.id
    finally:
        store.close()


def copy_db(path: Path, folder: Path) -> Path:
    """A copy of the database at `path` (with its anchor file) in `folder`, for a test that
    writes to it or tampers with it; returns the copy's path."""
    copy = Path(folder) / Path(path).name
    for source in Path(path).parent.glob(Path(path).name + "*"):
        if not source.name.endswith("-shm"):
            shutil.copy2(source, Path(folder) / source.name)
    return copy


class HandLog:
    """A small session written event by event through the real Store, as a live session
    would write it: for rules tested at their exact edges (compliance windows, alarm
    episodes), where a simulated room would never land on the edge.

    Attributes:
        path, clock, store: the file, its simulated clock and the open store.
        sid: the session's id.
    """

    def __init__(self, path: Path | str, start: float = START, seats: int = 4) -> None:
        self.path = Path(path)
        self.start = start
        self.clock = SimulatedClock(start=start, speed=0)
        self.store = Store.open(self.path, self.clock)
        self.sid = self.store.start_session(seats=seats, source="test", title="hand log")

    def at(self, minute: float) -> float:
        return self.start + minute * 60

    def _to(self, minute: float) -> None:
        self.clock.advance(max(0.0, self.at(minute) - self.clock.now()))

    def event(
        self, minute: float, kind: str, data: dict, pid: str | None = None, actor: str = NURSE
    ) -> None:
        self._to(minute)
        self.store.record(self.sid, kind, data, participant_id=pid, actor=actor).result(10)

    def add(self, pid: str, alias: str, seat: int, minute: float = 0.0) -> str:
        from groupkap.store.projections import participant_projection

        self._to(minute)
        data = {"alias": alias, "seat": seat, "full_name": "Full Name Withheld"}
        self.store.record(
            self.sid,
            "participant.added",
            data,
            participant_id=pid,
            actor="facilitator",
            projections=participant_projection(
                self.sid, "participant.added", data, pid, self.clock.now()
            ),
        ).result(10)
        return pid

    def vital(
        self, pid: str, param: str, minute: float, value: float, source: str = "sim", seat: int = 1
    ) -> None:
        self.store.add_vitals(
            [(self.sid, pid, seat, f"seat{seat}", param, self.at(minute), value, "", source)]
        )

    def cuff(self, pid: str, minute: float, sbp: float, dbp: float) -> None:
        """A monitor cuff reading: the SBP and, a moment later, the DBP row."""
        self.vital(pid, "SBP", minute, sbp)
        self.vital(pid, "DBP", minute + 0.3 / 60, dbp)

    def dose(self, pid: str, minute: float, route: str = "IM", **extra) -> None:
        data = {
            "route": route,
            "dose_mg": 84.0 if route == "IN" else 50.0,
            "t0": self.at(minute),
            "pre_dose_bp": [124, 80],
            "override": None,
            "given_by": NURSE,
            **extra,
        }
        self.event(minute, "dose.given", data, pid)

    def discharge(self, pid: str, minute: float, by: str = "Dr Lead") -> None:
        self.event(minute, "discharge.signed", {"signed_by": by, "meaning": "approval"}, pid, by)

    def alarm(
        self,
        minute: float,
        kind: str,
        pid: str,
        key: str,
        priority: str,
        actor: str = "system",
        **extra,
    ) -> None:
        """One alarm transition of `pid`'s `key` alarm, as the engine logs it."""
        data = {
            "alarm_id": f"{pid}:{key}",
            "seat": 1,
            "key": key,
            "priority": priority,
            "text": f"{key} alarm",
            "value": 1.0,
            "limit": "< 2",
            "technical": False,
            **extra,
        }
        self.event(minute, kind, data, pid, actor)

    def close(self, end_minute: float | None = None) -> Path:
        """End the session at `end_minute` (None: leave it open, as a crash would) and close."""
        if end_minute is not None:
            self._to(end_minute)
            self.store.end_session(self.sid)
        self.store.flush()
        self.store.close()
        return self.path
