"""The need catalogue: a lead municipality shares its need; every municipality finds it.

A shared need is visible to the staff and managers of every municipality (and to admins and
auditors), never to companies: they see a call once it is published, not the need behind it.
Seeing a need in the catalogue does not open the case: its internals stay with the case's
participants (`workflow.access.scope`).

Search stems Danish on both databases (PostgreSQL's `danish` configuration, SQLite FTS5 over
terms stemmed in Python: `workflow.needs.terms`) and ranks by relevance: on PostgreSQL
`ts_rank` over the stored, title-weighted `need_vector` (migration 0017), on SQLite FTS5's
`bm25`. A query with no word in it (only punctuation or emoji) is looked for literally in the
title and need text (PostgreSQL's trigram index, migration 0007).

A search answers in one statement: the matches are ranked and counted together
(`count(*) OVER ()`) in a subquery that holds only their ids, and only the page's rows are
read in full (`ranked_page`). Ranking must look at every match anyway, so the exact total
costs nothing more, where a second `count(*)` statement used to find every match again.
Issue 17's benchmark and why: docs/leaders.md, "The catalogue benchmark".
"""

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, func, inspect, select
from sqlalchemy.orm import Mapped, load_only
from sqlalchemy.orm.interfaces import ORMOption
from sqlmodel import Session, col

from workflow.access.actor import Actor
from workflow.access.policy import Action, may, sees_all
from workflow.audit import writer as audit
from workflow.cases.search import fold
from workflow.core.errors import Forbidden, NotFound
from workflow.core.timeutil import utcnow
from workflow.core.unit_of_work import UnitOfWork
from workflow.models import Case, Organisation, OrganisationKind
from workflow.needs import fulltext
from workflow.needs.similar import similar_cases
from workflow.needs.terms import MAX_QUERY_TERMS, fts5_query, query_terms, tsquery_text, words
from workflow.transitions.locking import lock_case

SHARED_ACTION = "need.shared"
UNSHARED_ACTION = "need.unshared"

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
class NeedCard:
    """A shared need as a line of the catalogue shows it: the case's fields it needs, read as
    plain columns. A one-word search reads its page this way; making 50 `Case` objects cost
    more than its statement."""

    id: int
    title: str
    state: str
    need: dict[str, Any]
    lead_municipality_id: int
    shared_at: datetime | None


NEED_CARD_COLUMNS = tuple(inspect(Case).attrs[f.name].class_attribute for f in fields(NeedCard))
"""The columns of a `NeedCard`, in its fields' order."""

NEED_FIELDS = load_only(*NEED_CARD_COLUMNS)
"""What a need in the catalogue shows: a page of 50 needs read with the case's other sections
(call, agreement, pilot, scale) and search texts spent a third of its time decoding JSON it
never showed. Anything else is loaded when it is asked for."""


@dataclass(frozen=True, slots=True)
class NeedHit:
    """A need in the catalogue, with its relevance (None when the list is not a search): the
    case, or for a one-word search the fields a line shows (`NeedCard`)."""

    case: Case | NeedCard
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


def _filtered(query: Select[Any], filters: NeedFilter) -> Select[Any]:
    query = query.where(col(Case.shared_at).is_not(None))
    if filters.area:
        query = query.where(col(Case.need)["area"].as_string() == filters.area)
    if filters.state:
        query = query.where(col(Case.state) == filters.state)
    if filters.municipality_id is not None:
        query = query.where(col(Case.lead_municipality_id) == filters.municipality_id)
    return query


def search_words(text: str) -> list[str]:
    """PostgreSQL: the distinct words of a search (at most `MAX_QUERY_TERMS`), in order; the
    database stems them."""
    return list(dict.fromkeys(words(text)))[:MAX_QUERY_TERMS]


