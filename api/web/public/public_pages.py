"""The public call pages (issue 17, item 5): no sign-in, Danish first, nothing internal.

- "Åbne opslag" (`/public/calls`): every open call, linking the Atom and iCalendar feeds
  (`<link rel="alternate">` in the page head too, so readers discover them).
- An open call (`/public/calls/{id}`) with the form by which a company not yet registered asks
  to take part. The form carries the anonymous session's CSRF token like every other form,
  is throttled per client address and in all (`api.http.throttle.PublicForms`), and stores a
  pending request only (`workflow.public.requests`); a refusal is shown beside the field, in
  the page's language, and stores nothing.

Both ask `workflow.public.calls` exactly as `GET /public/calls` does: a case that is not an
open call is 404 here as there.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import SessionDep
from api.http.throttle import client_address, public_forms_of
from api.public_feeds import publishers
from api.web.auth import FormDep, get_user
from api.web.list_query import PAGE_SIZE, PagingDep, page_count
from api.web.partner.partner_pages import checked_id
from api.web.partner.partner_view import relative_time
from api.web.render import WEB_PREFIX, WebUser, language_of, render, see_other, web_session_of
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.public.calls import PublicCall, open_call, open_calls
from workflow.public.requests import CompanyRequestInput, submit_request

router = APIRouter()
FIELDS = ("company_name", "cvr", "contact_name", "email")
FIELD_LIMITS = {"company_name": 200, "cvr": 8, "contact_name": 200, "email": 254}
"""The `maxlength` of each input; the server checks the same bounds."""
FEEDS = {
    "atom": "/api/v1/public/calls.atom",
    "ics": "/api/v1/public/calls.ics",
}


def _visitor(request: Request, db: Session) -> WebUser | None:
    """The signed-in user, if any: the pages need none, but show the navigation to one."""
    if web_session_of(request).actor is None:
        return None
    return get_user(request, db)


def _call_context(call: PublicCall, language: str) -> dict[str, Any]:
    """A call with its publishers in words and the time left, as both pages show it."""
    return {
        "call": call,
        "publishers": publishers(call, language),
        "time_left": relative_time(call.submission_deadline, utcnow(), language),
    }


@router.get("/public/calls", response_class=HTMLResponse)
def public_calls_page(request: Request, db: SessionDep, paging: PagingDep) -> HTMLResponse:
    """Åbne opslag: every call open for proposals now, closing soonest first."""
    calls, total = open_calls(db, utcnow(), limit=PAGE_SIZE, offset=paging.offset)
    language = language_of(request)
    return render(
        request,
        "public_calls.html",
        {
            "calls": [_call_context(c, language) for c in calls],
            "total": total,
            "page": paging.page_number,
            "pages": page_count(total),
            "feeds": FEEDS,
            "home": f"{WEB_PREFIX}/public/calls",
            "active": "public",
        },
        user=_visitor(request, db),
    )


def _call_page(
    request: Request,
    db: Session,
    case_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    flash: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    call = open_call(db, checked_id(case_id), utcnow())
    return render(
        request,
        "public_call.html",
        {
            **_call_context(call, language_of(request)),
            "values": values or dict.fromkeys(FIELDS, ""),
            "errors": errors or {},
            "flash": flash,
            "limits": FIELD_LIMITS,
            "feeds": FEEDS,
            "home": f"{WEB_PREFIX}/public/calls",
            "active": "public",
        },
        status_code=status_code,
        user=_visitor(request, db),
    )


@router.get("/public/calls/{case_id}", response_class=HTMLResponse)
def public_call_page(request: Request, db: SessionDep, case_id: int, sent: int = 0) -> HTMLResponse:
    """One open call, with the form to ask to take part."""
    flash = {"kind": "success", "key": "public.sent"} if sent else None
    return _call_page(request, db, case_id, flash=flash)


def _field_errors(exc: ValidationError) -> dict[str, str]:
    """The Danish/English message key beside each refused field."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        if field in FIELDS:
            errors.setdefault(field, f"public.error.{field}")
    return errors


@router.post("/public/calls/{case_id}/request", response_class=HTMLResponse)
def ask_to_take_part(request: Request, db: SessionDep, form: FormDep, case_id: int) -> Response:
    """Store a pending request to take part (nothing else: no mail, no organisation), then
    show the call again with a receipt."""
    checked_id(case_id)
    values = {name: str(form.get(name, ""))[:400] for name in FIELDS}
    try:
        data = CompanyRequestInput.model_validate({**values, "language": language_of(request)})
    except ValidationError as exc:
        flash = {"kind": "error", "key": "public.invalid"}
        errors = _field_errors(exc)
        return _call_page(
            request, db, case_id, values=values, errors=errors, flash=flash, status_code=422
        )
    wait = public_forms_of(request).take(client_address(request))
    if wait is not None:
        flash = {"kind": "error", "key": "public.throttled"}
        page = _call_page(request, db, case_id, values=values, flash=flash, status_code=429)
        page.headers["Retry-After"] = str(wait)
        return page
    work = UnitOfWork(db)
    submit_request(work, case_id, data, utcnow())
    work.commit()
    return see_other(f"/public/calls/{case_id}?sent=1#ask")
