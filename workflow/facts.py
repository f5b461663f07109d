"""Building the `states.CaseFacts` snapshot of a stored case."""

from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from states import CaseFacts
from states.facts import AssessmentFacts, ProposalFacts
from states.sections import SECTION_MODELS
from workflow.models import Assessment, Case, Decision, Proposal, Signature


def parse_section(name: str, data: dict[str, object]) -> object:
    """The stored section as its pydantic model; unreadable data counts as empty."""
    model = SECTION_MODELS[name]
    try:
        return model.model_validate(data)
    except ValidationError:
        return model()


def case_facts(session: Session, case: Case, now: datetime) -> CaseFacts:
    """Everything the requirement checks read about `case`, as of `now`."""
    assert case.id is not None
    proposals = session.execute(
        select(Proposal).where(Proposal.case_id == case.id).order_by(Proposal.id)  # type: ignore[arg-type]
    ).scalars().all()
    ids = [p.id for p in proposals]
    assessments: dict[int, list[AssessmentFacts]] = {}
    decisions: dict[int, Decision] = {}
    if ids:
        for a in session.execute(
            select(Assessment).where(Assessment.proposal_id.in_(ids))  # type: ignore[union-attr]
        ).scalars():
            assessments.setdefault(a.proposal_id, []).append(
                AssessmentFacts(
                    scores={str(k): int(v) for k, v in a.scores.items()},
                    conflict_of_interest=a.conflict_of_interest,
                )
            )
        for d in session.execute(
            select(Decision).where(Decision.proposal_id.in_(ids)).order_by(Decision.id)  # type: ignore[union-attr,arg-type]
        ).scalars():
            decisions[d.proposal_id] = d  # later rows win: the latest decision counts
    signed = session.execute(
        select(Signature.organisation_id).where(Signature.case_id == case.id)  # type: ignore[arg-type]
    ).scalars().all()
    return CaseFacts(
        now=now,
        lead_municipality_id=case.lead_municipality_id,
        need=parse_section("need", case.need),  # type: ignore[arg-type]
        call=parse_section("call", case.call),  # type: ignore[arg-type]
        agreement=parse_section("agreement", case.agreement),  # type: ignore[arg-type]
        pilot=parse_section("pilot", case.pilot),  # type: ignore[arg-type]
        scale=parse_section("scale", case.scale),  # type: ignore[arg-type]
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
