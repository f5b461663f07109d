"""What a partner organisation does for itself: show interest, edit or withdraw its own
proposal, and sign the agreement as itself.

The municipality's side (assessments, decisions, signatures made on paper) lives in
`workflow.proposals.service`. Here the organisation always comes from the actor, never from
the caller's input: a company can only ever act for itself, so no page or route can make it
touch a competitor's proposal (which it must not even learn the id of; a stranger's proposal
answers `NotFound`, exactly as a missing one). Each function writes its rows and the audit
event in the caller's transaction, bumps the case version and does not commit.
"""

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from states import CaseState
from workflow.access.actor import Actor
from workflow.audit import writer as audit
from workflow.core.errors import Conflict, Forbidden, InvalidInput, NotFound, check_text
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.deadlines import phase_rules
from workflow.models import (
    Case,
    Organisation,
    Participant,
    ParticipantRole,
    Proposal,
    Signature,
)
from workflow.proposals.reviews import latest_decisions
from workflow.proposals.service import (
    call_deadline,
    check_call_open,
    ensure_participant,
    participant_recorded,
    record_signature,
    touch_case,
)
from workflow.transitions.locking import lock_case

PROPOSING_KINDS = phase_rules.PROPOSING_KINDS
"""Companies and knowledge institutions bid on calls (issue 14: "Partner (company or knowledge
institution)"); municipalities and facilitators do not."""

MAX_TITLE = 300
MAX_SUMMARY = 20_000


def own_organisation(session: Session, actor: Actor) -> Organisation:
    """The actor's organisation, which must be one that bids on calls."""
    org = session.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    if org is None or org.kind not in PROPOSING_KINDS:
        raise Forbidden("Only a company or a knowledge institution bids on a call.")
    return org


def call_is_open(case: Case, now: datetime) -> bool:
    """Whether the case takes proposals now: in `match` and before the submission deadline."""
    deadline = call_deadline(case)
    return case.state == CaseState.MATCH.value and deadline is not None and now < deadline


def _check_proposal_text(title: str, summary: str) -> tuple[str, str]:
    check_text({"title": title, "summary": summary}, "proposal")
    title = title.strip()
    if not title:
        raise InvalidInput("A proposal needs a title.", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"The title is longer than {MAX_TITLE} characters.", field="title")
    if len(summary) > MAX_SUMMARY:
        raise InvalidInput(f"The summary is longer than {MAX_SUMMARY} characters.", field="summary")
    return title, summary


def own_proposal(session: Session, actor: Actor, case_id: int, proposal_id: int) -> Proposal:
    """The actor's organisation's proposal in the case; `NotFound` for any other."""
    proposal = session.get(Proposal, proposal_id)
    if (
        proposal is None
        or proposal.case_id != case_id
        or actor.organisation_id is None
        or proposal.organisation_id != actor.organisation_id
    ):
        raise NotFound(f"Proposal {proposal_id} was not found in case {case_id}.")
    return proposal


def show_interest(
    work: UnitOfWork, case_id: int, actor: Actor, *, now: datetime | None = None
) -> Participant:
    """The actor's organisation joins the open call as `interested` and gets its submission
    deadline (SPEC §5). Showing interest again changes nothing."""
    now = now or utcnow()
    org = own_organisation(work.session, actor)
    case = lock_case(work, case_id)
    check_call_open(case, now, "Interest is shown")
    interested = ParticipantRole.INTERESTED.value
    participant, added = ensure_participant(work, case_id, org.id or 0, interested, now)
    if added:
        participant_recorded(work, case, actor, org.id or 0, interested, None, now, own=True)
    return participant


def edit_proposal(
    work: UnitOfWork,
    case_id: int,
    proposal_id: int,
    actor: Actor,
    *,
    title: str,
    summary: str,
    now: datetime | None = None,
) -> Proposal:
    """Change the organisation's own proposal before the submission deadline (else 409).

    The audit event keeps the text before and after, so an assessor can see what changed.
    """
    now = now or utcnow()
    title, summary = _check_proposal_text(title, summary)
    case = lock_case(work, case_id)
    proposal = own_proposal(work.session, actor, case_id, proposal_id)
    check_call_open(case, now, "Proposals are changed")
    if proposal.withdrawn_at is not None:
        raise Conflict("The proposal was withdrawn; submit a new one instead.")
    if (proposal.title, proposal.summary) == (title, summary):
        return proposal
    before = {"title": proposal.title, "summary": proposal.summary}
    proposal.title, proposal.summary, proposal.updated_at = title, summary, now
    work.session.flush()
    touch_case(work, case, now)
    audit.record(
        work,
        actor,
        "proposal.edited",
        {
            "proposal_id": proposal.id,
            "organisation_id": proposal.organisation_id,
            "before": before,
            "after": {"title": title, "summary": summary},
        },
        case_id=case_id,
        at=now,
    )
    return proposal


