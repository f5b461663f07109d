"""What a reminder needs of its deadline, case and organisations, read as plain columns.

The sweep only reads these rows, a hundred of each per batch, and building ORM objects for
them cost twice as much as the query itself (bench `sweep`, 2026-12-03). Each class names
the columns it reads, in its fields; `load` selects exactly those.
"""

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from workflow.core.id_lists import among
from workflow.models import Case, Deadline, Organisation


@dataclass(slots=True)
class DeadlineFacts:
    """A reminder's deadline."""

    id: int
    case_id: int
    kind: str
    title: str
    due_at: datetime
    responsible_organisation_id: int | None
    status: str
    revision: int


@dataclass(slots=True)
class CaseFacts:
    """A reminder's case (never its phase sections, large JSON documents no mail shows)."""

    id: int
    title: str
    state: str
    on_hold: bool
    lead_municipality_id: int


@dataclass(slots=True)
class OrganisationFacts:
    """A reminder's recipient, or the party responsible for its deadline."""

    id: int
    name: str
    email: str
    language: str
    webhook_url: str | None
    webhook_secret: str | None


Facts = TypeVar("Facts", DeadlineFacts, CaseFacts, OrganisationFacts)
_MODELS: dict[type[Any], type[SQLModel]] = {
    DeadlineFacts: Deadline,
    CaseFacts: Case,
    OrganisationFacts: Organisation,
}


def load(session: Session, kind: type[Facts], ids: set[int]) -> dict[int, Facts]:
    """The rows with these ids (a missing one is left out), by id, in one query."""
    model = _MODELS[kind]
    columns = [getattr(model, f.name) for f in fields(kind)]
    query = select(*columns).where(among(columns[0], sorted(ids)))  # `id` comes first
    return {row[0]: kind(*row) for row in session.execute(query)}
