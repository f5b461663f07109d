"""Who may do what: the one access policy (SPEC §4; README "Who may do what").

Every API route, web page and workflow check asks here, so the API and the pages cannot
disagree. The rules come in two layers:

1. `RIGHTS`, a role × action table: which roles may ever do an action.
2. For the actions in `LEAD_ONLY` (changing a case, its participants, its state, its
   proposals' assessments and decisions, its signatures and deadlines), a municipality's people
   must belong to the case's *lead* municipality. A municipality that only takes part in a case
   reads it as the lead does, but changes nothing (issue 15, finding 8).

Which cases and rows an actor sees at all (scoping, answered with 404) is `workflow.access.scope`,
which asks the predicates below (`sees_all`, `competes`). Role names appear as literals only
here and in `workflow.access.roles`.
"""

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, Protocol

from states import Unmet
from workflow.access.actor import Actor
from workflow.access.roles import TOKEN_ROLES, Role
from workflow.core.errors import Forbidden
from workflow.models.case import ParticipantRole


class Action(StrEnum):
    """Everything the policy is asked about."""

    CREATE_TOKEN = "create_token"
    MANAGE_TOKENS = "manage_tokens"
    """List and revoke anyone's tokens (a person lists and revokes their own)."""
    MANAGE_USERS = "manage_users"
    CREATE_ORGANISATION = "create_organisation"
    CREATE_CASE = "create_case"
    EDIT_CASE = "edit_case"
    """Merge-patch the title and sections (staff: the need only, `may_edit_section`)."""
    TRIGGER = "trigger"
    """Any transition: advance, send back, cancel, pause, resume, reopen."""
    ADD_PARTICIPANT = "add_participant"
    SUBMIT_PROPOSAL = "submit_proposal"
    READ_PROPOSALS = "read_proposals"
    """A partner reads its own organisation's only (`workflow.access.scope.proposals_clause`)."""
    ASSESS = "assess"
    DECIDE = "decide"
    SIGN = "sign"
    MANAGE_DEADLINES = "manage_deadlines"
    """Add, move, mark met or cancel a deadline; everyone in scope reads them."""
    READ_REMINDERS = "read_reminders"
    READ_AUDIT = "read_audit"
    """The audit log, its exports and verification, within the actor's scope."""
    READ_ORGANISATION_REQUESTS = "read_organisation_requests"
    """Unregistered companies' requests to take part in a call: all of them for admins and
    auditors, those of the calls their municipality leads for managers."""
    DECIDE_ORGANISATION_REQUEST = "decide_organisation_request"
    """Approve (creating the company) or decline such a request."""
    READ_DOCUMENTS = "read_documents"
    """A case's documents, scoped by `workflow.documents.visibility`: a proposal's follow
    the proposal, the municipality's reach a partner only once the call is published."""
    UPLOAD_DOCUMENT = "upload_document"
    """Add a document (or a version) to a case, or ask for a case document's deletion."""
    UPLOAD_PROPOSAL_DOCUMENT = "upload_proposal_document"
    """Add a document to the caller's own company's proposal, while the call is open."""
    READ_OVERVIEW = "read_overview"
    """The leaders' overview ("Overblik for ledere"): a municipality's people their own
    municipality's figures, admins and auditors everyone's (`workflow.leaders.figures`)."""
    SHARE_NEED = "share_need"
    """Put the case's need in the need catalogue, or take it out."""
    DECIDE_JOIN = "decide_join"
    """Accept or decline another municipality's request to co-own the need."""
    JOIN_NEED = "join_need"
    """Ask to co-own another municipality's shared need ("Vi har samme behov")."""
    READ_CATALOGUE = "read_catalogue"
    """The need catalogue: every municipality's shared needs (never a company's)."""
    READ_KNOWLEDGE = "read_knowledge"
    """The knowledge library: every scaled, completed or cancelled case's results and lessons,
    for every municipality (never a company: a later purchase must not favour anyone)."""


_LEADS = frozenset({Role.MANAGER, Role.ADMIN})
_MUNICIPAL_READERS = frozenset({Role.MANAGER, Role.STAFF, Role.ADMIN, Role.AUDITOR})
"""Who reads what municipalities share with each other; a manager's or staff member's
organisation must also be a municipality (`workflow.needs.catalogue.may_use_catalogue`)."""

