"""Proposals to a case's call, their assessments and the decisions on them.

Companies compete while a call is open: a partner reads its own proposals only, and a
competitor's proposal answers 404 by every path, exactly as a missing one does.
"""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlmodel import Session, col

from api.deps import CurrentActor, SessionDep, strict_query
from api.http.replies import json_response
from api.routes.cases import CaseId
from api.routes.params import id_path
from api.routes.writes import ETAG_HEADER, Write, location_header, write_route
from api.schemas.common import Page, problem_responses
from api.schemas.proposals import (
    AssessmentCreate,
    AssessmentPublic,
    DecisionCreate,
    DecisionPublic,
    ProposalCreate,
    ProposalPublic,
)
from api.views import proposals_public
from workflow.access.actor import Actor
from workflow.access.policy import Action, require
from workflow.access.scope import get_visible_case, may_see_proposal, proposals_clause
from workflow.core.errors import NotFound
from workflow.models import Case, OrganisationKind, Proposal
from workflow.proposals.service import assess_proposal, decide_proposal, submit_proposal

router = APIRouter(tags=["proposals"], dependencies=[Depends(strict_query)])

ProposalId = Annotated[int, id_path("The proposal's id.")]


def _visible_proposals(session: Session, actor: Actor, case: Case) -> Sequence[Proposal]:
    query = (
        select(Proposal)
        .where(col(Proposal.case_id) == case.id, proposals_clause(actor))
        .order_by(col(Proposal.id))
    )
    return session.execute(query).scalars().all()


def _visible_proposal(session: Session, actor: Actor, case: Case, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.case_id != case.id or not may_see_proposal(actor, proposal):
        raise NotFound(f"Proposal {proposal_id} was not found in case {case.id}.")
    return proposal


@router.post(
    "/cases/{case_id}/proposals",
    response_model=ProposalPublic,
    **write_route(201, "Submitted.", location_header("The proposal.")),
)
def post_proposal(
    case_id: CaseId,
    body: ProposalCreate,
    write: Write,
) -> JSONResponse:
    """Submit a proposal for the caller's own company, while the case is in `match` and before
    `call.submission_deadline`; a late proposal is refused with 409."""
    require(write.actor, Action.SUBMIT_PROPOSAL)
    org = write.own_organisation(
        OrganisationKind.COMPANY, "Only a company's partners can submit proposals."
    )
    get_visible_case(write.session, write.actor, case_id)
    proposal = submit_proposal(
        write.work,
        case_id,
        write.actor,
        organisation_id=org.id or 0,
        **body.model_dump(),
        now=write.now,
    )
    public = proposals_public(write.session, write.actor, [proposal])[0]
    return write.created(public, "get_proposal", case_id=case_id, proposal_id=proposal.id)


@router.get(
    "/cases/{case_id}/proposals",
    response_model=Page[ProposalPublic],
    responses=problem_responses(401, 403, 404, 422),
)
def list_proposals(case_id: CaseId, actor: CurrentActor, session: SessionDep) -> JSONResponse:
    """Managers, auditors and admins see every proposal; a partner sees its own only."""
    require(actor, Action.READ_PROPOSALS)
    case = get_visible_case(session, actor, case_id)
    items = proposals_public(session, actor, _visible_proposals(session, actor, case))
    return json_response(Page[ProposalPublic](items=items, total=len(items)))


@router.get(
    "/cases/{case_id}/proposals/{proposal_id}",
    response_model=ProposalPublic,
    responses=problem_responses(401, 403, 404, 422),
)
def get_proposal(
    case_id: CaseId, proposal_id: ProposalId, actor: CurrentActor, session: SessionDep
) -> JSONResponse:
    """One proposal; another company's answers 404, as a missing one does."""
    require(actor, Action.READ_PROPOSALS)
    case = get_visible_case(session, actor, case_id)
    proposal = _visible_proposal(session, actor, case, proposal_id)
    return json_response(proposals_public(session, actor, [proposal])[0])


@router.post(
    "/cases/{case_id}/proposals/{proposal_id}/assessments",
    response_model=AssessmentPublic,
    **write_route(201, "Recorded.", ETAG_HEADER),
)
def post_assessment(
    case_id: CaseId,
    proposal_id: ProposalId,
    body: AssessmentCreate,
    write: Write,
) -> JSONResponse:
    """Score a proposal 0–10 on each published criterion, declaring any conflict of interest
    (the lead municipality's managers, admins; the caller is the assessor)."""
    case = write.case(case_id, Action.ASSESS)
    assessment = assess_proposal(
        write.work, case_id, proposal_id, write.actor, **body.model_dump(), now=write.now
    )
    return write.recorded(case, AssessmentPublic.model_validate(assessment, from_attributes=True))


@router.post(
    "/cases/{case_id}/proposals/{proposal_id}/decision",
    response_model=DecisionPublic,
    **write_route(201, "Recorded; the latest decision counts.", ETAG_HEADER),
)
def post_decision(
    case_id: CaseId,
    proposal_id: ProposalId,
    body: DecisionCreate,
    write: Write,
) -> JSONResponse:
    """Select or reject a proposal with the reason (the lead municipality's managers, admins)."""
    case = write.case(case_id, Action.DECIDE)
    decision = decide_proposal(
        write.work, case_id, proposal_id, write.actor, **body.model_dump(), now=write.now
    )
    return write.recorded(case, DecisionPublic.model_validate(decision, from_attributes=True))
