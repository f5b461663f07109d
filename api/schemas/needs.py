"""The need catalogue's answers (`GET /needs`, issue 17)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from states import CaseState


class Municipality(BaseModel):
    """A municipality named on a need."""

    id: int
    name: str


class NeedItem(BaseModel):
    """A shared need as every municipality sees it: the need, never the case's internals."""

    case_id: int
    title: str
    state: CaseState
    area: str | None
    description: str | None
    target_group: str | None
    expected_value: str | None
    lead_municipality: Municipality
    shared_at: datetime
    rank: float | None = None
    """The relevance to the search text (higher is better); null when not searching."""


class ShareState(BaseModel):
    """Whether a case's need is in the catalogue, and since when."""

    case_id: int
    shared: bool
    shared_at: datetime | None


class JoinRequestCreate(BaseModel):
    """ "Vi har samme behov": a municipality asks to co-own a shared need."""

    model_config = ConfigDict(extra="forbid")

    message: Annotated[str, Field(max_length=2000)] | None = None


class JoinDecision(BaseModel):
    """The lead municipality's answer to a join request; declining needs a reason."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "decline"]
    reason: Annotated[str, Field(max_length=2000)] | None = None


class JoinRequestPublic(BaseModel):
    """A join request and where it stands."""

    id: int
    case_id: int
    organisation: Municipality
    status: Literal["pending", "accepted", "declined"]
    message: str | None
    requested_by: str
    reason: str | None
    decided_by: str | None
    created_at: datetime
    decided_at: datetime | None
