"""Documents on cases and proposals, their versions, and the bytes kept in the database.

A document is a named thing (the DPA, the evaluation report); each upload adds a version.
Versions are never removed: a deletion request marks the document (the case's retention
decides what is destroyed, outside this service). The bytes live in a content-addressed store
(`workflow.documents.storage`) keyed by SHA-256; on PostgreSQL that store is `document_chunks`.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from workflow.core.limits import MAX_REASON, MAX_TITLE
from workflow.models.columns import time_field


class Document(SQLModel, table=True):
    """A document on a case, or on one proposal of it (then it follows the proposal's
    confidentiality: only the proposal's company and the municipality's assessors see it)."""

    __tablename__ = "documents"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposals.id", index=True)
    kind: str = Field(max_length=30)
    title: str = Field(max_length=MAX_TITLE)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id")
    """The organisation of the person who created it."""
    created_by: str = Field(max_length=200)
    created_at: datetime = time_field()
    deletion_requested_at: datetime | None = time_field(nullable=True, now=False)
    deletion_requested_by: str | None = Field(default=None, max_length=200)
    deletion_reason: str | None = Field(default=None, max_length=MAX_REASON)


class DocumentVersion(SQLModel, table=True):
    """One upload of a document: which bytes (by SHA-256), how many, what they are."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "n"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    n: int
    sha256: str = Field(max_length=64, index=True)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    media_type: str = Field(max_length=120)
    file_name: str = Field(max_length=255)
    uploaded_by: str = Field(max_length=200)
    uploaded_at: datetime = time_field()


class DocumentChunk(SQLModel, table=True):
    """A piece of a stored file (PostgreSQL store): several API hosts share the bytes through
    the database with no other component. Keyed by the file's SHA-256 and the piece's number."""

    __tablename__ = "document_chunks"

    sha256: str = Field(max_length=64, primary_key=True)
    n: int = Field(primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
