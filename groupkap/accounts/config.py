"""The `[security]` settings: when the window locks, how long a PIN is, when wrong PINs wait."""

from __future__ import annotations

from dataclasses import dataclass

from groupkap.ranges import section_numbers

# key -> (minimum, maximum, unit, whole number)
RANGES: dict[str, tuple[float, float, str, bool]] = {
    "lock_after_min": (1, 60, "minutes", False),
    # Never below 6: a four-digit PIN falls to a patient guesser even with the waits.
    "pin_min_length": (6, 64, "characters", True),
    "lockout_after": (3, 10, "wrong PINs", True),
    "lockout_first_s": (5, 3600, "seconds", False),
}


@dataclass(frozen=True)
class SecurityConfig:
    """Accounts and the lock, as a clinic may tune them.

    Attributes:
        lock_after_min: the window locks after this many minutes without input.
        pin_min_length: the shortest PIN accepted (letters or digits).
        lockout_after: this many wrong PINs in a row make the account wait.
        lockout_first_s: the first wait; each further wrong PIN doubles it.
    """

    lock_after_min: float = 5.0
    pin_min_length: int = 6
    lockout_after: int = 5
    lockout_first_s: float = 30.0


def security_settings(table: object, where: str) -> SecurityConfig:
    """The [security] section of a settings file, every key checked."""
    return SecurityConfig(**section_numbers("security", table, where, RANGES))
