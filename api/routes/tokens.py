"""`/tokens`: admins create and list API tokens; a token is revoked by an admin or, for a
personal token, by its owner. `GET /me` says who the caller is."""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select
from sqlmodel import col

from api.deps import CurrentActor, Now, SessionDep, strict_query
from api.http.replies import json_response
from api.routes.params import Limit, Offset, id_path, id_query
from api.routes.writes import CREATE, Write, write_route
from api.schemas.common import Page, problem_responses
from api.schemas.tokens import TokenCreate, TokenCreated, TokenPublic
from api.schemas.users import Me
from workflow.access.policy import Action, may, require
from workflow.access.tokens import create_token as create_token_row
from workflow.access.tokens import revoke_token
from workflow.core.errors import NotFound
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import ApiToken, User

router = APIRouter(tags=["tokens"], dependencies=[Depends(strict_query)])

TokenId = Annotated[int, id_path()]


@router.post(
    "/tokens",
    response_model=TokenCreated,
    **write_route(201, problems=CREATE),
)
def post_token(
    body: TokenCreate,
    write: Write,
) -> JSONResponse:
    """Create a personal token (`user_id`) or a service token (`role`, `organisation_id`),
    optionally expiring; the token is in this answer only.

    A replay of this request with its `Idempotency-Key` answers the same, with `token` null:
    only the token's hash is kept.
    """
    require(write.actor, Action.CREATE_TOKEN)
    row, secret = create_token_row(
        write.work,
        write.actor,
        name=body.name,
        role=body.role.value if body.role else None,
        organisation_id=body.organisation_id,
        user_id=body.user_id,
        expires_at=body.expires_at,
        now=write.now,
    )
    created = TokenCreated.model_validate(
        {**row.model_dump(exclude={"token_hash"}), "token": secret}
    )
    return write.reply(created, 201, remembered=created.model_copy(update={"token": None}))


@router.get("/tokens", response_model=Page[TokenPublic], responses=problem_responses(401, 422))
def list_tokens(
    actor: CurrentActor,
    session: SessionDep,
    user_id: Annotated[int | None, id_query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JSONResponse:
    """Tokens, newest first, with their last use: an admin sees every token (or a user's, by
    `user_id`), anyone else their own personal tokens."""
    where = []
    if not may(actor, Action.MANAGE_TOKENS):
        where.append(col(ApiToken.user_id) == (actor.user_id or 0))
    if user_id is not None:
        where.append(col(ApiToken.user_id) == user_id)
    total = session.execute(select(func.count()).select_from(ApiToken).where(*where)).scalar_one()
    rows = session.execute(
        select(ApiToken).where(*where).order_by(col(ApiToken.id).desc()).limit(limit).offset(offset)
    ).scalars()
    items = [TokenPublic.model_validate(r, from_attributes=True) for r in rows]
    return json_response(Page[TokenPublic](items=items, total=total))


@router.delete("/tokens/{token_id}", status_code=204, responses=problem_responses(401, 404, 422))
def delete_token(token_id: TokenId, actor: CurrentActor, session: SessionDep, now: Now) -> Response:
    """Revoke a token at once: its requests answer 401 and its web sessions end. An admin
    revokes any token, a person their own; any other token answers 404, like a missing one.
    Revoking a revoked token changes nothing."""
    row = session.get(ApiToken, token_id)
    if row is None or (
        not may(actor, Action.MANAGE_TOKENS)
        and (row.user_id is None or row.user_id != actor.user_id)
    ):
        raise NotFound(f"Token {token_id} was not found.")
    work = UnitOfWork(session)
    revoke_token(work, actor, token_id, now)
    work.commit()
    return Response(status_code=204)


@router.get("/me", response_model=Me, responses=problem_responses(401))
def get_me(actor: CurrentActor, session: SessionDep) -> JSONResponse:
    """Who the caller is: the person (or service token) the audit log names for its writes."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    return json_response(
        Me.model_validate({**asdict(actor), "email": user.email if user else None})
    )
