"""The sharing circle on a simulated clock: fair shares, passes, the guardian bell, overtime,
cues, fairness figures, refusals, and a log that holds timing but never what was said."""

from __future__ import annotations

import pytest

from groupkap.circle.circle import (
    CHIME,
    CLOSING,
    COMPLETED,
    ENDED,
    ENDED_EARLY,
    OPENING,
    PREWARNING,
    TIME_UP,
    TURNS,
    Circle,
    Speaker,
)
from groupkap.circle.stats import Turn, fairness, gini
from groupkap.errors import BadInputError
from groupkap.events import EVENT_KINDS

EIGHT = [(f"p{i}", f"A{i}", i) for i in range(1, 9)]
PROMPTS = ["check-in", "insight", "intention"]


class Log(list):
    """The circle's event sink: (kind, data, participant_id, actor) in order."""

    def __call__(self, kind, data, pid, actor):
        assert kind in EVENT_KINDS, kind
        self.append((kind, data, pid, actor))

    def kinds(self, prefix="circle."):
        return [k for k, *_ in self if k.startswith(prefix)]

    def of(self, kind):
        return [(data, pid) for k, data, pid, _ in self if k == kind]


@pytest.fixture
def log():
    return Log()


def make(clock, log, speakers=EIGHT, **kw):
    kw = {
        "total_s": 60 * 60,
        "opening_s": 5 * 60,
        "closing_s": 7 * 60,
        "rounds": 1,
        "record": log,
        **kw,
    }
    return Circle(clock, speakers, **kw)


def started(clock, log, **kw):
    """A circle through its opening (on time), with the first speaker holding the piece."""
    circle = make(clock, log, **kw)
    circle.start()
    clock.advance(circle.opening_s)
    circle.begin_turns()
    return circle


def run(circle, clock, seconds, step=1.0):
    """Let `seconds` pass a second at a time, ticking; returns the cues in order."""
    cues, whole = [], int(seconds / step)
    for _ in range(whole):
        clock.advance(step)
        cues += circle.tick()
    if seconds - whole * step > 0:
        clock.advance(seconds - whole * step)
        cues += circle.tick()
    return cues


def speak(circle, clock, seconds):
    cues = run(circle, clock, seconds)
    circle.next()
    return cues


# -- the whole circle ----------------------------------------------------------------------
def test_three_rounds_for_eight_people_end_to_end(clock, log):
    circle = make(clock, log, total_s=90 * 60, rounds=3, prompts=PROMPTS)
    assert circle.phase == "ready" and circle.turns_remaining == 24
    circle.start()
    assert circle.phase == OPENING and circle.remaining_s == 5 * 60
    clock.advance(5 * 60)
    circle.begin_turns()
    seen = []
    while circle.phase == TURNS:
        seen.append((circle.round, circle.prompt, circle.current.participant_id))
        assert circle.fair_share_s > 0
        speak(circle, clock, circle.fair_share_s - 10)  # everyone a little early
    assert [r for r, *_ in seen] == [1] * 8 + [2] * 8 + [3] * 8
    assert [p for _, p, _ in seen] == ["check-in"] * 8 + ["insight"] * 8 + ["intention"] * 8
    assert [pid for *_, pid in seen] == [p for p, *_ in EIGHT] * 3
    assert circle.phase == CLOSING and circle.current is None
    run(circle, clock, 7 * 60 - 1)
    assert circle.phase == CLOSING
    run(circle, clock, 1)
    assert circle.phase == ENDED
    assert log.kinds() == (
        ["circle.started"] + ["circle.turn_started", "circle.turn_ended"] * 24 + ["circle.ended"]
    )
    ended, _ = log.of("circle.ended")[0]
    assert ended["reason"] == COMPLETED and ended["rounds_begun"] == 3
    people = ended["fairness"]["people"]
    assert sorted(people) == [p for p, *_ in EIGHT]
    assert all(p["turns"] == 3 and p["passes"] == 0 for p in people.values())
    assert 0 <= ended["fairness"]["gini"] < 0.05
    assert circle.stats.people["p1"].turns == 3
    assert log[-1][3] == "system"  # it ended by itself