def match_text(
    session: Session, query: Select[Any], text: str
) -> tuple[Select[Any], ColumnElement[Any] | None]:
    """`query` narrowed to the needs matching `text`, and the rank expression (None: literal).

    The one guarded text search of the needs (any text is safe: no search syntax gets
    through), shared by the catalogue and the knowledge library (`workflow.knowledge`)."""
    if fulltext.postgresql(session):
        found = search_words(text)
        if not found:
            return query.where(col(Case.search_full).contains(fold(text), autoescape=True)), None
        tsq = tsquery_text(found)
        return fulltext.vector_matches(query, tsq), fulltext.vector_rank(tsq)
    terms = query_terms(text)
    if not terms:
        return query.where(col(Case.search_full).contains(fold(text), autoescape=True)), None
    query = fulltext.fts_matches(query, fts5_query(terms))
    return query, fulltext.fts_rank()


def search_needs(
    session: Session, actor: Actor, filters: NeedFilter, *, limit: int, offset: int
) -> tuple[list[NeedHit], int]:
    """The shared needs matching `filters`, best first (newest first without `q`), and the
    number of them."""
    require_catalogue(session, actor)
    asked = search_words(filters.q) if filters.q and fulltext.postgresql(session) else []
    lexemes = fulltext.query_lexemes(session, asked) if asked else []
    if len(lexemes) == 1:
        return _search_lexeme(session, lexemes[0], filters, limit=limit, offset=offset)
    newest = (col(Case.shared_at), col(Case.id))
    query = _filtered(select(Case), filters)
    found, total = search_page(
        session, query, filters.q, newest, limit=limit, offset=offset, fields=NEED_FIELDS
    )
    return [NeedHit(case, rank) for case, rank in found], total


def _search_lexeme(
    session: Session, lexeme: str, filters: NeedFilter, *, limit: int, offset: int
) -> tuple[list[NeedHit], int]:
    """PostgreSQL, a search for one word: a page of the shared needs holding it, best first,
    ranked from the catalogue's lexeme index (`fulltext.lexeme_matches`) exactly as
    `match_text` ranks them from the needs' vectors, without reading the matches' rows; only
    a filter on the case's own columns does. Several words are left to `match_text`: the
    vectors' index intersects them, where the lexeme index would read every need holding
    the commonest of them."""
    matches = fulltext.lexeme_matches(lexeme)
    query = select(matches)
    if filters.area or filters.state or filters.municipality_id is not None:
        query = _filtered(query.join(Case, col(Case.id) == matches.c.case_id), filters)
    newest = (matches.c.shared_at, matches.c.case_id)
    hits, order = _ranked_hits(
        query, matches.c.rank, newest, limit=limit, offset=offset, key=matches.c.case_id
    )
    rows = session.execute(
        select(*NEED_CARD_COLUMNS, hits.c.rank, hits.c.total)
        .join(hits, col(Case.id) == hits.c.id)
        .order_by(*order)
    ).all()
    if not rows:
        return [], _count(session, query)
    cards = [NeedHit(NeedCard(*row[: len(NEED_CARD_COLUMNS)]), float(row.rank)) for row in rows]
    return cards, int(rows[0].total)


def search_page(
    session: Session,
    query: Select[Any],
    q: str | None,
    then: tuple[Mapped[Any], ...],
    *,
    limit: int,
    offset: int,
    fields: ORMOption | None = None,
) -> tuple[list[tuple[Case, float | None]], int]:
    """One page of the cases `query` finds and the number of them: with text in `q`, those
    matching it (`match_text`), best first, each with its rank; otherwise (or when `q` has no
    word to rank by) ordered by `then`, descending, without a rank. The catalogue's search and
    the knowledge library's (`workflow.knowledge`) are this, over their own cases. `fields`
    says which of the page's cases' fields to read (all without it)."""
    options = [] if fields is None else [fields]
    rank: ColumnElement[Any] | None = None
    if q and q.strip():
        query, rank = match_text(session, query, q)
    if rank is None:
        ordered = query.order_by(*(c.desc() for c in then))
        rows = session.execute(ordered.options(*options).limit(limit).offset(offset)).scalars()
        return [(case, None) for case in rows], _count(session, query)
    found, total = ranked_page(
        session, query, rank, then, limit=limit, offset=offset, fields=fields
    )
    return [(case, score) for case, score in found], total


