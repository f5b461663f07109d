"""Similar needs: "Lignende behov" in the catalogue and "Det har andre gjort" in the knowledge
library (issue 17), cheap enough for every need page.

Searching for any of a need's sixteen first words matched most of 100,000 shared needs (every
need says "kommune", "borgere", "løsninger") and ranked them all: 313 ms a need page. Now:

- Only the need's most distinctive words are looked for (`distinctive_words`): at most
  `MAX_WORDS`, words of at least `MIN_WORD_LENGTH` letters, title words before description
  words, the rarest first (`word_counts`: on PostgreSQL the planner's own statistics of
  `need_vector`, `pg_stats.most_common_elem_freqs`, kept by ANALYZE and read once per
  `STATS_SECONDS`; `ts_stat` would read every need); a word in more than `COMMON_SHARE` of the
  needs says nothing of likeness and is dropped.
- The candidates are found through the full-text index (GIN on `need_vector`, migration 0017;
  FTS5 on SQLite) and capped at `MAX_CANDIDATES` before ranking: first the needs holding
  both of the two rarest words (few, and the likeliest), then, only if they are too few,
  those holding any of the words.
- The words are matched as whole stems, not as prefixes like a typed search: they come from a
  need's own text, stemmed as the index is, and a prefix scan cost 2-3 times the index time.
- The capped candidates are ranked (`ts_rank` / `bm25`) and the best `limit` returned.
"""

import time
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlmodel import Session, col

from workflow.models import Case
from workflow.needs import fulltext
from workflow.needs.terms import MAX_QUERY_TERMS, stems, words

MAX_WORDS = 5
"""The most words of a need looked for."""
MIN_WORD_LENGTH = 5
"""Shorter words ("og", "for", "med", "uro") are used only when a need has no longer ones."""
COMMON_SHARE = 0.25
"""A word in more than this share of the needs is dropped (unless every word is that common)."""
MIN_COMMON = 20
"""...and in more than this many: among a handful of needs no word is common."""
MAX_CANDIDATES = 500
"""At most this many needs are ranked per query, whatever the words match."""
STATS_SECONDS = 600.0
"""How long the word statistics read from `pg_stats` are reused by this process."""

_stats: dict[str, tuple[float, dict[str, float], float]] = {}


def word_counts(session: Session, stems_: list[str]) -> tuple[dict[str, float], float]:
    """How many needs hold each of `stems_` as far as known (a stem left out is rare), and
    how many needs there are.

    PostgreSQL: the planner's statistics of `need_vector` (nothing before the first ANALYZE),
    cached per process, as reading `pg_stats` costs milliseconds and the counts change slowly.
    SQLite (development and tests): counted through FTS5, the need itself not counted."""
    if not fulltext.postgresql(session):
        total = session.execute(select(func.count()).select_from(fulltext.FTS_TABLE)).scalar_one()
        counts = {
            stem: session.execute(
                text("SELECT count(*) FROM need_fts WHERE need_fts MATCH :q"), {"q": f'"{stem}"'}
            ).scalar_one()
            - 1
            for stem in stems_
        }
        return counts, float(total)
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    cached = _stats.get(key)
    if cached is None or now - cached[0] >= STATS_SECONDS:
        row = session.execute(
            text(
                "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples "
                "FROM pg_stats s JOIN pg_class c ON c.oid = 'cases'::regclass "
                "WHERE s.tablename = 'cases' AND s.attname = 'need_vector' "
                "AND s.most_common_elems IS NOT NULL LIMIT 1"
            )
        ).first()
        counts = (
            {e: f * max(row[2], 0) for e, f in zip(row[0], row[1], strict=False)}
            if row is not None
            else {}
        )
        cached = (now, counts, float(row[2]) if row is not None else 0.0)
        _stats[key] = cached
    return cached[1], cached[2]


def distinctive_words(session: Session, case: Case) -> list[tuple[str, str]]:
    """The need's words to look for, each with its stem: distinct by stem, title first, long
    words only (unless there are none), rarest first where the counts know; a word no other
    need holds is dropped, and so is a common one unless every word is; at most `MAX_WORDS`."""
    parts = (case.title, case.need.get("description"))
    found: dict[str, str] = {}
    for part in parts:
        if not isinstance(part, str):
            continue
        for word, stem in zip(words(part), stems(part), strict=True):
            found.setdefault(stem, word)
    pairs = [(w, s) for s, w in found.items()]
    long = [(w, s) for w, s in pairs if len(w) >= MIN_WORD_LENGTH]
    pairs = (long or pairs)[:MAX_QUERY_TERMS]
    counts, total = word_counts(session, [stem for _, stem in pairs])
    pairs = [p for p in pairs if counts.get(p[1]) != 0]
    pairs.sort(key=lambda p: counts.get(p[1], 0.0))  # stable: title order among equals
    common = max(COMMON_SHARE * total, MIN_COMMON)
    rare = [p for p in pairs if counts.get(p[1], 0.0) <= common]
    return (rare or pairs)[:MAX_WORDS]


def _ranked(
    session: Session, query: Select[Any], chosen: list[tuple[str, str]], *, both: bool
) -> list[tuple[int, float]]:
    """Ids and ranks of at most `MAX_CANDIDATES` needs of `query` holding the two rarest of
    the chosen words (`both`) or any of them, ranked by all of them."""
    if fulltext.postgresql(session):
        terms = [f"'{w}'" for w, _ in chosen]
        match = f"{terms[0]} & {terms[1]}" if both else " | ".join(terms)
        narrowed = fulltext.vector_matches(query, match)
        rank = fulltext.vector_rank(" | ".join(terms))
    else:
        terms = [f'"{s}"' for _, s in chosen]
        match = f"{terms[0]} AND {terms[1]}" if both else " OR ".join(terms)
        narrowed = fulltext.fts_matches(query, match)
        rank = fulltext.fts_rank()
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
