"""An unregistered company asks to take part in an open call; an admin or the call's lead
municipality decides (issue 17, item 5).

The form is public, so it must not become an open relay or a store for anyone's text:

- every field is bounded and validated (`CompanyRequestInput`): a CVR number is 8 digits;
- a request is accepted only for an open call (`workflow.public.calls`), anything else is
  "not found";
- a second request from the same CVR number for the same call while one is pending changes
  nothing and answers as the first did (a partial unique index keeps it so under races);
- nothing is ever sent to the email typed in: approving creates the organisation and, if the
  approver wants, invites the contact as a user (`workflow.access.users.invite_user`), whose
  first single sign-on links them; any mail after that is the ordinary reminder mail;
- the audit log, append-only, records the company's name and CVR number, never the contact's
  name or email (personal data that must stay erasable while the request is only a request).

The pages throttle the form per client address (`api.http.throttle.PublicForms`).
"""

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy import func, select
from sqlmodel import Session, col

from workflow.access.actor import Actor
from workflow.access.organisations import create_organisation
from workflow.access.policy import Action, leads, may, require, sees_all
from workflow.access.roles import Role
from workflow.access.users import invite_user
from workflow.audit import writer as audit
from workflow.core.db import add_or_refusal
from workflow.core.errors import Conflict, NotFound, check_reason
from workflow.core.names import MAX_NAME_LENGTH, clean_name
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import (
    Case,
    Organisation,
    OrganisationKind,
    OrganisationRequest,
    OrganisationRequestStatus,
)
from workflow.public.calls import open_call
from workflow.transitions.locking import lock_case

REQUESTED_ACTION = "organisation_request.created"
DECIDED_ACTION = "organisation_request.decided"
MAX_EMAIL_LENGTH = 254
"""The longest address SMTP carries (RFC 5321's path limit)."""
MAX_REASON_LENGTH = 2000
CVR = re.compile(r"^[0-9]{8}$")

PUBLIC_FORM = Actor(name="public-call-form", role=Role.PUBLIC)
"""Who the audit log names for a request from the public page: no one signed in."""


def _cvr(value: str) -> str:
    cleaned = value.strip().replace(" ", "")
    if not CVR.fullmatch(cleaned):
        raise ValueError("a CVR number is 8 digits")
    return cleaned


Cvr = Annotated[str, Field(max_length=20), AfterValidator(_cvr)]
CleanName = Annotated[str, Field(max_length=MAX_NAME_LENGTH + 50), AfterValidator(clean_name)]


class CompanyRequestInput(BaseModel):
    """What the company types into the form on a call's public page."""

    model_config = ConfigDict(extra="forbid", str_max_length=400)

    company_name: CleanName
    cvr: Cvr
    contact_name: CleanName
    email: Annotated[EmailStr, Field(max_length=MAX_EMAIL_LENGTH)]
    language: Literal["da", "en"] = "da"


def _pending(session: Session, case_id: int, cvr: str) -> OrganisationRequest | None:
    return session.execute(
        select(OrganisationRequest).where(
            col(OrganisationRequest.case_id) == case_id,
            col(OrganisationRequest.cvr) == cvr,
            col(OrganisationRequest.status) == OrganisationRequestStatus.PENDING.value,
        )
    ).scalar_one_or_none()


def submit_request(
    work: UnitOfWork, case_id: int, data: CompanyRequestInput, now: datetime
) -> OrganisationRequest:
    """A pending request to take part in the open call `case_id`; audited. `NotFound` when the
    case is not an open call. The same company asking again for the same call while its
    request is pending gets that request back, and nothing is written."""
    open_call(work.session, case_id, now)
    existing = _pending(work.session, case_id, data.cvr)
    if existing is not None:
        return existing
    request = OrganisationRequest(
        case_id=case_id,
        company_name=data.company_name,
        cvr=data.cvr,
        contact_name=data.contact_name,
        email=str(data.email).lower(),
        language=data.language,
        created_at=now,
    )
    refused = add_or_refusal(work.session, request)
    if refused is not None:  # the same company's concurrent request won the unique index
        existing = _pending(work.session, case_id, data.cvr)
        if existing is None:
            raise refused
        return existing
    audit.record(
        work,
        PUBLIC_FORM,
        REQUESTED_ACTION,
        {"request_id": request.id, "company_name": request.company_name, "cvr": request.cvr},
        case_id=case_id,
        at=now,
    )
    return request


# --- reading and deciding --------------------------------------------------------------------


