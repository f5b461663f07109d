"""Column helpers shared by the tables."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

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


__all__ = ["datetime", "json_field", "time_field"]
