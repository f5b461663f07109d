"""Proposals, assessments, decisions and signatures: the data the match and agreement guards read.

Each function checks the case's state, writes its row and the audit event in the caller's
transaction, and bumps the case version so `ETag`s move with every change to what the guards
see. None of them commits.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from states import CaseState
from states.sections import CallSection
from workflow.access.actor import Actor
from workflow.audit import writer as audit
from workflow.cases.facts import parse_section
from workflow.cases.relations import forget_relations
from workflow.core.errors import Conflict, InvalidInput, NotFound, check_reason, check_text
from workflow.core.names import clean_name
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines import phase_rules as phase_deadlines
from workflow.deadlines import service as deadlines
from workflow.models import (
    Assessment,
    Case,
    DeadlineKind,
    DeadlineStatus,
    Decision,
    Document,
    DocumentVersion,
    Organisation,
    Participant,
    ParticipantRole,
    Proposal,
    Signature,
)
from workflow.transitions.locking import lock_case

SCORE_RANGE = range(0, 11)
SIGNED_ACTION = "agreement.signed"
"""The audit action of a signature (it shares its name with the requirement it feeds)."""
MAX_REASON = 2000


def touch_case(work: UnitOfWork, case: Case, now: datetime) -> None:
    """The case's relations changed: a new version, and the unit of work reads them afresh."""
    assert case.id is not None
    case.version += 1
    case.updated_at = now
    forget_relations(work, case.id)


def call_deadline(case: Case) -> datetime | None:
    """The published call's submission deadline, if it has one."""
    return parse_section(CallSection, case.call).submission_deadline


def check_call_open(case: Case, now: datetime, what: str, *, late: str | None = None) -> None:
    """`Conflict` unless the call takes proposals now: in `match` and before the submission
    deadline. `what` names what is refused ("Interest is shown"); `late` says what a refusal
    after the deadline says (by default: `what` no longer)."""
    if case.state != CaseState.MATCH.value:
        raise Conflict(f"{what} only while the call is open (phase match).")
    deadline = call_deadline(case)
    if deadline is None or now >= deadline:
        refused = late or f"{what.lower()} no longer"
        raise Conflict(
            f"The submission deadline has passed; {refused}.",
            submission_deadline=deadline.isoformat() if deadline else None,
        )


def submit_proposal(
    work: UnitOfWork,
    case_id: int,
    actor: Actor,
    *,
    organisation_id: int,
    title: str,
    summary: str = "",
    now: datetime | None = None,
) -> Proposal:
    """A company's proposal; only in `match` and before the submission deadline (else 409)."""
    now = now or utcnow()
    check_text({"title": title, "summary": summary}, "proposal")
    case = lock_case(work, case_id)
    check_call_open(case, now, "Proposals are accepted", late="late proposals are refused")
    if not title.strip():
        raise InvalidInput("A proposal needs a title.")
    proposal = Proposal(
        case_id=case_id,
        organisation_id=organisation_id,
        title=title.strip(),
        summary=summary,
        submitted_by=actor.name,
        submitted_at=now,
    )
    work.session.add(proposal)
    ensure_participant(work, case_id, organisation_id, ParticipantRole.INTERESTED.value, now)
    work.session.flush()
    touch_case(work, case, now)
    deadlines.meet(work, case_id, DeadlineKind.SUBMISSION, organisation_id, actor, now)
    audit.record(
        work,
        actor,
        "proposal.submitted",
        {"proposal_id": proposal.id, "organisation_id": organisation_id, "title": proposal.title},
        case_id=case_id,
        at=now,
    )
    return proposal


def participant_of(session: Session, case_id: int, organisation_id: int) -> Participant | None:
    """The organisation's participant row in the case (its role there), if it takes part."""
    return session.execute(
        select(Participant).where(
            col(Participant.case_id) == case_id,
            col(Participant.organisation_id) == organisation_id,
        )
    ).scalar_one_or_none()


def ensure_participant(
    work: UnitOfWork, case_id: int, organisation_id: int, role: str, now: datetime
) -> tuple[Participant, bool]:
    """The organisation's participant row in the case, added with `role` when it has none
    (an existing row keeps its role), and whether it was added."""
    existing = participant_of(work.session, case_id, organisation_id)
    if existing is not None:
        return existing, False
    added = Participant(case_id=case_id, organisation_id=organisation_id, role=role, created_at=now)
    work.session.add(added)
    return added, True


