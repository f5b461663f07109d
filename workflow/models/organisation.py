"""Organisations (municipalities, companies, ...) and the API tokens that act for them."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from workflow.models.columns import time_field


class OrganisationKind(StrEnum):
    """What sort of organisation takes part in OPI projects."""

    MUNICIPALITY = "municipality"
    COMPANY = "company"
    KNOWLEDGE_INSTITUTION = "knowledge_institution"
    FACILITATOR = "facilitator"


class Organisation(SQLModel, table=True):
    """A municipality, company, knowledge institution or facilitator."""

    __tablename__ = "organisations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=40)
    email: str = Field(max_length=320)
    language: str = Field(default="da", max_length=2)
    cvr: str | None = Field(default=None, max_length=8)
    webhook_url: str | None = Field(default=None, max_length=2000)
    webhook_secret: str | None = Field(default=None, max_length=200)
    sso_creates_users: bool = Field(default=False)
    """Whether a person's first single sign-on creates their user from the provider's claims
    (just in time); otherwise only invited people may sign in (issue 16)."""
    created_at: datetime = time_field()


class ApiToken(SQLModel, table=True):
    """A bearer token, stored only as its SHA-256 hash.

    A personal token belongs to a user (`user_id`) and acts with that user's current role,
    organisation and status; a service token (no `user_id`) belongs to its organisation and
    acts with its own `role`.
    """

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id")
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = time_field()
    expires_at: datetime | None = time_field(nullable=True, now=False)
    last_used_at: datetime | None = time_field(nullable=True, now=False)
    revoked_at: datetime | None = time_field(nullable=True, now=False)
