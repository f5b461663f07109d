"""The manager's forms on the case page: participants, signatures and deadlines.

Each form posts to its own small route, which checks the typed values (errors beside the
fields), then calls the workflow function the API uses (`add_participant`, `remove_participant`,
`record_signature`, `add_deadline`, `move_deadline`, `set_deadline_status`), so the rules are
the same. A refusal shows the case page again with the form open, as the user typed it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.schemas.common import Id
from api.web.auth import FormDep, PageNotFound, UserDep
from api.web.cases.case_routes import case_page_response
from api.web.cases.case_view import CaseOutcome, Flash
from api.web.cases.manage_view import INVITABLE_ROLES
from api.web.form_input import Submitted
from api.web.render import WebUser, see_other
from api.web.rights import require_manage
from workflow.access.scope import get_visible_case
from workflow.cases.service import update_case
from workflow.core.errors import Conflict, InvalidInput, StaleVersion, WorkflowError
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
from workflow.models import Deadline, DeadlineStatus
from workflow.proposals.service import add_participant, record_signature, remove_participant

router = APIRouter()

MAX_CASE_TITLE = 300


@dataclass(frozen=True, slots=True)
class _PostedForm:
    """One form posted on the case page: who sent it, to which case, and what was typed.

    The routes answer it in one of two ways (refused, or written and back to the case), and
    both need all five, so they travel together.
    """

    request: Request
    db: Session
    user: WebUser
    case_id: int
    typed: Submitted

    @classmethod
    def managed(
        cls, request: Request, db: Session, user: WebUser, case_id: int, typed: Submitted
    ) -> "_PostedForm":
        """The posted form, once the case is known visible and `user` may manage it."""
        require_manage(user, get_visible_case(db, user.actor, case_id))
        return cls(request, db, user, case_id, typed)

    def refused(self, status_code: int = 422) -> HTMLResponse:
        """The case page again (after rolling back), the refused form open with its input."""
        self.db.rollback()
        case = get_visible_case(self.db, self.user.actor, self.case_id)
        flash = Flash("error", self.typed.message or "msg.invalid")
        outcome = CaseOutcome(flash, action=self.typed)
        return case_page_response(
            self.request, self.db, case, self.user, outcome, status_code=status_code
        )

    def write_or_refuse(
        self,
        write: Callable[[UnitOfWork], object],
        *,
        done: tuple[str, str],
        invalid: tuple[str, str] | str | None = "msg.invalid",
        conflicts: tuple[type[WorkflowError], ...] = (Conflict,),
        conflict_message: str = "msg.not_possible",
    ) -> Response:
        """Run `write` in one unit of work and commit, then back to the case (`done` is the
        message and the anchor to show).

        Every form on the case page is refused the same way, so one place decides it: nothing
        is kept and the case page comes back with the form open as typed. Invalid input the
        typed values did not reveal is put beside a field (`invalid` as `(field, message key)`)
        or said for the whole form (`invalid` a message key; None leaves it to the page's flash
        alone); a conflict (one of `conflicts`) says `conflict_message`, with 409.
        """
        try:
            work = UnitOfWork(self.db)
            write(work)
            work.commit()
        except InvalidInput:
            if isinstance(invalid, tuple):
                self.typed.refuse(*invalid)
            elif invalid is not None:
                self.typed.message = invalid
            return self.refused()
        except conflicts:
            self.typed.message = conflict_message
            return self.refused(409)
        msg, anchor = done
        return see_other(f"/cases/{self.case_id}?msg={msg}#{anchor}")


# --- the title -----------------------------------------------------------------------------


@router.post("/cases/{case_id}/title", response_class=HTMLResponse)
def retitle(
    request: Request, case_id: Id, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """Change the case's title, guarded by the version the form was rendered with."""
    typed = Submitted.of("title", form, ["title", "version"])
    posted = _PostedForm.managed(request, db, user, case_id, typed)
    title = typed.text("title", max_length=MAX_CASE_TITLE)
    version = typed.integer("version", minimum=0)
    if not typed.ok or version is None:
        return posted.refused()
    return posted.write_or_refuse(
        lambda work: update_case(
            work,
            case_id,
            {"title": title},
            user.actor,
            expected_version=version,
            allowed=("title",),
        ),
        done=("saved", "main"),
        invalid=("title", "form.invalid"),
        conflicts=(StaleVersion,),
        conflict_message="msg.stale_form",
    )


# --- participants --------------------------------------------------------------------------


