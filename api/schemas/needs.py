"""The need catalogue's answers (`GET /needs`, issue 17)."""

from datetime import datetime

from pydantic import BaseModel

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
