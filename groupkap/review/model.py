"""What a past session is, as a clinic lead reads it: plain, frozen values.

`groupkap.review.summary.load_summary` builds a `SessionSummary` from the log; the review
window, the PDF report and the CSV/JSON exports all read these values and nothing else, so a
figure is computed once and reads the same everywhere. Times are UTC epoch seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

# Marker categories: what a mark on the timeline stands for, in the order a legend lists them.
DOSE, CHECK, SCALE, ADVERSE, NOTE, MUSIC, CIRCLE, DEVICE, SESSION = (
    "dose",
    "check",
    "scale",
    "adverse event",
    "note",
    "music",
    "circle",
    "device",
    "session",
)
MARKER_CATEGORIES = (DOSE, CHECK, SCALE, ADVERSE, NOTE, MUSIC, CIRCLE, DEVICE, SESSION)


@dataclass(frozen=True)
class Marker:
    """One moment on the timeline: a dose, a check, a scale, an adverse event, a note, a
    music piece or move, a circle turn.

    Attributes:
        t: when it happened (for an entry made by hand, the time it was measured).
        participant_id: whose it is; None for the whole room (the circle opening, a session note).
        category: one of MARKER_CATEGORIES.
        kind: the event kind it comes from (`dose.given`).
        label: a few words a clinician reads on the plot (`IM 40 mg`, `MOAA/S 3`,
            `♪ Still Water`, `turn 6 min 18 s`).
        seq: the event's place in the log, so a mark leads back to its row.
    """

    t: float
    participant_id: str | None
    category: str
    kind: str
    label: str
    seq: int


@dataclass(frozen=True)
class AlarmEpisode:
    """One alarm from raised to cleared, with how fast it was answered.

    Attributes:
        alarm_id: the engine's id (`<participant>:<key>`, or a room key).
        participant_id: whose vital sign or check it is; None for a room's technical alarm.
        seat: the seat it was shown on (None for the room).
        key: what it is about (`SpO2`, `MOAA/S`, `NO_DATA` ...).
        priority: the highest priority it reached (`low`, `medium`, `high`).
        technical: True for a technical condition (no data, a lost device).
        text: what the room showed when it was raised (`SpO2 87 < 88`).
        raised_at: when it was raised.
        acknowledged_at, acknowledged_by: the first acknowledgement (None if nobody did).
        cleared_at: when it ended (None if it was still active when the log ends).
        escalations: how many times it rose in priority.
        reminders: how many reminders sounded for it.
    """

    alarm_id: str
    participant_id: str | None
    seat: int | None
    key: str
    priority: str
    technical: bool
    text: str
    raised_at: float
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    cleared_at: float | None = None
    escalations: int = 0
    reminders: int = 0

    @property
    def response_s(self) -> float | None:
        """Seconds from raised to the first acknowledgement; None if never acknowledged."""
        if self.acknowledged_at is None:
            return None
        return self.acknowledged_at - self.raised_at

    @property
    def duration_s(self) -> float | None:
        """Seconds from raised to cleared; None while it was still active."""
        if self.cleared_at is None:
            return None
        return self.cleared_at - self.raised_at


@dataclass(frozen=True)
class ComplianceItem:
    """One protocol requirement for one participant, and whether the log shows it met.

    Attributes:
        name: the requirement in the protocol's words (`pre-dose BP`, `BP at 40 min`,
            `minimum observation (120 min)`, `discharge signed`).
        met: True / False; None when it does not apply (nobody dosed, no 40-min check
            in this clinic's protocol).
        detail: the evidence or the gap (`142/88 at T0 −4 min by RN B.`, `no BP between
            T0 +35 and +45 min`).
    """

    name: str
    met: bool | None
    detail: str


@dataclass(frozen=True)
class ParticipantSummary:
    """One participant's session at a glance.

    Attributes:
        id, alias, seat: as in the participants table (tiles and reports show the alias).
        added_at, removed_at: when they joined and left the room (removed_at None if never).
        route, dose_mg, t0: the dose (None when not dosed).
        discharged_at, discharged_by: the signed discharge (None when not signed).
        peak_sbp, lowest_spo2, peak_hr: from the monitor and hand values (None without data).
        alarm_counts: priority -> how many alarms were raised for them.
        compliance: the protocol requirements, in order.
        vitals_rows: how many numeric rows are stored for them.
    """

    id: str
    alias: str
    seat: int
    added_at: float
    removed_at: float | None = None
    route: str | None = None
    dose_mg: float | None = None
    t0: float | None = None
    discharged_at: float | None = None
    discharged_by: str | None = None
    peak_sbp: float | None = None
    lowest_spo2: float | None = None
    peak_hr: float | None = None
    alarm_counts: Mapping[str, int] = field(default_factory=dict)
    compliance: tuple[ComplianceItem, ...] = ()
    vitals_rows: int = 0

    @property
    def compliant(self) -> bool | None:
        """False if any requirement is unmet, True if all that apply are met, None if none apply."""
        applying = [c.met for c in self.compliance if c.met is not None]
        if not applying:
            return None
        return all(applying)


@dataclass(frozen=True)
class SpeakerStats:
    """One speaker's share of the circle (no content is ever recorded, only times).

    Attributes: participant_id, alias, spoken_s (seconds spoken), share (of all spoken time,
    0–1), turns, passes, overtime_s (seconds beyond the fair share).
    """

    participant_id: str
    alias: str
    spoken_s: float
    share: float
    turns: int
    passes: int
    overtime_s: float


@dataclass(frozen=True)
class CircleStats:
    """The sharing circle's fairness.

    Attributes:
        started_at, ended_at: the circle's opening and end (ended_at None if cut short).
        fair_share_s: each speaker's planned share.
        gini: inequality of spoken time, 0 (all equal) to 1 (one speaker had it all).
        speakers: per participant, in seat order.
    """

    started_at: float
    ended_at: float | None
    fair_share_s: float
    gini: float | None
    speakers: tuple[SpeakerStats, ...] = ()


@dataclass(frozen=True)
class ChainStatus:
    """Whether the log still proves itself (`groupkap verify` over the file).

    Attributes:
        intact: True when the chain, the anchor and the projections check out.
        detail: one line a lead can act on (`intact, 1295 events` or the verify reason).
        broken_seq: the first broken row's seq, None when intact.
        head_seq, head_hash: the chain head at the time of reading (what an export carries,
            so the exported file can be checked against the database later).
    """

    intact: bool
    detail: str
    broken_seq: int | None = None
    head_seq: int | None = None
    head_hash: str | None = None


@dataclass(frozen=True)
class SessionSummary:
    """A whole past session, as review, the PDF report and the exports read it.

    Attributes:
        id, title, seats, source: as in the sessions table.
        status: `ended`, `interrupted` (its process died; the record ends at `ended_at` or
            the last row) or `running` (a live session in another window: read-only here).
        started_at, ended_at: the session's span (ended_at: the end, or the last thing logged).
        facilitators: everyone who acted in it (actors other than `system`), in first-act order.
        participants: in seat order.
        alarms: every alarm episode, in order raised.
        markers: every timeline mark, in time order.
        circle: the circle's fairness, None when no circle was held.
        chain: whether the log proves itself.
        events: how many events the session logged.
    """

    id: str
    title: str
    seats: int
    source: str | None
    status: str
    started_at: float
    ended_at: float
    facilitators: tuple[str, ...]
    participants: tuple[ParticipantSummary, ...]
    alarms: tuple[AlarmEpisode, ...]
    markers: tuple[Marker, ...]
    circle: CircleStats | None
    chain: ChainStatus
    events: int = 0

    def participant(self, pid: str) -> ParticipantSummary:
        """The participant `pid` (KeyError if not in this session)."""
        for p in self.participants:
            if p.id == pid:
                return p
        raise KeyError(pid)


@dataclass(frozen=True)
class Series:
    """One parameter of one participant over a stretch of time, ready to draw.

    When more rows lie in the stretch than the caller asked points for, the rows are taken in
    equal time buckets and each bucket keeps its minimum and its maximum (in time order), so
    a spike or a dip is never averaged away; otherwise every stored row is here.

    Attributes:
        participant_id, param: whose and what (`SpO2`).
        t, value: float64 arrays of equal length, t ascending.
        rows: how many stored rows the stretch holds.
        downsampled: True when t/value are bucket extremes rather than every row.
    """

    participant_id: str
    param: str
    t: np.ndarray
    value: np.ndarray
    rows: int
    downsampled: bool
