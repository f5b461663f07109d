"""Joining a shared need on the pages: "Vi har samme behov" and the lead's answer.

Both write through `workflow.needs.joining`, as `POST /cases/{id}/join-requests` and its
decision do. A refusal shows the need page again with what was typed and a Danish (or
English) message beside the field; nothing is written.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep
from api.web.auth import FormDep, PageForbidden, PageNotFound, UserDep
from api.web.needs.join_view import JoinForm
from api.web.needs.needs_pages import need_case, render_need_page
from api.web.render import WEB_PREFIX
from workflow.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.needs.joining import decide, request_to_join

router = APIRouter()
MAX_MESSAGE = 2000


def _text(form: FormDep, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _refused(
    request: Request, user: UserDep, db: SessionDep, case_id: int, form: JoinForm, status: int
) -> HTMLResponse:
    db.rollback()
    return render_need_page(request, user, db, need_case(db, user, case_id), form, status)


@router.post("/needs/{case_id}/join", response_model=None)
def ask_to_join(
    request: Request, user: UserDep, db: SessionDep, form: FormDep, case_id: int
) -> HTMLResponse | RedirectResponse:
    """ "Vi har samme behov": the user's municipality asks to co-own the shared need."""
    need_case(db, user, case_id)
    message = _text(form, "message")
    typed = JoinForm(None, message)
    if len(message) > MAX_MESSAGE or "\x00" in message:
        typed.error = "join.message_invalid"
        return _refused(request, user, db, case_id, typed, 422)
    work = UnitOfWork(db)
    try:
        request_to_join(work, user.actor, case_id, message or None, utcnow())
    except Forbidden as exc:
        raise PageForbidden() from exc
    except NotFound as exc:
        raise PageNotFound() from exc
    except Conflict:
        typed.error = "join.already"
        return _refused(request, user, db, case_id, typed, 409)
    work.commit()
    return RedirectResponse(f"{WEB_PREFIX}/needs/{case_id}#join", status_code=303)


@router.post("/needs/{case_id}/join/{request_id}", response_model=None)
def answer_join(
    request: Request,
    user: UserDep,
    db: SessionDep,
    form: FormDep,
    case_id: int,
    request_id: int,
) -> HTMLResponse | RedirectResponse:
    """The lead's manager accepts (the municipality becomes a co-owner) or declines with a
    reason."""
    need_case(db, user, case_id)
    if not 0 < request_id < 2**31:
        raise PageNotFound()
    decision = _text(form, "decision")
    reason = _text(form, "reason")
    typed = JoinForm(request_id, reason)
    if decision not in ("accept", "decline"):
        typed.error = "join.choose"
        return _refused(request, user, db, case_id, typed, 422)
    if decision == "decline" and not reason:
        typed.error = "join.reason_missing"
        return _refused(request, user, db, case_id, typed, 422)
    work = UnitOfWork(db)
    try:
        decide(work, user.actor, case_id, request_id, decision, reason or None, utcnow())
    except Forbidden as exc:
        raise PageForbidden() from exc
    except NotFound as exc:
        raise PageNotFound() from exc
    except InvalidInput:
        typed.error = "join.message_invalid"
        return _refused(request, user, db, case_id, typed, 422)
    except Conflict:
        typed.error = "join.decided"
        return _refused(request, user, db, case_id, typed, 409)
    work.commit()
    return RedirectResponse(f"{WEB_PREFIX}/needs/{case_id}#join", status_code=303)
