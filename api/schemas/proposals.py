"""Proposals to a call, their assessments and decisions, and the agreement's signatures."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt

from api.schemas.common import Id, Name, Strict, Timestamp

LongText = Annotated[str, Field(max_length=20_000)]
Score = Annotated[StrictInt, Field(ge=0, le=10)]
CriterionName = Annotated[str, Field(min_length=1, max_length=200)]


class ProposalBase(BaseModel):
    """What a company proposes."""

    title: Annotated[str, Field(min_length=1, max_length=300, pattern=r"\S")]
    summary: LongText = ""


class ProposalCreate(ProposalBase, Strict):
    """`POST /cases/{id}/proposals`: submitted for the caller's own company."""


class AssessmentCreate(Strict):
    """`POST .../assessments`: scores 0–10 on the published criteria."""

    scores: Annotated[dict[CriterionName, Score], Field(max_length=50)]
    rationale: LongText
    conflict_of_interest: StrictBool


class AssessmentPublic(BaseModel):
    """One assessor's scores of a proposal."""

    id: int
    proposal_id: int
    assessor: str
    scores: dict[str, int]
    rationale: str
    conflict_of_interest: bool
    created_at: datetime


class DecisionCreate(Strict):
    """`POST .../decision`: select or reject, always with the reason."""

    decision: Literal["selected", "rejected"]
    rationale: Annotated[str, Field(min_length=1, max_length=20_000, pattern=r"\S")]


class DecisionPublic(BaseModel):
    """A decision on a proposal; the latest one counts."""

    id: int
    proposal_id: int
    decision: Literal["selected", "rejected"]
    rationale: str
    decided_by: str
    decided_at: datetime


class ProposalPublic(ProposalBase):
    """A proposal. Its company sees its own; managers, auditors and admins see all."""

    id: int
    case_id: int
    organisation_id: int
    submitted_by: str
    submitted_at: datetime
    updated_at: datetime | None = Field(
        default=None, description="When its company last edited it (on the pages)."
    )
    withdrawn_at: datetime | None = Field(
        default=None,
        description="When its company withdrew it; a withdrawn proposal counts for no guard.",
    )
    decision: DecisionPublic | None
    assessments: list[AssessmentPublic] | None = Field(
        description="Null for the proposing company: only the contracting side sees scores."
    )


class SignatureCreate(Strict):
    """`POST /cases/{id}/signatures`."""

    organisation_id: Id
    signatory_name: Name
    signed_at: Timestamp
    document_version_id: Id | None = Field(
        None,
        description="The version of a case document this signature signs (e.g. the agreement "
        "as uploaded); its SHA-256 goes into the signature's audit event.",
    )
