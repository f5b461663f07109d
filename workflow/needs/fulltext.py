"""The full-text index of the needs, as each database spells it, written once.

PostgreSQL keeps a stored, GIN-indexed Danish `tsvector` of each need (`cases.need_vector`,
migration 0017) and ranks with `ts_rank`; SQLite (development and tests) keeps the stemmed
terms in the FTS5 table `need_fts`, joined on the case's rowid, and ranks with `bm25`. The
catalogue's search (`workflow.needs.catalogue`) and the similar needs
(`workflow.needs.similar`) both narrow and rank through these; what they look for (typed
prefixes or a need's own stems) is theirs to say.
"""

from typing import Any

from sqlalchemy import ColumnElement, Float, Select, cast, func, literal, literal_column, table
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlmodel import Session, col

from workflow.models import Case

VECTOR: ColumnElement[Any] = literal_column("cases.need_vector")
"""PostgreSQL's stored generated Danish `tsvector` of the need (migration 0017), GIN-indexed.
Not a field of `Case`: the database computes it, and SQLite has no such column."""

FTS_TABLE = table("need_fts")
FTS: ColumnElement[Any] = literal_column("need_fts")
_FTS_ROWID: ColumnElement[Any] = literal_column("need_fts.rowid")


def postgresql(session: Session) -> bool:
    """Whether `session` talks to PostgreSQL (otherwise SQLite and its FTS5 table)."""
    return session.get_bind().dialect.name == "postgresql"


def danish_tsquery(expression: str) -> ColumnElement[Any]:
    """`to_tsquery('danish', expression)`; `expression` must be built from word characters."""
    return func.to_tsquery(literal("danish", type_=REGCONFIG), expression)


def vector_matches(query: Select[Any], expression: str) -> Select[Any]:
    """PostgreSQL: `query` narrowed to the needs whose vector matches the tsquery text."""
    return query.where(VECTOR.op("@@")(danish_tsquery(expression)))


def vector_rank(expression: str) -> ColumnElement[Any]:
    """PostgreSQL: how well a need's vector matches the tsquery text (`ts_rank`)."""
    return func.ts_rank(VECTOR, danish_tsquery(expression))


def fts_matches(query: Select[Any], expression: str) -> Select[Any]:
    """SQLite: `query` joined to FTS5 and narrowed to the needs matching the MATCH text."""
    return query.join(FTS_TABLE, col(Case.id) == _FTS_ROWID).where(FTS.op("MATCH")(expression))


def fts_rank() -> ColumnElement[Any]:
    """SQLite: FTS5's relevance of a matched need, higher is better (`bm25` is lower)."""
    return cast(-func.bm25(FTS), Float)
