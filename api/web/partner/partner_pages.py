"""The partner's pages and the pages of everyone's own work.

- "Mit overblik" (`/overview`, everyone): what needs the user now; the page after sign-in.
- "Mine frister" (`/deadlines`, everyone with an organisation): its open deadlines.
- "Åbne opslag" (`/calls`), "Mine forslag" (`/proposals`), "Indsend forslag"
  (`/cases/{id}/propose`), editing and withdrawing a proposal, "Vis interesse" and
  "Underskriv aftalen": a company or knowledge institution acting for itself.

Every write goes through `workflow.proposals.own`, which takes the organisation from the
signed-in actor, never from the form: a company cannot act for another, and a competitor's
proposal answers 404 here exactly as a missing one does. A refusal (late, invalid) is shown on
the form with the typed values kept, and stores nothing.
"""

from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from api.deps import SessionDep
from api.schemas.common import MAX_ID
from api.web.auth import FormDep, PageForbidden, PageNotFound, UserDep
from api.web.forms import format_datetime
from api.web.overview.overview_view import gather
from api.web.partner.partner_view import (
    call_view,
    my_deadlines,
    open_calls,
    own_proposals,
    relative_time,
)
from api.web.render import WebUser, language_of, render, see_other
from workflow.access.policy import competes
from workflow.access.roles import Role
from workflow.access.scope import get_visible_case
from workflow.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case, Proposal
from workflow.proposals.own import (
    MAX_SUMMARY,
    MAX_TITLE,
    call_deadline,
    call_is_open,
    edit_proposal,
    own_organisation,
    own_proposal,
    show_interest,
    sign_agreement,
    withdraw_proposal,
)
from workflow.proposals.service import submit_proposal

T = TypeVar("T")

router = APIRouter()

_MESSAGES = {"interest", "submitted", "edited", "withdrawn", "self_signed"}


def checked_id(value: int) -> int:
    """An id from the path; one no row can have (0, negative, beyond the column) is 404."""
    if not 1 <= value <= MAX_ID:
        raise PageNotFound()
    return value


def _flash(msg: str) -> dict[str, str] | None:
    return {"kind": "success", "key": f"msg.{msg}"} if msg in _MESSAGES else None


def _bidders_case(db: Session, user: WebUser, case_id: int) -> Case:
    """The case a bidder acts on. Only a company's or knowledge institution's partner bids;
    anyone else is refused before the case is looked up; a case it cannot see is 404."""
    if not competes(user.actor):
        raise PageForbidden()
    try:
        own_organisation(db, user.actor)
    except Forbidden as exc:
        raise PageForbidden() from exc
    return get_visible_case(db, user.actor, checked_id(case_id))


# --- everyone's own work ---------------------------------------------------------------


@router.get("/overview", response_class=HTMLResponse)
def overview_page(request: Request, user: UserDep, db: SessionDep) -> HTMLResponse:
    """Mit overblik: deadlines, assessments, signatures and requirements waiting on the user."""
    language = language_of(request)
    now = utcnow()
    data = gather(db, user.actor, language, now, full=True)
    return render(
        request,
        "overview.html",
        {
            "overview": data,
            "active": "overview",
            # An auditor has no work of its own here: the page points to the audit log.
            "audit_hint": user.role == Role.AUDITOR,
            "when": lambda moment: relative_time(moment, now, language),
        },
        user=user,
    )


@router.get("/deadlines", response_class=HTMLResponse)
def deadlines_page(request: Request, user: UserDep, db: SessionDep) -> HTMLResponse:
    """Mine frister: the organisation's open deadlines across all its cases, soonest first."""
    language = language_of(request)
    items = my_deadlines(db, user.actor, utcnow(), language)
    return render(
        request, "my_deadlines.html", {"deadlines": items, "active": "deadlines"}, user=user
    )


# --- the partner's pages -----------------------------------------------------------------


@router.get("/calls", response_class=HTMLResponse)
def calls_page(request: Request, user: UserDep, db: SessionDep, msg: str = "") -> HTMLResponse:
    """Åbne opslag: every call open for proposals now, across municipalities."""
    if not competes(user.actor):
        raise PageForbidden()
    language = language_of(request)
    calls = open_calls(db, user.actor, utcnow(), language)
    try:
        own_organisation(db, user.actor)
        bids = True
    except Forbidden:
        bids = False
    return render(
        request,
        "calls.html",
        {"calls": calls, "bids": bids, "flash": _flash(msg), "active": "calls"},
        user=user,
    )


