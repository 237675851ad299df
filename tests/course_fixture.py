"""A recorded course for the course tests: ONE person through THREE sessions, each a real
`LiveSession` on the simulated clock, a week apart, in one database.

The person (M.K., born 1980) is registered once and sits on seat 1 of a three-seat room of
the simulator's `demo` scenario (seat 1 is its BP rise); two others, not registered as
people, sit on seats 2 and 3. In every session the demo team walks the protocol (screening,
readiness, the dose at each seat's T0, MOAA/S and CADSS, BP checks, discharge when ready),
silent music players follow each T0, the demo's closing circle is held, and a PHQ-9 is
scored at the start:

  session 1   PHQ-9 18 with item 9 positive; nausea (mild) at +25 min, settled at +40;
              feedback afterwards: the music was distracting,
              liked 2 of 10, avoid "Open Sky", anxious at the peak, nausea
  session 2   PHQ-9 10; at +30 min a hand BP 190/110 struck as a typo and a hand SpO2 of 91;
              feedback afterwards: the music was distracting, avoid "Wide Field";
              the team adds a comfort item (blanket and eye mask) to the plan
  session 3   PHQ-9 5; prepared from the plan carried after session 2 (`plan_before_third`)

The same file every run (fixed starts and seeds).
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from review_fixture import NURSE, _library  # the same team and music library

from groupkap.clock import SimulatedClock
from groupkap.course import (
    Adjustment,
    CarriedPlan,
    Feedback,
    People,
    adjust_plan,
    carried_plan,
    record_feedback,
)
from groupkap.demo.circle_director import DemoCircleDirector
from groupkap.demo.protocol_team import DemoProtocolDirector
from groupkap.music.room_music import build_room_music
from groupkap.options import RunOptions
from groupkap.session_start import open_live_session
from groupkap.settings import Settings
from groupkap.sources.simulator import Simulator
from groupkap.store import Store

START = 1_741_078_800.0  # 2025-03-04T09:00:00Z
WEEK_S = 7 * 86_400
MINUTES = 150
STEP_S = 2.0
SEATS = 3
ALIAS, BIRTH_YEAR = "M.K.", 1980
OTHERS = {2: "A.R.", 3: "J.L."}
PHQ9 = (
    (3, 2, 2, 2, 2, 2, 2, 2, 1),  # 18, moderately severe, item 9 positive
    (2, 2, 1, 1, 1, 1, 1, 1, 0),  # 10, moderate
    (1, 1, 1, 1, 0, 1, 0, 0, 0),  # 5, mild
)
FEEDBACK = (
    Feedback(
        liking=2,
        resonance=3,
        openness=5,
        music_distracting=True,
        avoid_pieces=("Open Sky",),
        anxiety=("peak",),
        physical=("nausea",),
        helped="slow breathing with the nurse",
        free_text="care team only: spoke about her brother",
    ),
    Feedback(
        liking=4, resonance=4, openness=6, music_distracting=True, avoid_pieces=("Wide Field",)
    ),
)
COMFORT = Adjustment("comfort", "blanket and eye mask ready at the chair")


@dataclass(frozen=True)
class RecordedCourse:
    """What the fixture recorded.

    Attributes:
        path: the database.
        person_id: the person's id.
        session_ids, participant_ids: the three sessions and the person's participant in
            each, oldest first.
        plan_before_third: the plan carried to session 3, read while preparing it.
    """

    path: Path
    person_id: str
    session_ids: tuple[str, ...]
    participant_ids: tuple[str, ...]
    plan_before_third: CarriedPlan


class _Nausea:
    """Session 1's adverse event: nausea at +25 min, settled by +40 min."""

    def __init__(self, live, pid: str, start: float) -> None:
        self.live, self.pid, self.start, self.event = live, pid, start, None

    def tick(self) -> None:
        now, protocol = self.live.clock.now(), self.live.protocol
        if self.event is None and now >= self.start + 25 * 60:
            self.event = protocol.record_adverse_event(
                self.pid,
                description="nausea",
                severity="mild",
                intervention="ondansetron 4 mg",
                outcome="settled",
                actor=NURSE,
            )
        elif self.event is not None and now >= self.start + 40 * 60 and not self.event.get("done"):
            protocol.resolve_adverse_event(
                self.pid, self.event["event_id"], outcome="settled", actor=NURSE
            )
            self.event = {**self.event, "done": True}


