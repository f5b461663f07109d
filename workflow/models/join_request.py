"""A municipality's request to join another's shared need ("Vi har samme behov")."""

from enum import StrEnum

from sqlmodel import Field

from workflow.core.limits import MAX_REASON
from workflow.models.columns import DecisionColumns, unique_while_pending


class JoinStatus(StrEnum):
    """Where a join request stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class JoinRequest(DecisionColumns, table=True):
    """A request by `organisation_id` to co-own case `case_id`'s need; the lead decides."""

    __tablename__ = "join_requests"
    __table_args__ = (
        # At most one pending request per municipality and case, in the database itself.
        unique_while_pending("ux_join_requests_pending", "case_id", "organisation_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    status: str = Field(default=JoinStatus.PENDING.value, max_length=20)
    message: str | None = Field(default=None, max_length=MAX_REASON)
    requested_by: str = Field(max_length=200)
