"""`POST /cases/{id}/signatures`: recording the agreement's signatures."""

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from api.deps import strict_query
from api.routes.cases import CaseId
from api.routes.writes import ETAG_HEADER, Write, write_route
from api.schemas.cases import SignaturePublic
from api.schemas.proposals import SignatureCreate
from workflow.access.policy import Action
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
    case = write.case(case_id, Action.SIGN)
    signature = record_signature(
        write.work, case_id, write.actor, **body.model_dump(), now=write.now
    )
    return write.recorded(case, SignaturePublic.model_validate(signature, from_attributes=True))