def withdraw_proposal(
    work: UnitOfWork,
    case_id: int,
    proposal_id: int,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> Proposal:
    """Withdraw the organisation's own proposal before the submission deadline (else 409).

    The row stays (nothing stored is lost) but the guards no longer count it; the
    organisation, interested again without a proposal, gets its submission deadline back.
    """
    now = now or utcnow()
    case = lock_case(work, case_id)
    proposal = own_proposal(work.session, actor, case_id, proposal_id)
    check_call_open(case, now, "Proposals are withdrawn")
    if proposal.withdrawn_at is not None:
        return proposal
    proposal.withdrawn_at = now
    proposal.updated_at = now
    touch_case(work, case, now)
    role = work.session.execute(
        select(col(Participant.role)).where(
            col(Participant.case_id) == case_id,
            col(Participant.organisation_id) == proposal.organisation_id,
        )
    ).scalar_one_or_none()
    audit.record(
        work,
        actor,
        "proposal.withdrawn",
        {
            "proposal_id": proposal.id,
            "organisation_id": proposal.organisation_id,
            "title": proposal.title,
        },
        case_id=case_id,
        at=now,
    )
    if role is not None:
        phase_rules.on_interest(work, case, proposal.organisation_id, role, actor, now)
    return proposal


def awaits_own_signature(session: Session, case: Case, organisation_id: int) -> bool:
    """Whether the case, in `agreement`, waits for this organisation's signature: one of its
    proposals is selected (SPEC §3: every selected company signs) and it has not signed yet."""
    if case.state != CaseState.AGREEMENT.value:
        return False
    return organisation_id in awaiting_signatures(session, [case.id or 0]).get(case.id or 0, set())


def awaiting_signatures(session: Session, case_ids: list[int]) -> dict[int, set[int]]:
    """For each case, the selected organisations that have not signed yet."""
    if not case_ids:
        return {}
    selected: dict[int, set[int]] = {}
    rows = session.execute(
        select(col(Proposal.id), col(Proposal.case_id), col(Proposal.organisation_id))
        .where(col(Proposal.case_id).in_(case_ids), col(Proposal.withdrawn_at).is_(None))
        .order_by(col(Proposal.id))
    ).all()
    if not rows:
        return {}
    latest = latest_decisions(session, [r[0] for r in rows])
    for proposal_id, case_id, org_id in rows:
        if latest.get(proposal_id) == "selected":
            selected.setdefault(case_id, set()).add(org_id)
    for case_id, org_id in session.execute(
        select(col(Signature.case_id), col(Signature.organisation_id)).where(
            col(Signature.case_id).in_(list(selected))
        )
    ):
        selected.get(case_id, set()).discard(org_id)
    return {case_id: orgs for case_id, orgs in selected.items() if orgs}


def sign_agreement(
    work: UnitOfWork,
    case_id: int,
    actor: Actor,
    *,
    signatory_name: str,
    now: datetime | None = None,
) -> Signature:
    """The selected company signs the agreement as itself, now.

    Recorded as its own signature: the signature's organisation is the actor's, and the audit
    event (`agreement.signed`) names the signer and the company's own token as the actor, so
    it is told apart from a signature a manager recorded from paper.
    """
    now = now or utcnow()
    org = own_organisation(work.session, actor)
    case = lock_case(work, case_id)
    if case.state != CaseState.AGREEMENT.value:
        raise Conflict("The agreement is signed only in phase agreement.")
    if not awaits_own_signature(work.session, case, org.id or 0):
        raise Conflict("The agreement does not wait for this organisation's signature.")
    if len(signatory_name.strip()) > 200:
        raise InvalidInput("The signatory's name is too long.", field="signatory_name")
    return record_signature(
        work,
        case_id,
        actor,
        organisation_id=org.id or 0,
        signatory_name=signatory_name,
        signed_at=now,
        now=now,
    )
