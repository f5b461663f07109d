"""API tokens: created by an admin, shown once, stored only as a hash."""

from datetime import datetime

from pydantic import BaseModel, Field

from api.schemas.common import Id, Name, Strict
from workflow.models import Role


class TokenBase(BaseModel):
    """Who a token acts as."""

    name: Name
    role: Role
    organisation_id: Id | None = None


class TokenCreate(TokenBase, Strict):
    """`POST /tokens`: admins and auditors may belong to no organisation."""


class TokenCreated(TokenBase):
    """The 201 answer; `token` is shown this once and never again."""

    id: int
    created_at: datetime
    token: str | None = Field(
        description="The bearer token. Store it now: only its hash is kept, so an idempotent "
        "replay of this request shows null."
    )
