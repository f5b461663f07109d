"""The full-text index of the needs, as each database spells it, written once.

PostgreSQL keeps a stored, GIN-indexed Danish `tsvector` of each need (`cases.need_vector`,
migration 0017) and ranks with `ts_rank`; for the catalogue's shared needs also an inverted
index of their lexemes with each one's rank (`need_lexemes`, migration 0020), which ranks a
search without reading the matching cases' rows (`lexeme_matches`). SQLite (development and
tests) keeps the stemmed terms in the FTS5 table `need_fts`, joined on the case's rowid, and
ranks with `bm25`. The catalogue's search (`workflow.needs.catalogue`) and the similar needs
(`workflow.needs.similar`) both narrow and rank through these; what they look for (typed
prefixes or a need's own stems) is theirs to say.
"""

from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Float,
    Integer,
    Select,
    Subquery,
    Text,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlmodel import Session, col

from workflow.models import Case

VECTOR: ColumnElement[Any] = literal_column("cases.need_vector")
"""PostgreSQL's stored generated Danish `tsvector` of the need (migration 0017), GIN-indexed.
Not a field of `Case`: the database computes it, and SQLite has no such column."""

NEED_LEXEMES = table(
    "need_lexemes",
    column("case_id", Integer),
    column("lexeme", Text),
    column("score", Float),
    column("shared_at", DateTime(timezone=True)),
)
"""PostgreSQL: each shared need's lexemes, each with the need's `ts_rank` for it alone, and the
need's `shared_at` (migration 0020, kept by triggers on `cases`). Not a model: the database
writes every row."""

_LAST_CHARACTER = 0x10FFFF
"""No character sorts after it, so in the "C" collation every text beginning with a prefix
lies in `[prefix, prefix || chr(_LAST_CHARACTER))`: a prefix search is one index range."""

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


def query_lexemes(session: Session, words: list[str]) -> list[str]:
    """PostgreSQL: the distinct Danish lexemes of `words` as the need vectors hold them,
    stemmed by PostgreSQL itself (`to_tsvector('danish', ...)`, stop words dropped as
    `to_tsquery` drops them). Asked on their own so that the search that follows holds them
    as constants, which the planner reads against the index's statistics."""
    found = select(
        func.unnest(func.to_tsvector(literal("danish", type_=REGCONFIG), " ".join(words)))
        .table_valued(column("lexeme", Text))
        .c.lexeme
    )
    return list(dict.fromkeys(session.execute(found).scalars()))


def lexeme_matches(prefix: str) -> Subquery:
    """PostgreSQL: the shared needs holding a lexeme that begins with `prefix` (what
    `vector_matches` finds for the tsquery `'prefix':*`), as rows of `case_id`, `rank` and
    `shared_at`, read from one index range of `need_lexemes` alone. A need's rank is the sum
    of its matching lexemes' ranks: `ts_rank` exactly, as PostgreSQL sums a prefix's entries."""
    row = NEED_LEXEMES.c
    return (
        select(
            row.case_id,
            cast(func.sum(row.score), Float).label("rank"),
            func.max(row.shared_at).label("shared_at"),
        )
        .where(
            row.lexeme >= literal(prefix, Text).collate("C"),
            row.lexeme < literal(prefix + chr(_LAST_CHARACTER), Text).collate("C"),
        )
        .group_by(row.case_id)
        .subquery("lexeme_matches")
    )