@router.post("/cases/{case_id}/participants", response_class=HTMLResponse)
def invite(request: Request, case_id: Id, user: UserDep, db: SessionDep, form: FormDep) -> Response:
    """Add an organisation with a role (or change its role)."""
    typed = Submitted.of("participant", form, ["organisation_id", "role"])
    posted = _PostedForm.managed(request, db, user, case_id, typed)
    organisation_id = typed.integer("organisation_id")
    role = typed.value("role")
    if role not in INVITABLE_ROLES:
        typed.refuse("role", "form.choice")
    if not typed.ok or organisation_id is None:
        return posted.refused()
    return posted.write_or_refuse(
        lambda work: add_participant(
            work, case_id, user.actor, organisation_id=organisation_id, role=role
        ),
        done=("participant_added", "participants"),
        invalid=("organisation_id", "form.choice"),
    )


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
    typed = Submitted.of(f"remove-{organisation_id}", form, ["reason"])
    posted = _PostedForm.managed(request, db, user, case_id, typed)
    reason = typed.text("reason", max_length=MAX_REASON)
    if not typed.ok:
        return posted.refused()
    return posted.write_or_refuse(  # a NotFound passes through: the pages answer it as not found
        lambda work: remove_participant(
            work, case_id, user.actor, organisation_id=organisation_id, reason=reason
        ),
        done=("participant_removed", "participants"),
        invalid=None,
        conflict_message="msg.participant_stays",
    )


# --- signatures ----------------------------------------------------------------------------


@router.post("/cases/{case_id}/signatures", response_class=HTMLResponse)
def sign(request: Request, case_id: Id, user: UserDep, db: SessionDep, form: FormDep) -> Response:
    """Record a party's signature made elsewhere (on paper, say)."""
    typed = Submitted.of("signature", form, ["organisation_id", "signatory_name", "signed_at"])
    posted = _PostedForm.managed(request, db, user, case_id, typed)
    organisation_id = typed.integer("organisation_id")
    name = typed.text("signatory_name", max_length=200)
    signed_at = typed.moment("signed_at")
    now = utcnow()
    if signed_at is not None and signed_at > now:
        typed.refuse("signed_at", "form.future")
    if not typed.ok or organisation_id is None or signed_at is None:
        return posted.refused()
    return posted.write_or_refuse(
        lambda work: record_signature(
            work,
            case_id,
            user.actor,
            organisation_id=organisation_id,
            signatory_name=name,
            signed_at=signed_at,
            now=now,
        ),
        done=("signed", "signatures"),
        invalid=("organisation_id", "form.choice"),  # the other fields were checked above
    )


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
    typed = Submitted.of("deadline", form, ["title", "due_at", "responsible"])
    posted = _PostedForm.managed(request, db, user, case_id, typed)
    title = typed.text("title", max_length=MAX_TITLE)
    now = utcnow()
    due_at = _future(typed, "due_at", now)
    responsible = typed.integer("responsible") if typed.value("responsible") else None
    if not typed.ok or due_at is None:
        return posted.refused()
    return posted.write_or_refuse(
        lambda work: add_deadline(
            work,
            case_id,
            user.actor,
            title=title,
            due_at=due_at,
            responsible_organisation_id=responsible,
            now=now,
            calendar=get_settings().reminder_calendar,
        ),
        done=("deadline_added", "deadlines"),
        invalid=("responsible", "form.choice"),
    )


@router.post("/cases/{case_id}/deadlines/{deadline_id}/move", response_class=HTMLResponse)
def move(
    request: Request, case_id: Id, deadline_id: Id, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """ "Flyt frist": a new due time, with the reason."""
    typed = Submitted.of(f"move-{deadline_id}", form, ["due_at", "reason"])
    posted = _PostedForm.managed(request, db, user, case_id, typed)
    _deadline_of(db, case_id, deadline_id)
    now = utcnow()
    due_at = _future(typed, "due_at", now)
    reason = typed.text("reason", max_length=MAX_REASON)
    if not typed.ok or due_at is None:
        return posted.refused()
    return posted.write_or_refuse(
        lambda work: move_deadline(
            work,
            deadline_id,
            user.actor,
            due_at=due_at,
            reason=reason,
            now=now,
            calendar=get_settings().reminder_calendar,
        ),
        done=("deadline_moved", "deadlines"),
    )


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
    name = "met" if status is DeadlineStatus.MET else "cancel"
    typed = Submitted.of(f"{name}-{deadline_id}", form, ["reason"])
    posted = _PostedForm.managed(request, db, user, case_id, typed)
    _deadline_of(db, case_id, deadline_id)
    reason = typed.text(
        "reason", max_length=MAX_REASON, required=status is DeadlineStatus.CANCELLED
    )
    if not typed.ok:
        return posted.refused()
    return posted.write_or_refuse(
        lambda work: set_deadline_status(
            work, deadline_id, user.actor, status=status, reason=reason or None, now=utcnow()
        ),
        done=("deadline_met" if name == "met" else "deadline_cancelled", "deadlines"),
    )
