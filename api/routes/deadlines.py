"""Deadlines: per case and across cases, managers' changes, and the calendar feed (SPEC §5)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Select
from sqlmodel import Session, col

from api.deps import CurrentActor, Language, Now, SessionDep, strict_query
from api.http.problems import ApiProblem
from api.http.replies import json_response
from api.public_feeds import CALENDAR_TYPE
from api.routes.paging import one_page
from api.routes.params import CaseId, Offset, id_path, id_query
from api.routes.writes import Write, location_header, write_route
from api.schemas.common import READ, WRITE, Page, Timestamp, feed_responses, problem_responses
from api.schemas.deadlines import CalendarFeed, DeadlineCreate, DeadlinePatch, DeadlinePublic
from notifications import links
from notifications.ics import organisation_calendar
from workflow.access.policy import Action, may_see_feed, require
from workflow.access.scope import get_visible_case
from workflow.core.settings import Settings, get_settings
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines.service import (
    add_deadline,
    get_visible_deadline,
    localized_title,
    move_deadline,
    overdue_clause,
    set_deadline_status,
    visible_deadlines,
)
from workflow.models import Case, Deadline, DeadlineStatus, Organisation

router = APIRouter(tags=["deadlines"], dependencies=[Depends(strict_query)])

DeadlineId = Annotated[int, id_path("The deadline's id.")]
OrganisationId = Annotated[int, id_path("The organisation's id.")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def deadline_public(deadline: Deadline, language: str, now: datetime) -> DeadlinePublic:
    """The API view of a deadline, its title in `language` for the phase deadlines."""
    assert deadline.id is not None
    overdue = deadline.status == DeadlineStatus.OPEN.value and deadline.due_at < now
    return DeadlinePublic.model_validate(
        {**deadline.model_dump(), "title": localized_title(deadline, language), "overdue": overdue}
    )


def _page(
    session: Session,
    query: Select[Deadline],
    status: DeadlineStatus | None,
    limit: int,
    offset: int,
    language: str,
    now: datetime,
) -> JSONResponse:
    """One page of the deadlines `query` finds (those in `status`, if given), soonest first."""
    if status is not None:
        query = query.where(col(Deadline.status) == status.value)
    order = (col(Deadline.due_at), col(Deadline.id))
    rows, total = one_page(session, query, order, limit, offset)
    items = [deadline_public(d, language, now) for d in rows]
    return json_response(Page[DeadlinePublic](items=items, total=total))


DeadlineLimit = Annotated[int, Query(ge=1, le=500)]


@router.get(
    "/cases/{case_id}/deadlines",
    response_model=Page[DeadlinePublic],
    responses=problem_responses(*READ),
)
def list_case_deadlines(
    case_id: CaseId,
    actor: CurrentActor,
    session: SessionDep,
    language: Language,
    now: Now,
    status: DeadlineStatus | None = None,
    limit: DeadlineLimit = 100,
    offset: Offset = 0,
) -> JSONResponse:
    """The case's deadlines, soonest first. A partner sees only those it is responsible for."""
    get_visible_case(session, actor, case_id)
    query = visible_deadlines(actor).where(col(Deadline.case_id) == case_id)
    return _page(session, query, status, limit, offset, language, now)


@router.post(
    "/cases/{case_id}/deadlines",
    response_model=DeadlinePublic,
    **write_route(201, "Created, with its reminders scheduled.", location_header("The deadline.")),
)
def post_case_deadline(
    case_id: CaseId,
    body: DeadlineCreate,
    write: Write,
    language: Language,
    settings: SettingsDep,
) -> JSONResponse:
    """Add a deadline to the case's current phase (managers). Audited; reminders follow the
    ladder of SPEC §5."""
    write.case(case_id, Action.MANAGE_DEADLINES)
    deadline = add_deadline(
        write.work,
        case_id,
        write.actor,
        **body.model_dump(),
        now=write.now,
        calendar=settings.reminder_calendar,
    )
    view = deadline_public(deadline, language, write.now)
    return write.created(view, "get_deadline", deadline_id=deadline.id)


@router.get(
    "/deadlines/{deadline_id}",
    response_model=DeadlinePublic,
    responses=problem_responses(*READ),
)
def get_deadline(
    deadline_id: DeadlineId, actor: CurrentActor, session: SessionDep, language: Language, now: Now
) -> JSONResponse:
    """One deadline."""
    deadline = get_visible_deadline(session, actor, deadline_id)
    return json_response(deadline_public(deadline, language, now))


