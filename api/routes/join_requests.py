"""Joining a shared need (issue 17): a municipality asks, the lead municipality decides."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlmodel import Session

from api.deps import CurrentActor, SessionDep, strict_query
from api.http.replies import json_response
from api.routes.needs import CaseId
from api.routes.params import id_path
from api.routes.writes import Write, write_route
from api.schemas.common import problem_responses
from api.schemas.needs import JoinDecision, JoinRequestCreate, JoinRequestPublic, Municipality
from workflow.access.scope import can_see
from workflow.core.errors import NotFound
from workflow.models import Case, JoinRequest, Organisation, Role
from workflow.needs.joining import decide, list_requests, request_to_join

router = APIRouter(tags=["needs"], dependencies=[Depends(strict_query)])

RequestId = Annotated[int, id_path("The join request's id.")]


def public(session: Session, request: JoinRequest) -> JoinRequestPublic:
    """A join request as the API shows it, naming the municipality."""
    org = session.get(Organisation, request.organisation_id)
    assert request.id is not None and org is not None and org.id is not None
    return JoinRequestPublic.model_validate(
        {
            **request.model_dump(),
            "organisation": Municipality(id=org.id, name=org.name),
        }
    )


@router.post(
    "/cases/{case_id}/join-requests",
    response_model=JoinRequestPublic,
    **write_route(201),
)
def post_join_request(
    case_id: CaseId,
    body: JoinRequestCreate,
    write: Write,
) -> JSONResponse:
    """ "Vi har samme behov": the caller's municipality asks to co-own a shared need (its
    managers and staff). A need not shared is 404, a caller that is not a municipality's 403,
    a second request while one is pending (or a municipality already in the case) 409."""
    created = request_to_join(write.work, write.actor, case_id, body.message, write.now)
    return write.reply(public(write.session, created), 201)


@router.get(
    "/cases/{case_id}/join-requests",
    response_model=list[JoinRequestPublic],
    responses=problem_responses(401, 404, 422),
)
def get_join_requests(case_id: CaseId, actor: CurrentActor, session: SessionDep) -> JSONResponse:
    """The case's join requests: all of them for the municipalities in the case, admins and
    auditors; a municipality outside it sees only its own."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"Case {case_id} was not found.")
    rows = list_requests(session, case_id)
    if actor.role == Role.PARTNER.value or not can_see(session, actor, case):
        rows = [r for r in rows if r.organisation_id == actor.organisation_id]
        if not rows or actor.role == Role.PARTNER.value:
            raise NotFound(f"Case {case_id} was not found.")
    return json_response([public(session, r).model_dump(mode="json") for r in rows])


@router.post(
    "/cases/{case_id}/join-requests/{request_id}/decision",
    response_model=JoinRequestPublic,
    **write_route(200),
)
def post_join_decision(
    case_id: CaseId,
    request_id: RequestId,
    body: JoinDecision,
    write: Write,
) -> JSONResponse:
    """Accept (the municipality becomes a co-owner: a participant with the role
    `municipality`) or decline with a reason. The lead municipality's managers and admins."""
    case = write.session.get(Case, case_id)
    if case is None or not can_see(write.session, write.actor, case):
        raise NotFound(f"Case {case_id} was not found.")
    decided = decide(
        write.work, write.actor, case_id, request_id, body.decision, body.reason, write.now
    )
    return write.reply(public(write.session, decided))
