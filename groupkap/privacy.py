"""Who sees a participant's full name: the roles that need it to care for them.

Tiles, strips and reports show the alias only. A full name (and a ride-home contact) is
shown in a participant's detail views only to medical staff (who identify the patient for
a dose or a discharge) and the clinic lead (who answers for the record); a facilitator, QA
and the admin see the alias. Without accounts (an offscreen run, a test room) the
workstation acts as before accounts and shows it.
"""

from __future__ import annotations

from groupkap.accounts import Account

FULL_NAME_ROLES = frozenset({"medical", "lead"})


def sees_full_names(account: Account | None) -> bool:
    """Whether `account` may see participants' full names in a detail view."""
    if account is None:
        return True
    return account.role in FULL_NAME_ROLES and not account.disabled
