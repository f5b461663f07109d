"""Load never makes a 500 (issue 15, finding 3), against a real `opi serve` subprocess.

A burst of 50 simultaneous writes used to give up to 40 x 500 on SQLite and about 18 x 500 on
PostgreSQL (connection pool timeouts), and `/healthz` stalled for about 29 s. Now requests
queue for a bounded time (`api/http/admission.py`), then get 503 with Retry-After; `/healthz`
answers whatever the database is doing. No test here asserts how fast anything is; the
timeouts only keep a broken server from hanging the suite.
"""

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from api.http.problems import PROBLEM_MEDIA_TYPE
from tests.factories import DatabaseTarget
from tests.served import manager_token, opi_serve, served_env
from workflow.models import Case

pytestmark = pytest.mark.slow

BURST = 50
"""More than the server's 40 worker threads: enough to starve them without admission control."""
HANG_GUARD = 90.0


def burst(
    count: int, request: Callable[[httpx.Client, int], httpx.Response], base: str, token: str
) -> tuple[list[httpx.Response], list[threading.Thread]]:
    """Start `count` threads that send their request at the same moment; the responses list
    fills as they answer (join the threads to wait for all)."""
    responses: list[httpx.Response] = []
    start = threading.Barrier(count)

    def one(n: int) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=HANG_GUARD) as c:
            start.wait()
            responses.append(request(c, n))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    return responses, threads


def new_case(base: str, token: str, title: str = "Rolige dage") -> tuple[int, str]:
    """A case made through the API: its id and ETag."""
    with httpx.Client(base_url=f"{base}/api/v1", timeout=HANG_GUARD) as client:
        made = client.post(
            "/cases", json={"title": title}, headers={"Authorization": f"Bearer {token}"}
        )
    assert made.status_code == 201, made.text
    return int(made.json()["id"]), made.headers["etag"]


def patch_title(case_id: int, etag: str) -> Callable[[httpx.Client, int], httpx.Response]:
    """A request that renames the case, expecting it at the version `etag` names."""

    def send(client: httpx.Client, n: int) -> httpx.Response:
        return client.patch(
            f"/cases/{case_id}",
            json={"title": f"Rolige dage {n}"},
            headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
        )

    return send


def assert_busy_answer(response: httpx.Response) -> None:
    """A 503 that tells the client when to try again, as a problem."""
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) >= 1
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert response.json()["status"] == 503


def test_fifty_simultaneous_writes_give_no_server_error(db: DatabaseTarget, tmp_path: Path) -> None:
    with opi_serve(served_env(db.url), tmp_path / "serve.log", "--no-scheduler") as base:
        token = manager_token(base)
        case_id, etag = new_case(base, token)
        rename = patch_title(case_id, etag)

        def write(client: httpx.Client, n: int) -> httpx.Response:
            if n % 2:
                return rename(client, n)
            return client.post("/cases", json={"title": f"Sag {n}"})

        responses, threads = burst(BURST, write, base, token)
        for thread in threads:
            thread.join()

    statuses = Counter(r.status_code for r in responses)
    assert len(responses) == BURST
    assert {s for s in statuses if s >= 500} <= {503}, statuses
    for response in responses:
        if response.status_code == 503:
            assert_busy_answer(response)
    if db.backend == "sqlite":
        assert statuses[503] == 0, "SQLite writers queue instead of failing"
    renames = [r for r in responses if r.request.method == "PATCH"]
    assert sum(r.status_code == 200 for r in renames) == 1, Counter(r.status_code for r in renames)
    assert {r.status_code for r in renames} <= {200, 412, 503}
    created = [r.json()["id"] for r in responses if r.status_code == 201]
    with Session(db.engine) as session:
        stored = session.execute(
            select(func.count()).select_from(Case).where(col(Case.id).in_(created))
        ).scalar_one()
    assert stored == len(created), "an acknowledged write was lost"


@contextmanager
def database_held(db: DatabaseTarget, case_id: int) -> Iterator[None]:
    """Hold what the writers need: the case's row lock (PostgreSQL), SQLite's write lock."""
    if db.backend == "sqlite":
        conn = sqlite3.connect(db.engine.url.database or "", isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    dsn = db.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        conn.execute("SELECT id FROM cases WHERE id = %s FOR UPDATE", (case_id,))
        yield
        conn.rollback()


@pytest.mark.parametrize("limit", ["queue", "pool"])
def test_healthz_answers_and_the_rest_get_503_while_the_database_is_held(
    db: DatabaseTarget, tmp_path: Path, limit: str
) -> None:
    """`queue`: the admission queue is full. `pool`: admission lets more requests through than
    the pool has connections (a misconfiguration), so they wait for the pool instead."""
    env = served_env(db.url, OPI_REQUEST_QUEUE_SECONDS="1", OPI_DATABASE_POOL_TIMEOUT="1")
    if limit == "pool":
        env |= {"OPI_REQUEST_CONCURRENCY": "38", "OPI_DATABASE_POOL_SIZE": "2"}
    with opi_serve(env, tmp_path / "serve.log", "--no-scheduler") as base:
        token = manager_token(base)
        case_id, etag = new_case(base, token)
        with database_held(db, case_id):
            responses, threads = burst(BURST, patch_title(case_id, etag), base, token)
            give_up = time.monotonic() + HANG_GUARD
            while not responses and time.monotonic() < give_up:
                time.sleep(0.05)  # the first answers are the 503s of requests that waited
            assert responses, "nothing answered while the database was held"
            health = httpx.get(f"{base}/healthz", timeout=10)
            assert health.status_code == 200 and health.json() == {"status": "ok"}
            assert_busy_answer(responses[0])
        for thread in threads:
            thread.join()

    statuses = Counter(r.status_code for r in responses)
    assert len(responses) == BURST
    assert set(statuses) <= {200, 412, 503}, statuses
    assert statuses[200] <= 1
    for response in responses:
        if response.status_code == 503:
            assert_busy_answer(response)