class _HandValues:
    """Session 2's values taken by hand at +30 min: a BP of 190/110 struck at once as a typo
    (it must not count) and a finger-oximeter SpO2 of 91 (it counts)."""

    def __init__(self, live, pid: str, start: float) -> None:
        self.live, self.pid, self.start, self.done = live, pid, start, False

    def tick(self) -> None:
        if self.done or self.live.clock.now() < self.start + 30 * 60:
            return
        self.done = True
        typo = self.live.enter_reading(self.pid, {"SBP": 190, "DBP": 110}, NURSE)
        self.live.strike_entry(self.pid, typo, "typo: meant 130/80", NURSE)
        self.live.enter_reading(self.pid, {"SpO2": 91}, NURSE)


def _session(store: Store, clock: SimulatedClock, person_id: str, n: int) -> tuple[str, str]:
    """Record session `n` (0-based) from the clock's now; (session id, participant id)."""
    settings = Settings()
    start = clock.now()
    live = open_live_session(
        RunOptions(seats=SEATS, scenario="demo", speed=0, plan=OTHERS, title=f"course {n + 1}"),
        store=store,
        clock=clock,
        settings=settings,
        make_source=lambda seats, at: Simulator(
            seats, at, seed=7 + n, scenario="demo", nibp_interval_s=settings.nibp_interval_s
        ),
    )
    me = live.add_participant(ALIAS, 1, person_id=person_id)
    live.protocol.record_scale(me.id, "PHQ-9", list(PHQ9[n]), NURSE)
    if n == 0:
        live.directors.append(_Nausea(live, me.id, start))
    if n == 1:
        live.directors.append(_HandValues(live, me.id, start))
    team = DemoProtocolDirector(live, live.protocol, live.source.dose_time)
    team.start()
    end_at = start + MINUTES * 60
    live.directors += [team, DemoCircleDirector(live, end_at, MINUTES)]
    empty = store.path.with_name("no-playlists")  # no clinic playlists: the library's
    live.music, problem = build_room_music(
        live, live.protocol, settings, 0, _library(), playlists=empty
    )
    assert live.music is not None, problem
    while clock.now() < end_at:
        clock.advance(STEP_S)
        live.tick()
        if live.circle is not None and live.circle.phase != "ended":
            live.circle.tick()  # the circle view's timer does this in the window
    live.end()
    return live.id, me.id


def record_course(db_path: Path | str) -> RecordedCourse:
    """Record the fixture course into a new database at `db_path`."""
    clock = SimulatedClock(start=START, speed=0)
    store = Store.open(Path(db_path), clock)
    try:
        person = People(store, clock).register(ALIAS, BIRTH_YEAR, by=None)
        sessions, participants = [], []
        plan = None
        for n in range(3):
            clock.advance(max(0.0, START + n * WEEK_S - clock.now()))
            if n == 2:
                with closing(store.reader()) as conn:
                    plan = carried_plan(conn, person.id)
            sid, pid = _session(store, clock, person.id, n)
            sessions.append(sid)
            participants.append(pid)
            clock.advance(10 * 60)  # the form is filled a few minutes after the session
            if n < len(FEEDBACK):
                record_feedback(store, sid, pid, FEEDBACK[n], by=None, clock=clock)
            if n == 1:
                adjust_plan(
                    store,
                    person.id,
                    [COMFORT],
                    after_session=sid,
                    source="team",
                    by=None,
                    clock=clock,
                )
        store.flush()
        return RecordedCourse(Path(db_path), person.id, tuple(sessions), tuple(participants), plan)
    finally:
        store.close()
