"""A room with staff accounts (pytest-qt fixtures for the sign-in and lock tests): a 4-seat
session with alarms and a protocol, signed in as a facilitator, in a 1920×1080 window whose
idle time runs on a clock the test steps."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, replace
from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher

from groupkap.accounts import Accounts, SecurityConfig
from groupkap.store import queries

PINS = {
    "Admin Lee": "admin01",
    "RN Kim": "kim2222",
    "Dr Ode": "ode33333",
    "QA Ray": "ray44444",
}
ROLES = {"Admin Lee": "admin", "RN Kim": "facilitator", "Dr Ode": "medical", "QA Ray": "qa"}
LOCK_AFTER_MIN = 2


@dataclass
class IdleClock:
    """The real-time clock idle is measured by, stepped by the test."""

    t: float = 0.0

    def __call__(self) -> float:
        return self.t


def fast_hasher() -> PasswordHasher:
    """argon2 with the cheapest parameters: the tests check the flow, not the hash's cost."""
    return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


def staff_accounts(store, clock, config: SecurityConfig, session_id: str | None) -> Accounts:
    accounts = Accounts(store, clock, config, session_id=session_id, hasher=fast_hasher())
    admin = accounts.add("Admin Lee", "admin", PINS["Admin Lee"])
    for name in ("RN Kim", "Dr Ode", "QA Ray"):
        accounts.add(name, ROLES[name], PINS[name], by=admin)
    return accounts


def logged(store, session_id: str, *kinds: str) -> list:
    store.flush()
    with closing(store.reader()) as conn:
        return queries.events(conn, session_id, kinds=kinds)


@pytest.fixture
def staffed(qtbot, qapp, clock, settings, store, new_session):
    """SimpleNamespace(live, window, accounts, idle, settings), signed in as RN Kim."""
    from groupkap.alarms.engine import AlarmEngine
    from groupkap.alarms.limits import default_limits
    from groupkap.protocol.group import Protocol
    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    apply_theme(qapp)
    settings = replace(settings, security=SecurityConfig(lock_after_min=LOCK_AFTER_MIN))
    live = new_session(4)
    live.watch_with(AlarmEngine(clock, default_limits(), live.record_event))
    live.follow_protocol(Protocol(clock, live.record_event, alarms=live.alarms))
    accounts = staff_accounts(store, clock, settings.security, live.id)
    live.account = accounts.sign_in("RN Kim", PINS["RN Kim"])
    idle = IdleClock()
    window = MainWindow(live, settings, db_path=str(store.path), accounts=accounts, idle_clock=idle)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    return SimpleNamespace(
        live=live, window=window, accounts=accounts, idle=idle, settings=settings, store=store
    )