RIGHTS: Mapping[Action, frozenset[Role]] = {
    Action.CREATE_TOKEN: frozenset({Role.ADMIN}),
    Action.MANAGE_TOKENS: frozenset({Role.ADMIN}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.CREATE_ORGANISATION: frozenset({Role.ADMIN}),
    Action.CREATE_CASE: frozenset({Role.MANAGER, Role.STAFF}),
    Action.EDIT_CASE: frozenset({Role.MANAGER, Role.STAFF, Role.ADMIN}),
    Action.TRIGGER: _LEADS,
    Action.ADD_PARTICIPANT: _LEADS,
    Action.SUBMIT_PROPOSAL: frozenset({Role.PARTNER}),
    Action.READ_PROPOSALS: frozenset({Role.MANAGER, Role.AUDITOR, Role.ADMIN, Role.PARTNER}),
    Action.ASSESS: _LEADS,
    Action.DECIDE: _LEADS,
    Action.SIGN: _LEADS,
    Action.MANAGE_DEADLINES: _LEADS,
    Action.READ_REMINDERS: frozenset({Role.MANAGER, Role.AUDITOR, Role.ADMIN}),
    Action.READ_AUDIT: frozenset({Role.MANAGER, Role.AUDITOR, Role.ADMIN}),
    Action.READ_ORGANISATION_REQUESTS: frozenset({Role.MANAGER, Role.AUDITOR, Role.ADMIN}),
    Action.DECIDE_ORGANISATION_REQUEST: _LEADS,
    Action.READ_DOCUMENTS: frozenset(
        {Role.MANAGER, Role.STAFF, Role.PARTNER, Role.AUDITOR, Role.ADMIN}
    ),
    Action.UPLOAD_DOCUMENT: frozenset({Role.MANAGER, Role.STAFF, Role.ADMIN}),
    Action.UPLOAD_PROPOSAL_DOCUMENT: frozenset({Role.PARTNER}),
    Action.READ_OVERVIEW: frozenset({Role.MANAGER, Role.STAFF, Role.AUDITOR, Role.ADMIN}),
    Action.SHARE_NEED: _LEADS,
    Action.DECIDE_JOIN: _LEADS,
    Action.JOIN_NEED: frozenset({Role.MANAGER, Role.STAFF}),
    Action.READ_CATALOGUE: _MUNICIPAL_READERS,
    Action.READ_KNOWLEDGE: _MUNICIPAL_READERS,
}
"""Which roles may ever do each action (SPEC §4's table)."""

LEAD_ONLY: frozenset[Action] = frozenset(
    {
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
)
"""Actions on a case that a municipality's people may take only in a case their municipality
leads; admins are not bound to an organisation."""

MUNICIPAL_ROLES = frozenset({Role.MANAGER, Role.STAFF})
"""Roles held by a municipality's people."""

ORGLESS_ROLES = frozenset({Role.ADMIN, Role.AUDITOR})
"""Roles whose tokens may belong to no organisation (SPEC §4)."""

STAFF_SECTIONS = frozenset({"need"})
"""What staff may change in a case: they describe the need, the manager runs the rest."""

_SEE_ALL = frozenset({Role.ADMIN, Role.AUDITOR, Role.SYSTEM})
_SEE_SCORES = frozenset({Role.MANAGER, Role.ADMIN, Role.AUDITOR, Role.SYSTEM})


class LedCase(Protocol):
    """A case, as far as the policy needs it."""

    @property
    def lead_municipality_id(self) -> int: ...


def may(actor: Actor, action: Action, case: LedCase | None = None) -> bool:
    """Whether `actor` may do `action` (on `case`, when the action concerns one).

    Without a case, only the role is asked: enough to decide whether to offer an action
    at all; the check before the write passes the case.
    """
    if actor.role not in RIGHTS[action]:
        return False
    if case is not None and action in LEAD_ONLY and actor.role in MUNICIPAL_ROLES:
        return leads(actor, case)
    return True


def require(actor: Actor, action: Action, case: LedCase | None = None) -> None:
    """`Forbidden` (403) unless `may(actor, action, case)`."""
    if actor.role not in RIGHTS[action]:
        raise Forbidden(f"The role {actor.role.value!r} may not do this ({action.value}).")
    if not may(actor, action, case):
        raise Forbidden(f"Only the lead municipality's people may do this ({action.value}).")


def runs_case(actor: Actor, case: LedCase) -> bool:
    """Whether `actor` runs `case`: an admin, or a manager of its lead municipality (shares its
    need, decides who joins it, and everything in `LEAD_ONLY`)."""
    return may(actor, Action.TRIGGER, case)


def co_owns(actor: Actor, case: LedCase, participant_role: str | None) -> bool:
    """Whether `actor` speaks for a co-owner of `case`: a municipality that takes part in a
    case another municipality leads (participant role `municipality`, given when the lead
    accepts its join request, `workflow.needs.joining`). `participant_role` is the actor's
    organisation's role in the case.

    A co-owner reads the whole case, its proposals with their scores, reminders and audit log
    as the lead does, receives the case's reminders (`workflow.deadlines.outbox`), is named on
    the published call and is offered as an adopting municipality at scale; it changes nothing
    in `LEAD_ONLY`: one municipality runs the case.
    """
    return (
        is_municipal(actor)
        and not leads(actor, case)
        and participant_role == ParticipantRole.MUNICIPALITY.value
    )


def is_municipal(actor: Actor) -> bool:
    """Whether `actor` holds a municipality's role (manager or staff)."""
    return actor.role in MUNICIPAL_ROLES


def leads(actor: Actor, case: LedCase) -> bool:
    """Whether the actor's organisation is the case's lead municipality."""
    return actor.organisation_id is not None and actor.organisation_id == case.lead_municipality_id


def may_edit_section(actor: Actor, section: str, case: LedCase | None = None) -> bool:
    """Whether `actor` may change the case's `section` (or `title`)."""
    if not may(actor, Action.EDIT_CASE, case):
        return False
    return actor.role is not Role.STAFF or section in STAFF_SECTIONS


def require_edit(actor: Actor, fields: Iterable[str], case: LedCase) -> None:
    """`Forbidden` unless `actor` may change every one of `fields` of `case`."""
    require(actor, Action.EDIT_CASE, case)
    denied = sorted(f for f in fields if not may_edit_section(actor, f, case))
    if denied:
        raise Forbidden(f"Staff may change the need section only, not {', '.join(denied)}.")


def sees_all(actor: Actor) -> bool:
    """Whether `actor` sees every case, deadline and audit event (no scoping)."""
    return actor.role in _SEE_ALL


def competes(actor: Actor) -> bool:
    """Whether `actor` speaks for a company competing for calls: it sees only its own
    organisation's proposals and deadlines, and nothing about its competitors."""
    return actor.role is Role.PARTNER


def download_audited(actor: Actor) -> bool:
    """Whether `actor`'s downloads of documents are audit events: an auditor's reading of the
    evidence is itself part of the record (issue 19)."""
    return actor.role is Role.AUDITOR


def sees_scores(actor: Actor) -> bool:
    """Whether `actor` sees every proposal's assessments and decision rationale."""
    return actor.role in _SEE_SCORES


def sees_webhook(actor: Actor, organisation_id: int | None) -> bool:
    """Whether `actor` may read an organisation's `webhook_url` (it may carry a secret path):
    the organisation's own people and admins (issue 15, finding 9)."""
    if actor.role is Role.ADMIN:
        return True
    return actor.organisation_id is not None and actor.organisation_id == organisation_id


def may_see_feed(actor: Actor, organisation_id: int) -> bool:
    """Whether `actor` may have the address of an organisation's deadline calendar."""
    return actor.role is Role.ADMIN or actor.organisation_id == organisation_id


def may_hold_token(role: Role, organisation_id: int | None) -> bool:
    """Whether a token of `role` may be made for `organisation_id` (None: no organisation)."""
    return role in TOKEN_ROLES and (organisation_id is not None or role in ORGLESS_ROLES)


# --- what a refusal may tell -----------------------------------------------------------------

PROPOSAL_DETAILS = frozenset({"proposal_ids", "undecided", "without_rationale", "selected"})
"""Unmet details that list proposal ids."""
ORGANISATION_DETAILS = frozenset({"missing_organisation_ids"})
"""Unmet details that list organisation ids."""


def visible_unmet(actor: Actor, unmet: Unmet, own_proposal_ids: Iterable[int]) -> Unmet:
    """`unmet` as `actor` may read it: a competing company sees the ids in its details only
    where they are its own proposals or its own organisation (issue 15, finding 7), so it
    never learns that a competitor's proposal exists or how it was decided."""
    if not competes(actor) or not unmet.details:
        return unmet
    own_proposals = frozenset(own_proposal_ids)
    own_organisation = {actor.organisation_id}
    details: dict[str, Any] = {}
    for key, value in unmet.details.items():
        if key in PROPOSAL_DETAILS:
            value = [i for i in value if i in own_proposals]
        elif key in ORGANISATION_DETAILS:
            value = [i for i in value if i in own_organisation]
        details[key] = value
    return Unmet(unmet.code, unmet.message_da, unmet.message_en, details)
