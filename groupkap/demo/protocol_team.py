"""The demo walks the protocol: what a facilitator team would enter, on the simulated clock.

Screening and readiness at the start, staggered doses with mixed routes at each seat's T0,
MOAA/S and CADSS entries, a hand-taken BP when a seat's monitor is silent, and discharge as
soon as each participant is ready, so a 180-minute demo log tells every participant's story.
"""

from __future__ import annotations

from collections.abc import Callable

from groupkap.errors import BadInputError
from groupkap.protocol.group import Protocol
from groupkap.protocol.participant import MANUAL_DISCHARGE_ITEMS, READY_FOR_DISCHARGE
from groupkap.session import LiveSession

ROUTE_CYCLE = (
    ("IM", 40.0, 70.0),
    ("SL", 200.0, None),
    ("IV", 35.0, 70.0),
    ("IN", 84.0, None),
    ("IM", 55.0, 80.0),
    ("SL", 150.0, None),
)
TEAM = {"reviewer": "Dr A. Demo", "nurse": "RN B. Demo", "lead": "Dr A. Demo"}
HAND_SPO2 = 97.0


def _baseline_cadss(seat: int) -> int:
    return 2 + seat % 4


class DemoProtocolDirector:
    """Makes the demo team's entries when they fall due.

    Attributes:
        dose_time: each seat's T0 (from the simulator).
        done: what has been done per participant, to do each step once.
    """

    def __init__(
        self, live: LiveSession, protocol: Protocol, dose_time: Callable[[int], float]
    ) -> None:
        self.live, self.protocol, self.dose_time = live, protocol, dose_time
        self.done: dict[str, set[str]] = {}

    def start(self) -> None:
        """Screen everyone and confirm readiness, as the team does before the room settles."""
        answers = {rule.id: False for rule in self.protocol.config.screening}
        for person in self.live.room.participants.values():
            self.protocol.complete_screening(person.id, answers, TEAM["reviewer"])
            self.protocol.confirm_readiness(
                person.id,
                {
                    "consent_current": True,
                    "fasting_confirmed": True,
                    "ride_home_name": "family member",
                    "ride_home_phone": "555-0100",
                    "intention": "recorded in the preparation session",
                    "touch_consent": person.seat % 2 == 0,
                    "music_choice": "demo playlist",
                },
                TEAM["nurse"],
            )
            # Baselines before the dose: sedation and dissociation are read against them.
            self.protocol.record_moaas(person.id, 5, TEAM["nurse"])
            self.protocol.record_cadss(person.id, _baseline_cadss(person.seat), TEAM["nurse"])

    def tick(self) -> None:
        now = self.live.clock.now()
        for person in list(self.live.room.participants.values()):
            pid, p = person.id, self.protocol.of(person.id)
            done = self.done.setdefault(pid, set())
            if p.readiness is None or p.discharge:
                continue
            if p.dose is None:
                if now >= self.dose_time(person.seat) and p.baseline is not None:
                    self._dose(pid, person.seat)
                elif p.baseline is None and self._silent(pid):
                    self.live.enter_reading(pid, {"SBP": 122, "DBP": 78}, TEAM["nurse"])
                continue
            minutes = (now - p.t0) / 60
            if minutes >= 20 and "moaas-20" not in done:
                done.add("moaas-20")
                self.protocol.record_moaas(pid, 3 if person.seat % 3 else 4, TEAM["nurse"])
                self._acknowledge(pid, "MOAA/S")
            if minutes >= 45 and "cadss" not in done:
                done.add("cadss")
                self.protocol.record_cadss(pid, 10 + 3 * person.seat, TEAM["nurse"])
            if minutes >= 90 and "moaas-90" not in done:
                done.add("moaas-90")
                self.protocol.record_moaas(pid, 5, TEAM["nurse"])
                self.protocol.record_cadss(pid, _baseline_cadss(person.seat) + 2, TEAM["nurse"])
            if p.overdue_label is not None and self._silent(pid):
                base = p.baseline or (120, 78)
                self.live.enter_reading(
                    pid, {"SBP": base[0] + 4, "DBP": base[1] + 2}, TEAM["nurse"]
                )
            spo2 = self.live.latest_spo2(pid)
            if minutes >= 100 and self._silent(pid) and (spo2 is None or now - spo2.t > 240):
                # The probe is off: the nurse takes a spot SpO2 for the discharge.
                self.live.enter_reading(pid, {"SpO2": HAND_SPO2}, TEAM["nurse"])
                spo2 = self.live.latest_spo2(pid)
            if p.phase(now, spo2) == READY_FOR_DISCHARGE:
                self.protocol.sign_discharge(
                    pid, TEAM["lead"], {k: True for k in MANUAL_DISCHARGE_ITEMS}, spo2
                )

    def _dose(self, pid: str, seat: int) -> None:
        route, amount, weight = ROUTE_CYCLE[(seat - 1) % len(ROUTE_CYCLE)]
        try:
            self.protocol.give_dose(
                pid,
                route=route,
                dose_mg=amount,
                weight_kg=weight,
                lot=f"DEMO-{seat:04d}",
                given_by=TEAM["nurse"],
            )
        except BadInputError:  # e.g. a pre-dose BP above the gate: the demo team waits
            return

    def _acknowledge(self, pid: str, key: str) -> None:
        """The nurse who scored it is at the chair: the team has seen the alarm."""
        alarms = self.live.alarms
        alarm = alarms.alarms.get(f"{pid}:{key}") if alarms is not None else None
        if alarm is not None:
            alarms.acknowledge(alarm.id, TEAM["nurse"])

    def _silent(self, pid: str) -> bool:
        """No monitor data for 30 s (hand values are not monitor data)."""
        vitals = self.live.vitals.get(pid)
        now = self.live.clock.now()
        return vitals is None or vitals.last_data_t is None or now - vitals.last_data_t > 30
