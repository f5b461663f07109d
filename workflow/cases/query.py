"""Listing and searching the cases an actor may see (`GET /cases`)."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    func,
    not_,
    or_,
    select,
)
from sqlmodel import Session, col

from states import CaseState
from workflow.access.actor import Actor
from workflow.access.policy import competes
from workflow.access.scope import visible_cases_clause
from workflow.cases.search import fold
from workflow.core.timeutil import UTCDateTime
from workflow.deadlines.service import overdue_clause as deadline_overdue
from workflow.models import Case, Deadline, Organisation, Participant

LIKE_ESCAPE = "/"


def _overdue_deadlines(
    actor: Actor, now: datetime | BindParameter[datetime]
) -> ColumnElement[bool]:
    overdue = deadline_overdue(now)
    if competes(actor):
        return and_(overdue, col(Deadline.responsible_organisation_id) == actor.organisation_id)
    return overdue


def overdue_clause(actor: Actor, now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """Cases with an open deadline past due; for a partner, only deadlines it answers for.

    The overdue deadlines are found first (`ix_deadlines_status_due_at`), then their cases.
    PostgreSQL, left to itself, guesses that a good part of the open deadlines are overdue
    (it cannot know that open ones lie mostly ahead and closed ones behind) and walks every
    deadline in case order instead: 40 ms at 220,000 deadlines when none is overdue, against
    well under a millisecond this way. The `OFFSET 0` keeps the subquery from being merged
    into the outer query, which would bring the guess back.
    """
    overdue = select(col(Deadline.case_id)).where(_overdue_deadlines(actor, now)).offset(0)
    return col(Case.id).in_(overdue)


def not_overdue_clause(
    actor: Actor, now: datetime | BindParameter[datetime]
) -> ColumnElement[bool]:
    """Cases without an open deadline past due (for a partner: of those it answers for).

    Most cases qualify, so here walking the cases and probing their deadlines is right.
    """
    return not_(
        exists().where(col(Deadline.case_id) == col(Case.id), _overdue_deadlines(actor, now))
    )


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


@dataclass(frozen=True, slots=True)
class _Shape:
    """Which filters a search uses, not their values: one pair of statements each."""

    state: bool
    municipality: bool
    q: bool
    overdue: bool | None
    names: bool = False
    """`q` also names some organisations: their cases match too."""

    @classmethod
    def of(cls, f: CaseFilter, names: bool = False) -> "_Shape":
        return cls(f.state is not None, f.municipality_id is not None, bool(f.q), f.overdue, names)


def like_pattern(text: str) -> str:
    """A LIKE pattern for text containing `text`, its wildcards and escapes taken literally."""
    for special in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, LIKE_ESCAPE + special)
    return f"%{text}%"


NAMED_LIMIT = 100
"""A search matching more organisation names than this is too broad to mean one of them."""


def named_organisations(session: Session, q: str) -> list[int]:
    """The organisations whose name contains `q`, ignoring case the Unicode way (`fold`).

    Names are compared in Python, as the case texts are (`workflow.cases.search`), so both
    databases agree on "FURESØ" and "Furesø"; the organisation list is short.
    """
    needle = fold(q.strip())
    if not needle:
        return []
    found = [
        org_id
        for org_id, name in session.execute(select(col(Organisation.id), col(Organisation.name)))
        if needle in fold(name)
    ]
    return found if len(found) <= NAMED_LIMIT else []


def _filters(actor: Actor, shape: _Shape) -> list[ColumnElement[bool]]:
    partner = competes(actor)
    clauses: list[ColumnElement[bool]] = [visible_cases_clause(actor)]
    if shape.state:
        clauses.append(col(Case.state) == bindparam("state"))
    if shape.municipality:
        municipality = bindparam("municipality_id", type_=Integer)
        lead = col(Case.lead_municipality_id) == municipality
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
                        col(Participant.organisation_id) == municipality,
                    ),
                )
            )
    if shape.q:
        # Partners search what a published call shows; the need is internal to the municipality.
        text = col(Case.search_call) if partner else col(Case.search_full)
        matches: ColumnElement[bool] = text.like(bindparam("pattern"), escape=LIKE_ESCAPE)
        if shape.names:
            named = bindparam("named", expanding=True, type_=Integer)
            by_lead = col(Case.lead_municipality_id).in_(named)
            if partner:
                # A partner finds a case by its lead municipality's name, which the published
                # call shows, never by the names of others taking part (competitors included).
                matches = or_(matches, by_lead)
            else:
                taking_part = exists().where(
                    col(Participant.case_id) == col(Case.id),
                    col(Participant.organisation_id).in_(named),
                )
                matches = or_(matches, by_lead, taking_part)
        clauses.append(matches)
    if shape.overdue is not None:
        now = bindparam("now", type_=UTCDateTime)
        clauses.append(
            overdue_clause(actor, now) if shape.overdue else not_overdue_clause(actor, now)
        )
    return clauses


class _Statements(NamedTuple):
    page: Select[Any]
    total: Select[int]
    few: Select[Any] | None
    """For a text search: the page and, on every row, the total, when at most `FEW` match."""


FEW = 1000
"""A text search with fewer matches than this is paged and counted by one statement."""


@lru_cache(maxsize=512)
def _statements(actor: Actor, shape: _Shape) -> _Statements:
    """The statements of a search, built once per role, organisation and shape.

    Their values are bound at execution: building a statement and computing its cache key
    cost as much CPU as running it, on every request.
    """
    where = and_(*_filters(actor, shape))
    limit, offset = bindparam("limit", type_=Integer), bindparam("offset", type_=Integer)
    page = select(*LISTED).where(where).order_by(col(Case.id).desc()).limit(limit).offset(offset)
    count = select(func.count()).select_from(Case).where(where)
    if not shape.q:
        return _Statements(page, count, None)
    # A text search reads every match from the trigram index and the table, both to count
    # them and to find the newest; page and count would each do it again. With at most FEW
    # matches (the usual answer to a search) one statement does both; the subquery stops at
    # FEW rows, so a broader search has lost little when it falls back to the two.
    matches = select(*LISTED).where(where).limit(FEW).subquery("matches")
    few = (
        select(*matches.c, func.count().over())
        .order_by(matches.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return _Statements(page, count, few)


def search_cases(
    session: Session, actor: Actor, f: CaseFilter, *, limit: int, offset: int, now: datetime
) -> tuple[list[CaseListing], int]:
    """One page of the cases `actor` may see that match `f`, newest first, and the total.

    `q` is matched, ignoring case, against the stored search texts (`workflow.cases.search`). Only
    the listed columns are read, as plain rows: a list shows no section, and building ORM
    objects for it was most of the list's cost. The total is counted by a statement of its
    own only when neither the page nor a text search with few matches tells it.
    """
    if f.q and "\x00" in f.q:
        return [], 0  # no stored text holds NUL, and PostgreSQL cannot be asked for one
    # The statements depend on the caller's role and organisation, not on who it is: every
    # token of an organisation and role shares them.
    named = named_organisations(session, f.q) if f.q else []
    statements = _statements(
        Actor("", actor.role, actor.organisation_id), _Shape.of(f, names=bool(named))
    )
    params = {
        "named": named,
        "state": f.state.value if f.state is not None else None,
        "municipality_id": f.municipality_id,
        "pattern": like_pattern(fold(f.q)) if f.q else None,
        "now": now,
        "limit": limit,
        "offset": offset,
    }
    if statements.few is not None:
        rows = session.execute(statements.few, params).all()
        if rows and rows[0][-1] < FEW:
            return [CaseListing(*row[:-1]) for row in rows], rows[0][-1]
        if not rows and offset == 0:
            return [], 0
    page = [CaseListing(*row) for row in session.execute(statements.page, params)]
    if 0 < len(page) < limit or (not page and offset == 0):
        return page, offset + len(page)
    return page, session.execute(statements.total, params).scalar_one()
