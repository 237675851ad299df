"""Values a person measured and typed in: the entry kept for a later strike or correction,
the check of a whole entry before any of it is written, and the session's acts on them
(`HandEntryActs`, part of `LiveSession`: enter, correct, strike, list)."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from groupkap.errors import BadInputError
from groupkap.params import HAND_PARAMS, PARAMETERS
from groupkap.readings import HAND, Reading, hand_source

if TYPE_CHECKING:
    from groupkap.store.queries import LoggedEvent

HAND_ENTRY_MAX_AGE_S = 4 * 3600


@dataclass
class HandEntry:
    """Values a person typed in, kept so the entry can be struck or corrected.

    Attributes: pid, values (param -> number), t (measured), taken_by, struck."""

    pid: str
    values: dict[str, float]
    t: float
    taken_by: str
    struck: bool = False


def check_hand_values(values: dict[str, float | None]) -> dict[str, float]:
    """The entered values, each checked against its plausible range; refused whole."""
    clean: dict[str, float] = {}
    for param, value in values.items():
        if value is None or value == "":
            continue
        if param not in HAND_PARAMS:
            raise BadInputError(
                f"{param} cannot be entered by hand; enter {', '.join(HAND_PARAMS)}"
            )
        p = PARAMETERS[param]
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise BadInputError(f"{p.label} {value!r} is not a number") from None
        if not math.isfinite(number) or not p.valid_min <= number <= p.valid_max:
            raise BadInputError(
                f"{p.label} {value} is not plausible ({p.valid_min:g}–"
                f"{p.valid_max:g} {p.unit}); check the number"
            )
        clean[param] = number
    if not clean:
        raise BadInputError("enter at least one value")
    if ("SBP" in clean) != ("DBP" in clean):
        raise BadInputError("a blood pressure needs both SBP and DBP")
    if "SBP" in clean and clean["DBP"] >= clean["SBP"]:
        raise BadInputError(
            f"BP {clean['SBP']:g}/{clean['DBP']:g}: the diastolic must be "
            "below the systolic; check the numbers"
        )
    return clean


class HandEntryActs:
    """`LiveSession`'s acts on values measured by hand, kept beside the entry they act on.

    A hand value takes the monitor's one path (`LiveSession._file_reading`): the buffers
    and tile, the alarms, the store and the protocol. Needs from the session: `room`,
    `vitals`, `alarms`, `protocol`, `store`, `clock`, `require`, `record_event`,
    `_file_reading` and a `hand_entries` dict (entry id -> HandEntry).
    """

    def _restore_hand_entries(self, logged: list[LoggedEvent]) -> None:
        """Hand entries from the log, so one made before a crash can still be corrected."""
        for event in logged:
            pid, kind, d = event.participant_id, event.kind, event.data
            if kind == "observation.entered":
                self.hand_entries[d["entry_id"]] = HandEntry(
                    pid, d["values"], d["t_measured"], d["taken_by"]
                )
            gone = d.get("corrects") if kind == "observation.entered" else d.get("entry_id")
            if gone in self.hand_entries:
                self.hand_entries[gone].struck = True

    # -- values a person measured (one path with the monitor's) ----------------------
    def enter_reading(
        self,
        pid: str,
        values: dict[str, float | None],
        taken_by: str,
        *,
        t: float | None = None,
        corrects: str | None = None,
        reason: str | None = None,
    ) -> str:
        """Values measured by hand (a manual cuff, a finger oximeter ...): returns the entry id.

        They take the monitor's path: the participant's buffers and tile (marked as hand
        values), the alarm engine (same limits), the store (`v_vitals`, source
        `hand:<who>`) and the protocol (a BP fills a due check inside its window). The
        whole entry is checked before anything is written. `corrects` names an earlier hand
        entry this one replaces (with `reason`); the old one stops counting, and the values
        not given again are carried over from it.
        """
        self.require("check.record")
        person = self.room.participants.get(pid)
        if person is None:
            raise BadInputError("that participant is no longer in the room")
        old = self._standing_hand_entry(pid, corrects, reason) if corrects else None
        if old is not None:
            # A correction names the values that change; the others of the entry stand,
            # and it keeps the time they were measured unless a new one is given.
            values = {**old.values, **{k: v for k, v in values.items() if v is not None}}
            t = old.t if t is None else t
        clean = check_hand_values(values)
        if not str(taken_by).strip():
            raise BadInputError("say who took the reading")
        now = self.clock.now()
        t = now if t is None else t
        if t > now + 60:
            raise BadInputError("the reading's time is in the future; enter when it was taken")
        if now - t > HAND_ENTRY_MAX_AGE_S:
            raise BadInputError("a hand reading must have been taken in the last 4 hours")
        entry_id = uuid.uuid4().hex[:12]
        who = str(taken_by).strip()
        self.record_event(
            "observation.entered",
            {
                "entry_id": entry_id,
                "values": clean,
                "t_measured": t,
                "taken_by": who,
                "source": HAND,
                "corrects": corrects,
                "reason": reason.strip() if reason else None,
            },
            pid,
            who,
        )
        if old is not None:
            self._drop_hand_entry(pid, corrects)
        rows: list[tuple] = []
        for param, value in clean.items():
            self._file_reading(Reading(person.seat, param, t, value, hand_source(who)), rows)
        self.store.add_vitals(rows)
        self.hand_entries[entry_id] = HandEntry(pid, clean, t, who)
        if self.protocol is not None and "SBP" in clean:
            self.protocol.record_bp(
                pid, clean["SBP"], clean["DBP"], t=t, source=HAND, actor=who, entry_id=entry_id
            )
        return entry_id

    def strike_entry(self, pid: str, entry_id: str, reason: str, actor: str) -> None:
        """Strike a hand reading, a MOAA/S or a CADSS: a new event that points at it; the
        tile, the alarms, the protocol and the record stop counting it."""
        self.require("check.record")
        if entry_id in self.hand_entries:
            entry = self._standing_hand_entry(pid, entry_id, reason)
            self.record_event(
                "entry.struck",
                {"entry_id": entry_id, "values": entry.values, "reason": reason.strip()},
                pid,
                actor,
            )
            self._drop_hand_entry(pid, entry_id)
        elif self.protocol is not None and self.protocol.owns_entry(pid, entry_id):
            self.protocol.strike_entry(pid, entry_id, reason, actor)
        else:
            raise BadInputError(f"no entry {entry_id!r} for this participant")

    def _standing_hand_entry(self, pid: str, entry_id: str, reason: str | None) -> HandEntry:
        entry = self.hand_entries.get(entry_id)
        if entry is None or entry.pid != pid:
            raise BadInputError(f"no hand reading {entry_id!r} for this participant")
        if entry.struck:
            raise BadInputError(f"entry {entry_id} is already struck or corrected")
        if not reason or not reason.strip():
            raise BadInputError("a correction or a strike needs its reason")
        p = self.protocol.participants.get(pid) if self.protocol is not None else None
        if p is not None and p.t0 is not None and "SBP" in entry.values and entry.t <= p.t0:
            # The dose was checked against the pre-dose BP (the 140/90 gate): changing it
            # now would rewrite what the dose rested on.
            raise BadInputError(
                "this BP was taken before the dose, which was checked against "
                "it; it cannot be struck or corrected after the dose. Add a "
                "note saying what was wrong"
            )
        return entry

    def _drop_hand_entry(self, pid: str, entry_id: str) -> None:
        entry = self.hand_entries[entry_id]
        entry.struck = True
        vitals = self.vitals.get(pid)
        for param, value in entry.values.items():
            if vitals is not None:
                vitals.strike(param, entry.t, value)
            if self.alarms is not None:
                self.alarms.struck(pid, param, value)
        if self.protocol is not None:
            self.protocol.drop_bp(pid, entry_id)

    def standing_entries(self, pid: str) -> list[tuple[str, float, str]]:
        """(entry id, measured time, what) of this participant's entries that still count,
        newest first: what the correct-or-strike dialog offers."""
        out = [
            (
                eid,
                e.t,
                ", ".join(f"{k} {v:g}" for k, v in e.values.items()) + f" (hand, {e.taken_by})",
            )
            for eid, e in self.hand_entries.items()
            if e.pid == pid and not e.struck
        ]
        if self.protocol is not None and pid in self.protocol.participants:
            out += [
                (e.entry_id, e.t, f"{e.check} {e.value} ({e.taken_by})")
                for e in self.protocol.participants[pid].scores
                if not e.struck
            ]
        return sorted(out, key=lambda x: -x[1])
