"""Reminders: a case's delivery log, and the signed acknowledge link in every reminder."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlmodel import col

from api.deps import CurrentActor, Now, SessionDep, strict_query
from api.http.problems import ApiProblem
from api.http.replies import json_response
from api.routes.paging import one_page
from api.routes.params import CaseId, Offset
from api.schemas.common import READ, Page, problem_responses
from api.schemas.deadlines import AckReply, ReminderPublic
from notifications import links
from workflow.access.policy import Action, require
from workflow.access.scope import get_visible_case
from workflow.core.settings import Settings, get_settings
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines.service import acknowledge
from workflow.models import Reminder, ReminderStatus

router = APIRouter(tags=["reminders"], dependencies=[Depends(strict_query)])

SettingsDep = Annotated[Settings, Depends(get_settings)]


def reminder_public(row: Reminder) -> ReminderPublic:
    """The API view of one outbox row."""
    assert row.id is not None
    pending = row.status == ReminderStatus.PENDING.value
    next_attempt_at = row.next_attempt_at if pending else None
    return ReminderPublic.model_validate({**row.model_dump(), "next_attempt_at": next_attempt_at})


@router.get(
    "/cases/{case_id}/notifications",
    response_model=Page[ReminderPublic],
    responses=problem_responses(*READ, 403),
)
def list_case_notifications(
    case_id: CaseId,
    actor: CurrentActor,
    session: SessionDep,
    status: ReminderStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Offset = 0,
) -> JSONResponse:
    """Every reminder of the case with its delivery status, attempts and last error
    (managers and auditors), in the order they are due."""
    require(actor, Action.READ_REMINDERS)
    get_visible_case(session, actor, case_id)
    query = select(Reminder).where(col(Reminder.case_id) == case_id)
    if status is not None:
        query = query.where(col(Reminder.status) == status.value)
    order = (col(Reminder.send_at), col(Reminder.id))
    rows, total = one_page(session, query, order, limit, offset)
    items = [reminder_public(r) for r in rows]
    return json_response(Page[ReminderPublic](items=items, total=total))


@router.get(
    "/reminders/ack",
    status_code=303,
    response_class=RedirectResponse,
    responses={
        303: {"description": "To the acknowledge page, which changes nothing."},
        **problem_responses(422),
    },
)
def acknowledge_page(
    token: Annotated[str, Query(min_length=1, max_length=1000, description="From the reminder.")],
) -> RedirectResponse:
    """Links in reminders sent before the pages had their own acknowledge page point here: a
    GET never acknowledges (mail scanners follow links), it leads to the page with the button."""
    return RedirectResponse(f"/ui/reminders/ack?{urlencode({'token': token})}", status_code=303)


@router.post(
    "/reminders/ack",
    response_model=AckReply,
    responses=problem_responses(401, 404, 422),
)
def acknowledge_reminder(
    token: Annotated[str, Query(min_length=1, max_length=1000, description="From the reminder.")],
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
) -> Response:
    """Acknowledge a reminder with the signed, expiring token it carried (no login), as a
    program would (a webhook's `acknowledge_url`). The acknowledgement is audited and stops
    that recipient's reminders before the due date; acknowledging again changes nothing."""
    try:
        claim = links.read_ack_token(settings, token, now=now)
    except links.InvalidLink as exc:
        slug = "link-expired" if exc.expired else "invalid-link"
        raise ApiProblem(401, exc.detail, slug=slug) from exc
    work = UnitOfWork(session)
    result = acknowledge(work, claim.deadline_id, claim.organisation_id, claim.revision, now=now)
    work.commit()
    deadline, organisation = result.deadline, result.organisation
    assert deadline.id is not None and organisation.id is not None
    reply = AckReply(
        outcome=result.outcome.value,
        deadline_id=deadline.id,
        case_id=deadline.case_id,
        organisation_id=organisation.id,
        reminders_stopped=result.reminders_stopped,
    )
    return json_response(reply)
