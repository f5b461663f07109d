"""The case: one OPI project, its phase data and who takes part in it."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from workflow.models.columns import json_field, time_field


class Case(SQLModel, table=True):
    """An OPI project. Only `workflow.engine.apply_trigger` changes `state` and `on_hold`."""

    __tablename__ = "cases"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    state: str = Field(default="need", max_length=20, index=True)
    on_hold: bool = Field(default=False)
    hold_reason: str | None = Field(default=None, max_length=2000)
    cancelled_from: str | None = Field(default=None, max_length=20)
    lead_municipality_id: int = Field(foreign_key="organisations.id", index=True)
    need: dict[str, Any] = json_field()
    call: dict[str, Any] = json_field()
    agreement: dict[str, Any] = json_field()
    pilot: dict[str, Any] = json_field()
    scale: dict[str, Any] = json_field()
    version: int = Field(default=1)
    phase_entered_at: datetime = time_field()
    created_at: datetime = time_field()
    updated_at: datetime = time_field()


class ParticipantRole(StrEnum):
    """How an organisation takes part in a case."""

    LEAD = "lead"
    MUNICIPALITY = "municipality"
    PARTNER = "partner"
    INTERESTED = "interested"
    KNOWLEDGE_PARTNER = "knowledge_partner"
    FACILITATOR = "facilitator"


class Participant(SQLModel, table=True):
    """An organisation taking part in a case."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("case_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    role: str = Field(max_length=30)
    created_at: datetime = time_field()
