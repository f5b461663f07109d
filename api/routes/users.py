"""`/users`: admins invite people, list them, change their role and disable them."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from api.deps import CurrentActor, Now, SessionDep, strict_query
from api.http.replies import json_response
from api.routes.params import Limit, Offset, OrganisationFilter, id_path
from api.routes.writes import CREATE, Write, write_route
from api.schemas.common import Page, problem_responses
from api.schemas.users import UserChange, UserInvite, UserPublic
from workflow.access.policy import Action, require
from workflow.access.users import change_user, get_user, invite_user, list_users
from workflow.core.unit_of_work import UnitOfWork

router = APIRouter(tags=["users"], dependencies=[Depends(strict_query)])

UserId = Annotated[int, id_path()]


@router.post(
    "/users",
    response_model=UserPublic,
    **write_route(201, problems=CREATE),
)
def post_user(
    body: UserInvite,
    write: Write,
) -> JSONResponse:
    """Invite a person (admin): their first single sign-on with this email links them."""
    require(write.actor, Action.MANAGE_USERS)
    user = invite_user(
        write.work,
        write.actor,
        name=body.name,
        email=str(body.email),
        role=body.role.value,
        organisation_id=body.organisation_id,
        now=write.now,
    )
    public = UserPublic.model_validate(user, from_attributes=True)
    return write.created(public, "get_one_user", user_id=user.id)


@router.get("/users", response_model=Page[UserPublic], responses=problem_responses(401, 403, 422))
def get_users(
    actor: CurrentActor,
    session: SessionDep,
    organisation_id: OrganisationFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JSONResponse:
    """Every user by name, or one organisation's (admin)."""
    require(actor, Action.MANAGE_USERS)
    users, total = list_users(session, organisation_id=organisation_id, limit=limit, offset=offset)
    items = [UserPublic.model_validate(u, from_attributes=True) for u in users]
    return json_response(Page[UserPublic](items=items, total=total))


@router.get(
    "/users/{user_id}", response_model=UserPublic, responses=problem_responses(401, 403, 404, 422)
)
def get_one_user(user_id: UserId, actor: CurrentActor, session: SessionDep) -> JSONResponse:
    """One user (admin)."""
    require(actor, Action.MANAGE_USERS)
    return json_response(
        UserPublic.model_validate(get_user(session, user_id), from_attributes=True)
    )


@router.patch(
    "/users/{user_id}",
    response_model=UserPublic,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def patch_user(
    user_id: UserId, body: UserChange, actor: CurrentActor, session: SessionDep, now: Now
) -> JSONResponse:
    """Change a user's role or status (admin). Disabling ends their sessions and revokes
    their tokens at once; enabling again lets them sign in anew."""
    require(actor, Action.MANAGE_USERS)
    work = UnitOfWork(session)
    user = change_user(
        work,
        actor,
        user_id,
        role=body.role.value if body.role else None,
        status=body.status.value if body.status else None,
        now=now,
    )
    public = UserPublic.model_validate(user, from_attributes=True)
    work.commit()
    return json_response(public)
