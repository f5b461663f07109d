"""Similar needs: "Lignende behov" in the catalogue and "Det har andre gjort" in the knowledge
library (issue 17), cheap enough for every need page.

Searching for any of a need's sixteen first words matched most of 100,000 shared needs (every
need says "kommune", "borgere", "løsninger") and ranked them all: 313 ms a need page. Now:

- Only the need's most distinctive words are looked for (`distinctive_words`): at most
  `MAX_WORDS`, words of at least `MIN_WORD_LENGTH` letters, title words before description
  words, and on PostgreSQL the rarest first by the planner's own statistics of `need_vector`
  (`pg_stats.most_common_elem_freqs`, kept by ANALYZE, read once per `STATS_SECONDS`); a word
  in more than `COMMON_SHARE` of the needs says nothing of likeness and is dropped.
- The candidates are found through the full-text index (GIN on `need_vector`, migration 0017;
  FTS5 on SQLite) and capped at `MAX_CANDIDATES` before ranking: first the needs holding
  both of the two rarest words (few, and the likeliest), then, only if they are too few,
  those holding any of the words.
- The capped candidates are ranked (`ts_rank` / `bm25`) and the best `limit` returned.
"""

import time
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
    text,
)
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlmodel import Session, col

from workflow.models import Case
from workflow.needs.terms import stems, words

MAX_WORDS = 5
"""The most words of a need looked for."""
MIN_WORD_LENGTH = 5
"""Shorter words ("og", "for", "med", "uro") are used only when a need has no longer ones."""
COMMON_SHARE = 0.25
"""A word in more than this share of the needs is dropped (unless every word is that common)."""
MAX_CANDIDATES = 500
"""At most this many needs are ranked per query, whatever the words match."""
STATS_SECONDS = 600.0
"""How long the word statistics read from `pg_stats` are reused by this process."""

_stats: dict[str, tuple[float, dict[str, float]]] = {}


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def word_shares(session: Session) -> dict[str, float]:
    """The share of needs holding each common stem, from PostgreSQL's statistics of
    `need_vector` (empty on SQLite or before the first ANALYZE); cached per process, as reading
    `pg_stats` costs milliseconds and the shares change slowly."""
    if not _postgresql(session):
        return {}
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    cached = _stats.get(key)
    if cached is not None and now - cached[0] < STATS_SECONDS:
        return cached[1]
    row = session.execute(
        text(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'cases' AND attname = 'need_vector' "
            "AND most_common_elems IS NOT NULL LIMIT 1"
        )
    ).first()
    shares = dict(zip(row[0], row[1], strict=False)) if row is not None else {}
    _stats[key] = (now, shares)
    return shares


def distinctive_words(session: Session, case: Case) -> list[tuple[str, str]]:
    """The need's words to look for, each with its stem: distinct by stem, title first, long
    words only (unless there are none), rarest first where the statistics know, common ones
    dropped; at most `MAX_WORDS`."""
    parts = (case.title, case.need.get("description"))
    found: dict[str, str] = {}
    for part in parts:
        if not isinstance(part, str):
            continue
        for word, stem in zip(words(part), stems(part), strict=True):
            found.setdefault(stem, word)
    pairs = [(w, s) for s, w in found.items()]
    long = [(w, s) for w, s in pairs if len(w) >= MIN_WORD_LENGTH]
    pairs = long or pairs
    shares = word_shares(session)
    if shares:
        pairs.sort(key=lambda p: shares.get(p[1], 0.0))  # stable: title order among equals
        rare = [p for p in pairs if shares.get(p[1], 0.0) <= COMMON_SHARE]
        pairs = rare or pairs
    return pairs[:MAX_WORDS]


def _tsquery(expression: str) -> ColumnElement[Any]:
    return func.to_tsquery(literal("danish", type_=REGCONFIG), expression)


def _ranked(
    session: Session, query: Select[Any], chosen: list[tuple[str, str]], *, both: bool
) -> list[tuple[int, float]]:
    """Ids and ranks of at most `MAX_CANDIDATES` needs of `query` holding the two rarest of
    the chosen words (`both`) or any of them, ranked by all of them."""
    if _postgresql(session):
        terms = [f"'{w}':*" for w, _ in chosen]
        match = f"{terms[0]} & {terms[1]}" if both else " | ".join(terms)
        vector: ColumnElement[Any] = literal_column("cases.need_vector")
        narrowed = query.where(vector.op("@@")(_tsquery(match)))
        rank: ColumnElement[Any] = func.ts_rank(vector, _tsquery(" | ".join(terms)))
    else:
        terms = [f'"{s}"*' for _, s in chosen]
        match = f"{terms[0]} AND {terms[1]}" if both else " OR ".join(terms)
        fts: ColumnElement[Any] = literal_column("need_fts")
        narrowed = query.join(
            table("need_fts"), col(Case.id) == literal_column("need_fts.rowid")
        ).where(fts.op("MATCH")(match))
        rank = cast(-func.bm25(fts), Float)
    candidates = narrowed.with_only_columns(col(Case.id), rank).limit(MAX_CANDIDATES)
    return [(int(i), float(r)) for i, r in session.execute(candidates).all()]


def similar_cases(
    session: Session, query: Select[Any], case: Case, *, limit: int
) -> list[tuple[Case, float]]:
    """The cases of `query` (a `select(Case)` already filtered to the right list, without
    `case`) whose needs are most like `case`'s, best first (ties: lowest id), with their rank.
    The words are only word characters (`workflow.needs.terms.WORD`), so no text of the need
    can reach `to_tsquery` or FTS5 as syntax."""
    chosen = distinctive_words(session, case)
    if not chosen:
        return []
    found: dict[int, float] = {}
    if len(chosen) > 1:
        found.update(_ranked(session, query, chosen, both=True))
    if len(found) < limit:
        for case_id, score in _ranked(session, query, chosen, both=False):
            found.setdefault(case_id, score)
    best = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:limit]
    if not best:
        return []
    cases = {
        c.id: c
        for c in session.execute(
            select(Case).where(col(Case.id).in_([i for i, _ in best]))
        ).scalars()
    }
    return [(cases[i], score) for i, score in best if i in cases]
