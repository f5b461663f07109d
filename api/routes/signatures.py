"""`POST /cases/{id}/signatures`: recording the agreement's signatures."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.deps import CurrentActor, Now, SessionDep, strict_query
from api.http.replies import commit_reply
from api.routes.cases import CaseId
from api.routes.writes import ETAG_HEADER, write_route
from api.schemas.cases import SignaturePublic
from api.schemas.proposals import SignatureCreate
from api.views import etag
from workflow.access.policy import Action
from workflow.access.scope import case_for
from workflow.core.unit_of_work import UnitOfWork
from workflow.proposals.service import record_signature

router = APIRouter(tags=["cases"], dependencies=[Depends(strict_query)])


@router.post(
    "/cases/{case_id}/signatures",
    response_model=SignaturePublic,
    **write_route(201, "Recorded.", ETAG_HEADER),
)
def post_signature(
    case_id: CaseId,
    body: SignatureCreate,
    actor: CurrentActor,
    session: SessionDep,
    request: Request,
    now: Now,
) -> JSONResponse:
    """Record a party's signature on the agreement, while the case is in `agreement`
    (the lead municipality's managers, admins)."""
    case = case_for(session, actor, case_id, Action.SIGN)
    work = UnitOfWork(session)
    signature = record_signature(
        work,
        case_id,
        actor,
        organisation_id=body.organisation_id,
        signatory_name=body.signatory_name,
        signed_at=body.signed_at,
        document_version_id=body.document_version_id,
        now=now,
    )
    public = SignaturePublic.model_validate(signature, from_attributes=True)
    return commit_reply(work, request, public, 201, {"ETag": etag(case)})
