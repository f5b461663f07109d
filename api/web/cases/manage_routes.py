"""The manager's forms on the case page: participants, signatures and deadlines.

Each form posts to its own small route, which checks the typed values (errors beside the
fields), then calls the workflow function the API uses (`add_participant`, `remove_participant`,
`record_signature`, `add_deadline`, `move_deadline`, `set_deadline_status`), so the rules are
the same. A refusal shows the case page again with the form open, as the user typed it.
"""

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.schemas.common import Id
from api.web.auth import FormDep, PageNotFound, UserDep
from api.web.cases.case_routes import case_page_response
from api.web.cases.case_view import Flash
from api.web.cases.manage_view import INVITABLE_ROLES
from api.web.form_input import Submitted
from api.web.render import WEB_PREFIX, WebUser
from api.web.rights import require_manage
from workflow.access.scope import get_visible_case
from workflow.cases.service import update_case
from workflow.core.errors import Conflict, InvalidInput, NotFound, StaleVersion, WorkflowError
from workflow.core.settings import get_settings
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines.service import (
    MAX_REASON,
    MAX_TITLE,
    add_deadline,
    move_deadline,
    set_deadline_status,
)
from workflow.models import Case, Deadline, DeadlineStatus
from workflow.proposals.service import add_participant, record_signature, remove_participant

router = APIRouter()

MAX_CASE_TITLE = 300


def _managed_case(db: Session, user: WebUser, case_id: int) -> Case:
    case = get_visible_case(db, user.actor, case_id)
    require_manage(user, case)
    return case


def _refused(
    request: Request,
    db: Session,
    user: WebUser,
    case_id: int,
    typed: Submitted,
    status_code: int = 422,
) -> HTMLResponse:
    """The case page again (after rolling back), the refused form open with its input."""
    db.rollback()
    case = get_visible_case(db, user.actor, case_id)
    flash = Flash("error", typed.message or "msg.invalid")
    return case_page_response(
        request, db, case, user, status_code=status_code, flash=flash, action=typed
    )


def _done(case_id: int, msg: str, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"{WEB_PREFIX}/cases/{case_id}?msg={msg}#{anchor}", status_code=303)


def _whole_form_refusal(typed: Submitted, exc: WorkflowError) -> int:
    """Set the form-wide message for a refusal no field explains; the status to answer with."""
    if isinstance(exc, Conflict):
        typed.message = "msg.not_possible"
        return 409
    typed.message = "msg.invalid"
    return 422


# --- the title -----------------------------------------------------------------------------


