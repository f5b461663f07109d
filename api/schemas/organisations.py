"""Organisations: municipalities, companies, knowledge institutions and facilitators."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, EmailStr, Field, UrlConstraints

from api.schemas.common import Name, Strict
from workflow.models import OrganisationKind

Language = Literal["da", "en"]
WebhookUrl = Annotated[
    AnyHttpUrl, UrlConstraints(max_length=2000, allowed_schemes=["http", "https"])
]


class OrganisationBase(BaseModel):
    """What every view of an organisation shows."""

    name: Name
    kind: OrganisationKind
    email: EmailStr
    language: Language = "da"
    cvr: Annotated[str, Field(pattern=r"^[0-9]{8}$")] | None = None
    webhook_url: WebhookUrl | None = None
    sso_creates_users: bool = Field(
        False,
        description="Whether a person's first single sign-on creates their user from the "
        "identity provider's claims (just in time); otherwise only invited people sign in.",
    )


class OrganisationCreate(OrganisationBase, Strict):
    """`POST /organisations` (admin)."""


class OrganisationPublic(OrganisationBase):
    """An organisation as anyone authenticated may read it; never its webhook secret."""

    id: int
    created_at: datetime
    name: str  # stored names are shown as they are
    email: str  # stored addresses are shown as they are
    webhook_url: str | None = None  # type: ignore[assignment]


class OrganisationCreated(OrganisationPublic):
    """The 201 answer: the only time the webhook signing secret is shown."""

    webhook_secret: str | None = Field(
        None,
        description="HMAC-SHA256 key the service signs webhooks with; shown once, only here.",
    )
