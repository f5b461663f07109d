"""The case: one OPI project, its phase data and who takes part in it."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Connection, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapper
from sqlmodel import Field, SQLModel

from workflow.cases.search import search_texts
from workflow.core.limits import MAX_REASON, MAX_TITLE
from workflow.models.columns import json_field, time_field
from workflow.needs.terms import need_terms


class Case(SQLModel, table=True):
    """An OPI project. Only `workflow.transitions.engine.apply_trigger` changes `state` and
    `on_hold`."""

    __tablename__ = "cases"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=MAX_TITLE)
    state: str = Field(default="need", max_length=20, index=True)
    on_hold: bool = Field(default=False)
    hold_reason: str | None = Field(default=None, max_length=MAX_REASON)
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
    search_full: str = Field(default="", sa_column=Column(Text, nullable=False))
    """What the municipality's people search: `workflow.cases.search` (kept by `_keep_search`)."""
    search_call: str = Field(default="", sa_column=Column(Text, nullable=False))
    """What a company searches: the title and the published call's text."""
    shared_at: datetime | None = time_field(nullable=True, now=False)
    """Since when the need is in the catalogue for every municipality (`workflow.needs`)."""
    need_terms: str = Field(default="", sa_column=Column(Text, nullable=False))
    """The need's Danish stems for SQLite's FTS5 (`workflow.needs.terms`, migration 0010)."""


SEARCHED = ("title", "need", "call")


@event.listens_for(Case, "before_insert")
@event.listens_for(Case, "before_update")
def _keep_search(_mapper: Mapper[Case], _connection: Connection, case: Case) -> None:
    """Recompute the search texts whenever a case is written with a new title, need or call,
    so no writer can forget them; a flush writes them with the rest of the row."""
    state = inspect(case)
    if state.persistent and not any(state.attrs[n].history.has_changes() for n in SEARCHED):
        return
    case.search_full, case.search_call = search_texts(case.title, case.need, case.call)
    case.need_terms = need_terms(case.title, case.need.get("description"))


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
