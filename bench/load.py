"""The load benchmark (issue 15, finding 3): many clients at once against `opi serve`.

Not a speed benchmark against a floor like the others: it checks what load must never do.
`clients` clients (200 in the full run) send mixed requests for `duration` seconds (30 s):
reads of one hot case and of the case list, and merge-patches with `If-Match`, half on the
hot case (where nearly every write loses the race and gets 412) and half spread over 200
cases. It runs on PostgreSQL and on SQLite, each in a database of its own, and reports

- `server_errors`: 5xx answers other than 503 (target 0); `busy`: 503s (each with Retry-After);
- `lost_writes`: acknowledged patches that left no version behind (target 0): for each case,
  the versions it moved forward must equal the 200s it answered;
- `double_winners`: versions two patches both won (target 0: exactly one winner per version);
- `p99_ms` of every request.
"""

import asyncio
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import pg, servers
from bench.config import RunSettings
from workflow.access.roles import Role
from workflow.core import migrate

ADMIN = "opi-bench-load-admin-token-0123456789abcdef"
SPREAD_CASES = 200
FULL_CLIENTS = 200
FULL_SECONDS = 30.0


@dataclass
class Tally:
    """What the clients saw."""

    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    wins: Counter[tuple[int, int]] = field(default_factory=Counter)
    """(case id, version it reached) of every acknowledged patch."""
    busy_without_retry_after: int = 0
    transport_errors: Counter[str] = field(default_factory=Counter)
    """By kind. A client-side failure (say, a kept-alive connection the server closed just as
    the client reused it) is not an answer of the server; it is reported, not judged."""


def _version(etag: str) -> int:
    return int(etag.strip('W/"'))


async def _setup(client: httpx.AsyncClient, spread: int) -> tuple[str, list[int], dict[int, int]]:
    """A municipality, a manager token and the cases: the token, the ids, their versions."""
    admin = {"Authorization": f"Bearer {ADMIN}"}
    org = await client.post(
        "/organisations",
        json={"name": "Furesø Kommune", "kind": "municipality", "email": "sager@example.dk"},
        headers=admin,
    )
    made = await client.post(
        "/tokens",
        json={"name": "Projektleder", "role": Role.MANAGER, "organisation_id": org.json()["id"]},
        headers=admin,
    )
    token = str(made.json()["token"])
    ids, versions = [], {}
    for n in range(spread + 1):
        case = await client.post(
            "/cases", json={"title": f"Sag {n}"}, headers={"Authorization": f"Bearer {token}"}
        )
        case.raise_for_status()
        ids.append(int(case.json()["id"]))
        versions[ids[-1]] = _version(case.headers["etag"])
    return token, ids, versions


async def _client(
    n: int, client: httpx.AsyncClient, ids: list[int], deadline: float, tally: Tally
) -> None:
    hot, spread = ids[0], ids[1:]
    known: dict[int, str] = {}
    rng = random.Random(n)  # repeatable per client
    writes = 0
    while time.monotonic() < deadline:
        pick = rng.random()
        target = hot if pick < 0.5 else spread[rng.randrange(len(spread))]
        started = time.monotonic()
        try:
            if pick < 0.2 or (0.5 <= pick < 0.7):
                response = await client.get(f"/cases/{target}")
            elif pick < 0.3:
                response = await client.get("/cases", params={"limit": 20})
            else:
                # Every title new: a patch that changes nothing moves no version.
                writes += 1
                response = await client.patch(
                    f"/cases/{target}",
                    json={"title": f"Sag {target}: klient {n}, skrivning {writes}"},
                    headers={
                        "If-Match": known.get(target, '"1"'),
                        "Content-Type": "application/merge-patch+json",
                    },
                )
                if response.status_code == 200:
                    tally.wins[(target, _version(response.headers["etag"]))] += 1
        except httpx.TransportError as exc:
            tally.transport_errors[type(exc).__name__] += 1
            continue
        tally.latencies.append(time.monotonic() - started)
        tally.statuses[response.status_code] += 1
        if response.status_code == 503 and "retry-after" not in response.headers:
            tally.busy_without_retry_after += 1
        if "etag" in response.headers:
            known[target] = response.headers["etag"]