def add_participant(
    work: UnitOfWork,
    case_id: int,
    actor: Actor,
    *,
    organisation_id: int,
    role: str,
    now: datetime | None = None,
) -> Participant:
    """Add an organisation to the case (or change its role). Audited."""
    now = now or utcnow()
    case = lock_case(work, case_id)
    if role not in {r.value for r in ParticipantRole} or role == ParticipantRole.LEAD.value:
        raise InvalidInput(f"Unknown or reserved participant role {role!r}.")
    if work.session.get(Organisation, organisation_id) is None:
        raise InvalidInput(f"Organisation {organisation_id} does not exist.")
    if organisation_id == case.lead_municipality_id:
        raise Conflict("The lead municipality's role cannot be changed.")
    participant, added = ensure_participant(work, case_id, organisation_id, role, now)
    before = None if added else participant.role
    participant.role = role
    participant_recorded(work, case, actor, organisation_id, role, before, now)
    return participant


def participant_recorded(
    work: UnitOfWork,
    case: Case,
    actor: Actor,
    organisation_id: int,
    role: str,
    before: str | None,
    now: datetime,
    *,
    own: bool = False,
) -> None:
    """What follows a participant added (`before` None) or given a new role, whoever did it:
    the case's new version, the audit event (`own`: the organisation joined by itself) and
    the deadlines the role brings (an interested company's submission deadline, a co-owner's
    share of the reminders)."""
    work.session.flush()
    touch_case(work, case, now)
    audit.record(
        work,
        actor,
        "participant.added" if before is None else "participant.changed",
        {
            "organisation_id": organisation_id,
            "role": role,
            "previous_role": before,
            **({"self": True} if own else {}),
        },
        case_id=case.id,
        at=now,
    )
    phase_deadlines.on_interest(work, case, organisation_id, role, actor, now)
    phase_deadlines.on_co_owner(work, case, organisation_id, role, before, now)


