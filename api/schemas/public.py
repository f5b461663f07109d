"""The public call list (`GET /public/calls`, no token) and organisation requests."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from workflow.models import OrganisationRequestStatus
from workflow.public.calls import PublicCall


class PublishingMunicipality(BaseModel):
    """A municipality that publishes the call: the lead, or a co-owner of its need."""

    id: int
    name: str


class PublishedCriterion(BaseModel):
    """A published assessment criterion and its weight in per cent."""

    name: str
    weight: int


class OpenCall(BaseModel):
    """An open call as anyone may read it: the call section, when it was published, who
    publishes it and the address of its public page. Nothing else of the case."""

    model_config = ConfigDict(extra="forbid")

    id: int
    title: str
    text: str
    criteria: list[PublishedCriterion]
    submission_deadline: datetime
    min_proposals: int | None
    """Proposals needed for the call to go ahead; null: 3 for an innovation partnership,
    otherwise 1."""
    published_at: datetime
    municipalities: list[PublishingMunicipality]
    """The lead municipality first, then the co-owners."""
    url: str
    """The call's public page, where an unregistered company can ask to take part."""

    @classmethod
    def of(cls, call: PublicCall, url: str) -> "OpenCall":
        """The schema of a `workflow.public.calls.PublicCall`."""
        return cls(
            id=call.id,
            title=call.title,
            text=call.text,
            criteria=[PublishedCriterion(name=c.name, weight=c.weight) for c in call.criteria],
            submission_deadline=call.submission_deadline,
            min_proposals=call.min_proposals,
            published_at=call.published_at,
            municipalities=[
                PublishingMunicipality(id=m.id, name=m.name) for m in call.municipalities
            ],
            url=url,
        )


class OrganisationRequestPublic(BaseModel):
    """An unregistered company's request to take part in a call, as its approvers see it."""

    id: int
    case_id: int
    company_name: str
    cvr: str
    cvr_registered: bool
    """An organisation with this CVR number exists already: approving is refused."""
    contact_name: str
    email: str
    language: Literal["da", "en"]
    status: OrganisationRequestStatus
    reason: str | None
    decided_by: str | None
    organisation_id: int | None
    user_id: int | None
    created_at: datetime
    decided_at: datetime | None


class OrganisationRequestDecision(BaseModel):
    """Approve (create the company; `invite`: its contact becomes a partner user) or decline
    (with a reason)."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "decline"]
    reason: Annotated[str, Field(max_length=2000)] | None = None
    invite: bool = False
