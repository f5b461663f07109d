"""The case page, its forms (phase data, transitions) and the proposal page.

Every change goes through the workflow layer: `update_case` for phase data and `apply_trigger`
for transitions. A refusal is shown on the case page itself (the unmet requirements, a stale
version, a missing reason), never as an error page.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlmodel import col
from starlette.datastructures import FormData

from api.deps import SessionDep
from api.schemas.common import Id
from api.web.auth import FormDep, PageNotFound, UserDep
from api.web.cases.case_view import CaseOutcome, Flash, RefusedForm, case_context
from api.web.documents.document_view import documents_context
from api.web.forms import (
    SECTION_FIELDS,
    editable_sections,
    errors_from_validation,
    parse_section_form,
)
from api.web.render import WebUser, language_of, render, see_other
from states import CaseState
from workflow.access.organisations import organisation_names
from workflow.access.policy import Action, competes, may, sees_scores
from workflow.access.scope import get_visible_case, may_see_proposal
from workflow.audit.query import case_history
from workflow.cases.service import update_case
from workflow.core.db import engine_of
from workflow.core.errors import (
    Forbidden,
    InvalidInput,
    InvalidTransition,
    RequirementsUnmet,
    StaleVersion,
    WorkflowError,
)
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Assessment, Case, Decision, Proposal
from workflow.proposals.own import call_is_open
from workflow.transitions.engine import apply_trigger

router = APIRouter()

CHANGES_LOOKBACK = 200
"""How many of the newest audit events a stale form reads to say who changed what."""

_MESSAGES = {
    "saved",
    "unchanged",
    "moved",
    "paused",
    "resumed",
    "created",
    "participant_added",
    "participant_removed",
    "signed",
    "self_signed",
    "submitted",
    "edited",
    "deadline_added",
    "deadline_moved",
    "deadline_met",
    "deadline_cancelled",
    "document_added",
}


def case_page_response(
    request: Request,
    db: SessionDep,
    case: Case,
    user: WebUser,
    outcome: CaseOutcome,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """The case page for `user`, with the outcome of their last action and any refused form."""
    context = case_context(db, case, user, language_of(request), utcnow(), outcome)
    return render(request, "case.html", context, status_code=status_code, user=user)


def _version(form: FormData) -> int | None:
    value = str(form.get("version", ""))
    return int(value) if value.isdigit() else None


def changed_since(db: SessionDep, case_id: int, section: str, version: int) -> dict[str, str]:
    """Who changed which field of `section` after the form's `version`, from the audit trail.

    The stale form shows this beside each field the user may overwrite by saving again.
    """
    events, total = case_history(engine_of(db), case_id, "da", limit=1, offset=0)
    events, _ = case_history(
        engine_of(db),
        case_id,
        "da",
        limit=CHANGES_LOOKBACK,
        offset=max(0, total - CHANGES_LOOKBACK),
    )
    changed: dict[str, str] = {}
    for event in events:
        data = event["data"] if isinstance(event["data"], dict) else {}
        if event["action"] != "case.updated" or int(data.get("version") or 0) <= version:
            continue
        change = (data.get("changes") or {}).get(section) or {}
        for key in {*(change.get("before") or {}), *(change.get("after") or {})}:
            changed[key] = str(event["actor_name"])
    return changed


def _reload(db: SessionDep, user: WebUser, case_id: int) -> Case:
    """The case as it is now, after a refused write was rolled back."""
    db.rollback()
    return get_visible_case(db, user.actor, case_id)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: Id,
    user: UserDep,
    db: SessionDep,
    msg: str = "",
    org_q: str = "",
) -> HTMLResponse:
    """The case: stepper, next-step checklist, actions, data, deadlines and audit trail."""
    case = get_visible_case(db, user.actor, case_id)
    flash = None
    if msg in _MESSAGES:
        values: dict[str, Any] = {}
        if msg == "moved":
            values["phase"] = CaseState(case.state).label(language_of(request))
        flash = Flash("success" if msg != "unchanged" else "info", f"msg.{msg}", values)
    return case_page_response(request, db, case, user, CaseOutcome(flash, org_q=org_q[:200]))


@router.post("/cases/{case_id}/sections/{section}", response_class=HTMLResponse)
def save_section(
    request: Request, case_id: Id, section: str, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """Save one section's form, guarded by the version the form was rendered with."""
    case = get_visible_case(db, user.actor, case_id)
    if section not in SECTION_FIELDS:
        raise PageNotFound()
    if section not in editable_sections(case, user.actor):
        raise Forbidden(f"The section {section!r} cannot be edited here.")
    version = _version(form)
    values, errors = parse_section_form(section, form)
    typed = RefusedForm(section, form)

    def invalid(case: Case, errors: dict[str, str]) -> HTMLResponse:
        """The case page with this section's form open, `errors` beside its fields."""
        outcome = CaseOutcome(
            Flash("error", "msg.invalid"), form_errors={section: errors}, refused=typed
        )
        return case_page_response(request, db, case, user, outcome, status_code=422)

    if version is None or errors:
        return invalid(case, errors)
    work = UnitOfWork(db)
    try:
        updated = update_case(
            work,
            case_id,
            {section: values},
            user.actor,
            expected_version=version,
            allowed=(section,),
        )
        new_version = updated.version
        work.commit()
    except StaleVersion:
        case = _reload(db, user, case_id)
        typed.changed = changed_since(db, case_id, section, version)
        outcome = CaseOutcome(Flash("warning", "msg.stale_form"), refused=typed)
        return case_page_response(request, db, case, user, outcome, status_code=409)
    except InvalidInput as exc:
        errors = errors_from_validation(section, list(exc.extra.get("errors", [])))
        return invalid(_reload(db, user, case_id), errors)
    msg = "saved" if new_version != version else "unchanged"
    return see_other(f"/cases/{case_id}?msg={msg}#section-{section}")


