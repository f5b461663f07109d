"""Column helpers shared by the tables."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from workflow.core.limits import MAX_REASON
from workflow.core.timeutil import UTCDateTime, utcnow

JSONType = JSON().with_variant(JSONB(), "postgresql")


def json_field(**kwargs: Any) -> Any:
    """A JSON column (JSONB on PostgreSQL) holding a dict, empty by default."""
    return Field(default_factory=dict, sa_column=Column(JSONType, nullable=False), **kwargs)


def time_field(*, nullable: bool = False, index: bool = False, now: bool = True) -> Any:
    """A UTC timestamp column; `now` fills it with the current time on creation."""
    if now:
        return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=nullable, index=index)
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def unique_while_pending(name: str, *columns: str) -> Index:
    """A unique index over `columns` among the rows still `pending` (a partial index, on both
    databases): at most one open request per subject, however often the form is sent."""
    pending = text("status = 'pending'")
    return Index(name, *columns, unique=True, sqlite_where=pending, postgresql_where=pending)


class DecisionColumns(SQLModel):
    """The columns of a request someone decides on: when it came, who decided, when and why."""

    reason: str | None = Field(default=None, max_length=MAX_REASON)
    decided_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = time_field()
    decided_at: datetime | None = time_field(nullable=True, now=False)


__all__ = [
    "DecisionColumns",
    "datetime",
    "json_field",
    "time_field",
    "unique_while_pending",
]
