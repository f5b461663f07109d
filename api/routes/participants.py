"""`POST /cases/{id}/participants`: managers add organisations to a case."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlmodel import col

from api.deps import CurrentActor, Now, SessionDep, strict_query
from api.http.idempotency import idempotency_key_header
from api.http.replies import commit_reply
from api.routes.cases import ETAG_HEADER, CaseId
from api.schemas.cases import ParticipantCreate, ParticipantPublic
from api.schemas.common import problem_responses
from api.views import etag
from workflow.access.policy import Action, require
from workflow.access.scope import get_visible_case
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Organisation, Participant
from workflow.proposals.service import add_participant

router = APIRouter(tags=["cases"], dependencies=[Depends(strict_query)])


@router.post(
    "/cases/{case_id}/participants",
    status_code=201,
    response_model=ParticipantPublic,
    responses={
        200: {
            "description": "The organisation already took part; its role was changed.",
            "model": ParticipantPublic,
            "headers": ETAG_HEADER,
        },
        201: {"description": "Added.", "headers": ETAG_HEADER},
        **problem_responses(400, 401, 403, 404, 409, 413, 422),
    },
    dependencies=[Depends(idempotency_key_header)],
)
def post_participant(
    case_id: CaseId,
    body: ParticipantCreate,
    actor: CurrentActor,
    session: SessionDep,
    request: Request,
    now: Now,
) -> JSONResponse:
    """Add an organisation to the case with a role, or change its role (the lead
    municipality's managers, admins)."""
    require(actor, Action.ADD_PARTICIPANT)
    case = get_visible_case(session, actor, case_id)
    require(actor, Action.ADD_PARTICIPANT, case)
    existed = session.execute(
        select(col(Participant.id)).where(
            col(Participant.case_id) == case_id,
            col(Participant.organisation_id) == body.organisation_id,
        )
    ).first()
    work = UnitOfWork(session)
    participant = add_participant(
        work, case_id, actor, organisation_id=body.organisation_id, role=body.role, now=now
    )
    org = session.get(Organisation, participant.organisation_id)
    assert org is not None
    public = ParticipantPublic.model_validate(
        {"organisation_id": org.id, "name": org.name, "kind": org.kind, "role": participant.role}
    )
    status = 200 if existed else 201
    return commit_reply(work, request, public, status, {"ETag": etag(case)})
