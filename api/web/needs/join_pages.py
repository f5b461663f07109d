"""Joining a shared need on the pages: "Vi har samme behov" and the lead's answer.

Both write through `workflow.needs.joining`, as `POST /cases/{id}/join-requests` and its
decision do. A refusal shows the need page again with what was typed and a Danish (or
English) message beside the field; nothing is written.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from api.deps import SessionDep
from api.web.auth import FormDep, PageForbidden, PageNotFound, UserDep
from api.web.needs.join_view import JoinForm
from api.web.needs.needs_pages import need_case, render_need_page
from api.web.render import WebUser, see_other
from workflow.core.errors import Conflict, Forbidden, InvalidInput, NotFound, WorkflowError
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.needs.joining import decide, request_to_join

router = APIRouter()
MAX_MESSAGE = 2000


def _text(form: FormDep, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class _JoinPost:
    """One posted join form (asking, or answering one request) on a need's page."""

    request: Request
    user: WebUser
    db: Session
    case_id: int
    typed: JoinForm

    def refused(self, error: str, status: int) -> HTMLResponse:
        """The need page again (after rolling back), `error` beside what was typed."""
        self.typed.error = error
        self.db.rollback()
        case = need_case(self.db, self.user, self.case_id)
        return render_need_page(self.request, self.user, self.db, case, self.typed, status)

    def write_or_refuse(
        self,
        write: Callable[[UnitOfWork], object],
        refusals: Mapping[type[WorkflowError], tuple[str, int]],
    ) -> HTMLResponse | RedirectResponse:
        """Run `write` in one unit of work and commit, then back to the need's join box.

        Asking and answering are refused alike: a refusal the workflow names in `refusals`
        shows the need page again with its message (and status) beside the field; one the
        user may not see at all answers as the pages do everywhere (forbidden, not found).
        """
        work = UnitOfWork(self.db)
        try:
            write(work)
        except Forbidden as exc:
            raise PageForbidden() from exc
        except NotFound as exc:
            raise PageNotFound() from exc
        except tuple(refusals) as exc:
            return self.refused(*next(v for kind, v in refusals.items() if isinstance(exc, kind)))
        work.commit()
        return see_other(f"/needs/{self.case_id}#join")


@router.post("/needs/{case_id}/join", response_model=None)
def ask_to_join(
    request: Request, user: UserDep, db: SessionDep, form: FormDep, case_id: int
) -> HTMLResponse | RedirectResponse:
    """ "Vi har samme behov": the user's municipality asks to co-own the shared need."""
    need_case(db, user, case_id)
    message = _text(form, "message")
    post = _JoinPost(request, user, db, case_id, JoinForm(None, message))
    if len(message) > MAX_MESSAGE or "\x00" in message:
        return post.refused("join.message_invalid", 422)
    return post.write_or_refuse(
        lambda work: request_to_join(work, user.actor, case_id, message or None, utcnow()),
        {Conflict: ("join.already", 409)},
    )


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
    post = _JoinPost(request, user, db, case_id, JoinForm(request_id, reason))
    if decision not in ("accept", "decline"):
        return post.refused("join.choose", 422)
    if decision == "decline" and not reason:
        return post.refused("join.reason_missing", 422)
    return post.write_or_refuse(
        lambda work: decide(
            work, user.actor, case_id, request_id, decision, reason or None, utcnow()
        ),
        {InvalidInput: ("join.message_invalid", 422), Conflict: ("join.decided", 409)},
    )