async def _drive(
    base: str, clients: int, seconds: float, spread: int
) -> tuple[Tally, dict[int, int], int]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=120, limits=limits) as setup:
        token, ids, before = await _setup(setup, spread)
    tally = Tally()
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=f"{base}/api/v1", timeout=120, limits=limits, headers=headers
    ) as client:
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(_client(n, client, ids, deadline, tally) for n in range(clients)))
        after = {}
        for case_id in ids:
            response = await client.get(f"/cases/{case_id}")
            after[case_id] = _version(response.headers["etag"])
    # Every acknowledged patch moved its case one version on. A case may have moved more
    # (a patch committed whose answer a transport error swallowed), never less.
    won = Counter(case_id for case_id, _ in tally.wins.elements())
    lost = sum(max(0, won[c] - (after[c] - before[c])) for c in ids)
    return tally, {c: after[c] - before[c] for c in ids}, lost


def _p99_ms(latencies: list[float]) -> float:
    if not latencies:
        return 0.0
    ordered = sorted(latencies)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1)


def run_on(
    database_url: str, clients: int, seconds: float, log: Path, spread: int = SPREAD_CASES
) -> dict[str, Any]:
    """Serve `database_url` (migrated here) and drive it; the figures."""
    migrate.upgrade(database_url)
    port = servers.free_port()
    env = servers.environment(database_url, OPI_ADMIN_TOKEN=ADMIN, OPI_ENVIRONMENT="test")
    command = servers.serve_command(port)
    with servers.process(command, env, log, f"http://127.0.0.1:{port}/healthz"):
        tally, moved, lost = asyncio.run(
            _drive(f"http://127.0.0.1:{port}", clients, seconds, spread)
        )
    server_errors = sum(n for s, n in tally.statuses.items() if s >= 500 and s != 503)
    double = sum(1 for n in tally.wins.values() if n > 1)
    acknowledged = sum(tally.wins.values())
    return {
        "requests": sum(tally.statuses.values()),
        "statuses": {str(s): n for s, n in sorted(tally.statuses.items())},
        "server_errors": server_errors,
        "busy": tally.statuses.get(503, 0),
        "busy_without_retry_after": tally.busy_without_retry_after,
        "transport_errors": dict(tally.transport_errors),
        "acknowledged_writes": acknowledged,
        "versions_moved": sum(moved.values()),
        "lost_writes": lost,
        "double_winners": double,
        "p99_ms": _p99_ms(tally.latencies),
        "valid": server_errors == 0
        and lost == 0
        and double == 0
        and tally.busy_without_retry_after == 0,
    }


def run(db: str, settings: RunSettings, tmp: Path) -> dict[str, Any]:
    """The load benchmark on PostgreSQL and SQLite (`db`, the shared data, is not used:
    this benchmark writes, and builds small databases of its own)."""
    clients = 20 if settings.quick else FULL_CLIENTS
    seconds = settings.duration if settings.quick else FULL_SECONDS
    clients = int(os.environ.get("OPI_BENCH_LOAD_CLIENTS", clients))
    spread = 20 if settings.quick else SPREAD_CASES
    name = f"opi_bench_load_{settings.label}"
    pg.create(name)
    try:
        postgresql = run_on(pg.url(name), clients, seconds, tmp / "load-pg.log", spread)
    finally:
        pg.drop(name)
    sqlite = run_on(
        f"sqlite:///{tmp / 'load.db'}", clients, seconds, tmp / "load-sqlite.log", spread
    )
    parts = []
    for label, r in (("PostgreSQL", postgresql), ("SQLite", sqlite)):
        parts.append(
            f"{label}: {r['requests']} requests, {r['server_errors']} x 5xx, {r['busy']} x 503, "
            f"{r['lost_writes']} lost, {r['double_winners']} double winners, "
            f"p99 {r['p99_ms']:.0f} ms"
        )
    return {
        "name": "load",
        "clients": clients,
        "cases": spread,
        "seconds": seconds,
        "postgresql": postgresql,
        "sqlite": sqlite,
        "valid": postgresql["valid"] and sqlite["valid"],
        "line": f"load ({clients} clients, {seconds:g} s each): " + "; ".join(parts),
    }
