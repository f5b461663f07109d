"""Unregistered companies' requests to take part in a call (issue 17, item 5): the approvers'
side. The request itself comes from the call's public page (`api.web.public.public_pages`)."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlmodel import Session

from api.deps import CurrentActor, SessionDep, strict_query
from api.http.replies import json_response
from api.routes.params import Limit, Offset, id_path, id_query
from api.routes.writes import Write, write_route
from api.schemas.common import Page, problem_responses
from api.schemas.public import OrganisationRequestDecision, OrganisationRequestPublic
from workflow.models import OrganisationRequest, OrganisationRequestStatus
from workflow.public.requests import decide_request, list_requests, registered_cvrs

router = APIRouter(tags=["organisation requests"], dependencies=[Depends(strict_query)])

RequestId = Annotated[int, id_path("The request's id.")]


def request_items(
    session: Session, rows: list[OrganisationRequest]
) -> list[OrganisationRequestPublic]:
    """The requests as the API shows them, each saying whether its CVR is registered."""
    registered = registered_cvrs(session, {r.cvr for r in rows})
    return [
        OrganisationRequestPublic.model_validate(
            {**r.model_dump(), "cvr_registered": r.cvr in registered}
        )
        for r in rows
    ]


@router.get(
    "/organisation-requests",
    response_model=Page[OrganisationRequestPublic],
    responses=problem_responses(401, 403, 422),
)
def get_organisation_requests(
    actor: CurrentActor,
    session: SessionDep,
    status: OrganisationRequestStatus | None = None,
    case_id: Annotated[int | None, id_query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JSONResponse:
    """Requests from companies not yet registered to take part in a call, pending first:
    every one for admins and auditors, those of the calls their municipality leads for
    managers; anyone else 403."""
    rows, total = list_requests(
        session,
        actor,
        status=status.value if status else None,
        case_id=case_id,
        limit=limit,
        offset=offset,
    )
    page = Page[OrganisationRequestPublic](items=request_items(session, rows), total=total)
    return json_response(page)


@router.post(
    "/organisation-requests/{request_id}/decision",
    response_model=OrganisationRequestPublic,
    **write_route(200),
)
def post_organisation_request_decision(
    request_id: RequestId,
    body: OrganisationRequestDecision,
    write: Write,
) -> JSONResponse:
    """Approve: the company becomes an organisation of kind `company` (and, with `invite`,
    its contact a partner user; no mail is sent). Decline: a reason is required. Admins and
    the managers of the call's lead municipality; both audited. A decided request is 409, as
    is approving a CVR number that already belongs to an organisation."""
    decided = decide_request(
        write.work, write.actor, request_id, **body.model_dump(), now=write.now
    )
    return write.reply(request_items(write.session, [decided])[0])
