"""Accounts, roles and what each role may do (issue 15): no Qt, tested on its own."""

from groupkap.accounts.accounts import (
    ACCOUNTS_LOG,
    DEMO_ACCOUNT,
    Account,
    AccountRow,
    Accounts,
    SignInRefused,
    emergency_account,
)
from groupkap.accounts.admin import change_own_pin, set_pin, unlock_account
from groupkap.accounts.config import SecurityConfig
from groupkap.accounts.permissions import (
    ACTIONS,
    PERMISSIONS,
    ROLE_WORDS,
    ROLES,
    Forbidden,
    allowed,
    require,
)

__all__ = [
    "ACCOUNTS_LOG",
    "ACTIONS",
    "DEMO_ACCOUNT",
    "PERMISSIONS",
    "ROLES",
    "ROLE_WORDS",
    "Account",
    "AccountRow",
    "Accounts",
    "Forbidden",
    "SecurityConfig",
    "SignInRefused",
    "allowed",
    "change_own_pin",
    "emergency_account",
    "require",
    "set_pin",
    "unlock_account",
]
