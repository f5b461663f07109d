"""`POST /cases/{id}/participants`: managers add organisations to a case."""

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlmodel import col

from api.deps import strict_query
from api.routes.cases import CaseId
from api.routes.writes import ETAG_HEADER, Write, write_route
from api.schemas.cases import ParticipantCreate, ParticipantPublic
from workflow.access.policy import Action
from workflow.models import Organisation, Participant
from workflow.proposals.service import add_participant

router = APIRouter(tags=["cases"], dependencies=[Depends(strict_query)])


@router.post(
    "/cases/{case_id}/participants",
    response_model=ParticipantPublic,
    **write_route(
        201,
        "Added.",
        ETAG_HEADER,
        more={
            200: {
                "description": "The organisation already took part; its role was changed.",
                "model": ParticipantPublic,
                "headers": ETAG_HEADER,
            }
        },
    ),
)
def post_participant(
    case_id: CaseId,
    body: ParticipantCreate,
    write: Write,
) -> JSONResponse:
    """Add an organisation to the case with a role, or change its role (the lead
    municipality's managers, admins)."""
    case = write.case(case_id, Action.ADD_PARTICIPANT)
    existed = write.session.execute(
        select(col(Participant.id)).where(
            col(Participant.case_id) == case_id,
            col(Participant.organisation_id) == body.organisation_id,
        )
    ).first()
    participant = add_participant(
        write.work, case_id, write.actor, **body.model_dump(), now=write.now
    )
    org = write.session.get(Organisation, participant.organisation_id)
    assert org is not None
    public = ParticipantPublic.model_validate(
        {"organisation_id": org.id, "name": org.name, "kind": org.kind, "role": participant.role}
    )
    return write.recorded(case, public, 200 if existed else 201)
