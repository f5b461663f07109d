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

import httpx
import psycopg

from bench import pg, servers, wrk
from bench.config import RunSettings
from bench.generate import manager_token
from bench.http import Side, alternate, headline, median
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
    env = servers.environment(pg.url(db))
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    with servers.process(
        servers.serve_command(port), env, work / "catalogue-serve.log", f"{base}/healthz"
    ) as serve:
        answers = [
            httpx.get(base + q, headers={"Authorization": manager}, timeout=60) for q in QUERIES
        ]
        for answer in answers:
            answer.raise_for_status()
        totals = [json.loads(a.content)["total"] for a in answers]
        document = work / "catalogue-document.json"
        document.write_bytes(answers[0].content)
        floor_port = servers.free_port()
        floor_base = f"http://127.0.0.1:{floor_port}"
        with servers.process(
            servers.floor_command(floor_port),
            env | {"BENCH_FLOOR_DOC": str(document)},
            work / "catalogue-floor.log",
            f"{floor_base}/healthz",
        ) as floor_server:
            floor_answer = httpx.get(floor_base + "/floor/document", timeout=30)
            project_file = work / "catalogue-project.tsv"
            wrk.write_requests(project_file, [wrk.Request("GET", q, manager) for q in QUERIES])
            floor_file = work / "catalogue-floor.tsv"
            wrk.write_requests(floor_file, [wrk.Request("GET", "/floor/document")])
            project = Side("project", base, lambda _kind: project_file, pid=serve.pid)
            floor = Side("floor", floor_base, lambda _kind: floor_file, pid=floor_server.pid)
            ratios = alternate(project, floor, settings)
    p, f = project.summary(), floor.summary()
    ratio = median(ratios)
    valid = (
        p["failed"] == 0
        and f["failed"] == 0
        and len(floor_answer.content) == len(answers[0].content)
        and all(t > 0 for t in totals)
    )
    met = p["p99_ms"] < TARGET_P99_MS
    return {
        **headline("catalogue", f"p99 < {TARGET_P99_MS:g} ms", met, valid, ratio, ratios),
        "shared_now": shared,
        "queries": len(QUERIES),
        "matches_per_query": {"min": min(totals), "max": max(totals)},
        "document_bytes": len(answers[0].content),
        "connections": settings.connections,
        "project": p,
        "floor": f,
        "statements": sql,
        "line": (
            f"catalogue: project {p['throughput']:.1f} req/s (p50 {p['p50_ms']:.1f} ms, "
            f"p99 {p['p99_ms']:.1f} ms at {settings.connections} connections; "
            f"{len(QUERIES)} words, {min(totals)}-{max(totals)} matches each), "
            f"floor {f['throughput']:.1f} req/s; target p99 < {TARGET_P99_MS:g} ms"
            + ("" if valid else "; INVALID")
            + f"; ratio={ratio:.3f}"
        ),
    }
