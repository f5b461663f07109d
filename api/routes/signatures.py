"""`POST /cases/{id}/signatures`: recording the agreement's signatures."""

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from api.deps import strict_query
from api.routes.cases import CaseId
from api.routes.writes import ETAG_HEADER, Write, write_route
from api.schemas.cases import SignaturePublic
from api.schemas.proposals import SignatureCreate
from api.views import etag
from workflow.access.policy import Action
from workflow.access.scope import case_for
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
    write: Write,
) -> JSONResponse:
    """Record a party's signature on the agreement, while the case is in `agreement`
    (the lead municipality's managers, admins)."""
    case = case_for(write.session, write.actor, case_id, Action.SIGN)
    signature = record_signature(
        write.work,
        case_id,
        write.actor,
        organisation_id=body.organisation_id,
        signatory_name=body.signatory_name,
        signed_at=body.signed_at,
        document_version_id=body.document_version_id,
        now=write.now,
    )
    public = SignaturePublic.model_validate(signature, from_attributes=True)
    return write.reply(public, 201, {"ETag": etag(case)})
