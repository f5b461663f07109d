"""The load benchmark (`bench/load.py`) keeps working: a few clients for a second on each
database. It asserts what load must never do (5xx, lost writes, two winners of a version),
never how fast anything is."""

from dataclasses import replace
from pathlib import Path

import pytest

from bench import load
from bench.config import QUICK
from tests.bench.test_smoke import _postgres_or_skip


def test_load_benchmark_runs_tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _postgres_or_skip()
    monkeypatch.setenv("OPI_BENCH_LOAD_CLIENTS", "8")
    result = load.run("", replace(QUICK, duration=1.5), tmp_path)
    assert result["name"] == "load" and result["clients"] == 8
    for backend in ("postgresql", "sqlite"):
        figures = result[backend]
        assert figures["requests"] > 0, figures
        assert figures["server_errors"] == 0, figures
        assert figures["lost_writes"] == 0 and figures["double_winners"] == 0, figures
        assert 0 < figures["acknowledged_writes"] <= figures["versions_moved"], figures
    assert result["valid"] is True, result
    assert str(result["line"]).startswith("load (8 clients, 1.5 s each): PostgreSQL: ")
