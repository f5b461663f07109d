"""The benchmark code keeps working: tiny data, one short iteration of each benchmark.

These tests assert that each benchmark generates its data, drives the real servers and
reports a well-formed, valid result; they never assert how fast anything is (the figures of
so little data on a busy machine mean nothing). Where wrk is not installed the HTTP
benchmarks replay the same request files with a small Python client instead.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import pytest

from bench import (
    audit_verify,
    case_list,
    catalogue,
    floor_app,
    pg,
    similar,
    sweep,
    transition,
    wrk,
)
from bench.config import QUICK, DataSize, RunSettings
from bench.generate import Generated, generate

SMOKE = replace(
    QUICK,
    size=DataSize(
        cases=300,
        ready_cases=200,
        due_reminders=5,
        audit_events=2_500,
        floor_rows=3_000,
        municipalities=3,
        companies=4,
    ),
    extras=False,
)


def _postgres_or_skip() -> None:
    try:
        psycopg.connect(pg.PG_ADMIN_DSN, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")


@pytest.fixture(scope="module")
def bench_db() -> Iterator[tuple[str, Generated]]:
    """A freshly generated benchmark database of `SMOKE` size, dropped afterwards."""
    _postgres_or_skip()
    name = f"opi_bench_smoke_{uuid.uuid4().hex[:10]}"
    try:
        made = generate(name, SMOKE.size)
        floor_app.create_tables(pg.url(name), SMOKE.size.floor_rows)
        yield name, made
    finally:
        pg.drop(name)


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> RunSettings:
    """`SMOKE`, with the Python load client standing in for a missing wrk."""
    if not wrk.available():
        monkeypatch.setenv(wrk.PYTHON_LOAD, "1")
    return SMOKE


def _well_formed(result: dict[str, object], name: str) -> None:
    assert result["name"] == name
    assert result["valid"] is True, result
    line = str(result["line"])
    assert line.startswith(f"{name}: ")
    assert line.rsplit("; ", 1)[1].startswith("ratio=")
    assert float(line.rsplit("ratio=", 1)[1]) == pytest.approx(result["ratio"], abs=1e-3)


Run = Callable[[ModuleType], dict[str, Any]]


@pytest.fixture
def run(bench_db: tuple[str, Generated], settings: RunSettings, tmp_path: Path) -> Run:
    """Run a benchmark module on the smoke database; its result, checked to be well formed."""

    def ran(benchmark: ModuleType) -> dict[str, Any]:
        result: dict[str, Any] = benchmark.run(bench_db[0], settings, tmp_path)
        _well_formed(result, benchmark.__name__.rsplit(".", 1)[1])
        return result

    return ran


def test_generated_data_has_the_requested_shape(bench_db: tuple[str, Generated]) -> None:
    name, made = bench_db
    assert made.cases == SMOKE.size.cases
    assert made.due_reminders == SMOKE.size.due_reminders
    assert made.events == SMOKE.size.audit_events
    with psycopg.connect(pg.dsn(name)) as conn:
        ready = conn.execute(
            "SELECT count(*) FROM cases WHERE state = 'need' AND call <> '{}'::jsonb"
        ).fetchone()
        events = conn.execute("SELECT count(*) FROM audit_events").fetchone()
    assert ready == (SMOKE.size.ready_cases,)
    assert events == (SMOKE.size.audit_events,)


def test_audit_verify_benchmark(run: Run) -> None:
    result = run(audit_verify)
    assert result["events"] == SMOKE.size.audit_events
    assert result["cli"]["exit_code"] == 0


def test_case_list_benchmark(run: Run) -> None:
    result = run(case_list)
    assert result["statements"]["status"] == 200


def test_catalogue_benchmark(run: Run) -> None:
    result = run(catalogue)
    assert result["shared_now"] == SMOKE.size.cases  # every need put in the catalogue
    assert result["statements"]["status"] == 200
    assert result["matches_per_query"]["min"] > 0


def test_similar_benchmark(run: Run, bench_db: tuple[str, Generated]) -> None:
    # As `make bench BENCH_ARGS="similar"` finds it: a copy on which no need is shared yet
    # (run after `catalogue` the needs are shared already; alone it once found none to ask
    # about and stopped with an IndexError).
    with psycopg.connect(pg.dsn(bench_db[0]), autocommit=True) as conn:
        conn.execute("UPDATE cases SET shared_at = NULL")
    result = run(similar)
    assert result["shared_now"] == SMOKE.size.cases
    assert result["statements"]["status"] == 200
    assert result["needs"] == similar.CASES
    assert result["similar_per_need"]["min"] > 0


def test_sweep_benchmark(run: Run) -> None:
    result = run(sweep)
    assert result["project"]["messages"] == SMOKE.size.due_reminders


def test_transition_benchmark(run: Run) -> None:
    result = run(transition)
    assert result["statements_per_transition"]["status"] == 200