@router.post("/cases/{case_id}/transitions", response_class=HTMLResponse)
def transition(
    request: Request, case_id: Id, user: UserDep, db: SessionDep, form: FormDep
) -> Response:
    """Apply a trigger through the engine; a refusal is shown on the case page."""
    case = get_visible_case(db, user.actor, case_id)
    trigger = str(form.get("trigger", ""))
    # Asked before the engine, so a partner or a participating municipality posting a forged
    # form gets "forbidden" rather than whatever the engine would find first (a stale
    # version, say). The engine asks the policy again.
    if not may(user.actor, Action.TRIGGER, case):
        raise Forbidden(f"The role {user.role.value!r} may not use {trigger!r} here.")
    reason = str(form.get("reason", "")).strip() or None
    language = language_of(request)
    try:
        case = apply_trigger(
            UnitOfWork(db),
            case_id,
            trigger,
            user.actor,
            reason=reason,
            expected_version=_version(form) or -1,
        )
    except (RequirementsUnmet, StaleVersion, InvalidInput, InvalidTransition, Forbidden) as exc:
        status, flash = _refusal(exc, reason, language)
        page = _reload(db, user, case_id)
        return case_page_response(request, db, page, user, CaseOutcome(flash), status_code=status)
    msg = {"pause": "paused", "resume": "resumed"}.get(trigger, "moved")
    return see_other(f"/cases/{case.id}?msg={msg}")


def _refusal(exc: WorkflowError, reason: str | None, language: str) -> tuple[int, Flash]:
    """The status and message a refused transition is shown with on the case page."""
    if isinstance(exc, RequirementsUnmet):
        return 409, Flash("error", "msg.refused", items=[u.message(language) for u in exc.unmet])
    if isinstance(exc, StaleVersion):
        return 409, Flash("warning", "msg.stale")
    if isinstance(exc, InvalidInput):
        return 422, Flash("error", "msg.reason_missing" if reason is None else "msg.invalid")
    if isinstance(exc, InvalidTransition):
        return 409, Flash("error", "msg.not_possible")
    return 403, Flash("error", "msg.forbidden")


@router.get("/cases/{case_id}/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(
    request: Request,
    case_id: Id,
    proposal_id: Id,
    user: UserDep,
    db: SessionDep,
    msg: str = "",
) -> HTMLResponse:
    """One proposal. A partner sees only its own organisation's; any other is 'not found'."""
    return proposal_page_response(request, case_id, proposal_id, user, db, msg)


def proposal_page_response(
    request: Request,
    case_id: int,
    proposal_id: int,
    user: WebUser,
    db: SessionDep,
    msg: str = "",
    document_error: str | None = None,
) -> HTMLResponse:
    """The proposal page, with a refused upload's message when there is one."""
    case = get_visible_case(db, user.actor, case_id)
    proposal = db.get(Proposal, proposal_id)
    if proposal is None or proposal.case_id != case_id:
        raise PageNotFound()
    sees_all = sees_scores(user.actor)
    if not may(user.actor, Action.READ_PROPOSALS) or not may_see_proposal(user.actor, proposal):
        raise PageNotFound()
    assessments = (
        list(
            db.execute(
                select(Assessment)
                .where(col(Assessment.proposal_id) == proposal_id)
                .order_by(col(Assessment.id))
            ).scalars()
        )
        if sees_all
        else []
    )
    decision = (
        db.execute(
            select(Decision)
            .where(col(Decision.proposal_id) == proposal_id)
            .order_by(col(Decision.id).desc())
        )
        .scalars()
        .first()
    )
    names = organisation_names(db, {proposal.organisation_id})
    own = competes(user.actor) and proposal.organisation_id == user.actor.organisation_id
    editable = own and proposal.withdrawn_at is None and call_is_open(case, utcnow())
    return render(
        request,
        "proposal.html",
        {
            "own": own,
            "editable": editable,
            "flash": Flash("success", f"msg.{msg}") if msg in _MESSAGES else None,
            "case": case,
            "proposal": proposal,
            "organisation": names.get(proposal.organisation_id, ""),
            "assessments": assessments,
            "decision": decision,
            "show_rationale": sees_all,
            **documents_context(
                db,
                user,
                case,
                language_of(request),
                proposal_id=proposal_id,
                may_upload=editable,
                error=document_error,
            ),
        },
        status_code=422 if document_error else 200,
        user=user,
    )