def _scope(actor: Actor) -> list[object]:
    """WHERE clauses limiting requests to those `actor` may read: admins and auditors all,
    a manager those of the calls its municipality leads."""
    if sees_all(actor):
        return []
    led = select(col(Case.id)).where(col(Case.lead_municipality_id) == actor.organisation_id)
    return [col(OrganisationRequest.case_id).in_(led)]


def list_requests(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    case_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[OrganisationRequest], int]:
    """The requests `actor` may read, pending first, newest first, and their total."""
    require(actor, Action.READ_ORGANISATION_REQUESTS)
    where = _scope(actor)
    if status is not None:
        where.append(col(OrganisationRequest.status) == status)
    if case_id is not None:
        where.append(col(OrganisationRequest.case_id) == case_id)
    total = session.execute(
        select(func.count()).select_from(OrganisationRequest).where(*where)  # type: ignore[arg-type]
    ).scalar_one()
    pending_first = col(OrganisationRequest.status) != OrganisationRequestStatus.PENDING.value
    rows = session.execute(
        select(OrganisationRequest)
        .where(*where)  # type: ignore[arg-type]
        .order_by(pending_first, col(OrganisationRequest.id).desc())
        .limit(limit)
        .offset(offset)
    ).scalars()
    return list(rows), int(total)


def registered_cvrs(session: Session, cvrs: set[str]) -> set[str]:
    """Which of `cvrs` already belong to an organisation (the approver should decline:
    the company's own people sign in instead)."""
    if not cvrs:
        return set()
    found = session.execute(
        select(col(Organisation.cvr)).where(col(Organisation.cvr).in_(cvrs))
    ).scalars()
    return {c for c in found if c}


def decide_request(
    work: UnitOfWork,
    actor: Actor,
    request_id: int,
    decision: Literal["approve", "decline"],
    *,
    reason: str | None,
    invite: bool,
    now: datetime,
) -> OrganisationRequest:
    """Approve (create the company; with `invite`, its contact becomes a partner user) or
    decline (a reason is required) a pending request. Audited; does not commit.

    Admins and the managers of the call's lead municipality decide: other roles get
    `Forbidden`, a manager of another municipality `NotFound` (as for a case outside scope).
    A CVR number that already belongs to an organisation is refused (`Conflict`): approving
    would let whoever typed the form into an existing company's organisation.
    """
    require(actor, Action.DECIDE_ORGANISATION_REQUEST)
    check_reason(
        reason, required=decision == "decline", what="Declining", max_length=MAX_REASON_LENGTH
    )
    request = work.session.get(OrganisationRequest, request_id)
    case = work.session.get(Case, request.case_id) if request is not None else None
    if request is None or case is None or not _may_read(actor, case):
        raise NotFound(f"Organisation request {request_id} was not found.")
    require(actor, Action.DECIDE_ORGANISATION_REQUEST, case)
    lock_case(work, case.id or 0)  # decisions on one call's requests queue behind each other
    work.session.refresh(request)
    if request.status != OrganisationRequestStatus.PENDING.value:
        raise Conflict(f"The request was already {request.status}.")
    data: dict[str, object] = {"request_id": request.id, "decision": decision}
    if decision == "approve":
        if registered_cvrs(work.session, {request.cvr}):
            raise Conflict(f"An organisation with the CVR number {request.cvr} already exists.")
        org = create_organisation(
            work,
            actor,
            name=request.company_name,
            kind=OrganisationKind.COMPANY.value,
            email=request.email,
            language=request.language,
            cvr=request.cvr,
        )
        request.organisation_id = org.id
        data["organisation_id"] = org.id
        if invite:
            user = invite_user(
                work,
                actor,
                name=request.contact_name,
                email=request.email,
                role=Role.PARTNER.value,
                organisation_id=org.id,
                now=now,
            )
            request.user_id = user.id
            data["user_id"] = user.id
        request.status = OrganisationRequestStatus.APPROVED.value
    else:
        request.status = OrganisationRequestStatus.DECLINED.value
    request.reason = reason.strip() if reason and reason.strip() else None
    request.decided_by = actor.name
    request.decided_at = now
    data["reason"] = request.reason
    work.session.add(request)
    work.session.flush()
    audit.record(work, actor, DECIDED_ACTION, data, case_id=request.case_id, at=now)
    return request


def _may_read(actor: Actor, case: Case) -> bool:
    """The single-row form of `_scope`."""
    if not may(actor, Action.READ_ORGANISATION_REQUESTS):
        return False
    return sees_all(actor) or leads(actor, case)
