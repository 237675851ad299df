"""Who may do what: the one table of roles and actions, and the refusal a person reads.

Every act the program restricts is an action here; a change of what a role may do is a change
of `PERMISSIONS` (and of the explicit matrix in tests/core/test_permissions.py), nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from groupkap.errors import BadInputError

if TYPE_CHECKING:
    from groupkap.accounts.accounts import Account

ROLES = ("facilitator", "medical", "lead", "qa", "admin")
ROLE_WORDS = {
    "facilitator": "facilitator",
    "medical": "medical",
    "lead": "clinic lead",
    "qa": "QA",
    "admin": "admin",
}
"""Each role as the README, the CLI's messages and the window name it."""

CLINICAL = frozenset({"facilitator", "medical", "lead"})
"""The roles that look after people in the room."""

ACTIONS: dict[str, str] = {
    "alarm.acknowledge": "acknowledge an alarm",
    "participant.manage": "add, rename, move or remove a participant",
    "check.record": "record a check, a screening, readiness, a score or an adverse event",
    "note.add": "add a note",
    "music.control": "change the music",
    "circle.run": "run the sharing circle",
    "dose.record": "record a dose",
    "discharge.sign": "sign a discharge",
    "record.sign": "sign the esketamine monitoring record",
    "record.review": "co-sign a note or a record as its reviewer",
    "limits.adjust": "change one participant's alarm limits",
    "limits.edit": "edit the clinic's alarm defaults",
    "templates.edit": "edit the clinic's templates",
    "session.review": "review a past session",
    "session.export": "export a session",
    "user.manage": "manage accounts (add, disable, unlock, set a PIN)",
    "audit.read": "read the audit trail",
    "person.manage": "register a person or plan their course",
    "person.merge": "merge two records of one person",
    "feedback.record": "record a participant's feedback after a session",
    "plan.adjust": "adjust a person's plan for their next session",
    "course.read": "read a person's course",
}
"""Each action, as the verb phrase a refusal uses ("may not record a dose")."""

_MEDICAL = frozenset({"medical"})
_LEAD = frozenset({"lead"})
PERMISSIONS: dict[str, frozenset[str]] = {
    # Acknowledging stops a sound; every clinical role may, and it stays possible while locked.
    "alarm.acknowledge": CLINICAL,
    "participant.manage": CLINICAL,
    "check.record": CLINICAL,
    "note.add": CLINICAL,
    "music.control": CLINICAL,
    "circle.run": CLINICAL,
    "dose.record": _MEDICAL,
    "discharge.sign": _MEDICAL,
    # Signatures (groupkap/accounts/signatures.py): the record is signed by medical; a
    # lead reviews (co-signs) the notes of others and the record.
    "record.sign": _MEDICAL,
    "record.review": _LEAD,
    # A participant's limits at the bedside are a medical decision; the clinic's defaults the
    # lead's alone.
    "limits.adjust": frozenset({"medical", "lead"}),
    "limits.edit": _LEAD,
    "templates.edit": _LEAD,
    # QA reads and exports but changes nothing. Medical staff review past sessions too (an
    # incident, a participant's earlier doses); exporting stays with the lead and QA.
    "session.review": frozenset({"medical", "lead", "qa"}),
    "session.export": frozenset({"lead", "qa"}),
    "user.manage": frozenset({"admin"}),
    "audit.read": frozenset({"lead", "qa", "admin"}),
    # A person's course (issue 16): the care team registers people, records feedback and
    # adjusts the plan; merging two records of one person is the lead's (or an admin's)
    # deliberate step. QA reads courses but changes nothing.
    "person.manage": CLINICAL,
    "person.merge": frozenset({"lead", "admin"}),
    "feedback.record": CLINICAL,
    "plan.adjust": CLINICAL,
    "course.read": frozenset({"facilitator", "medical", "lead", "qa"}),
}


class Forbidden(BadInputError):
    """An account tried an act its role does not allow (or it is disabled).

    Attributes:
        account: who tried.
        action: what they tried, a key of `ACTIONS`.
    """

    def __init__(self, message: str, account: Account, action: str) -> None:
        super().__init__(message)
        self.account = account
        self.action = action


def _check_action(action: str) -> str:
    if action not in PERMISSIONS:
        raise ValueError(f"unknown action {action!r}; add it to groupkap.accounts.PERMISSIONS")
    return action


def allowed(role: str, action: str) -> bool:
    """Whether `role` may do `action` (an unknown action is a programming error: it raises)."""
    return role in PERMISSIONS[_check_action(action)]


def who_may(action: str) -> str:
    """The roles allowed `action`, in words: "medical", "facilitator, medical or clinic lead"."""
    words = [ROLE_WORDS[r] for r in ROLES if r in PERMISSIONS[_check_action(action)]]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def refusal(account: Account, action: str) -> str | None:
    """Why `account` may not do `action`, as one sentence; None when it may."""
    if account.disabled:
        return f"{account.name}'s account is disabled; an admin can say why"
    if allowed(account.role, action):
        return None
    return f"{account.label} may not {ACTIONS[action]}: only {who_may(action)} may"


def require(account: Account, action: str) -> None:
    """Raise `Forbidden` with a clear sentence unless `account` may do `action`."""
    reason = refusal(account, action)
    if reason is not None:
        raise Forbidden(reason, account, action)
