"""What a reminder needs of its deadline, case and organisations, read as plain columns.

A sweep batch reads a hundred rows of each, and building ORM objects for them cost twice as
much as the query itself (bench `sweep`, 2026-12-03). Each class names the columns it reads,
in its fields; `load` and `lock_reminders` select exactly those. The sweep changes reminder
rows with UPDATE statements (`notifications.claims`), never through these objects.
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlmodel import Session

from workflow.core.id_lists import among
from workflow.models import Case, Deadline, Organisation, Reminder


@dataclass(slots=True)
class ReminderFacts:
    """An outbox row as the sweep reads it; the sweep writes rows with UPDATE statements."""

    id: int
    case_id: int
    deadline_id: int
    revision: int
    rung: str
    rung_order: int
    recipient_organisation_id: int
    recipient_role: str
    channel: str
    dedup_key: str
    status: str
    lease_owner: str | None
    attempts: int


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
_COLUMNS: dict[type[Any], list[Any]] = {
    kind: [getattr(model, f.name) for f in fields(kind)]
    for kind, model in (
        (ReminderFacts, Reminder),
        (DeadlineFacts, Deadline),
        (CaseFacts, Case),
        (OrganisationFacts, Organisation),
    )
}
"""Each class's columns, in its fields' order; `id` comes first in every class."""


def load(session: Session, kind: type[Facts], ids: set[int]) -> dict[int, Facts]:
    """The rows with these ids (a missing one is left out), by id, in one query."""
    columns = _COLUMNS[kind]
    query = select(*columns).where(among(columns[0], sorted(ids)))
    return {row[0]: kind(*row) for row in session.execute(query)}


def lock_reminders(session: Session, ids: Iterable[int]) -> list[ReminderFacts]:
    """The reminders, locked for this transaction, in id order."""
    columns = _COLUMNS[ReminderFacts]
    query = select(*columns).where(among(columns[0], ids)).order_by(columns[0]).with_for_update()
    return [ReminderFacts(*row) for row in session.execute(query)]
