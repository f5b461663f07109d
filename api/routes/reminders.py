"""Reminders: a case's delivery log, and the signed acknowledge link in every reminder."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import func, select
from sqlmodel import col

from api.deps import CurrentActor, Now, SessionDep, require_role, strict_query
from api.problems import ApiProblem
from api.replies import json_response
from api.schemas.common import MAX_ID, READ, Page, problem_responses
from api.schemas.deadlines import AckReply, ReminderPublic
from notifications import links
from notifications.content import render_ack_page
from workflow.access.scope import get_visible_case
from workflow.core.settings import Settings, get_settings
from workflow.deadlines.service import acknowledge, localized_title
from workflow.models import Case, Reminder, ReminderStatus, Role

router = APIRouter(tags=["reminders"], dependencies=[Depends(strict_query)])

CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="The case's id.")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
READERS = (Role.MANAGER.value, Role.AUDITOR.value, Role.ADMIN.value)


def reminder_public(row: Reminder) -> ReminderPublic:
    """The API view of one outbox row."""
    assert row.id is not None
    pending = row.status == ReminderStatus.PENDING.value
    return ReminderPublic(
        id=row.id,
        deadline_id=row.deadline_id,
        dedup_key=row.dedup_key,
        rung=row.rung,
        channel=row.channel,
        recipient_organisation_id=row.recipient_organisation_id,
        recipient_role=row.recipient_role,
        send_at=row.send_at,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if pending else None,
        last_error=row.last_error,
        sent_at=row.sent_at,
    )


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
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> JSONResponse:
    """Every reminder of the case with its delivery status, attempts and last error
    (managers and auditors), in the order they are due."""
    require_role(actor, *READERS)
    get_visible_case(session, actor, case_id)
    query = select(Reminder).where(col(Reminder.case_id) == case_id)
    if status is not None:
        query = query.where(col(Reminder.status) == status.value)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(col(Reminder.send_at), col(Reminder.id)).limit(limit).offset(offset)
    ).scalars()
    items = [reminder_public(r) for r in rows]
    return json_response(Page[ReminderPublic](items=items, total=int(total)))


@router.get(
    "/reminders/ack",
    response_model=AckReply,
    responses={
        200: {"content": {"text/html": {}}, "description": "A page for people, JSON for programs."},
        **problem_responses(401, 404, 422),
    },
)
def acknowledge_reminder(
    request: Request,
    token: Annotated[str, Query(min_length=1, max_length=1000, description="From the reminder.")],
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
) -> Response:
    """Acknowledge a reminder through the signed, expiring link it carried (no login). The
    acknowledgement is audited and stops that recipient's reminders before the due date;
    following the link again changes nothing."""
    try:
        claim = links.read_ack_token(settings, token, now=now)
    except links.InvalidLink as exc:
        slug = "link-expired" if exc.expired else "invalid-link"
        raise ApiProblem(401, exc.detail, slug=slug) from exc
    result = acknowledge(session, claim.deadline_id, claim.organisation_id, claim.revision, now=now)
    session.commit()
    deadline, organisation = result.deadline, result.organisation
    if "text/html" in request.headers.get("accept", ""):
        case = session.get(Case, deadline.case_id)
        language = organisation.language
        page = render_ack_page(
            language,
            result.outcome.value,
            localized_title(deadline, language),
            case.title if case else "",
        )
        return HTMLResponse(page)
    assert deadline.id is not None and organisation.id is not None
    reply = AckReply(
        outcome=result.outcome.value,
        deadline_id=deadline.id,
        case_id=deadline.case_id,
        organisation_id=organisation.id,
        reminders_stopped=result.reminders_stopped,
    )
    return json_response(reply)
