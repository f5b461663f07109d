"""What the requirement checks read: a plain snapshot of one case, built by `workflow/`."""

from dataclasses import dataclass, field
from datetime import datetime

from states.sections import AgreementSection, CallSection, NeedSection, PilotSection, ScaleSection


@dataclass(frozen=True, slots=True)
class AssessmentFacts:
    """One assessor's scores of one proposal."""

    scores: dict[str, int]
    conflict_of_interest: bool


@dataclass(frozen=True, slots=True)
class ProposalFacts:
    """A submitted proposal, its assessments and the decision on it."""

    id: int
    organisation_id: int
    assessments: tuple[AssessmentFacts, ...] = ()
    decision: str | None = None
    decision_rationale: str | None = None


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """Everything SPEC §3 computes requirements from, at one instant `now` (UTC)."""

    now: datetime
    lead_municipality_id: int
    need: NeedSection = field(default_factory=NeedSection)
    call: CallSection = field(default_factory=CallSection)
    agreement: AgreementSection = field(default_factory=AgreementSection)
    pilot: PilotSection = field(default_factory=PilotSection)
    scale: ScaleSection = field(default_factory=ScaleSection)
    proposals: tuple[ProposalFacts, ...] = ()
    signed_organisation_ids: frozenset[int] = frozenset()
    document_kinds: frozenset[str] = frozenset()
    """The kinds (`states.documents.DocumentKind`) of the case's own documents, those whose
    deletion nobody asked for: a requirement that needs a document reads them here."""
