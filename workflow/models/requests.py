"""Stored first responses for `Idempotency-Key` replays (SPEC §4)."""

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from workflow.models.columns import json_field, time_field


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a POST carrying an `Idempotency-Key`, per caller."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("principal", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    principal: str = Field(max_length=200)
    key: str = Field(max_length=200)
    method: str = Field(max_length=10)
    path: str = Field(max_length=2000)
    body_hash: str = Field(max_length=64)
    status_code: int
    response_headers: dict[str, Any] = json_field()
    response_body: str = Field(default="")
    created_at: datetime = time_field()
