"""Joining a shared need: another municipality asks ("Vi har samme behov"), the lead decides.

An accepted municipality becomes a participant of the case with the role `municipality`: a
co-owner. From then on it sees the internal case like the lead (`workflow.access.scope`), is
named on the published call, and is a candidate adopting municipality at scale.
"""

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from workflow.access.actor import Actor
from workflow.access.policy import Action, may
from workflow.access.scope import is_participant
from workflow.audit import writer as audit
from workflow.core.db import add_or_refusal
from workflow.core.errors import Conflict, Forbidden, InvalidInput, NotFound, check_reason
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import (
    Case,
    JoinRequest,
    JoinStatus,
    Organisation,
    OrganisationKind,
    ParticipantRole,
)
from workflow.proposals.service import add_participant
from workflow.transitions.locking import lock_case

REQUESTED_ACTION = "need.join_requested"
DECIDED_ACTION = "need.join_decided"
DECISIONS = {"accept": JoinStatus.ACCEPTED, "decline": JoinStatus.DECLINED}


def _shared_case(work: UnitOfWork, case_id: int) -> Case:
    """The case locked, when its need is shared; `NotFound` otherwise (nothing to join)."""
    try:
        case = lock_case(work, case_id)
    except NotFound:
        case = None
    if case is None or case.shared_at is None:
        raise NotFound(f"Need {case_id} was not found.")
    return case


def request_to_join(
    work: UnitOfWork, actor: Actor, case_id: int, message: str | None, now: datetime | None = None
) -> JoinRequest:
    """A pending request by the actor's municipality to co-own the shared need. Audited.

    Only the managers and staff of a municipality ask (`Forbidden` for anyone else); a need
    not shared is `NotFound`; a municipality already in the case, or with a request pending,
    gets `Conflict`.
    """
    now = now or utcnow()
    org = work.session.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    if not may(actor, Action.JOIN_NEED) or org is None:
        raise Forbidden("Only a municipality's people can ask to join a need.")
    if org.kind != OrganisationKind.MUNICIPALITY.value:
        raise Forbidden("Only a municipality's people can ask to join a need.")
    check_reason(message, required=False, what="message", max_length=2000)
    case = _shared_case(work, case_id)
    assert case.id is not None and org.id is not None
    if is_participant(work.session, case.id, org.id):
        raise Conflict("The municipality already takes part in the case.")
    pending = work.session.execute(
        select(col(JoinRequest.id)).where(
            col(JoinRequest.case_id) == case.id,
            col(JoinRequest.organisation_id) == org.id,
            col(JoinRequest.status) == JoinStatus.PENDING.value,
        )
    ).first()
    if pending is not None:
        raise Conflict("A request to join this need is already pending.")
    request = JoinRequest(
        case_id=case.id,
        organisation_id=org.id,
        message=message.strip() if message else None,
        requested_by=actor.name,
        created_at=now,
    )
    refused = add_or_refusal(work.session, request)
    if refused is not None:  # a concurrent request won the partial unique index
        raise Conflict("A request to join this need is already pending.") from refused
    audit.record(
        work,
        actor,
        REQUESTED_ACTION,
        {"request_id": request.id, "organisation_id": org.id, "message": request.message},
        case_id=case.id,
        at=now,
    )
    return request


def list_requests(session: Session, case_id: int) -> list[JoinRequest]:
    """Every join request of a case, oldest first (the caller checked who may see them)."""
    return list(
        session.execute(
            select(JoinRequest)
            .where(col(JoinRequest.case_id) == case_id)
            .order_by(col(JoinRequest.id))
        ).scalars()
    )


def decide(
    work: UnitOfWork,
    actor: Actor,
    case_id: int,
    request_id: int,
    decision: str,
    reason: str | None,
    now: datetime | None = None,
) -> JoinRequest:
    """Accept (the municipality becomes a co-owner) or decline a pending request. Audited.

    Only the lead municipality's managers and admins decide; a declined request needs a reason.
    """
    now = now or utcnow()
    if decision not in DECISIONS:
        raise InvalidInput("The decision is 'accept' or 'decline'.")
    check_reason(reason, required=decision == "decline", what="reason", max_length=2000)
    case = lock_case(work, case_id)
    if not may(actor, Action.DECIDE_JOIN, case):
        raise Forbidden("Only the lead municipality's managers decide on join requests.")
    request = work.session.get(JoinRequest, request_id)
    if request is None or request.case_id != case_id:
        raise NotFound(f"Join request {request_id} was not found in case {case_id}.")
    if request.status != JoinStatus.PENDING.value:
        raise Conflict(f"The request was already {request.status}.")
    request.status = DECISIONS[decision].value
    request.reason = reason.strip() if reason else None
    request.decided_by = actor.name
    request.decided_at = now
    audit.record(
        work,
        actor,
        DECIDED_ACTION,
        {
            "request_id": request.id,
            "organisation_id": request.organisation_id,
            "decision": request.status,
            "reason": request.reason,
        },
        case_id=case_id,
        at=now,
    )
    if decision == "accept":
        add_participant(
            work,
            case_id,
            actor,
            organisation_id=request.organisation_id,
            role=ParticipantRole.MUNICIPALITY.value,
            now=now,
        )
    return request
