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
    return added


def run(db: str, settings: RunSettings, work: Path) -> dict[str, Any]:
    """Share every need, then measure the search against its floor; every figure."""
    shared = share_every_need(db)
    manager = f"Bearer {manager_token(1)}"
    sql = count_statements(pg.url(db), "GET", QUERIES[0], {"Authorization": manager})
    measured = reads.measure("catalogue", db, QUERIES, manager, settings, work)
    totals = [json.loads(answer)["total"] for answer in measured.answers]
    return measured.result(
        "catalogue",
        TARGET_P99_MS,
        settings,
        all(t > 0 for t in totals),
        f"{len(QUERIES)} words, {min(totals)}-{max(totals)} matches each",
        {
            "shared_now": shared,
            "queries": len(QUERIES),
            "matches_per_query": {"min": min(totals), "max": max(totals)},
            "statements": sql,
        },
    )
