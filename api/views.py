"""Turning stored rows into the API's response schemas, with what each caller may see.

A partner that takes part in a case only by having shown interest (or not at all, for a case
in `match`) sees the published call, never the municipality's internal data; and no partner
ever learns which other companies bid.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from api.schemas.cases import (
    CasePublic,
    CaseSummary,
    ParticipantPublic,
    PublishedCall,
    SignaturePublic,
    TransitionStatus,
    UnmetRequirement,
)
from api.schemas.proposals import AssessmentPublic, DecisionPublic, ProposalPublic
from states import CaseState
from workflow.actor import Actor
from workflow.engine import trigger_statuses
from workflow.models import (
    Assessment,
    Case,
    Decision,
    Organisation,
    Participant,
    ParticipantRole,
    Proposal,
    Signature,
)

CONTRACTING_ROLES = frozenset({"manager", "admin", "auditor", "system"})
"""Roles that see every proposal and its assessments."""


def etag(case: Case) -> str:
    """The case's entity tag: its version, quoted."""
    return f'"{case.version}"'


def _partner_roles(session: Session, actor: Actor, case_ids: Sequence[int]) -> dict[int, str]:
    if actor.organisation_id is None or not case_ids:
        return {}
    rows = session.execute(
        select(col(Participant.case_id), col(Participant.role)).where(
            col(Participant.organisation_id) == actor.organisation_id,
            col(Participant.case_id).in_(case_ids),
        )
    ).all()
    return {case_id: role for case_id, role in rows}


def _full_view(actor: Actor, role: str | None) -> bool:
    """Whether `actor` (already known to see the case) sees its internal data."""
    if actor.role != "partner":
        return True
    return role is not None and role != ParticipantRole.INTERESTED.value


def sees_internals(session: Session, actor: Actor, case: Case) -> bool:
    """Whether `actor` sees the whole case rather than its published call alone."""
    assert case.id is not None
    return _full_view(actor, _partner_roles(session, actor, [case.id]).get(case.id))


def _participants(session: Session, actor: Actor, case: Case) -> list[ParticipantPublic]:
    rows = session.execute(
        select(Participant, Organisation)
        .join(Organisation, col(Organisation.id) == col(Participant.organisation_id))
        .where(col(Participant.case_id) == case.id)
        .order_by(col(Participant.id))
    ).all()
    return [
        ParticipantPublic(
            organisation_id=org.id or 0,
            name=org.name,
            kind=org.kind,
            role=p.role,
        )
        for p, org in rows
        # Companies that only bid stay hidden from other partners (equal treatment).
        if not (
            actor.role == "partner"
            and p.role == ParticipantRole.INTERESTED.value
            and p.organisation_id != actor.organisation_id
        )
    ]


def _signatures(session: Session, case: Case) -> list[SignaturePublic]:
    rows = session.execute(
        select(Signature).where(col(Signature.case_id) == case.id).order_by(col(Signature.id))
    ).scalars()
    return [SignaturePublic.model_validate(s, from_attributes=True) for s in rows]


def _transitions(
    session: Session, case: Case, language: str, now: datetime
) -> list[TransitionStatus]:
    return [
        TransitionStatus(
            trigger=s.trigger,
            allowed=s.allowed,
            reason_required=s.trigger.needs_reason,
            to=s.dest,
            unmet=[UnmetRequirement.model_validate(u.as_dict(language)) for u in s.unmet],
        )
        for s in trigger_statuses(session, case, now)
    ]


def case_public(
    session: Session, actor: Actor, case: Case, language: str, now: datetime
) -> CasePublic:
    """The whole case with its participants, signatures and trigger statuses."""
    state = CaseState(case.state)
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
            "need": case.need,
            "call": case.call,
            "agreement": case.agreement,
            "pilot": case.pilot,
            "scale": case.scale,
            "participants": _participants(session, actor, case),
            "signatures": _signatures(session, case),
            "transitions": _transitions(session, case, language, now),
        }
    )


def published_call(case: Case, language: str) -> PublishedCall:
    """The published call of a case: all a company outside the case may see."""
    state = CaseState(case.state)
    return PublishedCall.model_validate(
        {
            "id": case.id,
            "title": case.title,
            "state": state,
            "state_label": state.label(language),
            "lead_municipality_id": case.lead_municipality_id,
            "call": case.call,
        }
    )


def case_view(
    session: Session, actor: Actor, case: Case, language: str, now: datetime
) -> CasePublic | PublishedCall:
    """The case as `actor` may see it."""
    if sees_internals(session, actor, case):
        return case_public(session, actor, case, language, now)
    return published_call(case, language)


def case_summaries(
    session: Session, actor: Actor, cases: Sequence[Case], language: str
) -> list[CaseSummary]:
    """List entries for `cases`, internal fields blanked where only the call is visible."""
    roles = _partner_roles(session, actor, [c.id for c in cases if c.id is not None])
    items = []
    for case in cases:
        full = _full_view(actor, roles.get(case.id or 0))
        state = CaseState(case.state)
        items.append(
            CaseSummary(
                view="full" if full else "call",
                id=case.id or 0,
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
    ids = [p.id for p in proposals if p.id is not None]
    decisions: dict[int, Decision] = {}
    assessments: dict[int, list[Assessment]] = {}
    if ids:
        for d in session.execute(
            select(Decision).where(col(Decision.proposal_id).in_(ids)).order_by(col(Decision.id))
        ).scalars():
            decisions[d.proposal_id] = d
        for a in session.execute(
            select(Assessment)
            .where(col(Assessment.proposal_id).in_(ids))
            .order_by(col(Assessment.id))
        ).scalars():
            assessments.setdefault(a.proposal_id, []).append(a)
    show_scores = actor.role in CONTRACTING_ROLES
    result = []
    for p in proposals:
        decision = decisions.get(p.id or 0)
        data: dict[str, Any] = p.model_dump()
        data["decision"] = (
            DecisionPublic.model_validate(decision, from_attributes=True) if decision else None
        )
        data["assessments"] = (
            [
                AssessmentPublic.model_validate(a, from_attributes=True)
                for a in assessments.get(p.id or 0, [])
            ]
            if show_scores
            else None
        )
        result.append(ProposalPublic.model_validate(data))
    return result
