"""Listing and searching the cases an actor may see (`GET /cases`)."""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select
from sqlmodel import Session, col

from states import CaseState
from workflow.actor import Actor
from workflow.models import Case, Deadline, DeadlineStatus, Participant
from workflow.scope import visible_cases_clause
from workflow.search import fold


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


class CaseListing(NamedTuple):
    """The columns of a case a list shows (`GET /cases`, the web board)."""

    id: int
    title: str
    state: str
    on_hold: bool
    lead_municipality_id: int
    version: int
    updated_at: datetime


LISTED = tuple(getattr(Case, name) for name in CaseListing._fields)


def _text_search(actor: Actor, q: str) -> ColumnElement[bool]:
    """Cases whose search text holds `q`, ignoring case, LIKE wildcards in `q` taken literally.

    Partners search what a published call shows; the need is internal to the municipality.
    """
    if "\x00" in q:
        return false()  # stored text never holds NUL, and PostgreSQL cannot be asked for it
    column = col(Case.search_call) if actor.role == "partner" else col(Case.search_full)
    return column.contains(fold(q), autoescape=True)


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
        clauses.append(_text_search(actor, f.q))
    if f.overdue is not None:
        overdue = overdue_clause(actor, now)
        clauses.append(overdue if f.overdue else not_(overdue))
    return clauses


def search_cases(
    session: Session, actor: Actor, f: CaseFilter, *, limit: int, offset: int, now: datetime
) -> tuple[list[CaseListing], int]:
    """One page of the cases `actor` may see that match `f`, newest first, and the total.

    Only the listed columns are read, as plain rows: a list shows no section, and building
    ORM objects for it was most of the list's cost. The total is counted only when the page
    cannot tell it (a full page, or an empty one past the start).
    """
    where = and_(*_filters(actor, f, now))
    page = [
        CaseListing(*row)
        for row in session.execute(
            select(*LISTED).where(where).order_by(col(Case.id).desc()).limit(limit).offset(offset)
        )
    ]
    if 0 < len(page) < limit or (not page and offset == 0):
        return page, offset + len(page)
    total = session.execute(select(func.count()).select_from(Case).where(where)).scalar_one()
    return page, total
