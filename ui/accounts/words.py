"""What the toolbar and the lock panel say about who is signed in, in words.

Pure functions (no widgets), so the wording is tested exactly.
"""

from __future__ import annotations

import math

from groupkap.accounts import Account

EMERGENCY = "EMERGENCY ACCESS"
LOCKED = "LOCKED"
DEMO = "demo mode"


def account_words(account: Account | None) -> str:
    """The toolbar's word on who acts: `RN Kim · facilitator`, `Demo user — demo mode`, or
    `EMERGENCY ACCESS` after a break-glass unlock (until someone signs in: Switch user…).
    Empty when no one is signed in (an offscreen run acts as the system)."""
    if account is None:
        return ""
    if account.emergency:
        return EMERGENCY
    if account.is_demo:
        return f"{account.name} — {DEMO}"
    return f"{account.name} · {account.role_word}"


def locked_words(account: Account | None) -> str:
    """The lock panel's title: whose PIN unlocks it (no one's after an emergency unlock,
    when someone must sign in)."""
    if account is None or account.emergency or account.is_demo:
        return f"{LOCKED} · sign in to unlock"
    return f"{LOCKED} · {account.name}"


def wait_words(wait_s: float) -> str:
    """How long a locked-out account still waits, rounded up: never "0 s" while refused."""
    seconds = max(1, math.ceil(wait_s))
    if seconds < 120:
        return f"{seconds} s"
    return f"{math.ceil(seconds / 60)} min"
