"""A read-only endpoint measured against a floor answering its first document: the shared
method of `catalogue` and `similar` (a manager's GETs cycled by wrk, the floor a bare endpoint
answering the first path's document byte for byte, the two alternated as in `case_list`)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import pg, servers, wrk
from bench.config import RunSettings
from bench.http import Side, alternate, headline, median


@dataclass(frozen=True)
class ReadRun:
    """What one read benchmark measured: the answers of a first pass, both sides, the ratio."""

    answers: list[bytes]
    """The project's answer to each path (checked 2xx), before the measured runs."""
    floor_bytes: int
    project: dict[str, Any]
    floor: dict[str, Any]
    ratio: float
    ratios: list[float]

    @property
    def valid(self) -> bool:
        """No failed request on either side, and the floor's document as large as the first."""
        return (
            self.project["failed"] == 0
            and self.floor["failed"] == 0
            and self.floor_bytes == len(self.answers[0])
        )

    def result(
        self,
        name: str,
        target_p99_ms: float,
        settings: RunSettings,
        checked: bool,
        what: str,
        extra: dict[str, Any],
    ) -> dict[str, Any]:
        """Every figure of the run, `extra` among them, and its one-line summary; `checked`
        says whether the answers held what the benchmark expects, `what` describes them."""
        valid = self.valid and checked
        p, f = self.project, self.floor
        target = f"p99 < {target_p99_ms:g} ms"
        return {
            **headline(name, target, p["p99_ms"] < target_p99_ms, valid, self.ratio, self.ratios),
            **extra,
            "document_bytes": len(self.answers[0]),
            "connections": settings.connections,
            "project": p,
            "floor": f,
            "line": (
                f"{name}: project {p['throughput']:.1f} req/s (p50 {p['p50_ms']:.1f} ms, "
                f"p99 {p['p99_ms']:.1f} ms at {settings.connections} connections; {what}), "
                f"floor {f['throughput']:.1f} req/s; target {target}"
                + ("" if valid else "; INVALID")
                + f"; ratio={self.ratio:.3f}"
            ),
        }


def measure(
    name: str,
    db: str,
    paths: list[str],
    authorization: str,
    settings: RunSettings,
    work: Path,
    first: int | None = None,
) -> ReadRun:
    """Serve `db`, GET `paths` (the `first` of them once, checked), then alternate wrk runs of
    the project cycling through `paths` and of the floor answering the first document."""
    env = servers.environment(pg.url(db))
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    with servers.process(
        servers.serve_command(port), env, work / f"{name}-serve.log", f"{base}/healthz"
    ) as serve:
        answers = [
            httpx.get(base + path, headers={"Authorization": authorization}, timeout=60)
            for path in paths[:first]
        ]
        for answer in answers:
            answer.raise_for_status()
        document = work / f"{name}-document.json"
        document.write_bytes(answers[0].content)
        floor_port = servers.free_port()
        floor_base = f"http://127.0.0.1:{floor_port}"
        with servers.process(
            servers.floor_command(floor_port),
            env | {"BENCH_FLOOR_DOC": str(document)},
            work / f"{name}-floor.log",
            f"{floor_base}/healthz",
        ) as floor_server:
            floor_answer = httpx.get(floor_base + "/floor/document", timeout=30)
            project_file = work / f"{name}-project.tsv"
            requests = [wrk.Request("GET", path, authorization) for path in paths]
            wrk.write_requests(project_file, requests)
            floor_file = work / f"{name}-floor.tsv"
            wrk.write_requests(floor_file, [wrk.Request("GET", "/floor/document")])
            project = Side("project", base, lambda _kind: project_file, pid=serve.pid)
            floor = Side("floor", floor_base, lambda _kind: floor_file, pid=floor_server.pid)
            ratios = alternate(project, floor, settings)
    return ReadRun(
        answers=[answer.content for answer in answers],
        floor_bytes=len(floor_answer.content),
        project=project.summary(),
        floor=floor.summary(),
        ratio=median(ratios),
        ratios=ratios,
    )
