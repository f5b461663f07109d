"""A municipality's request to join another's shared need ("Vi har samme behov")."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from workflow.models.columns import time_field


class JoinStatus(StrEnum):
    """Where a join request stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class JoinRequest(SQLModel, table=True):
    """A request by `organisation_id` to co-own case `case_id`'s need; the lead decides."""

    __tablename__ = "join_requests"
    __table_args__ = (
        # At most one pending request per municipality and case, in the database itself.
        Index(
            "ux_join_requests_pending",
            "case_id",
            "organisation_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    status: str = Field(default=JoinStatus.PENDING.value, max_length=20)
    message: str | None = Field(default=None, max_length=2000)
    requested_by: str = Field(max_length=200)
    reason: str | None = Field(default=None, max_length=2000)
    decided_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = time_field()
    decided_at: datetime | None = time_field(nullable=True, now=False)
