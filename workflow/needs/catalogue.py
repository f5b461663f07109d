"""The need catalogue: a lead municipality shares its need; every municipality finds it.

A shared need is visible to the staff and managers of every municipality (and to admins and
auditors), never to companies: they see a call once it is published, not the need behind it.
Seeing a need in the catalogue does not open the case: its internals stay with the case's
participants (`workflow.access.scope`).

Search stems Danish on both databases (PostgreSQL's `danish` configuration, SQLite FTS5 over
terms stemmed in Python: `workflow.needs.terms`) and ranks by relevance; on PostgreSQL trigram
similarity to the whole query adds to the rank. A query with no word in it (only punctuation
or emoji) is looked for literally in the title and need text.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    cast,
    func,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlmodel import Session, col

from workflow.access.actor import Actor
from workflow.access.policy import Action, may, sees_all
from workflow.audit import writer as audit
from workflow.cases.search import fold
from workflow.core.errors import Forbidden, NotFound
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case, Organisation, OrganisationKind
from workflow.needs.terms import MAX_QUERY_TERMS, fts5_query, query_terms, tsquery_text, words
from workflow.transitions.locking import lock_case

SHARED_ACTION = "need.shared"
UNSHARED_ACTION = "need.unshared"

TSVECTOR = "to_tsvector('danish'::regconfig, replace(search_full, '\u24e2', ' '))"
"""Exactly the expression migration 0010 indexes, or PostgreSQL would not use the index."""

_fts = table("need_fts")
_FTS: ColumnElement[Any] = literal_column("need_fts")
_FTS_ROWID: ColumnElement[Any] = literal_column("need_fts.rowid")

MAX_QUERY_LENGTH = 500
"""Longer search text is refused (422) by the API before it gets here."""


@dataclass(frozen=True, slots=True)
class NeedFilter:
    """The catalogue's search text and filters, all optional."""

    q: str | None = None
    area: str | None = None
    state: str | None = None
    municipality_id: int | None = None


@dataclass(frozen=True, slots=True)
class NeedHit:
    """A shared need found, with its relevance (None when the list is not a search)."""

    case: Case
    rank: float | None


def may_use_catalogue(
    session: Session, actor: Actor, action: Action = Action.READ_CATALOGUE
) -> bool:
    """Admins, auditors and the people of a municipality; never a company's. `action` is what
    is read: the catalogue, or the knowledge library (`workflow.knowledge`)."""
    if not may(actor, action):
        return False
    if sees_all(actor):
        return True
    if actor.organisation_id is None:
        return False
    org = session.get(Organisation, actor.organisation_id)
    return org is not None and org.kind == OrganisationKind.MUNICIPALITY.value


def require_catalogue(session: Session, actor: Actor) -> None:
    """`Forbidden` unless `actor` may read the catalogue."""
    if not may_use_catalogue(session, actor):
        raise Forbidden("Only the people of a municipality may read the need catalogue.")


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _vector() -> ColumnElement[Any]:
    return literal_column(TSVECTOR)


def _tsquery(words_: list[str], *, any_term: bool = False) -> ColumnElement[Any]:
    return func.to_tsquery(
        literal("danish", type_=REGCONFIG), tsquery_text(words_, any_term=any_term)
    )


def _filtered(query: Select[Any], filters: NeedFilter) -> Select[Any]:
    query = query.where(col(Case.shared_at).is_not(None))
    if filters.area:
        query = query.where(col(Case.need)["area"].as_string() == filters.area)
    if filters.state:
        query = query.where(col(Case.state) == filters.state)
    if filters.municipality_id is not None:
        query = query.where(col(Case.lead_municipality_id) == filters.municipality_id)
    return query


