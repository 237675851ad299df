"""Whether the protocol was followed, judged afterwards at the exact edges of its rules.

Each case is a small session written through the real Store (`HandLog`) and read back with
`load_summary`, so the rule is tested end to end from the file. The clinic's protocol
figures decide: the first BP check at T0 + 40 min, filled from 5 min before to 15 min after
(both ends count, as a live check is filled), and 120 min of observation (the esketamine
floor holds even when the clinic's general minimum is lower).
"""

from __future__ import annotations

import pytest
from review_fixture import HandLog

from groupkap.protocol.config import ProtocolConfig
from groupkap.review.summary import load_summary

T0 = 5.0  # minutes after the log's start
SECOND = 1 / 60


def judged(tmp_path, build, config=None):
    """The compliance items of participant p1 after `build(log, pid)`."""
    tmp_path.mkdir(exist_ok=True)
    log = HandLog(tmp_path / "c.sqlite3")
    pid = log.add("p1", "K.W.", 1)
    build(log, pid)
    path = log.close(end_minute=200)
    summary = load_summary(path, log.sid, config=config)
    return {item.name: item for item in summary.participant(pid).compliance}


def dosed(log, pid, route="IM", **extra):
    log.cuff(pid, T0 - 4, 124, 80)
    log.dose(pid, T0, route, **extra)


@pytest.mark.parametrize(
    ("minute", "met"),
    [
        (T0 + 35 - SECOND, False),  # one second before the window opens
        (T0 + 35, True),  # the window opens: due - 5 min
        (T0 + 40, True),
        (T0 + 55, True),  # the window closes: due + 15 min
        (T0 + 55 + SECOND, False),  # one second after
    ],
)
def test_the_40_min_bp_counts_inside_its_window_and_at_both_ends(tmp_path, minute, met):
    def build(log, pid):
        dosed(log, pid)
        log.cuff(pid, minute, 138, 88)
        log.discharge(pid, T0 + 130)

    item = judged(tmp_path, build)["BP at 40 min"]
    assert item.met is met
    if met:
        assert "138/88" in item.detail and "monitor" in item.detail
    else:
        assert item.detail == "no BP between T0 +35 min and T0 +55 min"


def test_the_window_follows_the_clinic_s_own_first_check(tmp_path):
    def build(log, pid):
        dosed(log, pid)
        log.cuff(pid, T0 + 25, 138, 88)  # inside 30 -5, outside 40 - 5
        log.discharge(pid, T0 + 130)

    assert judged(tmp_path, build)["BP at 40 min"].met is False
    config = ProtocolConfig(first_check_min=30)
    assert judged(tmp_path / "x", build, config)["BP at 30 min"].met is True


def test_of_several_bps_in_the_window_the_nearest_to_40_min_is_the_evidence(tmp_path):
    def build(log, pid):
        dosed(log, pid)
        log.cuff(pid, T0 + 36, 150, 95)
        log.cuff(pid, T0 + 41, 140, 90)
        log.cuff(pid, T0 + 50, 130, 85)
        log.discharge(pid, T0 + 130)

    assert judged(tmp_path, build)["BP at 40 min"].detail.startswith("140/90 at ")


def test_a_struck_hand_bp_does_not_fill_the_window_but_a_standing_one_does(tmp_path):
    def hand(log, pid, minute, entry_id, sbp):
        log.event(
            minute,
            "observation.entered",
            {
                "entry_id": entry_id,
                "values": {"SBP": sbp, "DBP": 80},
                "t_measured": log.at(minute),
                "taken_by": "RN Ada",
                "source": "hand",
            },
            pid,
        )
        log.vital(pid, "SBP", minute, sbp, "hand:RN Ada")
        log.vital(pid, "DBP", minute, 80, "hand:RN Ada")

    def struck(log, pid):
        dosed(log, pid)
        hand(log, pid, T0 + 40, "e1", 132)
        log.event(T0 + 42, "entry.struck", {"entry_id": "e1", "reason": "wrong chair"}, pid)
        log.discharge(pid, T0 + 130)

    assert judged(tmp_path, struck)["BP at 40 min"].met is False

    def kept(log, pid):
        dosed(log, pid)
        hand(log, pid, T0 + 40, "e2", 132)
        log.discharge(pid, T0 + 130)

    item = judged(tmp_path / "k", kept)["BP at 40 min"]
    assert item.met is True and "hand, RN Ada" in item.detail