def test_clockwise_from_a_chosen_seat(clock, log):
    circle = started(clock, log, start_seat=6)
    assert [s.seat for s in circle.speakers] == [6, 7, 8, 1, 2, 3, 4, 5]
    assert circle.current.seat == 6 and circle.upcoming[0].seat == 7


def test_shuffled_order_is_deterministic_for_a_seed(clock, log):
    a = make(clock, log, order="shuffled", seed=7).speakers
    b = make(clock, Log(), order="shuffled", seed=7).speakers
    c = make(clock, Log(), order="shuffled", seed=8).speakers
    assert a == b and sorted(a, key=lambda s: s.seat) == [Speaker(*s) for s in EIGHT]
    assert a != c
    circle = make(clock, log, order="shuffled", seed=7)
    circle.start()
    assert log.of("circle.started")[0][0]["seed"] == 7


# -- fair shares ------------------------------------------------------------------------------
def test_fair_share_recomputed_after_early_finish_and_overtime(clock, log):
    circle = make(clock, log)  # 60 min − 5 − 7 = 48 min for 8 turns
    assert circle.fair_share_s == pytest.approx(48 * 60 / 8)
    assert circle.pool_s == 48 * 60
    circle.start()
    clock.advance(5 * 60)
    circle.begin_turns()
    assert circle.fair_share_s == pytest.approx(360)
    speak(circle, clock, 240)  # 2 min early: 48 − 4 = 44 min for 7
    assert circle.fair_share_s == pytest.approx(44 * 60 / 7)
    assert circle.fair_share_s > 360
    bigger = circle.fair_share_s
    speak(circle, clock, bigger + 120)  # 2 min over: smaller for the 6 after
    assert circle.fair_share_s == pytest.approx((44 * 60 - bigger - 120) / 6)
    assert circle.fair_share_s < bigger
    shares = [d["fair_share_s"] for d, _ in log.of("circle.turn_started")]
    assert shares == [360.0, round(bigger, 1), round(circle.fair_share_s, 1)]
    ended = log.of("circle.turn_ended")
    assert [d["early"] for d, _ in ended] == [True, False]
    assert ended[1][0]["overtime_s"] == 120.0


def test_a_long_opening_shortens_the_turns(clock, log):
    circle = make(clock, log)
    circle.start()
    clock.advance(9 * 60)  # 4 min over the opening
    circle.begin_turns()
    assert circle.fair_share_s == pytest.approx(44 * 60 / 8)


# -- pass and return -------------------------------------------------------------------------
def test_pass_goes_to_the_end_and_a_second_pass_is_done_for_the_round(clock, log):
    circle = started(clock, log, speakers=EIGHT[:4], rounds=2)
    run(circle, clock, 5)
    circle.pass_turn()  # p1 passes
    assert circle.current.participant_id == "p2"
    assert [s.participant_id for s in circle.upcoming] == ["p3", "p4", "p1"]
    for _ in range(3):
        speak(circle, clock, 60)
    assert circle.current.participant_id == "p1" and circle.round == 1
    assert log.of("circle.turn_started")[-1][0]["second_chance"] is True
    circle.pass_turn()  # passes again: done for round 1
    assert circle.round == 2 and circle.current.participant_id == "p1"
    passed = log.of("circle.passed")
    assert [(d["done_for_round"], pid) for d, pid in passed] == [(False, "p1"), (True, "p1")]
    assert passed[0][0]["duration_s"] == 5.0
    circle.end()
    people = circle.stats.people
    assert people["p1"].passes == 2 and people["p1"].spoken_s == 0
    assert people["p2"].spoken_s == 60 and people["p2"].share == pytest.approx(1 / 3)


def test_everyone_passing_twice_ends_the_turns(clock, log):
    circle = started(clock, log, speakers=EIGHT[:2])
    for _ in range(4):
        circle.pass_turn()
    assert circle.phase == CLOSING
    assert len(log.of("circle.passed")) == 4


