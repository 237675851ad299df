"""What a seat tile shows, worked out in the core so the widget only draws.

The rules live here (which heart rate to show, when a value counts as stale, how a blood
pressure's age is worded) and are tested without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from groupkap.readings import is_hand
from groupkap.room.buffers import SeatVitals

NO_VALUE = "--"


@dataclass(frozen=True)
class Numeric:
    """One big number on a tile.

    Attributes:
        label: `HR`, `SpO2`, `RR` (or `PR` when the heart rate comes from the pulse).
        text: the value as drawn, or `--` when nothing has arrived yet.
        stale: True when the value is older than the stale limit (drawn grey).
        by_hand: who typed it in when the value was measured by hand (None: the monitor).
        age: how old a stale value is (`40 s`, `3 min`), so grey is never the only cue;
            empty while the value is fresh.
    """

    label: str
    text: str
    stale: bool
    by_hand: str | None = None
    age: str = ""


@dataclass(frozen=True)
class TileReadout:
    """Everything textual on a tile at one moment.

    Attributes:
        numerics: HR, SpO2 and RR in that order.
        bp_text: last cuff reading as `128/82 (97)`, or `--/--`.
        bp_age: `just now`, `3 min ago`, `1 h 05 min ago`, or empty; `✎ RN Kim · 3 min ago`
            when the BP was taken by hand (✎ marks every hand value on the tile).
        bp_age_short: the same in fewer words (`4 min`, `✎ 4 min`), for a narrow tile.
        bp_stale: the last BP is older than two cuff intervals.
        status: `no data 15 s` when the seat has gone quiet, else empty.
        temp_text: the last temperature with its source and age (`Temp 37.8 °C · ✎ RN Kim ·
            3 min ago`), or empty when none was ever measured.
    """

    numerics: list[Numeric] = field(default_factory=list)
    bp_text: str = "--/--"
    bp_age: str = ""
    bp_stale: bool = True
    status: str = ""
    temp_text: str = ""
    bp_age_short: str = ""


def format_age(seconds: float) -> str:
    """How long ago, in the words a facilitator would say it."""
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    return f"{minutes // 60} h {minutes % 60:02d} min ago"


def format_age_short(seconds: float) -> str:
    """How long ago, in as few words as stay clear: `now`, `4 min`, `1 h 05`."""
    if seconds < 60:
        return "now"
    minutes = int(seconds // 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d}"


def format_quiet(seconds: float) -> str:
    """How long something has been silent, short enough for a tile: `40 s`, then `3 min`."""
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds // 60:.0f} min"


def hand_mark(who: str) -> str:
    """The mark of a value measured by hand: `✎ RN Kim` (just `✎` when nobody was named)."""
    return "✎" if who == "hand" else f"✎ {who}"


def _hand(source: str | None) -> str | None:
    """Who took a hand value (`hand:RN Kim` -> `RN Kim`), None for the monitor."""
    if source is None or not is_hand(source):
        return None
    return source.partition(":")[2] or "hand"


def _numeric(
    label: str, param: str, vitals: SeatVitals, now: float, stale_after_s: float
) -> Numeric:
    latest = vitals.latest(param)
    if latest is None:
        return Numeric(label, NO_VALUE, True)
    t, value = latest
    age = max(0.0, now - t)
    stale = age > stale_after_s
    return Numeric(
        label,
        f"{value:.0f}",
        stale,
        _hand(vitals.source_of_latest(param)),
        format_quiet(age) if stale else "",
    )


def tile_readout(
    vitals: SeatVitals, now: float, *, stale_after_s: float, nibp_interval_s: float
) -> TileReadout:
    hr, pr = vitals.latest("HR"), vitals.latest("PR")
    # The ECG's HR, unless it has gone quiet while the pulse rate goes on (one spot HR by
    # hand must not hide a live pulse rate for the rest of the session).
    hr_stale = hr is not None and now - hr[0] > stale_after_s
    use_pr = pr is not None and (hr is None or (hr_stale and pr[0] > hr[0]))
    hr_label = "PR" if use_pr else "HR"
    numerics = [
        _numeric(hr_label, hr_label, vitals, now, stale_after_s),
        _numeric("SpO2", "SpO2", vitals, now, stale_after_s),
        _numeric("RR", "RR", vitals, now, stale_after_s),
    ]
    sbp, dbp, mean = (vitals.latest(p) for p in ("SBP", "DBP", "MAP"))
    bp_text, bp_age, bp_stale, bp_short = "--/--", "", True, ""
    if sbp is not None and dbp is not None:
        bp_text = f"{sbp[1]:.0f}/{dbp[1]:.0f}"
        if mean is not None and abs(mean[0] - sbp[0]) < 5:
            bp_text += f" ({mean[1]:.0f})"
        age = max(0.0, now - sbp[0])
        bp_age, bp_short = format_age(age), format_age_short(age)
        who = _hand(vitals.source_of_latest("SBP"))
        if who:
            bp_age, bp_short = f"{hand_mark(who)} · {bp_age}", f"✎ {bp_short}"
        bp_stale = age > 2 * nibp_interval_s
    status = ""
    if vitals.last_data_t is None:
        status = "waiting for data"
    elif now - vitals.last_data_t > stale_after_s:
        status = f"no data {format_quiet(now - vitals.last_data_t)}"
    temp = vitals.latest("TEMP")
    temp_text = ""
    if temp is not None:
        who = _hand(vitals.source_of_latest("TEMP"))
        temp_text = (
            f"Temp {temp[1]:.1f} °C · "
            + (f"{hand_mark(who)} · " if who else "")
            + format_age(max(0.0, now - temp[0]))
        )
    return TileReadout(numerics, bp_text, bp_age, bp_stale, status, temp_text, bp_short)
