"""The access policy as a table: every role × action, written out again from SPEC §4.

The expectation below is typed from SPEC §4's table and README's rights table, not derived
from `workflow.access.policy`, so a change to the policy that the documents do not share fails
here. `tests/api/test_rights_matrix.py` drives the same table through the API and the pages.
"""

from dataclasses import dataclass

import pytest

from states import REQUIREMENTS, Unmet
from states.facts import CaseFacts, ProposalFacts
from tests.factories import NOW
from workflow.access.actor import Actor
from workflow.access.policy import (
    ORGANISATION_DETAILS,
    PROPOSAL_DETAILS,
    Action,
    co_owns,
    competes,
    may,
    may_edit_section,
    may_hold_token,
    require,
    sees_all,
    sees_scores,
    sees_webhook,
    visible_unmet,
)
from workflow.access.roles import TOKEN_ROLES, Role
from workflow.core.errors import Forbidden

A, M, S, P, U = Role.ADMIN, Role.MANAGER, Role.STAFF, Role.PARTNER, Role.AUDITOR

SPEC_TABLE: dict[Action, set[Role]] = {
    Action.CREATE_TOKEN: {A},
    Action.MANAGE_TOKENS: {A},
    Action.MANAGE_USERS: {A},
    Action.CREATE_ORGANISATION: {A},
    Action.CREATE_CASE: {M, S},
    Action.EDIT_CASE: {M, S, A},  # staff: the need only
    Action.TRIGGER: {M, A},
    Action.ADD_PARTICIPANT: {M, A},
    Action.SUBMIT_PROPOSAL: {P},
    Action.READ_PROPOSALS: {M, U, A, P},  # a partner: its own only
    Action.ASSESS: {M, A},
    Action.DECIDE: {M, A},
    Action.SIGN: {M, A},
    Action.MANAGE_DEADLINES: {M, A},
    Action.READ_REMINDERS: {M, U, A},
    Action.READ_AUDIT: {M, U, A},  # a manager: its own cases
    Action.READ_ORGANISATION_REQUESTS: {M, U, A},  # a manager: its own calls' (issue 17)
    Action.DECIDE_ORGANISATION_REQUEST: {M, A},  # a manager: of the call's lead
    Action.READ_DOCUMENTS: {M, S, P, U, A},  # scoped: workflow/documents/visibility.py
    Action.UPLOAD_DOCUMENT: {M, S, A},
    Action.UPLOAD_PROPOSAL_DOCUMENT: {P},  # its own company's proposal only
    Action.READ_OVERVIEW: {M, S, U, A},  # a municipality's people: their own municipality's
    Action.SHARE_NEED: {M, A},  # issue 17: the lead's managers
    Action.DECIDE_JOIN: {M, A},
    Action.JOIN_NEED: {M, S},  # of a municipality, for another's shared need
    Action.READ_CATALOGUE: {M, S, A, U},  # of a municipality; never a company
    Action.READ_KNOWLEDGE: {M, S, A, U},
}
"""SPEC §4: who may do each action at all."""

LEAD_ONLY = {
    Action.EDIT_CASE,
    Action.TRIGGER,
    Action.ADD_PARTICIPANT,
    Action.ASSESS,
    Action.DECIDE,
    Action.SIGN,
    Action.MANAGE_DEADLINES,
    Action.DECIDE_ORGANISATION_REQUEST,
    Action.UPLOAD_DOCUMENT,
    Action.SHARE_NEED,
    Action.DECIDE_JOIN,
}
"""README's rights table: what a participating municipality may not do in another's case."""

LEAD, OTHER = 1, 2


@dataclass(frozen=True)
class _Case:
    lead_municipality_id: int = LEAD


def _actor(role: Role, organisation_id: int | None = LEAD) -> Actor:
    return Actor(f"{role.value} test", role, organisation_id)


def test_the_table_covers_every_action() -> None:
    assert set(SPEC_TABLE) == set(Action)


@pytest.mark.parametrize(
    ("role", "action"),
    [(r, a) for a in Action for r in Role],
    ids=lambda v: v.value,
)
def test_role_may_do_action_as_spec_says(role: Role, action: Action) -> None:
    allowed = role in SPEC_TABLE[action]
    actor = _actor(role)
    assert may(actor, action) is allowed
    assert may(actor, action, _Case()) is allowed  # in a case its municipality leads
    if allowed:
        require(actor, action, _Case())
    else:
        with pytest.raises(Forbidden):
            require(actor, action, _Case())


@pytest.mark.parametrize("role", [M, S], ids=lambda v: v.value)
@pytest.mark.parametrize("action", sorted(Action), ids=lambda v: v.value)
def test_a_participating_municipality_reads_but_does_not_run_the_case(
    role: Role, action: Action
) -> None:
    actor = _actor(role, OTHER)
    expected = role in SPEC_TABLE[action] and action not in LEAD_ONLY
    assert may(actor, action, _Case()) is expected
    assert may(_actor(role, None), action, _Case()) is expected  # no organisation: no lead