@router.get("/proposals", response_class=HTMLResponse)
def my_proposals_page(
    request: Request, user: UserDep, db: SessionDep, msg: str = ""
) -> HTMLResponse:
    """Mine forslag: the organisation's proposals and the decisions on them."""
    if not competes(user.actor):
        raise PageForbidden()
    proposals = own_proposals(db, user.actor, utcnow())
    return render(
        request,
        "my_proposals.html",
        {"proposals": proposals, "flash": _flash(msg), "active": "proposals"},
        user=user,
    )


@router.post("/cases/{case_id}/interest")
def interest(case_id: int, user: UserDep, db: SessionDep, form: FormDep) -> Response:
    """Vis interesse: the organisation joins the call and gets its submission deadline."""
    _bidders_case(db, user, case_id)
    try:
        work = UnitOfWork(db)
        show_interest(work, case_id, user.actor)
        work.commit()
    except Conflict:
        db.rollback()
        return see_other(f"/cases/{case_id}")
    return see_other(f"/calls?msg=interest#call-{case_id}")


def _form_values(form: FormData) -> dict[str, str]:
    return {
        "title": str(form.get("title", "")),
        "summary": str(form.get("summary", "")).replace("\r\n", "\n"),
    }


def _form_errors(values: dict[str, str]) -> dict[str, str]:
    """The messages beside the fields, checked before the workflow is asked."""
    errors: dict[str, str] = {}
    if not values["title"].strip():
        errors["title"] = "form.missing"
    elif len(values["title"].strip()) > MAX_TITLE:
        errors["title"] = "form.too_long"
    if len(values["summary"]) > MAX_SUMMARY:
        errors["summary"] = "form.too_long"
    if "\x00" in values["title"] + values["summary"]:
        errors.setdefault("summary", "form.invalid")
    return errors


