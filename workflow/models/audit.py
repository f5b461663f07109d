"""The append-only, hash-chained audit log (SPEC §6)."""

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from workflow.models.columns import time_field


class AuditEvent(SQLModel, table=True):
    """One event. `chain` is `case:<id>` for a case's events, `global` for the rest."""

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("chain", "seq"),
        Index("ix_audit_events_case_seq", "case_id", "seq"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    chain: str = Field(max_length=40)
    case_id: int | None = Field(default=None, foreign_key="cases.id")
    seq: int
    at: datetime = time_field(index=True)
    actor_name: str = Field(max_length=200, index=True)
    actor_role: str = Field(max_length=20)
    actor_organisation_id: int | None = Field(default=None)
    actor_token_id: int | None = Field(default=None)
    """The stable id of the token the actor used, if any."""
    actor_user_id: int | None = Field(default=None)
    """The person (user) who acted, if a person did."""
    actor_via: str | None = Field(default=None, max_length=10)
    """How the actor signed in (`token`, `oidc`, `saml`, `system`); None on events written
    before the log recorded it, whose hash therefore covers the first three actor fields only."""
    action: str = Field(max_length=60, index=True)
    data: str = Field(sa_column=Column(Text, nullable=False))
    """The event's data as canonical JSON text, exactly the bytes that were hashed."""
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The last event of each chain; its row is locked to append the next one."""

    __tablename__ = "audit_heads"

    chain: str = Field(primary_key=True, max_length=40)
    seq: int = Field(default=0)
    hash: str = Field(max_length=64)
