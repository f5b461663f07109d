"""People: what admins invite, list and change, and `GET /me`."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, EmailStr, Field

from api.schemas.common import Id, Name, Strict
from workflow.models import Role, UserStatus


class UserInvite(Strict):
    """`POST /users`: the person signs in with single sign-on using this email."""

    name: Name
    email: EmailStr
    role: Role
    organisation_id: Id | None = None


class UserChange(Strict):
    """`PATCH /users/{id}`: a new role or status; disabling ends the person's sessions and
    revokes their tokens at once."""

    role: Role | None = None
    status: UserStatus | None = None


class UserPublic(BaseModel):
    """A user as admins see them."""

    id: int
    name: str
    email: str | None
    organisation_id: int | None
    role: Role
    status: UserStatus
    created_at: datetime
    disabled_at: datetime | None
    last_sign_in_at: datetime | None


class Me(BaseModel):
    """`GET /me`: who the caller is, as the audit log records them."""

    name: str
    role: str
    organisation_id: int | None
    user_id: int | None = Field(description="Null for a service token.")
    token_id: int | None = Field(description="The token used; null for the bootstrap admin.")
    via: Literal["token", "oidc", "saml", "system"]
    email: str | None = None
