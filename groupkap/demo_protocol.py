"""The demo walks the protocol: what a facilitator team would enter, on the simulated clock.

Screening and readiness at the start, staggered doses with mixed routes at each seat's T0,
MOAA/S and CADSS entries, a hand-taken BP when a seat's monitor is silent, and discharge as
soon as each participant is ready, so a 180-minute demo log tells every participant's story.
"""

from __future__ import annotations

from collections.abc import Callable

from groupkap.errors import BadInputError
from groupkap.protocol.participant import DISCHARGED, MANUAL_DISCHARGE_ITEMS, READY_FOR_DISCHARGE
from groupkap.protocol.room import Protocol
from groupkap.session import LiveSession

ROUTE_CYCLE = (("IM", 40.0, 70.0), ("SL", 200.0, None), ("IV", 35.0, 70.0),
               ("IN", 84.0, None), ("IM", 55.0, 80.0), ("SL", 150.0, None))
TEAM = {"reviewer": "Dr A. Demo", "nurse": "RN B. Demo", "lead": "Dr A. Demo"}
HAND_SPO2 = 97.0


class DemoProtocolDirector:
    """Makes the demo team's entries when they fall due.

    Attributes:
        dose_time: each seat's T0 (from the simulator).
        done: what has been done per participant, to do each step once.
    """

    def __init__(self, live: LiveSession, protocol: Protocol,
                 dose_time: Callable[[int], float]) -> None:
        self.live, self.protocol, self.dose_time = live, protocol, dose_time
        self.done: dict[str, set[str]] = {}

    def start(self) -> None:
        """Screen everyone and confirm readiness, as the team does before the room settles."""
        answers = {rule.id: False for rule in self.protocol.config.screening}
        for person in self.live.room.participants.values():
            self.protocol.complete_screening(person.id, answers, TEAM["reviewer"])
            self.protocol.confirm_readiness(person.id, {
                "consent_current": True, "fasting_confirmed": True,
                "ride_home_name": "family member", "ride_home_phone": "555-0100",
                "intention": "recorded in the preparation session",
                "touch_consent": person.seat % 2 == 0, "music_choice": "demo playlist"},
                TEAM["nurse"])

    def tick(self) -> None:
        now = self.live.clock.now()
        for person in list(self.live.room.participants.values()):
            pid, p = person.id, self.protocol.of(person.id)
            done = self.done.setdefault(pid, set())
            if p.readiness is None:
                continue
            if p.dose is None:
                if now >= self.dose_time(person.seat) and p.baseline is not None:
                    self._dose(pid, person.seat)
                elif p.baseline is None and self._silent(pid):
                    self.protocol.record_bp(pid, 122, 78, actor=TEAM["nurse"])
                continue
            minutes = (now - p.t0) / 60
            if minutes >= 20 and "moaas-20" not in done:
                done.add("moaas-20")
                self.protocol.record_moaas(pid, 3 if person.seat % 3 else 4, TEAM["nurse"])
            if minutes >= 45 and "cadss" not in done:
                done.add("cadss")
                self.protocol.record_cadss(pid, 10 + 3 * person.seat, TEAM["nurse"])
            if minutes >= 90 and "moaas-90" not in done:
                done.add("moaas-90")
                self.protocol.record_moaas(pid, 5, TEAM["nurse"])
            if p.overdue_label is not None and self._silent(pid):
                base = p.baseline or (120, 78)
                self.protocol.record_bp(pid, base[0] + 4, base[1] + 2, actor=TEAM["nurse"])
            spo2 = self.live.latest_spo2(pid) if not self._silent(pid) else HAND_SPO2
            if p.phase(now, spo2) == READY_FOR_DISCHARGE and p.phase(now, spo2) != DISCHARGED:
                self.protocol.sign_discharge(pid, TEAM["lead"],
                                             {k: True for k in MANUAL_DISCHARGE_ITEMS}, spo2)

    def _dose(self, pid: str, seat: int) -> None:
        route, amount, weight = ROUTE_CYCLE[(seat - 1) % len(ROUTE_CYCLE)]
        try:
            self.protocol.give_dose(pid, route=route, dose_mg=amount, weight_kg=weight,
                                    lot=f"DEMO-{seat:04d}", given_by=TEAM["nurse"])
        except BadInputError:  # e.g. a pre-dose BP above the gate: the demo team waits
            return

    def _silent(self, pid: str) -> bool:
        vitals = self.live.vitals.get(pid)
        now = self.live.clock.now()
        return vitals is None or vitals.last_data_t is None or now - vitals.last_data_t > 30
