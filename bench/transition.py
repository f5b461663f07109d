"""`transition`: `POST /cases/{id}/transitions` (advance, If-Match) through `opi serve`.

Each request advances a different case from `need` to `match` whose requirements are met
(the generator prepared them), as the lead municipality's manager. The floor locks, updates
and inserts one row per request, each on a different row. Both see the same connection
count, the same body and an `If-Match` header; the project must answer every request 200.
"""

import json
from pathlib import Path
from typing import Any

import psycopg

from bench import pg, servers, wrk
from bench.config import RunSettings
from bench.generate import manager_token
from bench.http import Side, alternate, headline, median
from bench.statements import count_statements

TARGET = 0.35  # issue 18
BODY = json.dumps({"trigger": "advance"})


def ready_cases(db: str) -> list[tuple[int, int, int]]:
    """(id, version, lead municipality) of the cases waiting in `need` with a ready call."""
    with psycopg.connect(pg.dsn(db)) as conn:
        rows = conn.execute(
            "SELECT id, version, lead_municipality_id FROM cases "
            "WHERE state = 'need' AND call <> '{}'::jsonb ORDER BY id"
        ).fetchall()
    return [(int(a), int(b), int(c)) for a, b, c in rows]


def advance_requests(cases: list[tuple[int, int, int]]) -> list[wrk.Request]:
    """One `advance` of each of `ready_cases`, by a manager of its lead municipality."""
    return [
        wrk.Request(
            "POST",
            f"/api/v1/cases/{case_id}/transitions",
            f"Bearer {manager_token(lead)}",
            f'"{version}"',
            BODY,
        )
        for case_id, version, lead in cases
    ]


class OnceFeed:
    """Hands out request files over prepared requests (each a write to one target), never the
    same one twice; shared by `transition` and `transition_vs_django`."""

    def __init__(self, work: Path, name: str, lines: list[wrk.Request], margin: int) -> None:
        self.work, self.name, self.lines, self.margin = work, name, lines, margin
        self.offset, self.files, self.answered, self.runs = 0, 0, 0, 0

    def next_file(self, _kind: str) -> Path:
        rest = self.lines[self.offset :]
        if not rest:
            raise RuntimeError(f"{self.name}: out of prepared targets")
        self.files += 1
        path = self.work / f"{self.name}-{self.files}.tsv"
        wrk.write_requests(path, rest)
        return path

    def consumed(self, load: wrk.Load) -> None:
        self.offset += load.sent + self.margin
        self.answered += load.requests  # warm-up runs included: they write too
        self.runs += 1

    def side(self, name: str, base_url: str, pid: int) -> Side:
        """A side sent this feed's requests, each at most once."""
        return Side(name, base_url, self.next_file, consumed=self.consumed, mode="once", pid=pid)


def run(db: str, settings: RunSettings, work: Path) -> dict[str, Any]:
    """Measure floor and project alternately; the figures and the ratio."""
    cases = ready_cases(db)
    probe, cases = cases[-1], cases[:-1]
    headers = {
        "Authorization": f"Bearer {manager_token(probe[2])}",
        "If-Match": f'"{probe[1]}"',
        "Content-Type": "application/json",
    }
    sql = count_statements(
        pg.url(db), "POST", f"/api/v1/cases/{probe[0]}/transitions", headers, BODY
    )
    project_lines = advance_requests(cases)
    floor_lines = [
        wrk.Request("POST", f"/floor/rows/{n}/transitions", "Bearer floor", '"1"', BODY)
        for n in range(1, settings.size.floor_rows + 1)
    ]
    margin = settings.connections * settings.threads + 8
    feeds = {
        "project": OnceFeed(work, "transition-project", project_lines, margin),
        "floor": OnceFeed(work, "transition-floor", floor_lines, margin),
    }
    url = pg.url(db)
    project_port, floor_port = servers.free_port(), servers.free_port()
    env = servers.environment(url)
    with (
        servers.process(
            servers.serve_command(project_port),
            env,
            work / "transition-serve.log",
            f"http://127.0.0.1:{project_port}/healthz",
        ) as serve,
        servers.process(
            servers.floor_command(floor_port),
            env,
            work / "transition-floor.log",
            f"http://127.0.0.1:{floor_port}/healthz",
        ) as floor_server,
    ):
        project = feeds["project"].side("project", f"http://127.0.0.1:{project_port}", serve.pid)
        floor = feeds["floor"].side("floor", f"http://127.0.0.1:{floor_port}", floor_server.pid)
        ratios = alternate(project, floor, settings)
    p, f = project.summary(), floor.summary()
    ratio = median(ratios)
    valid = p["failed"] == 0 and f["failed"] == 0 and sql["status"] == 200
    return {
        **headline("transition", f">= {TARGET}", ratio >= TARGET, valid, ratio, ratios),
        "connections": settings.connections,
        "project": p,
        "floor": f,
        "statements_per_transition": sql,
        "line": (
            f"transition: project {p['throughput']:.1f} req/s (p50 {p['p50_ms']:.1f} ms, "
            f"p99 {p['p99_ms']:.1f} ms, {sql['statements']} SQL statements), floor "
            f"{f['throughput']:.1f} req/s (p99 {f['p99_ms']:.1f} ms); target >= {TARGET}"
            + ("" if valid else "; INVALID: failed requests")
            + f"; ratio={ratio:.3f}"
        ),
    }