@router.post("/cases/{case_id}/title", response_class=HTMLResponse)
def retitle(
    request: Request, case_id: Id, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """Change the case's title, guarded by the version the form was rendered with."""
    _managed_case(db, user, case_id)
    typed = Submitted.of("title", form, ["title", "version"])
    title = typed.text("title", max_length=MAX_CASE_TITLE)
    version = typed.integer("version", minimum=0)
    if not typed.ok or version is None:
        return _refused(request, db, user, case_id, typed)
    try:
        work = UnitOfWork(db)
        update_case(
            work,
            case_id,
            {"title": title},
            user.actor,
            expected_version=version,
            allowed=("title",),
        )
        work.commit()
    except StaleVersion:
        typed.message = "msg.stale_form"
        return _refused(request, db, user, case_id, typed, 409)
    except InvalidInput:
        typed.refuse("title", "form.invalid")
        return _refused(request, db, user, case_id, typed)
    return _done(case_id, "saved", "main")


# --- participants --------------------------------------------------------------------------


@router.post("/cases/{case_id}/participants", response_class=HTMLResponse)
def invite(request: Request, case_id: Id, user: UserDep, db: SessionDep, form: FormDep) -> Response:
    """Add an organisation with a role (or change its role)."""
    _managed_case(db, user, case_id)
    typed = Submitted.of("participant", form, ["organisation_id", "role"])
    organisation_id = typed.integer("organisation_id")
    role = typed.value("role")
    if role not in INVITABLE_ROLES:
        typed.refuse("role", "form.choice")
    if not typed.ok or organisation_id is None:
        return _refused(request, db, user, case_id, typed)
    try:
        work = UnitOfWork(db)
        add_participant(work, case_id, user.actor, organisation_id=organisation_id, role=role)
        work.commit()
    except InvalidInput:
        typed.refuse("organisation_id", "form.choice")
        return _refused(request, db, user, case_id, typed)
    except Conflict as exc:
        return _refused(request, db, user, case_id, typed, _whole_form_refusal(typed, exc))
    return _done(case_id, "participant_added", "participants")


@router.post("/cases/{case_id}/participants/{organisation_id}/remove", response_class=HTMLResponse)
def remove(
    request: Request,
    case_id: Id,
    organisation_id: Id,
    user: UserDep,
    db: SessionDep,
    form: FormDep,
) -> Response:
    """Take an organisation out of the case, with a reason (audited)."""
    _managed_case(db, user, case_id)
    typed = Submitted.of(f"remove-{organisation_id}", form, ["reason"])
    reason = typed.text("reason", max_length=MAX_REASON)
    if not typed.ok:
        return _refused(request, db, user, case_id, typed)
    try:
        work = UnitOfWork(db)
        remove_participant(
            work, case_id, user.actor, organisation_id=organisation_id, reason=reason
        )
        work.commit()
    except NotFound as exc:
        raise PageNotFound() from exc
    except (Conflict, InvalidInput) as exc:
        if isinstance(exc, Conflict):
            typed.message = "msg.participant_stays"
        return _refused(
            request, db, user, case_id, typed, 409 if isinstance(exc, Conflict) else 422
        )
    return _done(case_id, "participant_removed", "participants")


# --- signatures ----------------------------------------------------------------------------


@router.post("/cases/{case_id}/signatures", response_class=HTMLResponse)
def sign(request: Request, case_id: Id, user: UserDep, db: SessionDep, form: FormDep) -> Response:
    """Record a party's signature made elsewhere (on paper, say)."""
    _managed_case(db, user, case_id)
    typed = Submitted.of("signature", form, ["organisation_id", "signatory_name", "signed_at"])
    organisation_id = typed.integer("organisation_id")
    name = typed.text("signatory_name", max_length=200)
    signed_at = typed.moment("signed_at")
    now = utcnow()
    if signed_at is not None and signed_at > now:
        typed.refuse("signed_at", "form.future")
    if not typed.ok or organisation_id is None or signed_at is None:
        return _refused(request, db, user, case_id, typed)
    try:
        work = UnitOfWork(db)
        record_signature(
            work,
            case_id,
            user.actor,
            organisation_id=organisation_id,
            signatory_name=name,
            signed_at=signed_at,
            now=now,
        )
        work.commit()
    except InvalidInput:
        typed.refuse("organisation_id", "form.choice")  # the other fields were checked above
        return _refused(request, db, user, case_id, typed)
    except Conflict as exc:
        return _refused(request, db, user, case_id, typed, _whole_form_refusal(typed, exc))
    return _done(case_id, "signed", "signatures")


# --- deadlines -----------------------------------------------------------------------------


def _deadline_of(db: Session, case_id: int, deadline_id: int) -> Deadline:
    """The deadline, if it belongs to this case (the case is already known visible)."""
    deadline = db.get(Deadline, deadline_id)
    if deadline is None or deadline.case_id != case_id:
        raise PageNotFound()
    return deadline


def _future(typed: Submitted, key: str, now: datetime) -> datetime | None:
    moment = typed.moment(key)
    if moment is not None and moment <= now:
        typed.refuse(key, "form.past")
    return moment


@router.post("/cases/{case_id}/deadlines", response_class=HTMLResponse)
def new_deadline(
    request: Request, case_id: Id, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """ "Ny frist": a deadline of the manager's own in the current phase, with reminders."""
    _managed_case(db, user, case_id)
    typed = Submitted.of("deadline", form, ["title", "due_at", "responsible"])
    title = typed.text("title", max_length=MAX_TITLE)
    now = utcnow()
    due_at = _future(typed, "due_at", now)
    responsible = typed.integer("responsible") if typed.value("responsible") else None
    if not typed.ok or due_at is None:
        return _refused(request, db, user, case_id, typed)
    try:
        work = UnitOfWork(db)
        add_deadline(
            work,
            case_id,
            user.actor,
            title=title,
            due_at=due_at,
            responsible_organisation_id=responsible,
            now=now,
            calendar=get_settings().reminder_calendar,
        )
        work.commit()
    except InvalidInput:
        typed.refuse("responsible", "form.choice")
        return _refused(request, db, user, case_id, typed)
    except Conflict as exc:
        return _refused(request, db, user, case_id, typed, _whole_form_refusal(typed, exc))
    return _done(case_id, "deadline_added", "deadlines")


@router.post("/cases/{case_id}/deadlines/{deadline_id}/move", response_class=HTMLResponse)
def move(
    request: Request, case_id: Id, deadline_id: Id, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """ "Flyt frist": a new due time, with the reason."""
    _managed_case(db, user, case_id)
    _deadline_of(db, case_id, deadline_id)
    typed = Submitted.of(f"move-{deadline_id}", form, ["due_at", "reason"])
    now = utcnow()
    due_at = _future(typed, "due_at", now)
    reason = typed.text("reason", max_length=MAX_REASON)
    if not typed.ok or due_at is None:
        return _refused(request, db, user, case_id, typed)
    try:
        work = UnitOfWork(db)
        move_deadline(
            work,
            deadline_id,
            user.actor,
            due_at=due_at,
            reason=reason,
            now=now,
            calendar=get_settings().reminder_calendar,
        )
        work.commit()
    except (Conflict, InvalidInput) as exc:
        return _refused(request, db, user, case_id, typed, _whole_form_refusal(typed, exc))
    return _done(case_id, "deadline_moved", "deadlines")


@router.post("/cases/{case_id}/deadlines/{deadline_id}/met", response_class=HTMLResponse)
def mark_met(
    request: Request, case_id: Id, deadline_id: Id, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """ "Marker som opfyldt"."""
    return _close(request, case_id, deadline_id, user, db, form, DeadlineStatus.MET)


@router.post("/cases/{case_id}/deadlines/{deadline_id}/cancel", response_class=HTMLResponse)
def cancel(
    request: Request, case_id: Id, deadline_id: Id, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """Cancel a deadline, with the reason."""
    return _close(request, case_id, deadline_id, user, db, form, DeadlineStatus.CANCELLED)


def _close(
    request: Request,
    case_id: int,
    deadline_id: int,
    user: WebUser,
    db: Session,
    form: FormDep,
    status: DeadlineStatus,
) -> Response:
    _managed_case(db, user, case_id)
    _deadline_of(db, case_id, deadline_id)
    name = "met" if status is DeadlineStatus.MET else "cancel"
    typed = Submitted.of(f"{name}-{deadline_id}", form, ["reason"])
    reason = typed.text(
        "reason", max_length=MAX_REASON, required=status is DeadlineStatus.CANCELLED
    )
    if not typed.ok:
        return _refused(request, db, user, case_id, typed)
    try:
        work = UnitOfWork(db)
        set_deadline_status(
            work, deadline_id, user.actor, status=status, reason=reason or None, now=utcnow()
        )
        work.commit()
    except (Conflict, InvalidInput) as exc:
        return _refused(request, db, user, case_id, typed, _whole_form_refusal(typed, exc))
    return _done(case_id, "deadline_met" if name == "met" else "deadline_cancelled", "deadlines")