def test_skip_and_move_reorder_the_upcoming_speakers(clock, log):
    circle = started(clock, log, speakers=EIGHT[:5])
    circle.move("p5", 0)
    assert [s.participant_id for s in circle.upcoming] == ["p5", "p2", "p3", "p4"]
    circle.skip("p3")
    assert [s.participant_id for s in circle.upcoming] == ["p5", "p2", "p4"]
    speak(circle, clock, 30)
    assert circle.current.participant_id == "p5"
    with pytest.raises(BadInputError, match="speaking now"):
        circle.skip("p5")
    with pytest.raises(BadInputError, match="not waiting"):
        circle.skip("p3")
    with pytest.raises(BadInputError, match="not in this circle"):
        circle.move("p99", 0)
    with pytest.raises(BadInputError, match="position must be 0 to 1"):
        circle.move("p4", 2)
    assert [s.participant_id for s in circle.upcoming] == ["p2", "p4"]
    circle.end()
    assert circle.stats.people["p3"].skips == 1


# -- the guardian bell --------------------------------------------------------------------
def test_pause_freezes_every_clock_and_resume_continues(clock, log):
    circle = started(clock, log)
    run(circle, clock, 100)
    before = (circle.remaining_s, circle.pool_s, circle.elapsed_s, circle.fair_share_s)
    circle.pause("tears")
    assert circle.paused
    assert run(circle, clock, 5 * 60) == []
    assert (circle.remaining_s, circle.pool_s, circle.elapsed_s, circle.fair_share_s) == before
    with pytest.raises(BadInputError, match="the circle is paused; resume first"):
        circle.next()
    with pytest.raises(BadInputError, match="paused; resume first"):
        circle.pass_turn()
    assert circle.current.participant_id == "p1" and circle.paused
    circle.resume()
    assert not circle.paused
    run(circle, clock, 10)
    assert circle.remaining_s == pytest.approx(before[0] - 10)
    assert circle.elapsed_s == pytest.approx(before[2] + 10)
    speak(circle, clock, 0)
    assert log.of("circle.turn_ended")[0][0]["duration_s"] == 110.0
    assert log.of("circle.paused")[0][0] == {"phase": TURNS, "reason": "tears"}
    assert log.of("circle.resumed")[0][0] == {"paused_s": 300.0}
    with pytest.raises(BadInputError, match="not paused"):
        circle.resume()


def test_pause_without_a_reason_logs_none(clock, log):
    circle = started(clock, log)
    circle.pause()
    assert log.of("circle.paused")[0][0] == {"phase": TURNS}
    with pytest.raises(BadInputError, match="paused"):
        circle.pause()


# -- overtime, cues, extensions -----------------------------------------------------------
def test_overtime_is_counted_and_never_cut_off(clock, log):
    circle = started(clock, log)  # 360 s each
    cues = run(circle, clock, 360 + 200)
    assert circle.current.participant_id == "p1" and circle.phase == TURNS
    assert circle.remaining_s == pytest.approx(-200) and circle.overtime_s == pytest.approx(200)
    assert cues == [PREWARNING, CHIME]
    circle.next()
    assert log.of("circle.turn_ended")[0][0]["overtime_s"] == 200.0


def test_prewarning_once_at_30_s_and_chime_once_at_the_limit(clock, log):
    circle = started(clock, log)
    assert run(circle, clock, 329) == []
    assert run(circle, clock, 1) == [PREWARNING]
    assert circle.remaining_s == pytest.approx(30)
    assert run(circle, clock, 29) == []
    assert run(circle, clock, 1) == [CHIME]
    assert run(circle, clock, 300) == []
    speak(circle, clock, 0)
    assert run(circle, clock, 400)[:2] == [PREWARNING, CHIME]  # the next turn has its own


def test_no_prewarning_when_set_to_zero(clock, log):
    circle = started(clock, log, prewarning_s=0)
    assert run(circle, clock, 400) == [CHIME]


