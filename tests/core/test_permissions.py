"""The permission matrix: every role against every action, checked against a table written out
here, so a change of `groupkap.accounts.PERMISSIONS` is a visible change of this test too."""

from __future__ import annotations

import pytest

from groupkap.accounts import (
    ACTIONS,
    PERMISSIONS,
    ROLES,
    Account,
    Forbidden,
    allowed,
    require,
)
from groupkap.errors import BadInputError

F, M, L, Q, A = "facilitator", "medical", "lead", "qa", "admin"
EXPECTED: dict[str, set[str]] = {
    "alarm.acknowledge": {F, M, L},
    "participant.manage": {F, M, L},
    "check.record": {F, M, L},
    "note.add": {F, M, L},
    "music.control": {F, M, L},
    "circle.run": {F, M, L},
    "dose.record": {M},
    "discharge.sign": {M},
    "record.sign": {M},
    "record.review": {L},
    "limits.adjust": {M, L},
    "limits.edit": {L},
    "templates.edit": {L},
    "session.review": {M, L, Q},
    "session.export": {L, Q},
    "user.manage": {A},
    "audit.read": {L, Q, A},
    "person.manage": {F, M, L},
    "person.merge": {L, A},
    "feedback.record": {F, M, L},
    "plan.adjust": {F, M, L},
    "course.read": {F, M, L, Q},
}


def test_the_table_names_every_action_and_only_known_roles():
    assert set(PERMISSIONS) == set(EXPECTED) == set(ACTIONS)
    assert ROLES == (F, M, L, Q, A)
    assert all(roles <= set(ROLES) for roles in PERMISSIONS.values())


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(role, action):
    want = role in EXPECTED[action]
    assert allowed(role, action) is want
    account = Account(id="x", name="Someone", role=role)
    if want:
        require(account, action)
    else:
        with pytest.raises(Forbidden) as exc:
            require(account, action)
        assert exc.value.action == action and exc.value.account == account


def test_qa_reads_and_exports_but_changes_nothing():
    reads = ("session.review", "session.export", "audit.read", "course.read")
    changes = {a for a in ACTIONS if a not in reads}
    assert not any(allowed(Q, a) for a in changes)


def test_a_refusal_says_who_what_and_who_may():
    kim = Account(id="k", name="RN Kim", role=F)
    with pytest.raises(
        Forbidden,
        match=r"^RN Kim \(facilitator\) may not record a dose: "
        r"only medical may$",
    ):
        require(kim, "dose.record")
    with pytest.raises(BadInputError, match="only clinic lead or QA may"):
        require(kim, "session.export")


def test_a_disabled_account_may_do_nothing():
    gone = Account(id="g", name="Dr Gone", role=M, disabled=True)
    with pytest.raises(Forbidden, match="Dr Gone's account is disabled"):
        require(gone, "alarm.acknowledge")


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action 'dose.give'"):
        allowed(M, "dose.give")