def ranked_page(
    session: Session,
    query: Select[Any],
    rank: ColumnElement[Any],
    then: tuple[Mapped[Any] | ColumnElement[Any], ...],
    *,
    limit: int,
    offset: int,
    fields: ORMOption | None = None,
) -> tuple[list[tuple[Case, float]], int]:
    """One page of the cases `query` finds, best `rank` first (ties: `then`, descending),
    with each case's rank and the number of matches, in one statement.

    The innermost query finds and ranks the matches, keeping only ids, rank and tie-breakers
    (SQLite allows FTS5's `bm25` in no query with a window function, so the counting and
    sorting happen one level up; PostgreSQL flattens the two into one). The middle one counts
    them and sorts the small rows; the outer one reads the page's cases in full. A page past
    the last match has no row to carry the count, so only then is it counted on its own.
    `fields` says which of the page's cases' fields to read (all without it)."""
    hits, order = _ranked_hits(query, rank, then, limit=limit, offset=offset, key=col(Case.id))
    rows = session.execute(
        select(Case, hits.c.rank, hits.c.total)
        .options(*([] if fields is None else [fields]))
        .join(hits, col(Case.id) == hits.c.id)
        .order_by(*order)
    ).all()
    if rows:
        return [(case, float(score)) for case, score, _ in rows], int(rows[0][2])
    return [], _count(session, query)


def _ranked_hits(
    query: Select[Any],
    rank: ColumnElement[Any],
    then: tuple[Mapped[Any] | ColumnElement[Any], ...],
    *,
    limit: int,
    offset: int,
    key: Mapped[Any] | ColumnElement[Any],
) -> tuple[Subquery, list[ColumnElement[Any]]]:
    """The page's matches of `query` as a subquery of `id` (`key`, the matches' case id),
    `rank`, `total` (the number of matches) and the tie-breakers, and the order to read them
    in (`ranked_page`, `_search_lexeme`)."""
    matches = query.with_only_columns(
        key.label("id"),
        rank.label("rank"),
        *(c.label(f"then_{i}") for i, c in enumerate(then)),
    ).subquery("matches")
    tie_breakers = [matches.c[f"then_{i}"] for i in range(len(then))]
    hits = (
        select(matches.c.id, matches.c.rank, func.count().over().label("total"), *tie_breakers)
        .order_by(matches.c.rank.desc(), *(c.desc() for c in tie_breakers))
        .limit(limit)
        .offset(offset)
        .subquery("hits")
    )
    order: list[ColumnElement[Any]] = [hits.c.rank.desc()]
    order += [hits.c[f"then_{i}"].desc() for i in range(len(then))]
    return hits, order


def _count(session: Session, query: Select[Any]) -> int:
    """How many rows `query` finds."""
    return int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def get_shared_need(session: Session, actor: Actor, case_id: int) -> Case:
    """A need in the catalogue, or `NotFound` (a need not shared is not in the catalogue)."""
    require_catalogue(session, actor)
    case = session.get(Case, case_id)
    if case is None or case.shared_at is None:
        raise NotFound(f"Need {case_id} was not found.")
    return case


def similar_needs(session: Session, actor: Actor, case: Case, *, limit: int = 5) -> list[NeedHit]:
    """The shared needs most like `case`'s (title and description), best first; how they are
    found cheaply: `workflow.needs.similar`."""
    require_catalogue(session, actor)
    query = _filtered(select(Case), NeedFilter()).where(col(Case.id) != case.id)
    return [NeedHit(c, s) for c, s in similar_cases(session, query, case, limit=limit)]


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