def test_extend_adds_a_minute_and_refuses_nonsense(clock, log):
    circle = started(clock, log)
    run(circle, clock, 100)
    before = circle.remaining_s
    circle.extend()
    assert circle.remaining_s == pytest.approx(before + 60)
    for bad in (-1, 0, float("nan"), 11, "1"):
        with pytest.raises(BadInputError, match="extension"):
            circle.extend(bad)
    assert circle.remaining_s == pytest.approx(before + 60)
    assert len(log.of("circle.extended")) == 1
    assert log.of("circle.extended")[0] == (
        {"round": 1, "added_s": 60, "extended_s": 60, "allowance_s": 420.0},
        "p1",
    )
    assert run(circle, clock, 400) == [PREWARNING, CHIME]
    circle.next()
    assert log.of("circle.turn_ended")[0][0]["overtime_s"] == 80.0


def test_extend_after_the_chime_sets_a_new_limit(clock, log):
    circle = started(clock, log)
    assert run(circle, clock, 370) == [PREWARNING, CHIME]
    circle.extend(2)
    assert circle.remaining_s == pytest.approx(110)
    assert run(circle, clock, 120) == [PREWARNING, CHIME]


# -- time up and the end ---------------------------------------------------------------------
def test_time_up_ends_the_turns_and_goes_to_closing(clock, log):
    circle = started(clock, log, speakers=EIGHT[:4])  # 48 min for 4: 12 min each
    speak(circle, clock, 30 * 60)
    speak(circle, clock, 20 * 60)  # the pool is spent: nobody is cut off, the turns end
    assert circle.phase == CLOSING and circle.pool_s < 0
    assert circle.upcoming == [] and circle.current is None
    assert len(log.of("circle.turn_started")) == 2
    run(circle, clock, 7 * 60)
    assert circle.phase == ENDED
    ended = log.of("circle.ended")[0][0]
    assert ended["reason"] == TIME_UP
    assert ended["fairness"]["people"]["p3"]["spoken_s"] == 0  # never reached, still counted
    assert ended["fairness"]["gini"] == pytest.approx(gini([30 * 60, 20 * 60, 0, 0]), abs=1e-3)


def test_end_early_ends_the_current_turn_first(clock, log):
    circle = started(clock, log)
    run(circle, clock, 50)
    circle.pause()
    clock.advance(60)
    circle.end()
    assert circle.phase == ENDED and not circle.paused
    assert log.kinds()[-2:] == ["circle.turn_ended", "circle.ended"]
    ended = log.of("circle.ended")[0][0]
    assert ended["reason"] == ENDED_EARLY and ended["paused_s"] == 60 and ended["pauses"] == 1
    assert ended["elapsed_s"] == 5 * 60 + 50
    with pytest.raises(BadInputError, match="has ended"):
        circle.end()
    assert circle.tick() == []


def test_the_closing_ends_by_itself_and_can_be_ended_sooner(clock, log):
    circle = started(clock, log, speakers=EIGHT[:1])
    speak(circle, clock, 60)
    assert circle.phase == CLOSING and circle.remaining_s == 7 * 60
    run(circle, clock, 60)
    circle.end()
    assert log.of("circle.ended")[0][0]["reason"] == COMPLETED
    assert log.of("circle.ended")[0][0]["closing_s"] == 60


# -- fairness ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "values, expected",
    [
        ([1, 1, 1, 1], 0.0),
        ([0, 0, 0, 1], 0.75),
        ([1, 2, 3, 4], 0.25),
        ([5], 0.0),
        ([0, 0, 0], 0.0),
        ([], 0.0),
    ],
)
def test_gini_on_known_inputs(values, expected):
    assert gini(values) == pytest.approx(expected)
    assert gini(reversed(values)) == pytest.approx(expected)


def test_fairness_from_turns():
    turns = [
        Turn("a", 1, 100, overtime_s=10),
        Turn("b", 1, 5, passed=True),
        Turn("a", 2, 200),
        Turn("b", 2, 100),
        Turn("c", 1, 0, skipped=True),
    ]
    stats = fairness(turns, ["a", "b", "c", "d"])
    a, b, c, d = (stats.people[p] for p in "abcd")
    assert (a.spoken_s, a.turns, a.overtime_s, a.share) == (300, 2, 10, 0.75)
    assert (b.spoken_s, b.passes, b.share) == (100, 1, 0.25)
    assert (c.skips, c.spoken_s, d.spoken_s) == (1, 0, 0)
    assert stats.gini == pytest.approx(gini([300, 100, 0, 0]))
    with pytest.raises(BadInputError, match="negative"):
        gini([1, -1])


