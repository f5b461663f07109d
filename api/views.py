"""Turning stored rows into the API's response schemas, with what each caller may see.

What each caller may see is decided in `workflow.access.scope`, shared with the web pages.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from api.schemas.cases import (
    CasePublic,
    CaseSummary,
    ParticipantPublic,
    PublishedCall,
    SignaturePublic,
    TransitionStatus,
    UnmetRequirement,
)
from api.schemas.needs import Municipality
from api.schemas.proposals import AssessmentPublic, DecisionPublic, ProposalPublic
from states import CaseFacts, CaseState
from states.sections import CallSection
from workflow.access.actor import Actor
from workflow.access.policy import sees_scores, visible_unmet
from workflow.access.scope import full_view, hides_participant, partner_roles, sees_internals
from workflow.cases.facts import case_facts, parse_section
from workflow.cases.query import CaseListing
from workflow.cases.relations import CaseRelations, read_relations
from workflow.models import (
    Case,
    Proposal,
)
from workflow.needs.coowners import PUBLISHING_ROLES, publishers
from workflow.proposals.reviews import read_reviews
from workflow.transitions.engine import trigger_statuses


def etag(case: Case) -> str:
    """The case's entity tag: its version, quoted."""
    return f'"{case.version}"'


def _participants(actor: Actor, related: CaseRelations) -> list[ParticipantPublic]:
    return [
        ParticipantPublic(organisation_id=p.organisation_id, name=p.name, kind=p.kind, role=p.role)
        for p in related.participants
        if not hides_participant(actor, p)
    ]


def _published_by(case: Case, related: CaseRelations) -> list[Municipality]:
    """The lead municipality, then the co-owners: who publishes the call (issue 17)."""
    named = [p for p in related.participants if p.role in PUBLISHING_ROLES]
    named.sort(key=lambda p: p.organisation_id != case.lead_municipality_id)
    return [Municipality(id=p.organisation_id, name=p.name) for p in named]


def _signatures(related: CaseRelations) -> list[SignaturePublic]:
    return [SignaturePublic.model_validate(s, from_attributes=True) for s in related.signatures]


def _transitions(
    session: Session,
    actor: Actor,
    case: Case,
    own_proposal_ids: list[int],
    language: str,
    now: datetime,
    facts: CaseFacts,
) -> list[TransitionStatus]:
    return [
        TransitionStatus(
            trigger=s.trigger,
            allowed=s.allowed,
            reason_required=s.trigger.needs_reason,
            to=s.dest,
            unmet=[
                UnmetRequirement.model_validate(
                    visible_unmet(actor, u, own_proposal_ids).as_dict(language)
                )
                for u in s.unmet
            ],
        )
        for s in trigger_statuses(session, case, now, facts)
    ]


def case_public(
    session: Session,
    actor: Actor,
    case: Case,
    language: str,
    now: datetime,
    *,
    facts: CaseFacts | None = None,
    related: CaseRelations | None = None,
) -> CasePublic:
    """The whole case with its participants, signatures and trigger statuses.

    The case's relations are read once (or given by a write that holds them, with its
    `facts`), and the sections are the ones the requirement checks parsed, so they are not
    validated a second time here.
    """
    assert case.id is not None
    state = CaseState(case.state)
    related = related or read_relations(session, case.id)
    facts = facts or case_facts(session, case, now, related)
    own = [p.id for p in facts.proposals if p.organisation_id == actor.organisation_id]
    return CasePublic.model_validate(
        {
            "id": case.id,
            "title": case.title,
            "state": state,
            "state_label": state.label(language),
            "on_hold": case.on_hold,
            "hold_reason": case.hold_reason,
            "cancelled_from": case.cancelled_from,
            "lead_municipality_id": case.lead_municipality_id,
            "version": case.version,
            "phase_entered_at": case.phase_entered_at,
            "created_at": case.created_at,
            "updated_at": case.updated_at,
            "need": facts.need,
            "call": facts.call,
            "agreement": facts.agreement,
            "pilot": facts.pilot,
            "scale": facts.scale,
            "participants": _participants(actor, related),
            "published_by": _published_by(case, related),
            "signatures": _signatures(related),
            "transitions": _transitions(session, actor, case, own, language, now, facts),
        }
    )


def published_call(session: Session, case: Case, language: str) -> PublishedCall:
    """The published call of a case: all a company outside the case may see, with the
    municipalities that publish it."""
    state = CaseState(case.state)
    assert case.id is not None
    named = publishers(session, [case])[case.id]
    return PublishedCall.model_validate(
        {
            "id": case.id,
            "title": case.title,
            "state": state,
            "state_label": state.label(language),
            "lead_municipality_id": case.lead_municipality_id,
            # Parsed leniently, as everywhere a stored section is read: a value stored before
            # today's rules must not make the answer fail its own schema.
            "call": parse_section(CallSection, case.call),
            "published_by": [Municipality(id=m.id, name=m.name) for m in named],
        }
    )


def case_view(
    session: Session, actor: Actor, case: Case, language: str, now: datetime
) -> CasePublic | PublishedCall:
    """The case as `actor` may see it."""
    if sees_internals(session, actor, case):
        return case_public(session, actor, case, language, now)
    return published_call(session, case, language)


def case_summaries(
    session: Session, actor: Actor, cases: Sequence[CaseListing], language: str
) -> list[CaseSummary]:
    """List entries for `cases`, internal fields blanked where only the call is visible."""
    roles = partner_roles(session, actor, [c.id for c in cases])
    items = []
    for case in cases:
        full = full_view(actor, roles.get(case.id))
        state = CaseState(case.state)
        items.append(
            CaseSummary(
                view="full" if full else "call",
                id=case.id,
                title=case.title,
                state=state,
                state_label=state.label(language),
                lead_municipality_id=case.lead_municipality_id,
                on_hold=case.on_hold if full else None,
                version=case.version if full else None,
                updated_at=case.updated_at if full else None,
            )
        )
    return items


def proposals_public(
    session: Session, actor: Actor, proposals: Sequence[Proposal]
) -> list[ProposalPublic]:
    """Proposals with their latest decision, and assessments for the contracting side only."""
    reviews = read_reviews(session, [p.id for p in proposals])
    show_scores = sees_scores(actor)
    result = []
    for p in proposals:
        decision = reviews.decisions.get(p.id or 0)
        data: dict[str, Any] = p.model_dump()
        data["decision"] = (
            DecisionPublic.model_validate(decision, from_attributes=True) if decision else None
        )
        data["assessments"] = (
            [
                AssessmentPublic.model_validate(a, from_attributes=True)
                for a in reviews.assessments.get(p.id or 0, [])
            ]
            if show_scores
            else None
        )
        result.append(ProposalPublic.model_validate(data))
    return result