@pytest.mark.parametrize(
    ("route", "discharged_after", "met"),
    [
        ("IM", 120 - SECOND, False),
        ("IM", 120, True),  # exactly the minimum counts
        ("IN", 120 - SECOND, False),
        ("IN", 120, True),
    ],
)
def test_minimum_observation_is_met_from_exactly_its_minute(tmp_path, route, discharged_after, met):
    def build(log, pid):
        dosed(log, pid, route)
        log.cuff(pid, T0 + 40, 130, 84)
        log.discharge(pid, T0 + discharged_after)

    items = judged(tmp_path, build)
    assert items["minimum observation (120 min)"].met is met
    assert items["discharge signed"].met is True


def test_intranasal_esketamine_keeps_its_120_min_floor_under_a_shorter_clinic_minimum(tmp_path):
    def build(log, pid):
        dosed(log, pid, "IN")
        log.discharge(pid, T0 + 90)

    config = ProtocolConfig(min_observation_min=60)
    assert judged(tmp_path, build, config)["minimum observation (120 min)"].met is False

    def im(log, pid):
        dosed(log, pid, "IM")
        log.discharge(pid, T0 + 90)

    assert judged(tmp_path / "im", im, config)["minimum observation (60 min)"].met is True


def test_without_a_discharge_observation_runs_to_the_session_s_end(tmp_path):
    def build(log, pid):
        dosed(log, pid)

    items = judged(tmp_path, build)
    assert items["discharge signed"].met is False
    assert "session ended" in items["discharge signed"].detail
    assert items["minimum observation (120 min)"].met is True  # 195 min to the end


def test_the_pre_dose_bp_is_the_one_the_dose_was_checked_against(tmp_path):
    def build(log, pid):
        dosed(log, pid)
        log.discharge(pid, T0 + 130)

    item = judged(tmp_path, build)["pre-dose BP"]
    assert item.met is True and item.detail.startswith("124/80 at ") and "T0 −4 min" in item.detail


def test_a_pre_dose_bp_above_the_gate_counts_only_with_a_prescriber_override(tmp_path):
    override = {"prescriber": "Dr Okafor", "reason": "white-coat, repeat 138/88"}

    def overridden(log, pid):
        log.dose(pid, T0, "IM", pre_dose_bp=[152, 94], override=override)

    item = judged(tmp_path, overridden)["pre-dose BP"]
    assert item.met is True and "override by Dr Okafor" in item.detail

    def not_overridden(log, pid):  # an older log, before the gate was enforced
        log.dose(pid, T0, "IM", pre_dose_bp=[152, 94])

    item = judged(tmp_path / "n", not_overridden)["pre-dose BP"]
    assert item.met is False and "above the 140/90 gate" in item.detail

    def missing(log, pid):
        log.dose(pid, T0, "IM", pre_dose_bp=None)

    assert judged(tmp_path / "m", missing)["pre-dose BP"].met is False


def test_nothing_applies_to_someone_never_dosed(tmp_path):
    log = HandLog(tmp_path / "c.sqlite3")
    pid = log.add("p1", "K.W.", 1)
    path = log.close(end_minute=30)
    p = load_summary(path, log.sid).participant(pid)
    assert [c.met for c in p.compliance] == [None, None, None, None]
    assert p.compliant is None


@pytest.mark.parametrize(("left", "met"), [(T0 + 20, None), (T0 + 54, None), (T0 + 56, False)])
def test_who_left_before_the_check_s_window_closed_is_not_held_to_it(tmp_path, left, met):
    def build(log, pid):
        dosed(log, pid)
        log.event(left, "participant.removed", {"seat": 1, "reason": "unwell"}, pid)

    items = judged(tmp_path, build)
    assert items["BP at 40 min"].met is met
    assert items["minimum observation (120 min)"].met is False
    assert "left the room" in items["discharge signed"].detail
