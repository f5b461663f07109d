"""The approvers' page "Anmodninger fra virksomheder" (`/admin/requests`, issue 17 item 5).

Admins and auditors see every request, a manager those of the calls its municipality leads
(`workflow.public.requests`, as `GET /organisation-requests`). Admins and the lead's managers
approve (creating the company; optionally inviting its contact as a user) or decline with a
reason; an auditor reads only. A refusal is shown on the page and changes nothing.
"""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.web.auth import FormDep, PageForbidden, UserDep
from api.web.partner.partner_pages import checked_id
from api.web.render import WebUser, render, see_other
from states.sections import CallSection
from workflow.access.policy import Action, may
from workflow.cases.facts import parse_section
from workflow.core.errors import Conflict, InvalidInput
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case, OrganisationRequest
from workflow.public.requests import decide_request, list_requests, registered_cvrs

router = APIRouter()
PAGE_SIZE = 100
_MESSAGES = {
    "approved": ("success", "msg.request_approved"),
    "declined": ("success", "msg.request_declined"),
}


@dataclass(frozen=True, slots=True)
class RequestRow:
    """A request with what the approver needs beside it."""

    request: OrganisationRequest
    call_title: str
    case_title: str
    registered: bool
    may_decide: bool


def _rows(db: Session, user: WebUser) -> tuple[list[RequestRow], int]:
    requests, total = list_requests(db, user.actor, limit=PAGE_SIZE)
    cases = {r.case_id: db.get(Case, r.case_id) for r in requests}
    registered = registered_cvrs(db, {r.cvr for r in requests})
    rows = []
    for r in requests:
        case = cases[r.case_id]
        assert case is not None
        rows.append(
            RequestRow(
                request=r,
                call_title=parse_section(CallSection, case.call).title or case.title,
                case_title=case.title,
                registered=r.cvr in registered,
                may_decide=may(user.actor, Action.DECIDE_ORGANISATION_REQUEST, case),
            )
        )
    return rows, total


def _page(
    request: Request,
    db: Session,
    user: WebUser,
    flash: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    if not may(user.actor, Action.READ_ORGANISATION_REQUESTS):
        raise PageForbidden()
    rows, total = _rows(db, user)
    return render(
        request,
        "org_requests.html",
        {"rows": rows, "total": total, "flash": flash, "active": "requests"},
        status_code=status_code,
        user=user,
    )


@router.get("/admin/requests", response_class=HTMLResponse)
def requests_page(request: Request, user: UserDep, db: SessionDep, msg: str = "") -> HTMLResponse:
    """Anmodninger fra virksomheder: pending first, then the decided ones."""
    known = _MESSAGES.get(msg)
    flash = {"kind": known[0], "key": known[1]} if known else None
    return _page(request, db, user, flash)


@router.post("/admin/requests/{request_id}/decision", response_class=HTMLResponse)
def decide(
    request: Request, user: UserDep, db: SessionDep, form: FormDep, request_id: int
) -> Response:
    """Approve or decline one request (the form's `decision`), then back to the list."""
    checked_id(request_id)
    decision = str(form.get("decision", ""))
    if decision not in ("approve", "decline"):
        return _page(request, db, user, {"kind": "error", "key": "msg.invalid"}, 422)
    reason = str(form.get("reason", ""))[:2001] or None
    work = UnitOfWork(db)
    try:
        decide_request(
            work,
            user.actor,
            request_id,
            "approve" if decision == "approve" else "decline",
            reason=reason,
            invite=form.get("invite") == "1",
            now=utcnow(),
        )
    except InvalidInput:
        work.rollback()
        return _page(request, db, user, {"kind": "error", "key": "msg.reason_missing"}, 422)
    except Conflict:
        work.rollback()
        return _page(request, db, user, {"kind": "error", "key": "msg.request_conflict"}, 409)
    work.commit()
    done = "approved" if decision == "approve" else "declined"
    return see_other(f"/admin/requests?msg={done}")
