"""People and their sign-ins: users and the pages' sessions."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from workflow.models.columns import time_field


class UserStatus(StrEnum):
    """Whether a person may sign in and act."""

    ACTIVE = "active"
    DISABLED = "disabled"


class SignInMethod(StrEnum):
    """How an actor proved who they are; recorded on every audit event (`via`)."""

    TOKEN = "token"
    OIDC = "oidc"
    SAML = "saml"
    SYSTEM = "system"


class User(SQLModel, table=True):
    """A person: name, email, organisation, role and status."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320, unique=True)
    """Lower-cased; None only for users made from the tokens that existed before users."""
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    role: str = Field(max_length=20)
    status: str = Field(default=UserStatus.ACTIVE.value, max_length=20)
    created_at: datetime = time_field()
    disabled_at: datetime | None = time_field(nullable=True, now=False)
    last_sign_in_at: datetime | None = time_field(nullable=True, now=False)


class WebSessionRow(SQLModel, table=True):
    """A signed-in browser session; the cookie holds only a random id, stored here hashed."""

    __tablename__ = "web_sessions"

    id: int | None = Field(default=None, primary_key=True)
    id_hash: str = Field(max_length=64, unique=True)
    csrf: str = Field(max_length=100)
    via: str = Field(max_length=10)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    token_id: int | None = Field(default=None, foreign_key="api_tokens.id")
    """Development sign-in with a service token (no user)."""
    admin_hash: str | None = Field(default=None, max_length=64)
    """Development sign-in with `OPI_ADMIN_TOKEN`: the hash of that token."""
    created_at: datetime = time_field()
    last_seen_at: datetime = time_field()
    expires_at: datetime = time_field(now=False)
    ended_at: datetime | None = time_field(nullable=True, now=False)


class OidcPending(SQLModel, table=True):
    """A sign-in sent to the OpenID provider and not yet come back.

    The browser holds only the random `state` (in a cookie and in the provider's redirect);
    the row keeps its hash, the `nonce` and the PKCE verifier, so a state is used once
    (`used_at`) and a replayed or forged one finds nothing to complete.
    """

    __tablename__ = "oidc_pending"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True)
    nonce: str = Field(max_length=100)
    code_verifier: str = Field(max_length=200)
    next_path: str = Field(max_length=2000)
    created_at: datetime = time_field()
    used_at: datetime | None = time_field(nullable=True, now=False)
