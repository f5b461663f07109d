"""Cases: create, list, read and merge-patch (SPEC §4)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import JSONResponse

from api.deps import CurrentActor, Language, Now, SessionDep, strict_query
from api.http.preconditions import IfMatch, check_if_match, require_if_match
from api.http.replies import json_response
from api.routes.params import CaseId, Limit, Offset
from api.routes.writes import CREATE, ETAG_HEADER, Write, location_header, write_route
from api.schemas.cases import CaseCreate, CasePublic, CaseSummary, CaseUpdate, CaseView
from api.schemas.common import MAX_ID, Page, problem_responses
from api.views import case_public, case_summaries, case_view, etag
from states import CaseState
from workflow.access.policy import Action, require, require_edit
from workflow.access.scope import get_visible_case
from workflow.cases.query import CaseFilter, search_cases
from workflow.cases.service import create_case, update_case
from workflow.models import OrganisationKind
from workflow.transitions.locking import lock_case

router = APIRouter(tags=["cases"], dependencies=[Depends(strict_query)])


@router.post(
    "/cases",
    response_model=CasePublic,
    **write_route(
        201, "Created.", {**ETAG_HEADER, **location_header("The new case.")}, problems=CREATE
    ),
)
def post_case(
    body: CaseCreate,
    write: Write,
    language: Language,
) -> JSONResponse:
    """Start a case in `need`, led by the caller's own municipality (managers and staff)."""
    require(write.actor, Action.CREATE_CASE)
    org = write.own_organisation(
        OrganisationKind.MUNICIPALITY, "Only a municipality's people can start a case."
    )
    case = create_case(
        write.work,
        write.actor,
        title=body.title,
        need=body.need.model_dump(mode="json", exclude_none=True),
        lead_municipality_id=org.id or 0,
        now=write.now,
    )
    headers = {"Location": write.location("get_case", case_id=case.id), "ETag": etag(case)}
    view = case_public(write.session, write.actor, case, language, write.now)
    return write.reply(view, 201, headers)


@router.get("/cases", response_model=Page[CaseSummary], responses=problem_responses(401, 422))
def list_cases(
    actor: CurrentActor,
    session: SessionDep,
    language: Language,
    now: Now,
    state: CaseState | None = None,
    municipality_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Led by, or with, this municipality."),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=r"^[^\x00]*$",
            description="Text in the title or the need (for a company: the title or the call), "
            "ignoring case.",
        ),
    ] = None,
    overdue: Annotated[
        bool | None,
        Query(description="Only cases with (true) or without (false) overdue deadlines."),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JSONResponse:
    """The cases the caller may see, newest first."""
    filters = CaseFilter(state=state, municipality_id=municipality_id, q=q or None, overdue=overdue)
    rows, total = search_cases(session, actor, filters, limit=limit, offset=offset, now=now)
    items = case_summaries(session, actor, rows, language)
    session.close()  # done reading: the connection goes back before the answer is serialised
    return json_response(Page[CaseSummary](items=items, total=total))


@router.get(
    "/cases/{case_id}",
    response_model=CaseView,
    responses=problem_responses(401, 404, 422),
)
def get_case(
    case_id: CaseId, actor: CurrentActor, session: SessionDep, language: Language, now: Now
) -> JSONResponse:
    """The case with its sections, participants and, for each trigger of its state, whether
    it is allowed now and every unmet requirement (messages in the `Accept-Language`
    language, Danish by default). A company outside the case sees only the published call."""
    case = get_visible_case(session, actor, case_id)
    view = case_view(session, actor, case, language, now)
    headers = {"ETag": etag(case)} if isinstance(view, CasePublic) else None
    return json_response(view, headers=headers)


_PATCH_BODY: dict[str, Any] = {"schema": {"$ref": "#/components/schemas/CaseUpdate"}}


@router.patch(
    "/cases/{case_id}",
    response_model=CasePublic,
    responses={
        200: {"description": "The patched case.", "headers": ETAG_HEADER},
        **problem_responses(400, 401, 403, 404, 409, 412, 413, 422, 428),
    },
    openapi_extra={"requestBody": {"content": {"application/json": _PATCH_BODY}}},
)
def patch_case(
    case_id: CaseId,
    body: Annotated[CaseUpdate, Body(media_type="application/merge-patch+json")],
    write: Write,
    language: Language,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Merge-patch (RFC 7396) the title and sections. Managers may change every section,
    staff the `need` only, and only in a case their municipality leads (a participating
    municipality reads it). `If-Match` with the case's ETag is required."""
    require(write.actor, Action.EDIT_CASE)
    case = get_visible_case(write.session, write.actor, case_id)
    patch = body.model_dump(mode="json", exclude_unset=True)
    require_edit(write.actor, patch, case)
    header = require_if_match(if_match)
    version = check_if_match(lock_case(write.work, case_id), header)
    case = update_case(
        write.work, case_id, patch, write.actor, expected_version=version, now=write.now
    )
    view = case_public(write.session, write.actor, case, language, write.now)
    return write.recorded(case, view, 200)
