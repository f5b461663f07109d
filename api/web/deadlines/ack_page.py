"""The page behind the acknowledge link in every reminder mail.

Mail scanners and link previews follow links: a GET only shows what the link is for and a
button, and changes nothing. Pressing the button POSTs the signed token, and only that
acknowledges. No sign-in is needed (the signed, expiring token names the deadline, its
revision and the recipient), so the form carries no session CSRF token: a forged post would
need the token, which is the very thing that allows the acknowledgement. The page speaks the
recipient organisation's language, as the mail did.
"""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.web.forms import format_datetime
from api.web.i18n import translate
from api.web.render import language_of, render
from notifications import links
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines.service import AckOutcome, acknowledge, localized_title
from workflow.models import Case, Deadline, DeadlineStatus, Organisation

router = APIRouter()

Token = Annotated[str, Query(max_length=1000)]


def _page(
    request: Request, language: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    words = {
        "lang": language,
        "t": partial(translate, language),
        "fmt_dt": lambda value: format_datetime(value, language),
    }
    return render(request, "ack.html", {**context, **words}, status_code=status_code)


def _invalid(request: Request, exc: links.InvalidLink) -> HTMLResponse:
    key = "ack.expired" if exc.expired else "ack.invalid"
    return _page(request, language_of(request), {"state": "invalid", "message": key}, 400)


@router.get("/reminders/ack", response_class=HTMLResponse)
def ack_form(request: Request, db: SessionDep, token: Token = "") -> HTMLResponse:
    """What the link acknowledges, and the button; nothing is written."""
    try:
        claim = links.read_ack_token(get_settings(), token, now=utcnow())
    except links.InvalidLink as exc:
        return _invalid(request, exc)
    deadline = db.get(Deadline, claim.deadline_id)
    organisation = db.get(Organisation, claim.organisation_id)
    if deadline is None or organisation is None:
        return _invalid(request, links.InvalidLink("gone"))
    language = organisation.language
    if deadline.status != DeadlineStatus.OPEN.value:
        state = AckOutcome.CLOSED.value
    elif deadline.revision != claim.revision:
        state = AckOutcome.OUTDATED.value
    else:
        state = "ask"
    return _page(request, language, _context(db, deadline, language, state, token))


@router.post("/reminders/ack", response_class=HTMLResponse)
def ack(
    request: Request, db: SessionDep, token: Annotated[str, Form(max_length=1000)] = ""
) -> HTMLResponse:
    """Acknowledge: audited, and the recipient's reminders before the due date stop."""
    now = utcnow()
    try:
        claim = links.read_ack_token(get_settings(), token, now=now)
    except links.InvalidLink as exc:
        return _invalid(request, exc)
    work = UnitOfWork(db)
    result = acknowledge(work, claim.deadline_id, claim.organisation_id, claim.revision, now=now)
    work.commit()
    language = result.organisation.language
    return _page(
        request, language, _context(db, result.deadline, language, result.outcome.value, token)
    )


def _context(
    db: SessionDep, deadline: Deadline, language: str, state: str, token: str
) -> dict[str, Any]:
    case = db.get(Case, deadline.case_id)
    return {
        "state": state,
        "token": token,
        "deadline_title": localized_title(deadline, language),
        "case_title": case.title if case else "",
        "case_id": deadline.case_id,
        "due_at": deadline.due_at,
    }
