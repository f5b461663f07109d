"""Listing and searching the cases an actor may see (`GET /cases`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, String, and_, cast, exists, func, not_, or_, select
from sqlalchemy.orm import defer
from sqlmodel import Session, col

from states import CaseState
from workflow.actor import Actor
from workflow.models import Case, Deadline, DeadlineStatus, Participant
from workflow.scope import visible_cases_clause

SECTIONS = ("need", "call", "agreement", "pilot", "scale")


def overdue_clause(actor: Actor, now: datetime) -> ColumnElement[bool]:
    """Cases with an open deadline past due; for a partner, only deadlines it answers for."""
    where = [
        col(Deadline.case_id) == col(Case.id),
        col(Deadline.status) == DeadlineStatus.OPEN.value,
        col(Deadline.due_at) < now,
    ]
    if actor.role == "partner":
        where.append(col(Deadline.responsible_organisation_id) == actor.organisation_id)
    return exists().where(*where)


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """What `GET /cases` narrows the list by; None means "any"."""

    state: CaseState | None = None
    municipality_id: int | None = None
    q: str | None = None
    overdue: bool | None = None


def _text_contains(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match with LIKE wildcards in `text` taken literally."""
    return or_(
        func.lower(column).contains(text.lower(), autoescape=True),
        column.contains(text, autoescape=True),
    )


def _filters(actor: Actor, f: CaseFilter, now: datetime) -> list[ColumnElement[bool]]:
    partner = actor.role == "partner"
    clauses: list[ColumnElement[bool]] = [visible_cases_clause(actor)]
    if f.state is not None:
        clauses.append(col(Case.state) == f.state.value)
    if f.municipality_id is not None:
        lead = col(Case.lead_municipality_id) == f.municipality_id
        if partner:
            # A partner sees only the published calls of most cases: who else takes part in
            # them is none of its business, so it filters by the lead municipality only.
            clauses.append(lead)
        else:
            clauses.append(
                or_(
                    lead,
                    exists().where(
                        col(Participant.case_id) == col(Case.id),
                        col(Participant.organisation_id) == f.municipality_id,
                    ),
                )
            )
    if f.q:
        title = cast(col(Case.title), String)
        # Partners search what a published call shows; the need is internal to the municipality.
        section, key = ("call", "text") if partner else ("need", "description")
        body = getattr(Case, section)[key].as_string()
        clauses.append(or_(_text_contains(title, f.q), _text_contains(body, f.q)))
    if f.overdue is not None:
        overdue = overdue_clause(actor, now)
        clauses.append(overdue if f.overdue else not_(overdue))
    return clauses


def search_cases(
    session: Session, actor: Actor, f: CaseFilter, *, limit: int, offset: int, now: datetime
) -> tuple[Sequence[Case], int]:
    """One page of the cases `actor` may see that match `f`, newest first, and the total.

    The phase sections are deferred: a list shows none of them, and decoding five JSON
    documents per row was most of the list's cost. Reading one loads it on first access.
    """
    where = and_(*_filters(actor, f, now))
    total = session.execute(select(func.count()).select_from(Case).where(where)).scalar_one()
    rows = (
        session.execute(
            select(Case)
            .where(where)
            .order_by(col(Case.id).desc())
            .limit(limit)
            .offset(offset)
            .options(*(defer(getattr(Case, name)) for name in SECTIONS))
        )
        .scalars()
        .all()
    )
    return rows, total
