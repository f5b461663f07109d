"""API tokens: personal (a user's) or service tokens (an organisation's), shown once, stored
only as a hash."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, WithJsonSchema, model_validator

from api.schemas.common import Id, Name, Strict, Timestamp, member_of
from workflow.access.roles import TOKEN_ROLES, Role

TokenRole = Annotated[
    Role,
    member_of(TOKEN_ROLES, lambda role: f"no token can have the role {role.value!r}"),
    WithJsonSchema({"type": "string", "enum": [r.value for r in TOKEN_ROLES]}),
]
"""A role a token or a person can have: not the service's own pseudo-roles."""


class TokenCreate(Strict):
    """`POST /tokens`: `user_id` makes a personal token (it acts as that user, with the user's
    current role and organisation); without it, a service token acts with `role` for
    `organisation_id` (admins' and auditors' may belong to no organisation)."""

    name: Name
    role: TokenRole | None = None
    organisation_id: Id | None = None
    user_id: Id | None = None
    expires_at: Timestamp | None = Field(
        None, description="When the token stops working; never, if left out."
    )

    @model_validator(mode="after")
    def _role_or_user(self) -> "TokenCreate":
        if self.user_id is None and self.role is None:
            raise ValueError("a service token needs a role (or give user_id)")
        return self


class TokenPublic(BaseModel):
    """A token as listed: never the token itself."""

    id: int
    name: str
    role: Role
    organisation_id: int | None
    user_id: int | None = Field(description="The owner of a personal token; null for service.")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="Last use, to the minute.")
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    """The 201 answer; `token` is shown this once and never again."""

    token: str | None = Field(
        description="The bearer token. Store it now: only its hash is kept, so an idempotent "
        "replay of this request shows null."
    )