def _proposal_in(session: Session, case_id: int, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.case_id != case_id:
        raise NotFound(f"Proposal {proposal_id} was not found in case {case_id}.")
    if proposal.withdrawn_at is not None:
        raise Conflict("The proposal was withdrawn by its organisation.")
    return proposal


def assess_proposal(
    work: UnitOfWork,
    case_id: int,
    proposal_id: int,
    actor: Actor,
    *,
    scores: dict[str, Any],
    rationale: str,
    conflict_of_interest: bool,
    now: datetime | None = None,
) -> Assessment:
    """Score a proposal against the published criteria (0–10 each). Only in `match`."""
    now = now or utcnow()
    check_text({"scores": scores, "rationale": rationale}, "assessment")
    case = lock_case(work, case_id)
    if case.state != CaseState.MATCH.value:
        raise Conflict("Proposals are assessed only in phase match.")
    _proposal_in(work.session, case_id, proposal_id)
    criteria = {c.name for c in parse_section(CallSection, case.call).criteria or []}
    unknown = sorted(set(scores) - criteria)
    if unknown:
        raise InvalidInput(
            f"Not published criteria: {', '.join(unknown)}.", criteria=sorted(criteria)
        )
    for name, value in scores.items():
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCORE_RANGE:
            raise InvalidInput(f"The score for {name!r} must be a whole number from 0 to 10.")
    assessment = work.insert(
        Assessment(
            proposal_id=proposal_id,
            assessor=actor.name,
            scores=dict(scores),
            rationale=rationale,
            conflict_of_interest=conflict_of_interest,
            created_at=now,
        )
    )
    touch_case(work, case, now)
    audit.record(
        work,
        actor,
        "proposal.assessed",
        {
            "proposal_id": proposal_id,
            "assessment_id": assessment.id,
            "scores": scores,
            "rationale": rationale,
            "conflict_of_interest": conflict_of_interest,
        },
        case_id=case_id,
        at=now,
    )
    return assessment


def decide_proposal(
    work: UnitOfWork,
    case_id: int,
    proposal_id: int,
    actor: Actor,
    *,
    decision: str,
    rationale: str,
    now: datetime | None = None,
) -> Decision:
    """Select or reject a proposal, with the reason recorded. Only in `match`."""
    now = now or utcnow()
    check_text(rationale, "rationale")
    case = lock_case(work, case_id)
    if case.state != CaseState.MATCH.value:
        raise Conflict("Decisions on proposals are made only in phase match.")
    proposal = _proposal_in(work.session, case_id, proposal_id)
    if decision not in ("selected", "rejected"):
        raise InvalidInput("The decision must be 'selected' or 'rejected'.")
    if not rationale.strip():
        raise InvalidInput("A decision needs a rationale.")
    row = Decision(
        proposal_id=proposal_id,
        decision=decision,
        rationale=rationale,
        decided_by=actor.name,
        decided_at=now,
    )
    work.session.add(row)
    if decision == "selected":
        partner = ParticipantRole.PARTNER.value
        participant, _ = ensure_participant(work, case_id, proposal.organisation_id, partner, now)
        participant.role = partner
    work.session.flush()
    touch_case(work, case, now)
    audit.record(
        work,
        actor,
        "proposal.decided",
        {"proposal_id": proposal_id, "decision": decision, "rationale": rationale},
        case_id=case_id,
        at=now,
    )
    return row


def record_signature(
    work: UnitOfWork,
    case_id: int,
    actor: Actor,
    *,
    organisation_id: int,
    signatory_name: str,
    signed_at: datetime,
    document_version_id: int | None = None,
    now: datetime | None = None,
) -> Signature:
    """Record a party's signature on the agreement. Only in `agreement`.

    `document_version_id` names the version of a case document signed; its SHA-256 goes
    into the audit event, so the chain proves which bytes were signed."""
    now = now or utcnow()
    try:
        signatory_name = clean_name(signatory_name, "signatory's name")
    except ValueError as exc:
        raise InvalidInput(f"Refused: {exc}.") from None
    case = lock_case(work, case_id)
    if case.state != CaseState.AGREEMENT.value:
        raise Conflict("Signatures are recorded only in phase agreement.")
    if work.session.get(Organisation, organisation_id) is None:
        raise InvalidInput(f"Organisation {organisation_id} does not exist.")
    if signed_at > now:
        raise InvalidInput("A signature cannot be dated in the future.")
    signed_sha = _signed_version(work.session, case_id, document_version_id)
    signature = work.insert(
        Signature(
            case_id=case_id,
            organisation_id=organisation_id,
            signatory_name=signatory_name,
            signed_at=signed_at,
            recorded_by=actor.name,
            created_at=now,
            document_version_id=document_version_id,
        )
    )
    touch_case(work, case, now)
    deadlines.meet(work, case_id, DeadlineKind.SIGNATURE, organisation_id, actor, now)
    signed: dict[str, Any] = {
        "signature_id": signature.id,
        "organisation_id": organisation_id,
        "signatory_name": signature.signatory_name,
        "signed_at": signed_at,
    }
    if signed_sha is not None:
        signed |= {"document_version_id": document_version_id, "sha256": signed_sha}
    audit.record(
        work,
        actor,
        SIGNED_ACTION,
        signed,
        case_id=case_id,
        at=now,
    )
    return signature


def _signed_version(session: Session, case_id: int, version_id: int | None) -> str | None:
    """The SHA-256 of the case document version a signature names; `InvalidInput` when it is
    not a version of one of this case's own documents still standing."""
    if version_id is None:
        return None
    version = session.get(DocumentVersion, version_id)
    document = session.get(Document, version.document_id) if version is not None else None
    if (
        version is None
        or document is None
        or document.case_id != case_id
        or document.proposal_id is not None
        or document.deletion_requested_at is not None
    ):
        raise InvalidInput(
            f"Document version {version_id} is not a document of this case to sign.",
            field="document_version_id",
        )
    return version.sha256


def remove_participant(
    work: UnitOfWork,
    case_id: int,
    actor: Actor,
    *,
    organisation_id: int,
    reason: str | None,
    now: datetime | None = None,
) -> None:
    """Take an organisation out of the case, with the reason. Audited as `participant.removed`.

    The lead municipality stays; so does a company that submitted a proposal or signed (its
    proposal is rejected with a rationale instead, so the record of the call stays whole).
    The organisation's open deadlines in the case are cancelled with the same reason.
    """
    now = now or utcnow()
    check_reason(reason, required=True, what="Removing a participant", max_length=MAX_REASON)
    assert reason is not None
    case = lock_case(work, case_id)
    participant = participant_of(work.session, case_id, organisation_id)
    if participant is None:
        raise NotFound(f"Organisation {organisation_id} does not take part in case {case_id}.")
    if organisation_id == case.lead_municipality_id:
        raise Conflict("The lead municipality cannot be removed from its case.")
    for table in (Proposal, Signature):
        found = work.session.execute(
            select(col(table.id)).where(
                col(table.case_id) == case_id, col(table.organisation_id) == organisation_id
            )
        ).first()
        if found is not None:
            raise Conflict(
                "An organisation that submitted a proposal or signed stays in the case.",
                organisation_id=organisation_id,
            )
    deadlines.close_deadlines(
        work,
        deadlines.open_deadlines(work.session, case_id, organisation_id=organisation_id),
        DeadlineStatus.CANCELLED,
        actor,
        now=now,
        reason=reason.strip(),
    )
    work.session.delete(participant)
    work.session.flush()
    touch_case(work, case, now)
    audit.record(
        work,
        actor,
        "participant.removed",
        {"organisation_id": organisation_id, "role": participant.role, "reason": reason.strip()},
        case_id=case_id,
        at=now,
    )