@router.patch(
    "/deadlines/{deadline_id}",
    response_model=DeadlinePublic,
    responses=problem_responses(*WRITE),
)
def patch_deadline(
    deadline_id: DeadlineId,
    body: DeadlinePatch,
    actor: CurrentActor,
    session: SessionDep,
    language: Language,
    now: Now,
    settings: SettingsDep,
) -> JSONResponse:
    """Move a deadline (`{due_at, reason}`: a new revision with fresh reminders) or mark it
    met (`{status: "met"}`) or cancelled (`{status: "cancelled", reason}`). Audited."""
    require(actor, Action.MANAGE_DEADLINES)
    case = session.get(Case, get_visible_deadline(session, actor, deadline_id).case_id)
    require(actor, Action.MANAGE_DEADLINES, case)
    work = UnitOfWork(session)
    if body.due_at is not None:
        deadline = move_deadline(
            work,
            deadline_id,
            actor,
            due_at=body.due_at,
            reason=body.reason,
            now=now,
            calendar=settings.reminder_calendar,
        )
    else:
        deadline = set_deadline_status(
            work,
            deadline_id,
            actor,
            status=DeadlineStatus(body.status or DeadlineStatus.MET.value),
            reason=body.reason,
            now=now,
        )
    view = deadline_public(deadline, language, now)
    work.commit()
    return json_response(view)


@router.get(
    "/deadlines", response_model=Page[DeadlinePublic], responses=problem_responses(401, 422)
)
def list_deadlines(
    actor: CurrentActor,
    session: SessionDep,
    language: Language,
    now: Now,
    overdue: Annotated[
        bool | None, Query(description="Only open deadlines past due (true) or not (false).")
    ] = None,
    organisation_id: Annotated[
        int | None, id_query("Only those this organisation answers for.")
    ] = None,
    before: Annotated[Timestamp | None, Query(description="Only those due before this.")] = None,
    status: DeadlineStatus | None = None,
    limit: DeadlineLimit = 100,
    offset: Offset = 0,
) -> JSONResponse:
    """Deadlines across every case the caller may see, soonest first."""
    query = visible_deadlines(actor)
    if overdue is not None:
        clause = overdue_clause(now)
        query = query.where(clause if overdue else ~clause)
    if organisation_id is not None:
        query = query.where(col(Deadline.responsible_organisation_id) == organisation_id)
    if before is not None:
        query = query.where(col(Deadline.due_at) < before)
    return _page(session, query, status, limit, offset, language, now)


@router.get(
    "/organisations/{organisation_id}/calendar-feed",
    response_model=CalendarFeed,
    responses=problem_responses(401, 403, 404, 422),
)
def get_calendar_feed(
    organisation_id: OrganisationId, actor: CurrentActor, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    """The address of the organisation's deadline calendar, for its own people (and admins).
    Anyone holding the address can read the feed; rotating `OPI_SECRET_KEY` revokes it."""
    if not may_see_feed(actor, organisation_id):
        raise ApiProblem(403, "Only the organisation's own people get its feed.", slug="forbidden")
    if session.get(Organisation, organisation_id) is None:
        raise ApiProblem(404, f"Organisation {organisation_id} was not found.")
    url = links.feed_url(settings, organisation_id)
    return json_response(CalendarFeed(organisation_id=organisation_id, url=url))


@router.get(
    "/organisations/{organisation_id}/deadlines.ics",
    response_class=Response,
    responses=feed_responses("An iCalendar feed.", "text/calendar", 401, 404, 422),
)
def get_deadlines_ics(
    organisation_id: OrganisationId,
    token: Annotated[str, Query(min_length=1, max_length=500, description="The feed token.")],
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
) -> Response:
    """The organisation's open deadlines as iCalendar, for calendar clients. No bearer token:
    the signed `token` from `GET /organisations/{id}/calendar-feed` opens it."""
    try:
        allowed = links.read_feed_token(settings, token)
    except links.InvalidLink as exc:
        raise ApiProblem(401, exc.detail, slug="unauthorized") from exc
    if allowed != organisation_id:
        raise ApiProblem(401, "The calendar token is not valid.", slug="unauthorized")
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise ApiProblem(404, f"Organisation {organisation_id} was not found.")
    body = organisation_calendar(session, organisation, settings, now)
    return Response(
        body,
        media_type=CALENDAR_TYPE,
        headers={"Content-Disposition": 'inline; filename="deadlines.ics"'},
    )