@pytest.mark.parametrize(
    ("role", "organisation_id", "participant_role", "expected"),
    [
        (M, OTHER, "municipality", True),
        (S, OTHER, "municipality", True),
        (M, LEAD, "lead", False),  # the lead owns, it does not co-own
        (M, OTHER, None, False),  # a municipality that has not joined
        (M, OTHER, "interested", False),
        (P, OTHER, "municipality", False),  # a company is never a co-owner
        (U, None, "municipality", False),
    ],
)
def test_who_co_owns_a_case(
    role: Role, organisation_id: int | None, participant_role: str | None, expected: bool
) -> None:
    assert co_owns(_actor(role, organisation_id), _Case(), participant_role) is expected


@pytest.mark.parametrize("action", sorted(LEAD_ONLY), ids=lambda v: v.value)
def test_admins_are_bound_to_no_lead(action: Action) -> None:
    assert may(_actor(A, None), action, _Case())


@pytest.mark.parametrize("role", [Role.SYSTEM, Role.RECIPIENT, Role.PUBLIC], ids=lambda v: v.value)
def test_pseudo_roles_may_do_nothing_and_hold_no_token(role: Role) -> None:
    assert not any(may(_actor(role, None), action) for action in Action)
    assert role not in TOKEN_ROLES
    assert not may_hold_token(role, LEAD)


def test_token_roles_and_organisations() -> None:
    assert set(TOKEN_ROLES) == {A, M, S, P, U}
    assert [r for r in TOKEN_ROLES if may_hold_token(r, None)] == [A, U]
    assert all(may_hold_token(r, LEAD) for r in TOKEN_ROLES)


@pytest.mark.parametrize(
    ("role", "organisation_id", "section", "expected"),
    [
        (M, LEAD, "call", True),
        (M, LEAD, "title", True),
        (S, LEAD, "need", True),
        (S, LEAD, "call", False),
        (S, LEAD, "title", False),
        (A, None, "scale", True),
        (M, OTHER, "need", False),
        (S, OTHER, "need", False),
        (P, LEAD, "need", False),
        (U, None, "need", False),
    ],
)
def test_who_edits_which_section(
    role: Role, organisation_id: int | None, section: str, expected: bool
) -> None:
    assert may_edit_section(_actor(role, organisation_id), section, _Case()) is expected


@pytest.mark.parametrize(
    ("role", "all_cases", "competing", "scores"),
    [
        (A, True, False, True),
        (U, True, False, True),
        (Role.SYSTEM, True, False, True),
        (M, False, False, True),
        (S, False, False, False),
        (P, False, True, False),
        (Role.RECIPIENT, False, False, False),
        (Role.PUBLIC, False, False, False),
    ],
    ids=lambda v: v.value if isinstance(v, Role) else str(v),
)
def test_scoping_predicates(role: Role, all_cases: bool, competing: bool, scores: bool) -> None:
    actor = _actor(role)
    assert (sees_all(actor), competes(actor), sees_scores(actor)) == (all_cases, competing, scores)


def test_webhook_address_only_to_its_organisation_and_admins() -> None:
    assert sees_webhook(_actor(P, 7), 7)
    assert sees_webhook(_actor(A, None), 7)
    for actor in (_actor(P, 8), _actor(M, 8), _actor(U, None), _actor(M, None)):
        assert not sees_webhook(actor, 7)


def _unmet_with_every_detail() -> list[Unmet]:
    """Every requirement's unmet answer on facts that meet nothing and hold two proposals."""
    facts = CaseFacts(
        now=NOW,
        lead_municipality_id=LEAD,
        proposals=(
            ProposalFacts(id=5, organisation_id=10),
            ProposalFacts(id=6, organisation_id=11),
        ),
    )
    found = [r.check(facts) for reqs in REQUIREMENTS.values() for r in reqs]
    return [u for u in found if u is not None]


NEUTRAL_DETAILS = {
    "missing",
    "allowed",
    "problems",
    "submission_deadline",
    "required",
    "received",
    "decided",
}
"""Details about the case's own sections, never about another organisation's objects."""


def test_every_detail_is_classified() -> None:
    # A new requirement listing ids in its details must say whose they are, or a company
    # would read its competitors' ids in them (issue 15, finding 7).
    keys = {k for u in _unmet_with_every_detail() for k in u.details}
    assert keys <= NEUTRAL_DETAILS | PROPOSAL_DETAILS | ORGANISATION_DETAILS
    assert keys & PROPOSAL_DETAILS


def test_a_partner_sees_details_only_about_its_own_proposals() -> None:
    partner = _actor(P, 10)
    unmet = {u.code: u for u in _unmet_with_every_detail()}
    assessed = visible_unmet(partner, unmet["proposals.assessed"], [5])
    assert assessed.details == {"proposal_ids": [5]}
    decided = visible_unmet(partner, unmet["proposals.decided"], [5])
    assert decided.details == {"undecided": [5], "without_rationale": [], "selected": []}
    assert decided.message_da == unmet["proposals.decided"].message_da
    for who in (_actor(M), _actor(U, None), _actor(A, None)):
        assert visible_unmet(who, unmet["proposals.assessed"], []).details == {
            "proposal_ids": [5, 6]
        }


def test_a_partner_sees_only_its_own_organisation_among_missing_signatures() -> None:
    unmet = Unmet("agreement.signed", "da", "en", {"missing_organisation_ids": [1, 10, 11]})
    assert visible_unmet(_actor(P, 10), unmet, []).details == {"missing_organisation_ids": [10]}
