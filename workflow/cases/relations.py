"""What a case's other tables say about it, read once per transaction.

A transition reads a case's participants, proposals (with their assessments and decisions)
and signatures for its guards, again for the deadlines of the phase it enters, and again for
the answer that shows the case afterwards. `held_relations` reads them once per unit of work
(`workflow.core.unit_of_work`); a reader that needs them once calls `read_relations`.

Every writer of these tables (`workflow.cases.service`, `workflow.proposals.service`) locks
the case and calls `forget_relations` when it changes them, so a read after a write in the
same unit of work always sees the write.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from states.facts import AssessmentFacts, ProposalFacts
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import (
    Assessment,
    Decision,
    Document,
    Organisation,
    Participant,
    Proposal,
    Signature,
)


@dataclass(frozen=True, slots=True)
class CaseParticipant:
    """An organisation taking part in a case, with what the case's readers need of it.

    Plain rows rather than ORM objects: they are only read, and loading ORM objects costs
    several times as much as the query.
    """

    organisation_id: int
    role: str
    name: str
    kind: str
    webhook_url: str | None
    webhook_secret: str | None


@dataclass(frozen=True, slots=True)
class CaseSignature:
    """A party's signature on the case's agreement, as stored."""

    id: int
    case_id: int
    organisation_id: int
    signatory_name: str
    signed_at: datetime
    recorded_by: str
    created_at: datetime
    document_version_id: int | None = None
    """The document version the signature names (`workflow.models.Signature`)."""


@dataclass(frozen=True, slots=True)
class CaseRelations:
    """One case's participants (with their organisations), proposals, signatures and the
    kinds of its own documents (those not asked to be deleted)."""

    participants: tuple[CaseParticipant, ...]
    proposals: tuple[ProposalFacts, ...]
    signatures: tuple[CaseSignature, ...]
    document_kinds: frozenset[str] = frozenset()

    @property
    def signed_organisation_ids(self) -> frozenset[int]:
        """The organisations that have signed the agreement."""
        return frozenset(s.organisation_id for s in self.signatures)

    def participant(self, organisation_id: int) -> CaseParticipant | None:
        """The organisation's part in the case, if it takes part."""
        for p in self.participants:
            if p.organisation_id == organisation_id:
                return p
        return None


def read_relations(session: Session, case_id: int) -> CaseRelations:
    """The case's relations as the session sees them now."""
    return _load(session, case_id)


def held_relations(work: UnitOfWork, case_id: int) -> CaseRelations:
    """The case's relations as of now in this unit of work (read at most once)."""
    held = work.relations
    found = held.get(case_id)
    if found is None:
        found = held[case_id] = _load(work.session, case_id)
    return found


def relations_read(work: UnitOfWork, case_id: int) -> CaseRelations | None:
    """The case's relations if this unit of work has read them; None, without asking the
    database, otherwise."""
    return work.relations.get(case_id)


def forget_relations(work: UnitOfWork, case_id: int) -> None:
    """Drop what this unit of work has read of the case's relations: they just changed."""
    work.relations.pop(case_id, None)


_PARTICIPANTS = (
    select(
        col(Participant.organisation_id),
        col(Participant.role),
        col(Organisation.name),
        col(Organisation.kind),
        col(Organisation.webhook_url),
        col(Organisation.webhook_secret),
    )
    .join(Organisation, col(Organisation.id) == col(Participant.organisation_id))
    .where(col(Participant.case_id) == bindparam("case_id"))
    .order_by(col(Participant.id))
)
_SIGNATURES = (
    select(
        col(Signature.id),
        col(Signature.case_id),
        col(Signature.organisation_id),
        col(Signature.signatory_name),
        col(Signature.signed_at),
        col(Signature.recorded_by),
        col(Signature.created_at),
        col(Signature.document_version_id),
    )
    .where(col(Signature.case_id) == bindparam("case_id"))
    .order_by(col(Signature.id))
)


_DOCUMENT_KINDS = (
    select(col(Document.kind))
    .where(
        col(Document.case_id) == bindparam("case_id"),
        col(Document.proposal_id).is_(None),
        col(Document.deletion_requested_at).is_(None),
    )
    .distinct()
)


def _load(session: Session, case_id: int) -> CaseRelations:
    key = {"case_id": case_id}
    return CaseRelations(
        participants=tuple(CaseParticipant(*row) for row in session.execute(_PARTICIPANTS, key)),
        proposals=_proposal_facts(session, case_id),
        signatures=tuple(CaseSignature(*row) for row in session.execute(_SIGNATURES, key)),
        document_kinds=frozenset(session.execute(_DOCUMENT_KINDS, key).scalars()),
    )


def _proposal_facts(session: Session, case_id: int) -> tuple[ProposalFacts, ...]:
    proposals = session.execute(
        select(col(Proposal.id), col(Proposal.organisation_id))
        .where(col(Proposal.case_id) == case_id, col(Proposal.withdrawn_at).is_(None))
        .order_by(col(Proposal.id))
    ).all()
    if not proposals:
        return ()
    ids = [p.id for p in proposals]
    assessments: dict[int, list[AssessmentFacts]] = {}
    for proposal_id, scores, conflict in session.execute(
        select(
            col(Assessment.proposal_id),
            col(Assessment.scores),
            col(Assessment.conflict_of_interest),
        )
        .where(col(Assessment.proposal_id).in_(ids))
        .order_by(col(Assessment.id))
    ):
        assessments.setdefault(proposal_id, []).append(
            AssessmentFacts(
                scores={str(k): int(v) for k, v in scores.items()},
                conflict_of_interest=conflict,
            )
        )
    decisions: dict[int, tuple[str, str]] = {}
    for proposal_id, decision, rationale in session.execute(
        select(col(Decision.proposal_id), col(Decision.decision), col(Decision.rationale))
        .where(col(Decision.proposal_id).in_(ids))
        .order_by(col(Decision.id))
    ):
        decisions[proposal_id] = (decision, rationale)  # later rows win: the latest counts
    return tuple(
        ProposalFacts(
            id=p.id,
            organisation_id=p.organisation_id,
            assessments=tuple(assessments.get(p.id, [])),
            decision=decisions[p.id][0] if p.id in decisions else None,
            decision_rationale=decisions[p.id][1] if p.id in decisions else None,
        )
        for p in proposals
    )
