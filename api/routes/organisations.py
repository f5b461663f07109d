"""Organisations: admins create them; everyone authenticated reads them.

A webhook address may carry a secret in its path, so only the organisation's own people and
admins see it (`workflow.access.policy.sees_webhook`); anyone else reads `webhook_url: null`.
"""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlmodel import col

from api.deps import CurrentActor, SessionDep, strict_query
from api.http.replies import json_response
from api.routes.paging import one_page
from api.routes.params import Limit, Offset, id_path
from api.routes.writes import CREATE, Write, write_route
from api.schemas.common import Page, problem_responses
from api.schemas.organisations import OrganisationCreate, OrganisationCreated, OrganisationPublic
from workflow.access.actor import Actor
from workflow.access.organisations import create_organisation
from workflow.access.policy import Action, require, sees_webhook
from workflow.core.errors import NotFound
from workflow.models import Organisation

router = APIRouter(tags=["organisations"], dependencies=[Depends(strict_query)])

OrganisationId = Annotated[int, id_path()]


def organisation_public(actor: Actor, org: Organisation) -> OrganisationPublic:
    """The organisation as `actor` may read it."""
    public = OrganisationPublic.model_validate(org, from_attributes=True)
    if not sees_webhook(actor, org.id):
        public.webhook_url = None
    return public


@router.post(
    "/organisations",
    response_model=OrganisationCreated,
    **write_route(201, problems=CREATE),
)
def post_organisation(body: OrganisationCreate, write: Write) -> JSONResponse:
    """Create an organisation (admin). With a `webhook_url`, the answer carries the webhook
    signing secret; it is never shown by any other request."""
    require(write.actor, Action.CREATE_ORGANISATION)
    org = create_organisation(
        write.work,
        write.actor,
        name=body.name,
        kind=body.kind.value,
        email=str(body.email),
        language=body.language,
        cvr=body.cvr,
        webhook_url=str(body.webhook_url) if body.webhook_url else None,
        sso_creates_users=body.sso_creates_users,
    )
    created = OrganisationCreated.model_validate(org, from_attributes=True)
    return write.created(created, "get_organisation", organisation_id=org.id)


@router.get(
    "/organisations",
    response_model=Page[OrganisationPublic],
    responses=problem_responses(401, 422),
)
def list_organisations(
    actor: CurrentActor,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JSONResponse:
    """Every organisation, by name (webhook addresses only of the caller's own)."""
    order = (col(Organisation.name), col(Organisation.id))
    rows, total = one_page(session, select(Organisation), order, limit, offset)
    items = [organisation_public(actor, o) for o in rows]
    return json_response(Page[OrganisationPublic](items=items, total=total))


@router.get(
    "/organisations/{organisation_id}",
    response_model=OrganisationPublic,
    responses=problem_responses(401, 404, 422),
)
def get_organisation(
    organisation_id: OrganisationId, actor: CurrentActor, session: SessionDep
) -> JSONResponse:
    """One organisation (its webhook address only to its own people and admins)."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(f"Organisation {organisation_id} was not found.")
    return json_response(organisation_public(actor, org))
