"""`POST /tokens`: admins create API tokens, shown once."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.deps import CurrentActor, SessionDep, require_role, strict_query
from api.idempotency import idempotency_key_header
from api.replies import commit_reply
from api.schemas.common import problem_responses
from api.schemas.tokens import TokenCreate, TokenCreated
from workflow.access.tokens import create_token
from workflow.models import Role

router = APIRouter(tags=["tokens"], dependencies=[Depends(strict_query)])


@router.post(
    "/tokens",
    status_code=201,
    response_model=TokenCreated,
    responses=problem_responses(400, 401, 403, 409, 413, 422),
    dependencies=[Depends(idempotency_key_header)],
)
def post_token(
    body: TokenCreate, actor: CurrentActor, session: SessionDep, request: Request
) -> JSONResponse:
    """Create a token for a role (and organisation); the token is in this answer only.

    A replay of this request with its `Idempotency-Key` answers the same, with `token` null:
    only the token's hash is kept.
    """
    require_role(actor, Role.ADMIN.value)
    row, secret = create_token(
        session, actor, name=body.name, role=body.role.value, organisation_id=body.organisation_id
    )
    created = TokenCreated.model_validate(
        {**row.model_dump(exclude={"token_hash"}), "token": secret}
    )
    return commit_reply(
        session, request, created, 201, remembered=created.model_copy(update={"token": None})
    )
