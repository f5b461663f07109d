"""Building the `states.CaseFacts` snapshot of a stored case."""

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlmodel import Session, col

from states import CaseFacts
from states.facts import AssessmentFacts, ProposalFacts
from states.sections import (
    AgreementSection,
    CallSection,
    NeedSection,
    PilotSection,
    ScaleSection,
)
from workflow.models import Assessment, Case, Decision, Proposal, Signature

S = TypeVar("S", bound=BaseModel)


def parse_section(model: type[S], data: dict[str, Any]) -> S:
    """The stored section as its pydantic model; unreadable data counts as empty."""
    try:
        return model.model_validate(data)
    except ValidationError:
        return model()


def case_facts(session: Session, case: Case, now: datetime) -> CaseFacts:
    """Everything the requirement checks read about `case`, as of `now`."""
    assert case.id is not None
    proposals = (
        session.execute(
            select(Proposal).where(col(Proposal.case_id) == case.id).order_by(col(Proposal.id))
        )
        .scalars()
        .all()
    )
    ids = [p.id for p in proposals]
    assessments: dict[int, list[AssessmentFacts]] = {}
    decisions: dict[int, Decision] = {}
    if ids:
        for a in session.execute(
            select(Assessment).where(col(Assessment.proposal_id).in_(ids))
        ).scalars():
            assessments.setdefault(a.proposal_id, []).append(
                AssessmentFacts(
                    scores={str(k): int(v) for k, v in a.scores.items()},
                    conflict_of_interest=a.conflict_of_interest,
                )
            )
        for d in session.execute(
            select(Decision).where(col(Decision.proposal_id).in_(ids)).order_by(col(Decision.id))
        ).scalars():
            decisions[d.proposal_id] = d  # later rows win: the latest decision counts
    signed = (
        session.execute(
            select(col(Signature.organisation_id)).where(col(Signature.case_id) == case.id)
        )
        .scalars()
        .all()
    )
    return CaseFacts(
        now=now,
        lead_municipality_id=case.lead_municipality_id,
        need=parse_section(NeedSection, case.need),
        call=parse_section(CallSection, case.call),
        agreement=parse_section(AgreementSection, case.agreement),
        pilot=parse_section(PilotSection, case.pilot),
        scale=parse_section(ScaleSection, case.scale),
        proposals=tuple(
            ProposalFacts(
                id=p.id or 0,
                organisation_id=p.organisation_id,
                assessments=tuple(assessments.get(p.id or 0, [])),
                decision=decisions[p.id].decision if p.id in decisions else None,
                decision_rationale=decisions[p.id].rationale if p.id in decisions else None,
            )
            for p in proposals
        ),
        signed_organisation_ids=frozenset(signed),
    )