def _proposal_form(
    request: Request,
    db: Session,
    user: WebUser,
    case: Case,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    refusal: str | None = None,
    proposal_id: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = language_of(request)
    now = utcnow()
    deadline = call_deadline(case)
    return render(
        request,
        "proposal_form.html",
        {
            "case": case,
            "call": call_view(db, user.actor, case, now, language),
            "values": values,
            "errors": errors or {},
            "refusal": refusal,
            "proposal_id": proposal_id,
            "deadline_text": format_datetime(deadline, language) if deadline else "",
        },
        status_code=status_code,
        user=user,
    )


def _write_or_refuse(
    request: Request,
    db: Session,
    user: WebUser,
    case_id: int,
    write: Callable[[UnitOfWork], T],
    *,
    values: dict[str, str],
    refusal: Callable[[Case], str],
    done: Callable[[T], str],
    proposal_id: int | None = None,
) -> Response:
    """Run `write` in one unit of work and commit, then on to the page `done` names for what
    it returned; or the form again.

    Submitting, editing and withdrawing are refused the same way (the call closed meanwhile,
    or the workflow found the input invalid): nothing is kept, and the form comes back with
    what was typed and why (`refusal` of the case as it is now), so one place decides it.
    The typed values are checked first, so an empty title never reaches the workflow."""
    errors = _form_errors(values)
    late = False
    if not errors:
        try:
            work = UnitOfWork(db)
            written = write(work)
            work.commit()
            return see_other(done(written))
        except Conflict:
            db.rollback()
            late = True
        except InvalidInput:
            db.rollback()
            errors = {"summary": "form.invalid"}
    case = get_visible_case(db, user.actor, case_id)
    return _proposal_form(
        request,
        db,
        user,
        case,
        values=values,
        errors=errors or None,
        refusal=refusal(case) if late else None,
        proposal_id=proposal_id,
        status_code=409 if late else 422,
    )


def _late_message(case: Case) -> str:
    """Why the call takes no proposal: its deadline passed, or it is not open at all."""
    return "proposal.late" if call_deadline(case) is not None else "proposal.closed"


@router.get("/cases/{case_id}/propose", response_class=HTMLResponse)
def propose_form(request: Request, case_id: int, user: UserDep, db: SessionDep) -> HTMLResponse:
    """Indsend forslag: the form, or why the call takes no proposal now."""
    case = _bidders_case(db, user, case_id)
    refusal = None if call_is_open(case, utcnow()) else _late_message(case)
    return _proposal_form(
        request,
        db,
        user,
        case,
        values={"title": "", "summary": ""},
        refusal=refusal,
        status_code=409 if refusal else 200,
    )


@router.post("/cases/{case_id}/propose", response_class=HTMLResponse)
def propose(
    request: Request, case_id: int, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """Submit the proposal; late or invalid, the form comes back with the typed values."""
    _bidders_case(db, user, case_id)
    values = _form_values(form)
    org = own_organisation(db, user.actor)
    return _write_or_refuse(
        request,
        db,
        user,
        case_id,
        lambda work: submit_proposal(
            work,
            case_id,
            user.actor,
            organisation_id=org.id or 0,
            title=values["title"],
            summary=values["summary"],
        ),
        values=values,
        refusal=_late_message,
        done=lambda proposal: f"/cases/{case_id}/proposals/{proposal.id}?msg=submitted",
    )


@router.get("/cases/{case_id}/proposals/{proposal_id}/edit", response_class=HTMLResponse)
def edit_form(
    request: Request, case_id: int, proposal_id: int, user: UserDep, db: SessionDep
) -> HTMLResponse:
    """Ret forslag: the organisation's own proposal, prefilled."""
    case = _bidders_case(db, user, case_id)
    proposal = _own(db, user, case_id, proposal_id)
    refusal = None
    if proposal.withdrawn_at is not None or not call_is_open(case, utcnow()):
        refusal = "proposal.late_change" if proposal.withdrawn_at is None else "proposal.closed"
    return _proposal_form(
        request,
        db,
        user,
        case,
        values={"title": proposal.title, "summary": proposal.summary},
        refusal=refusal,
        proposal_id=proposal_id,
        status_code=409 if refusal else 200,
    )


def _own(db: Session, user: WebUser, case_id: int, proposal_id: int) -> Proposal:
    """The organisation's own proposal; a competitor's answers 404, as a missing one does."""
    try:
        return own_proposal(db, user.actor, case_id, checked_id(proposal_id))
    except NotFound as exc:
        raise PageNotFound() from exc


@router.post("/cases/{case_id}/proposals/{proposal_id}/edit", response_class=HTMLResponse)
def edit(
    request: Request,
    case_id: int,
    proposal_id: int,
    user: UserDep,
    db: SessionDep,
    form: FormDep,
) -> Response:
    """Save the edited proposal before the deadline; refused after it with the values kept."""
    _bidders_case(db, user, case_id)
    _own(db, user, case_id, proposal_id)
    values = _form_values(form)
    return _write_or_refuse(
        request,
        db,
        user,
        case_id,
        lambda work: edit_proposal(
            work,
            case_id,
            proposal_id,
            user.actor,
            title=values["title"],
            summary=values["summary"],
        ),
        values=values,
        refusal=lambda _case: "proposal.late_change",
        done=lambda _edited: f"/cases/{case_id}/proposals/{proposal_id}?msg=edited",
        proposal_id=proposal_id,
    )


@router.post("/cases/{case_id}/proposals/{proposal_id}/withdraw", response_class=HTMLResponse)
def withdraw(
    request: Request,
    case_id: int,
    proposal_id: int,
    user: UserDep,
    db: SessionDep,
    form: FormDep,
) -> Response:
    """Withdraw the organisation's own proposal before the deadline."""
    _bidders_case(db, user, case_id)
    proposal = _own(db, user, case_id, proposal_id)
    return _write_or_refuse(
        request,
        db,
        user,
        case_id,
        lambda work: withdraw_proposal(work, case_id, proposal_id, user.actor),
        values={"title": proposal.title, "summary": proposal.summary},
        refusal=lambda _case: "proposal.late_change",
        done=lambda _withdrawn: "/proposals?msg=withdrawn",
        proposal_id=proposal_id,
    )


@router.post("/cases/{case_id}/signature", response_class=HTMLResponse)
def sign(request: Request, case_id: int, user: UserDep, db: SessionDep, form: FormDep) -> Response:
    """Underskriv aftalen: the selected company signs as itself."""
    _bidders_case(db, user, case_id)
    name = str(form.get("signatory_name", "")).strip() or user.actor.name
    try:
        work = UnitOfWork(db)
        sign_agreement(work, case_id, user.actor, signatory_name=name)
        work.commit()
    except (Conflict, InvalidInput):
        db.rollback()
        # Signed meanwhile (a second press) or no longer awaited: the case page says which.
        return see_other(f"/cases/{case_id}")
    return see_other(f"/cases/{case_id}?msg=self_signed")