def match_text(
    session: Session, query: Select[Any], text: str, *, any_term: bool = False
) -> tuple[Select[Any], ColumnElement[Any] | None]:
    """`query` narrowed to the needs matching `text`, and the rank expression (None: literal).

    The one guarded text search of the needs (any text is safe: no search syntax gets
    through), shared by the catalogue and the knowledge library (`workflow.knowledge`)."""
    if _postgresql(session):
        found = list(dict.fromkeys(words(text)))[:MAX_QUERY_TERMS]
        if not found:
            return query.where(col(Case.search_full).contains(fold(text), autoescape=True)), None
        tsq = _tsquery(found, any_term=any_term)
        rank = func.ts_rank(_vector(), tsq) + func.similarity(
            col(Case.search_full), fold(text)[:MAX_QUERY_LENGTH]
        )
        return query.where(_vector().op("@@")(tsq)), rank
    terms = query_terms(text)
    if not terms:
        return query.where(col(Case.search_full).contains(fold(text), autoescape=True)), None
    query = query.join(_fts, col(Case.id) == _FTS_ROWID).where(
        _FTS.op("MATCH")(fts5_query(terms, any_term=any_term))
    )
    return query, cast(-func.bm25(_FTS), Float)


def search_needs(
    session: Session, actor: Actor, filters: NeedFilter, *, limit: int, offset: int
) -> tuple[list[NeedHit], int]:
    """The shared needs matching `filters`, best first (newest first without `q`), and the
    number of them."""
    require_catalogue(session, actor)
    query: Select[Any] = _filtered(select(Case), filters)
    rank: ColumnElement[Any] | None = None
    if filters.q and filters.q.strip():
        query, rank = match_text(session, query, filters.q)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    newest = (col(Case.shared_at).desc(), col(Case.id).desc())
    if rank is None:
        rows = session.execute(query.order_by(*newest).limit(limit).offset(offset)).scalars()
        return [NeedHit(case, None) for case in rows], total
    ranked = query.add_columns(rank.label("rank")).order_by(literal_column("rank").desc(), *newest)
    hits = [
        NeedHit(case, float(score))
        for case, score in session.execute(ranked.limit(limit).offset(offset)).all()
    ]
    return hits, total


def get_shared_need(session: Session, actor: Actor, case_id: int) -> Case:
    """A need in the catalogue, or `NotFound` (a need not shared is not in the catalogue)."""
    require_catalogue(session, actor)
    case = session.get(Case, case_id)
    if case is None or case.shared_at is None:
        raise NotFound(f"Need {case_id} was not found.")
    return case


def similar_needs(session: Session, actor: Actor, case: Case, *, limit: int = 5) -> list[NeedHit]:
    """The shared needs most like `case`'s (title and description), best first."""
    require_catalogue(session, actor)
    text = " ".join(p for p in (case.title, case.need.get("description")) if isinstance(p, str))
    if not query_terms(text):
        return []
    query = _filtered(select(Case), NeedFilter()).where(col(Case.id) != case.id)
    query, rank = match_text(session, query, text, any_term=True)
    if rank is None:
        return []
    ranked = query.add_columns(rank.label("rank")).order_by(
        literal_column("rank").desc(), col(Case.id)
    )
    return [NeedHit(c, float(s)) for c, s in session.execute(ranked.limit(limit)).all()]


def set_shared(
    work: UnitOfWork, actor: Actor, case_id: int, shared: bool, now: datetime | None = None
) -> Case:
    """Share the case's need with every municipality (or stop), audited on the case's chain.

    Only the lead municipality's managers (and admins) decide; sharing again is a no-op with
    no new audit event. The caller has checked that `actor` sees the case and commits.
    """
    now = now or utcnow()
    case = lock_case(work, case_id)
    if not may(actor, Action.SHARE_NEED, case):
        raise Forbidden("Only the lead municipality's managers may share its need.")
    if (case.shared_at is not None) == shared:
        return case
    case.shared_at = now if shared else None
    audit.record(
        work,
        actor,
        SHARED_ACTION if shared else UNSHARED_ACTION,
        {"state": case.state},
        case_id=case.id,
        at=now,
    )
    return case
