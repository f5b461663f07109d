"""What SAML sign-in keeps between requests (issue 16): sent AuthnRequests, used assertions and
the IdP session each SAML web session belongs to."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from workflow.models.columns import time_field


class SamlRequest(SQLModel, table=True):
    """An AuthnRequest sent to the IdP and not yet answered.

    The assertion consumer is a cross-site POST that carries none of the pages' SameSite=Strict
    cookies, so the outstanding request ids live here: a response whose `InResponseTo` names no
    row is refused, and the row is deleted when it is answered, so each request signs in once.
    """

    __tablename__ = "saml_requests"

    id: int | None = Field(default=None, primary_key=True)
    request_id: str = Field(max_length=100, unique=True)
    next_path: str = Field(max_length=2000)
    replaces_session_id: int | None = Field(default=None)
    """The browser's session when it asked to sign in: ended when the sign-in succeeds."""
    browser_hash: str | None = Field(default=None, max_length=64)
    """SHA-256 of the secret in the asking browser's `opi_saml` cookie (over HTTPS only)."""
    created_at: datetime = time_field()
    expires_at: datetime = time_field(now=False, index=True)


class SamlAssertionSeen(SQLModel, table=True):
    """An assertion id already used to sign in, kept until the assertion expires, so that a
    replayed assertion is refused (its `NotOnOrAfter` refuses it after that)."""

    __tablename__ = "saml_assertions_seen"

    id: int | None = Field(default=None, primary_key=True)
    issuer: str = Field(max_length=1000)
    assertion_id: str = Field(max_length=200, unique=True)
    expires_at: datetime = time_field(now=False, index=True)


class SamlSession(SQLModel, table=True):
    """The IdP's name for the person and its session index, per SAML web session: what a
    LogoutRequest to the IdP (single logout) must name."""

    __tablename__ = "saml_sessions"

    web_session_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("web_sessions.id", ondelete="CASCADE"), primary_key=True
        ),
    )
    name_id: str = Field(max_length=1000)
    name_id_format: str | None = Field(default=None, max_length=200)
    name_qualifier: str | None = Field(default=None, max_length=1000)
    sp_name_qualifier: str | None = Field(default=None, max_length=1000)
    session_index: str | None = Field(default=None, max_length=200)
