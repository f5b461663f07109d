"""`catalogue`: the need catalogue's search, `GET /needs?q=...`, over 100,000 shared needs.

Issue 17's target: p99 under 50 ms at 8 connections. Every case of the benchmark data is put
in the catalogue first (`shared_at` set on this run's copy only, in one UPDATE, so the cached
template and the other benchmarks' data stay as generated), and a municipality's manager
searches it: the requests cycle through one Danish word per topic of the data
(`bench.vocabulary.TOPICS`: "demens", "fald", "søvn", ...), each matching a few thousand needs
that are stemmed, ranked and paged (50 per page, with the total). The floor is a bare endpoint
answering the first query's document, byte for byte as large, alternated with the project as
in `case_list`.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg

from bench import pg, reads
from bench.config import RunSettings
from bench.generate import manager_token
from bench.statements import count_statements
from bench.vocabulary import TOPICS

TARGET_P99_MS = 50.0
QUERIES = ["/api/v1/needs?" + urlencode({"q": word}) for _, word in TOPICS]


def share_every_need(db: str) -> int:
    """Put every case of `db` in the catalogue; how many were added."""
    with psycopg.connect(pg.dsn(db), autocommit=True) as conn:
        added = conn.execute(
            "UPDATE cases SET shared_at = created_at WHERE shared_at IS NULL"
        ).rowcount
        conn.execute("ANALYZE cases")
        if conn.execute("SELECT to_regclass('need_lexemes')").fetchone() != (None,):
            # The catalogue's lexeme index (migration 0020) just took a row per lexeme of every
            # need; PostgreSQL's autovacuum vacuums after such inserts, here it is done at once.
            conn.execute("VACUUM ANALYZE need_lexemes")
    return added


def measure_shared_reads(
    name: str,
    db: str,
    paths_of: Callable[[str], list[str]],
    settings: RunSettings,
    work: Path,
    *,
    found: Callable[[Any], int],
    keys: tuple[str, str],
    describe: Callable[[list[int], int], str],
    first: int | None = None,
) -> dict[str, Any]:
    """Share every need, then measure a manager's GETs of `paths_of(db)` against their floor
    (the `first` of them checked); every figure. `catalogue` and `similar` differ only in
    what they ask and count. The paths are asked for after sharing: `similar` picks shared
    needs, and on a copy nobody has shared yet there are none before.

    `found` counts what one answer (its JSON) holds, which must be more than nothing; `keys`
    name the number of paths and the per-answer counts among the figures; `describe` puts the
    counts and the number of paths in the summary line.
    """
    shared = share_every_need(db)
    paths = paths_of(db)
    manager = f"Bearer {manager_token(1)}"
    sql = count_statements(pg.url(db), "GET", paths[0], {"Authorization": manager})
    measured = reads.measure(name, db, paths, manager, settings, work, first=first)
    counts = [found(json.loads(answer)) for answer in measured.answers]
    paths_key, counts_key = keys
    return measured.result(
        name,
        TARGET_P99_MS,
        settings,
        all(n > 0 for n in counts),
        describe(counts, len(paths)),
        {
            "shared_now": shared,
            paths_key: len(paths),
            counts_key: {"min": min(counts), "max": max(counts)},
            "statements": sql,
        },
    )


def run(db: str, settings: RunSettings, work: Path) -> dict[str, Any]:
    """Share every need, then measure the search against its floor; every figure."""
    return measure_shared_reads(
        "catalogue",
        db,
        lambda _db: QUERIES,
        settings,
        work,
        found=lambda answer: int(answer["total"]),
        keys=("queries", "matches_per_query"),
        describe=lambda totals, words: f"{words} words, {min(totals)}-{max(totals)} matches each",
    )
