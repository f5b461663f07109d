"""The need catalogue (issue 17): share a need, search the shared needs, find similar ones."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from api.deps import CurrentActor, Now, SessionDep, strict_query
from api.http.replies import commit_reply, json_response
from api.routes.params import CaseId, Limit, Offset, id_query, search_text
from api.schemas.common import Page, problem_responses
from api.schemas.needs import Municipality, NeedItem, ShareState
from states import CaseState
from states.sections import Area
from workflow.access.organisations import organisation_names
from workflow.access.scope import get_visible_case
from workflow.core.errors import NotFound
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case
from workflow.needs.catalogue import (
    NeedCard,
    NeedFilter,
    NeedHit,
    get_shared_need,
    search_needs,
    set_shared,
    similar_needs,
)

router = APIRouter(tags=["needs"], dependencies=[Depends(strict_query)])


def need_items(session: Session, hits: list[NeedHit]) -> list[NeedItem]:
    """The hits as the catalogue shows them, each with its lead municipality's name."""
    ids = {hit.case.lead_municipality_id for hit in hits}
    names = organisation_names(session, ids)
    return [
        need_item(hit.case, names.get(hit.case.lead_municipality_id, ""), hit.rank) for hit in hits
    ]


def need_item(case: Case | NeedCard, lead_name: str, rank: float | None = None) -> NeedItem:
    """One shared need."""
    assert case.id is not None and case.shared_at is not None
    need = case.need
    return NeedItem(
        case_id=case.id,
        title=case.title,
        state=CaseState(case.state),
        area=need.get("area"),
        description=need.get("description"),
        target_group=need.get("target_group"),
        expected_value=need.get("expected_value"),
        lead_municipality=Municipality(id=case.lead_municipality_id, name=lead_name),
        shared_at=case.shared_at,
        rank=None if rank is None else round(rank, 6),
    )


@router.get("/needs", response_model=Page[NeedItem], responses=problem_responses(401, 403, 422))
def list_needs(
    actor: CurrentActor,
    session: SessionDep,
    q: Annotated[
        str | None,
        search_text(
            "Words to find in the need's title and description, Danish-stemmed "
            '("demens" finds "demente"); ranked by relevance. Any text is searched '
            "literally: no search syntax.",
        ),
    ] = None,
    area: Area | None = None,
    state: CaseState | None = None,
    municipality_id: Annotated[int | None, id_query("Led by this municipality.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JSONResponse:
    """The need catalogue: needs their lead municipality shares with every municipality.

    Open to the people of every municipality, admins and auditors; never to companies."""
    filters = NeedFilter(
        q=q,
        area=area.value if area else None,
        state=state.value if state else None,
        municipality_id=municipality_id,
    )
    hits, total = search_needs(session, actor, filters, limit=limit, offset=offset)
    return json_response(Page[NeedItem](items=need_items(session, hits), total=total))


@router.get(
    "/needs/{case_id}", response_model=NeedItem, responses=problem_responses(401, 403, 404, 422)
)
def get_need(case_id: CaseId, actor: CurrentActor, session: SessionDep) -> JSONResponse:
    """A shared need (a need not shared is 404, even to the municipalities in its case)."""
    case = get_shared_need(session, actor, case_id)
    return json_response(need_items(session, [NeedHit(case, None)])[0])


@router.get(
    "/needs/{case_id}/similar",
    response_model=list[NeedItem],
    responses=problem_responses(401, 403, 404, 422),
)
def get_similar(
    case_id: CaseId,
    actor: CurrentActor,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> JSONResponse:
    """The shared needs most like this one ("Lignende behov"), best first. The need itself is
    a shared need, or a case the caller takes part in."""
    try:
        case = get_shared_need(session, actor, case_id)
    except NotFound:
        case = get_visible_case(session, actor, case_id)
    hits = similar_needs(session, actor, case, limit=limit)
    return json_response([item.model_dump(mode="json") for item in need_items(session, hits)])


_SHARE_ROUTE: dict[str, Any] = {
    "response_model": ShareState,
    "responses": problem_responses(401, 403, 404, 422),
}
"""Sharing and unsharing answer alike: the need's sharing state after the write."""


def _share(
    case_id: int, shared: bool, actor: CurrentActor, session: Session, request: Request, now: Now
) -> JSONResponse:
    get_visible_case(session, actor, case_id)
    work = UnitOfWork(session)
    case = set_shared(work, actor, case_id, shared, now)
    body = ShareState(case_id=case_id, shared=case.shared_at is not None, shared_at=case.shared_at)
    return commit_reply(work, request, body)


@router.post("/cases/{case_id}/share", **_SHARE_ROUTE)
def share_need(
    case_id: CaseId, actor: CurrentActor, session: SessionDep, request: Request, now: Now
) -> JSONResponse:
    """ "Del behovet med andre kommuner": the lead municipality's managers put the case's need
    in the catalogue (audited `need.shared`; sharing again changes nothing)."""
    return _share(case_id, True, actor, session, request, now)


@router.delete("/cases/{case_id}/share", **_SHARE_ROUTE)
def unshare_need(
    case_id: CaseId, actor: CurrentActor, session: SessionDep, request: Request, now: Now
) -> JSONResponse:
    """Take the need out of the catalogue (audited `need.unshared`)."""
    return _share(case_id, False, actor, session, request, now)
