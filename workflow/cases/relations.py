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
from typing import Any

from sqlalchemy import (
    Boolean,
    Integer,
    Text,
    and_,
    bindparam,
    cast,
    literal,
    null,
    select,
    union_all,
)
from sqlmodel import Session, col

from states.facts import AssessmentFacts, ProposalFacts
from workflow.core.timeutil import UTCDateTime
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
from workflow.models.columns import JSONType


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
    """One case's participants (with their organisations), proposals and signatures, and the
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


def _typed_null(type_: Any) -> Any:
    return cast(null(), type_)


# The case's six relation tables, read with ONE statement: a UNION ALL of one SELECT per
# table, each filling its own columns of a common row shape and NULL (typed) elsewhere.
# A transition reads them for its guards, the deadlines of the phase it enters and its
# answer; five round trips (three without proposals) cost more than the rows. The first
# SELECT's column types decide how every row's values are read (JSON, UTC times, booleans).
# Columns: kind, n1, n2 (the row's own id, for order), s1..s5, scores, flag, t1, t2.
_INT = Integer()
_TEXT = Text()
_BOOL = Boolean()
_TIME = UTCDateTime()
_CASE = bindparam("case_id", type_=_INT)
_LIVE = and_(col(Proposal.case_id) == _CASE, col(Proposal.withdrawn_at).is_(None))


def _row(
    kind: str,
    n1: Any,
    n2: Any,
    s: tuple[Any, ...] = (),
    scores: Any = None,
    flag: Any = None,
    times: tuple[Any, ...] = (),
) -> tuple[Any, ...]:
    texts = [*s, *(_typed_null(_TEXT) for _ in range(5 - len(s)))]
    stamps = [*times, *(_typed_null(_TIME) for _ in range(2 - len(times)))]
    return (
        literal(kind, _TEXT).label("kind"),
        cast(n1, _INT).label("n1"),
        cast(n2, _INT).label("n2"),
        *(cast(t, _TEXT).label(f"s{i}") for i, t in enumerate(texts, 1)),
        (scores if scores is not None else _typed_null(JSONType)).label("scores"),
        (flag if flag is not None else _typed_null(_BOOL)).label("flag"),
        *(t.label(f"t{i}") for i, t in enumerate(stamps, 1)),
    )


_RELATIONS = union_all(
    select(
        *_row(
            "participant",
            col(Participant.organisation_id),
            col(Participant.id),
            (
                col(Participant.role),
                col(Organisation.name),
                col(Organisation.kind),
                col(Organisation.webhook_url),
                col(Organisation.webhook_secret),
            ),
        )
    )
    .join(Organisation, col(Organisation.id) == col(Participant.organisation_id))
    .where(col(Participant.case_id) == _CASE),
    select(*_row("proposal", col(Proposal.organisation_id), col(Proposal.id))).where(_LIVE),
    select(
        *_row(
            "assessment",
            col(Assessment.proposal_id),
            col(Assessment.id),
            scores=col(Assessment.scores),
            flag=col(Assessment.conflict_of_interest),
        )
    )
    .join(Proposal, col(Proposal.id) == col(Assessment.proposal_id))
    .where(_LIVE),
    select(
        *_row(
            "decision",
            col(Decision.proposal_id),
            col(Decision.id),
            (col(Decision.decision), col(Decision.rationale)),
        )
    )
    .join(Proposal, col(Proposal.id) == col(Decision.proposal_id))
    .where(_LIVE),
    select(
        *_row(
            "signature",
            col(Signature.organisation_id),
            col(Signature.id),
            (
                col(Signature.signatory_name),
                col(Signature.recorded_by),
                col(Signature.document_version_id),
            ),
            times=(col(Signature.signed_at), col(Signature.created_at)),
        )
    ).where(col(Signature.case_id) == _CASE),
    select(*_row("document", col(Document.id), col(Document.id), (col(Document.kind),))).where(
        col(Document.case_id) == _CASE,
        col(Document.proposal_id).is_(None),
        col(Document.deletion_requested_at).is_(None),
    ),
)


def _first(pair: tuple[int, Any]) -> int:
    return pair[0]


def _load(session: Session, case_id: int) -> CaseRelations:
    participants: list[tuple[int, CaseParticipant]] = []
    proposals: list[tuple[int, int]] = []
    assessments: dict[int, list[tuple[int, AssessmentFacts]]] = {}
    decisions: dict[int, tuple[int, str, str]] = {}
    signatures: list[CaseSignature] = []
    document_kinds: set[str] = set()
    # Plain typed rows, so on the session's connection rather than through the ORM's
    # execution and result machinery (`Session.execute` costs about twice the CPU); flushed
    # first, as `Session.execute` would, so relations added in this session are seen.
    session.flush()
    for kind, n1, n2, s1, s2, s3, s4, s5, scores, flag, t1, t2 in session.connection().execute(
        _RELATIONS, {"case_id": case_id}
    ):
        if kind == "participant":
            participants.append((n2, CaseParticipant(n1, s1, s2, s3, s4, s5)))
        elif kind == "proposal":
            proposals.append((n2, n1))
        elif kind == "assessment":
            facts = AssessmentFacts(
                scores={str(k): int(v) for k, v in scores.items()},
                conflict_of_interest=bool(flag),
            )
            assessments.setdefault(n1, []).append((n2, facts))
        elif kind == "decision":
            if n1 not in decisions or decisions[n1][0] < n2:  # the latest decision counts
                decisions[n1] = (n2, s1, s2)
        elif kind == "document":
            document_kinds.add(s1)
        else:
            version = int(s3) if s3 is not None else None
            signatures.append(CaseSignature(n2, case_id, n1, s1, t1, s2, t2, version))
    return CaseRelations(
        participants=tuple(p for _, p in sorted(participants, key=_first)),
        proposals=tuple(
            ProposalFacts(
                id=pid,
                organisation_id=org,
                assessments=tuple(f for _, f in sorted(assessments.get(pid, []), key=_first)),
                decision=decisions[pid][1] if pid in decisions else None,
                decision_rationale=decisions[pid][2] if pid in decisions else None,
            )
            for pid, org in sorted(proposals)
        ),
        signatures=tuple(sorted(signatures, key=lambda s: s.id)),
        document_kinds=frozenset(document_kinds),
    )