# -- bad input changes nothing --------------------------------------------------------------
@pytest.mark.parametrize(
    "kw, message",
    [
        ({"speakers": []}, "at least one speaker"),
        (
            {"total_s": 600, "opening_s": 300, "closing_s": 360},
            r"total time \(10 min\) must be longer than the opening \(5 min\) plus the closing "
            r"\(6 min\) = 11 min",
        ),
        ({"total_s": 660, "opening_s": 300, "closing_s": 360}, "no time is left for turns"),
        ({"rounds": 0}, "1 to 5 rounds"),
        ({"rounds": 6}, "1 to 5 rounds"),
        ({"prompts": ["a", "b"]}, "2 prompts given for 1 round"),
        ({"opening_s": -1}, "opening must be"),
        ({"order": "random"}, "order must be"),
        ({"start_seat": 42}, "no speaker sits in seat 42"),
        ({"speakers": [("p1", "A", 1), ("p1", "B", 2)]}, "participant id 'p1' appears twice"),
        ({"speakers": [("p1", "A", 1), ("p2", "B", 1)]}, "seat 1 appears twice"),
    ],
)
def test_bad_circles_are_refused(clock, log, kw, message):
    with pytest.raises(BadInputError, match=message):
        make(clock, log, **kw)
    assert log == []


def test_actions_in_the_wrong_phase_are_refused(clock, log):
    circle = make(clock, log)
    with pytest.raises(BadInputError, match="not started yet"):
        circle.next()
    circle.start()
    with pytest.raises(BadInputError, match="still in its opening; begin the turns first"):
        circle.pass_turn()
    with pytest.raises(BadInputError, match="extend: the circle is still in its opening"):
        circle.extend()
    with pytest.raises(BadInputError, match="cannot start"):
        circle.start()
    circle.begin_turns()
    with pytest.raises(BadInputError, match="turns have already begun"):
        circle.begin_turns()
    with pytest.raises(BadInputError, match="not in this circle"):
        circle.add_note("nobody", "x")
    with pytest.raises(BadInputError, match="needs some text"):
        circle.add_note("p1", "  ")
    assert circle.current.participant_id == "p1" and circle.phase == TURNS
    assert log.kinds() == ["circle.started", "circle.turn_started"]


# -- what the log may hold ------------------------------------------------------------------
ALLOWED_TEXT = {"order", "prompt", "prompts", "phase", "reason", "text"}  # ids are not values


def strings(value, key=None):
    """Every (key, str) pair in an event's data, however deeply nested."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, k)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from strings(v, key)


def test_events_carry_no_text_unless_a_note_was_added(clock, log):
    circle = make(clock, log, rounds=2, prompts=["check-in", "intention"])
    circle.start()
    clock.advance(300)
    circle.begin_turns()
    circle.pass_turn()
    circle.pause()
    circle.resume()
    circle.extend()
    speak(circle, clock, 400)
    circle.skip("p5")
    circle.move("p8", 0)
    while circle.phase == TURNS:
        speak(circle, clock, 150)
    run(circle, clock, 7 * 60)
    assert circle.phase == ENDED
    for kind, data, pid, _ in log:
        for key, text in strings(data):
            assert key in ALLOWED_TEXT - {"text"}, (kind, key, text)
        assert "text" not in data
        if kind == "circle.paused":
            assert "reason" not in data
    reasons = {d["reason"] for d, _ in log.of("circle.ended")}
    assert reasons == {COMPLETED}
    assert {t for _, d, *_ in log for k, t in strings(d) if k in ("prompt", "prompts")} == {
        "check-in",
        "intention",
    }

    before = len(log)
    circle.add_note("p2", "spoke about her father; follow up")
    kind, data, pid, actor = log[before]
    assert kind == "circle.note_added" and pid == "p2" and actor == "facilitator"
    assert data["text"] == "spoke about her father; follow up" and data["care_team_only"] is True
    assert sum("father" in str(d) for _, d, *_ in log) == 1
