"""`case_list`: `GET /cases?state=pilot&q=...` over 100,000 cases through `opi serve`.

The main run is an auditor's search (an auditor sees every case, so the filters, not the
scope, narrow 100,000 cases down) with 8 connections, alternating with the floor: a bare
endpoint answering the same JSON document, byte for byte as large. Two more project-only
runs give the latency of one connection at a time and a manager's scoped search.
"""

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bench import pg, servers, wrk
from bench.config import RunSettings
from bench.generate import AUDITOR_TOKEN, manager_token
from bench.http import Side, alternate, headline, measure, median
from bench.statements import count_statements
from bench.vocabulary import SEARCH_WORD

TARGET_P99_MS = 30.0  # issue 18
QUERY = "/api/v1/cases?" + urlencode({"state": "pilot", "q": SEARCH_WORD})


def _file(work: Path, name: str, request: wrk.Request) -> Path:
    path = work / f"case-list-{name}.tsv"
    wrk.write_requests(path, [request])
    return path


def run(db: str, settings: RunSettings, work: Path) -> dict[str, Any]:
    """Measure floor and project alternately, then the extra project runs; every figure."""
    auditor = {"Authorization": f"Bearer {AUDITOR_TOKEN}"}
    manager = {"Authorization": f"Bearer {manager_token(1)}"}
    sql = count_statements(pg.url(db), "GET", QUERY, auditor)
    env = servers.environment(pg.url(db))
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    serve_log = work / "case-list-serve.log"
    with servers.process(servers.serve_command(port), env, serve_log, f"{base}/healthz") as serve:
        answer = httpx.get(base + QUERY, headers=auditor, timeout=30)
        answer.raise_for_status()
        document = work / "case-list-document.json"
        document.write_bytes(answer.content)
        body = json.loads(answer.content)
        floor_port = servers.free_port()
        floor_base = f"http://127.0.0.1:{floor_port}"
        floor_env = env | {"BENCH_FLOOR_DOC": str(document)}
        with servers.process(
            servers.floor_command(floor_port),
            floor_env,
            work / "case-list-floor.log",
            f"{floor_base}/healthz",
        ) as floor_server:
            floor_answer = httpx.get(floor_base + "/floor/document", timeout=30)
            project_file = _file(
                work, "auditor", wrk.Request("GET", QUERY, auditor["Authorization"])
            )
            floor_file = _file(work, "floor", wrk.Request("GET", "/floor/document"))
            project = Side("project", base, lambda _kind: project_file, pid=serve.pid)
            floor = Side("floor", floor_base, lambda _kind: floor_file, pid=floor_server.pid)
            ratios = alternate(project, floor, settings)
        single = Side("project-1-connection", base, lambda _kind: project_file, pid=serve.pid)
        scoped_file = _file(work, "manager", wrk.Request("GET", QUERY, manager["Authorization"]))
        scoped = Side("project-manager", base, lambda _kind: scoped_file, pid=serve.pid)
        if settings.extras:
            for side, connections in ((single, 1), (scoped, settings.connections)):
                if settings.warmup > 0:
                    measure(side, settings, settings.warmup, connections, keep=False)
                measure(side, settings, settings.duration, connections)
    p, f = project.summary(), floor.summary()
    ratio = median(ratios)
    valid = (
        p["failed"] == 0 and f["failed"] == 0 and len(floor_answer.content) == len(answer.content)
    )
    one = single.summary()
    met = p["p99_ms"] < TARGET_P99_MS
    return {
        **headline("case_list", f"p99 < {TARGET_P99_MS:g} ms", met, valid, ratio, ratios),
        "query": QUERY,
        "matches": body.get("total"),
        "items": len(body.get("items", [])),
        "document_bytes": len(answer.content),
        "connections": settings.connections,
        "project": p,
        "floor": f,
        "project_one_connection": one,
        "project_manager": scoped.summary(),
        "statements": sql,
        "line": (
            f"case_list: project {p['throughput']:.1f} req/s (p50 {p['p50_ms']:.1f} ms, "
            f"p99 {p['p99_ms']:.1f} ms at {settings.connections} connections"
            + (f", p99 {one['p99_ms']:.1f} ms at 1" if single.runs else "")
            + f"; {body.get('total')} matches, {len(answer.content)} B), "
            f"floor {f['throughput']:.1f} req/s; "
            f"target p99 < {TARGET_P99_MS:g} ms"
            + ("" if valid else "; INVALID")
            + f"; ratio={ratio:.3f}"
        ),
    }
