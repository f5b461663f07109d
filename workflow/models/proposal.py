"""Proposals to a call, their assessments and decisions, and the agreement's signatures."""

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from workflow.core.limits import MAX_TITLE
from workflow.models.columns import json_field, time_field


class Proposal(SQLModel, table=True):
    """A company's proposal to a case's call. Competitors never see each other's."""

    __tablename__ = "proposals"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    title: str = Field(max_length=MAX_TITLE)
    summary: str = Field(default="", max_length=20_000)
    submitted_by: str = Field(max_length=200)
    submitted_at: datetime = time_field()
    updated_at: datetime | None = time_field(nullable=True, now=False)
    """When its company last edited it; None while it is as submitted."""
    withdrawn_at: datetime | None = time_field(nullable=True, now=False)
    """When its company withdrew it: kept for the record, but no longer counted by the guards."""


class Assessment(SQLModel, table=True):
    """One assessor's scores of a proposal against the published criteria."""

    __tablename__ = "assessments"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    assessor: str = Field(max_length=200)
    scores: dict[str, Any] = json_field()
    rationale: str = Field(default="", max_length=20_000)
    conflict_of_interest: bool = Field(default=False)
    created_at: datetime = time_field()


class Decision(SQLModel, table=True):
    """A decision on a proposal; the latest one per proposal counts."""

    __tablename__ = "decisions"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposals.id", index=True)
    decision: str = Field(max_length=20)
    rationale: str = Field(max_length=20_000)
    decided_by: str = Field(max_length=200)
    decided_at: datetime = time_field()


class Signature(SQLModel, table=True):
    """A party's signature on the case's agreement."""

    __tablename__ = "signatures"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    signatory_name: str = Field(max_length=200)
    signed_at: datetime = time_field()
    recorded_by: str = Field(max_length=200)
    created_at: datetime = time_field()
    document_version_id: int | None = Field(default=None, foreign_key="document_versions.id")
    """The document version signed (the agreement as uploaded), when the signature names one:
    its SHA-256 is in the signature's audit event, so the chain proves which bytes were signed."""
